package chattest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractRoomKeys: encrypted rooms keep their flags, messages their
// ciphertext (and edits' versions theirs), and the room keys follow
// chat.RoomKeyStore: the epoch advances only to keyEpoch+1, once, even
// when two shares race.
func contractRoomKeys(t *testing.T, st chat.Store) {
	ctx := context.Background()
	s, ok := st.(chat.RoomKeyStore)
	if !ok {
		t.Fatal("the store keeps no room keys")
	}
	a, b := uniq("u"), uniq("u")
	now := ms(time.Now())
	enc := chat.Room{ID: uniq("d_"), Kind: chat.KindDirect, CreatedBy: a, CreatedAt: now, MemberCount: 2, MemberIDs: []string{a, b}, Encrypted: true}
	plain := chat.Room{ID: uniq("d_"), Kind: chat.KindDirect, CreatedBy: a, CreatedAt: now, MemberCount: 2, MemberIDs: []string{a, b}}
	for _, r := range []chat.Room{enc, plain} {
		if err := st.CreateRoom(ctx, r, []chat.Member{{RoomID: r.ID, UserID: a, Role: chat.RoleMember, JoinedAt: now}, {RoomID: r.ID, UserID: b, Role: chat.RoleMember, JoinedAt: now}}); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := st.GetRoom(ctx, enc.ID); err != nil || !got.Encrypted || got.KeyEpoch != 0 || got.RotateKey {
		t.Fatalf("GetRoom(encrypted) = %+v, %v", got, err)
	}
	devA, devB, devB2 := "dev_"+strings.Repeat("a", 26), "dev_"+strings.Repeat("b", 26), "dev_"+strings.Repeat("c", 26)
	key := func(epoch int, user, dev string) chat.WrappedRoomKey {
		return chat.WrappedRoomKey{RoomID: enc.ID, Epoch: epoch, UserID: user, DeviceID: dev, SenderUserID: a, SenderDevice: devA, Wrapped: "w" + dev[4:8], CreatedAt: now}
	}

	// Two racing advances to epoch 1: one wins.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() {
			_, errs[i] = s.ShareRoomKeys(ctx, enc.ID, 1, true, []chat.WrappedRoomKey{key(1, a, devA), key(1, b, devB)})
		})
	}
	wg.Wait()
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("racing advances: %v, %v (want exactly one conflict)", errs[0], errs[1])
	}
	for _, err := range errs {
		if err != nil {
			wantCode(t, "the losing advance", err, chat.Conflict)
		}
	}
	_, err := s.ShareRoomKeys(ctx, enc.ID, 3, true, []chat.WrappedRoomKey{key(3, b, devB)})
	wantCode(t, "advance past keyEpoch+1", err, chat.Conflict)
	_, err = s.ShareRoomKeys(ctx, plain.ID, 1, true, []chat.WrappedRoomKey{{RoomID: plain.ID, Epoch: 1, UserID: b, DeviceID: devB, Wrapped: "w"}})
	wantCode(t, "advance of a plain room", err, chat.Conflict)
	// A late device joins epoch 1 without moving it.
	if r, err := s.ShareRoomKeys(ctx, enc.ID, 1, false, []chat.WrappedRoomKey{key(1, b, devB2)}); err != nil || r.KeyEpoch != 1 {
		t.Fatalf("add to epoch 1: %+v %v", r, err)
	}
	// A late maker of epoch 1 (it lost the race) never writes over a key
	// already stored, not even beside a device that has none: all or nothing.
	late := key(1, b, devB)
	late.Wrapped = "loser"
	extra := key(1, a, "dev_"+strings.Repeat("d", 26))
	_, err = s.ShareRoomKeys(ctx, enc.ID, 1, false, []chat.WrappedRoomKey{extra, late})
	wantCode(t, "a key over a stored one", err, chat.Conflict)
	if ks, _ := s.RoomKeys(ctx, enc.ID, devB, 1); len(ks) != 1 || ks[0].Wrapped == "loser" {
		t.Fatalf("devB's epoch 1 after the late maker = %+v", ks)
	}
	if ks, _ := s.RoomKeys(ctx, enc.ID, extra.DeviceID, 0); len(ks) != 0 {
		t.Fatalf("the late maker's other key was written: %+v", ks)
	}
	// Rotation: set, then cleared by the next epoch.
	if r, err := s.SetRotateKey(ctx, enc.ID); err != nil || !r.RotateKey {
		t.Fatalf("SetRotateKey = %+v, %v", r, err)
	}
	if r, err := s.SetRotateKey(ctx, plain.ID); err != nil || r.RotateKey || r.Encrypted {
		t.Fatalf("SetRotateKey(plain) = %+v, %v", r, err)
	}
	if r, err := s.ShareRoomKeys(ctx, enc.ID, 2, true, []chat.WrappedRoomKey{key(2, a, devA), key(2, b, devB)}); err != nil || r.KeyEpoch != 2 || r.RotateKey {
		t.Fatalf("advance to 2: %+v %v", r, err)
	}
	if got, _ := st.GetRoom(ctx, enc.ID); got.KeyEpoch != 2 || got.RotateKey || !got.Encrypted {
		t.Fatalf("room after epoch 2: %+v", got)
	}
	ks, err := s.RoomKeys(ctx, enc.ID, devB, 0)
	if err != nil || len(ks) != 2 || ks[0].Epoch != 1 || ks[1].Epoch != 2 || ks[1].Wrapped != key(2, b, devB).Wrapped || ks[0].SenderDevice != devA || ks[0].UserID != b {
		t.Fatalf("RoomKeys(devB) = %+v, %v", ks, err)
	}
	if ks, _ := s.RoomKeys(ctx, enc.ID, devB, 2); len(ks) != 1 || ks[0].Epoch != 2 {
		t.Fatalf("RoomKeys(devB, since 2) = %+v", ks)
	}
	if ks, _ := s.RoomKeys(ctx, enc.ID, devB2, 0); len(ks) != 1 || ks[0].Epoch != 1 {
		t.Fatalf("RoomKeys(devB2) = %+v", ks)
	}
	// Deleting one device's keys, then all of the person's.
	if n, err := s.DeleteUserRoomKeys(ctx, b, devB2); err != nil || n != 1 {
		t.Fatalf("DeleteUserRoomKeys(device) = %d, %v", n, err)
	}
	if n, err := s.DeleteUserRoomKeys(ctx, b, ""); err != nil || n != 2 {
		t.Fatalf("DeleteUserRoomKeys(all) = %d, %v", n, err)
	}
	if ks, _ := s.RoomKeys(ctx, enc.ID, devB, 0); len(ks) != 0 {
		t.Fatalf("keys left: %+v", ks)
	}
	if ks, _ := s.RoomKeys(ctx, enc.ID, devA, 0); len(ks) != 2 {
		t.Fatalf("a's keys: %+v", ks)
	}

	// A message's ciphertext, and an edit's earlier one in its version.
	ct := &chat.EncryptedContent{V: 1, Epoch: 2, Device: devA, IV: "AAAAAAAAAAAAAAAA", CT: "Y2lwaGVydGV4dC1ieXRlcy1hbmQtdGFn"}
	m, _, err := st.AppendMessage(ctx, chat.Message{RoomID: enc.ID, ClientID: "c1", SenderID: a, CreatedAt: now, Encrypted: ct})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.GetMessage(ctx, enc.ID, m.Seq)
	if err != nil || got.Encrypted == nil || *got.Encrypted != *ct || got.Text != "" {
		t.Fatalf("GetMessage = %+v, %v", got, err)
	}
	ct2 := *ct
	ct2.CT = "bmV3LWNpcGhlcnRleHQtYnl0ZXMtdGFn"
	got.Encrypted, got.EditedAt = &ct2, now.Add(time.Second)
	if err := st.ReplaceMessage(ctx, got); err != nil {
		t.Fatal(err)
	}
	if err := st.PutVersion(ctx, enc.ID, m.Seq, chat.MessageVersion{Encrypted: ct, At: now}); err != nil {
		t.Fatal(err)
	}
	if after, _ := st.GetMessage(ctx, enc.ID, m.Seq); after.Encrypted == nil || after.Encrypted.CT != ct2.CT {
		t.Fatalf("after the edit: %+v", after.Encrypted)
	}
	if vs, err := st.MessageVersions(ctx, enc.ID, m.Seq); err != nil || len(vs) != 1 || vs[0].Encrypted == nil || vs[0].Encrypted.CT != ct.CT {
		t.Fatalf("versions = %+v, %v", vs, err)
	}
	if hist, _, err := st.MessagesBefore(ctx, enc.ID, 0, 10); err != nil || len(hist) != 1 || hist[0].Encrypted == nil {
		t.Fatalf("MessagesBefore = %+v, %v", hist, err)
	}
	// A tombstone drops the ciphertext.
	got.Encrypted, got.Deleted, got.DeletedBy = nil, true, a
	if err := st.ReplaceMessage(ctx, got); err != nil {
		t.Fatal(err)
	}
	if after, _ := st.GetMessage(ctx, enc.ID, m.Seq); after.Encrypted != nil {
		t.Fatalf("tombstone keeps %+v", after.Encrypted)
	}
	// A later member's first key epoch is kept with the membership.
	newcomer := chat.Member{RoomID: enc.ID, UserID: "late", Role: chat.RoleMember, JoinedAt: now, KeyEpochFrom: 3}
	if err := st.AddMember(ctx, newcomer); err != nil {
		t.Fatal(err)
	}
	if got, err := st.GetMember(ctx, enc.ID, "late"); err != nil || got.KeyEpochFrom != 3 {
		t.Fatalf("GetMember(newcomer) = %+v, %v: want keyEpochFrom 3", got, err)
	}
}
