package chattest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// RunKeyStoreContract checks chat.KeyStore (the key directory of issue
// #19) against a store that also keeps connections, so the fake and the
// DynamoDB adapter keep the same rules. Every subtest uses users of its own.
func RunKeyStoreContract(t *testing.T, newStore func(t *testing.T) chat.Store) {
	keys := func(t *testing.T) (chat.Store, chat.KeyStore) {
		s := newStore(t)
		ks, ok := s.(chat.KeyStore)
		if !ok {
			t.Skip("the store keeps no key directory")
		}
		return s, ks
	}
	t.Run("devices", func(t *testing.T) { _, ks := keys(t); contractDevices(t, ks) })
	t.Run("identity", func(t *testing.T) { _, ks := keys(t); contractIdentity(t, ks) })
	t.Run("backup", func(t *testing.T) { _, ks := keys(t); contractBackup(t, ks) })
	t.Run("backup keys", func(t *testing.T) { _, ks := keys(t); contractBackupKeys(t, ks) })
	t.Run("connection devices", func(t *testing.T) { s, ks := keys(t); contractConnectionDevices(t, s, ks) })
}

func contractDevices(t *testing.T, ks chat.KeyStore) {
	ctx := context.Background()
	u := uniq("kd_u")
	now := ms(time.Now())
	d1 := chat.Device{UserID: u, DeviceID: "dev_aaaaaaaaaaaaaaaaaaaaaaaaaa", Name: "Laptop", PublicKey: "PK1", CreatedAt: now}
	d2 := chat.Device{UserID: u, DeviceID: "dev_bbbbbbbbbbbbbbbbbbbbbbbbbb", Name: "Phone", PublicKey: "PK2", CreatedAt: now.Add(time.Second)}
	for _, d := range []chat.Device{d2, d1} {
		if err := ks.CreateDevice(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, "the same device again", ks.CreateDevice(ctx, d1), chat.Conflict)
	got, err := ks.GetDevice(ctx, u, d1.DeviceID)
	if err != nil || got.Name != "Laptop" || got.PublicKey != "PK1" || !got.CreatedAt.Equal(now) || !got.LastSeenAt.IsZero() {
		t.Fatalf("GetDevice = %+v, %v", got, err)
	}
	_, err = ks.GetDevice(ctx, u, "dev_cccccccccccccccccccccccccc")
	wantCode(t, "a missing device", err, chat.NotFound)
	_, err = ks.GetDevice(ctx, uniq("kd_other"), d1.DeviceID)
	wantCode(t, "another person's device id", err, chat.NotFound)
	list, err := ks.ListDevices(ctx, u)
	if err != nil || len(list) != 2 || list[0].DeviceID != d1.DeviceID || list[1].DeviceID != d2.DeviceID {
		t.Fatalf("ListDevices = %+v, %v", list, err)
	}
	seen := now.Add(time.Minute)
	got, err = ks.SeeDevice(ctx, u, d1.DeviceID, "Work laptop", seen)
	if err != nil || got.Name != "Work laptop" || !got.LastSeenAt.Equal(seen) || got.PublicKey != "PK1" {
		t.Fatalf("SeeDevice = %+v, %v", got, err)
	}
	_, err = ks.SeeDevice(ctx, u, "dev_cccccccccccccccccccccccccc", "x", seen)
	wantCode(t, "seeing a missing device", err, chat.NotFound)
	got, err = ks.SetDeviceSignature(ctx, u, d1.DeviceID, "PK1", "SIG")
	if err != nil || got.Signature != "SIG" || got.Name != "Work laptop" {
		t.Fatalf("SetDeviceSignature = %+v, %v", got, err)
	}
	_, err = ks.SetDeviceSignature(ctx, u, d1.DeviceID, "PK-other", "SIG2")
	wantCode(t, "signing over another key", err, chat.Conflict)
	_, err = ks.SetDeviceSignature(ctx, u, "dev_cccccccccccccccccccccccccc", "PK1", "SIG")
	wantCode(t, "signing a missing device", err, chat.NotFound)
	if got, _ := ks.GetDevice(ctx, u, d1.DeviceID); got.Signature != "SIG" {
		t.Fatalf("a refused signature changed it: %+v", got)
	}
	if got, err = ks.SetDeviceSignature(ctx, u, d1.DeviceID, "PK1", ""); err != nil || got.Signature != "" {
		t.Fatalf("removing the signature: %+v, %v", got, err)
	}
	if err := ks.DeleteDevice(ctx, u, d2.DeviceID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "deleting it again", ks.DeleteDevice(ctx, u, d2.DeviceID), chat.NotFound)
	if list, _ := ks.ListDevices(ctx, u); len(list) != 1 {
		t.Fatalf("after the delete: %+v", list)
	}
}

func contractIdentity(t *testing.T, ks chat.KeyStore) {
	ctx := context.Background()
	u := uniq("kd_u")
	now := ms(time.Now())
	_, err := ks.GetKeyIdentity(ctx, u)
	wantCode(t, "no identity", err, chat.NotFound)
	id, devs, err := ks.GetUserKeys(ctx, u)
	if err != nil || id.IdentityKey != "" || len(devs) != 0 {
		t.Fatalf("GetUserKeys of nobody = %+v %+v %v", id, devs, err)
	}
	wantCode(t, "replacing a missing identity", ks.SetKeyIdentity(ctx, chat.KeyIdentity{UserID: u, IdentityKey: "ID1", CreatedAt: now}, "ID0"), chat.Conflict)
	if err := ks.SetKeyIdentity(ctx, chat.KeyIdentity{UserID: u, IdentityKey: "ID1", CreatedAt: now}, ""); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a second first identity", ks.SetKeyIdentity(ctx, chat.KeyIdentity{UserID: u, IdentityKey: "ID2", CreatedAt: now}, ""), chat.Conflict)
	wantCode(t, "replacing a changed identity", ks.SetKeyIdentity(ctx, chat.KeyIdentity{UserID: u, IdentityKey: "ID2", CreatedAt: now}, "ID0"), chat.Conflict)
	later := now.Add(time.Hour)
	if err := ks.SetKeyIdentity(ctx, chat.KeyIdentity{UserID: u, IdentityKey: "ID2", CreatedAt: later}, "ID1"); err != nil {
		t.Fatal(err)
	}
	got, err := ks.GetKeyIdentity(ctx, u)
	if err != nil || got.IdentityKey != "ID2" || !got.CreatedAt.Equal(later) || got.UserID != u {
		t.Fatalf("GetKeyIdentity = %+v, %v", got, err)
	}
	// GetUserKeys reads the identity and the devices, not the backup.
	if err := ks.CreateDevice(ctx, chat.Device{UserID: u, DeviceID: "dev_zzzzzzzzzzzzzzzzzzzzzzzzzz", Name: "Z", PublicKey: "PKZ", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := ks.PutKeyBackup(ctx, chat.KeyBackup{UserID: u, KDF: chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: "S"}, ProofHash: "H", WrappedKey: "W", Identity: "I", UpdatedAt: now}, false); err != nil {
		t.Fatal(err)
	}
	if err := ks.PutBackupKeys(ctx, u, []chat.BackupRoomKey{{RoomID: "r1", Epoch: 1, Key: "K"}}); err != nil {
		t.Fatal(err)
	}
	id, devs, err = ks.GetUserKeys(ctx, u)
	if err != nil || id.IdentityKey != "ID2" || len(devs) != 1 || devs[0].PublicKey != "PKZ" {
		t.Fatalf("GetUserKeys = %+v %+v %v", id, devs, err)
	}
}

func contractBackup(t *testing.T, ks chat.KeyStore) {
	ctx := context.Background()
	u := uniq("kd_u")
	now := ms(time.Now())
	b := chat.KeyBackup{UserID: u, KDF: chat.BackupKDF{Alg: "scrypt", N: 1 << 17, R: 8, P: 1, Salt: "SALT"}, ProofHash: "HASH1", WrappedKey: "W1", Identity: "I1", UpdatedAt: now}
	_, err := ks.GetKeyBackup(ctx, u)
	wantCode(t, "no backup", err, chat.NotFound)
	_, _, err = ks.TakeProofAttempt(ctx, u, now, time.Hour, 3)
	wantCode(t, "an attempt without a backup", err, chat.NotFound)
	if err := ks.PutKeyBackup(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "a second first backup", ks.PutKeyBackup(ctx, b, false), chat.Conflict)
	got, err := ks.GetKeyBackup(ctx, u)
	if err != nil || got.KDF != b.KDF || got.ProofHash != "HASH1" || got.WrappedKey != "W1" || got.Identity != "I1" || !got.UpdatedAt.Equal(now) || got.FailedProofs != 0 {
		t.Fatalf("GetKeyBackup = %+v, %v", got, err)
	}
	// Three attempts in the window, then locked; the window's end starts a new one.
	for i := 1; i <= 3; i++ {
		got, ok, err := ks.TakeProofAttempt(ctx, u, now.Add(time.Duration(i)*time.Minute), time.Hour, 3)
		if err != nil || !ok || got.FailedProofs != i || !got.FailedSince.Equal(now.Add(time.Minute)) || got.ProofHash != "HASH1" {
			t.Fatalf("attempt %d: %+v %v %v", i, got, ok, err)
		}
	}
	got, ok, err := ks.TakeProofAttempt(ctx, u, now.Add(30*time.Minute), time.Hour, 3)
	if err != nil || ok || got.FailedProofs != 3 {
		t.Fatalf("the fourth attempt: %+v %v %v", got, ok, err)
	}
	got, ok, err = ks.TakeProofAttempt(ctx, u, now.Add(time.Minute+time.Hour), time.Hour, 3)
	if err != nil || !ok || got.FailedProofs != 1 || !got.FailedSince.Equal(now.Add(time.Minute+time.Hour)) {
		t.Fatalf("after the window: %+v %v %v", got, ok, err)
	}
	if err := ks.ClearProofAttempts(ctx, u); err != nil {
		t.Fatal(err)
	}
	if got, _ := ks.GetKeyBackup(ctx, u); got.FailedProofs != 0 || !got.FailedSince.IsZero() {
		t.Fatalf("after clearing: %+v", got)
	}
	// Parallel attempts never pass the limit.
	var wg sync.WaitGroup
	var mu sync.Mutex
	taken := 0
	for range 8 {
		wg.Go(func() {
			_, ok, err := ks.TakeProofAttempt(ctx, u, now.Add(2*time.Hour), time.Hour, 5)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				taken++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if taken != 5 {
		t.Errorf("%d of 8 parallel attempts were taken, want 5", taken)
	}
	b2 := b
	b2.ProofHash, b2.UpdatedAt = "HASH2", now.Add(3*time.Hour)
	if err := ks.PutKeyBackup(ctx, b2, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := ks.GetKeyBackup(ctx, u); got.ProofHash != "HASH2" || got.FailedProofs != 0 {
		t.Fatalf("a replaced backup: %+v", got)
	}
	if err := ks.DeleteKeyBackup(ctx, u); err != nil {
		t.Fatal(err)
	}
	if err := ks.DeleteKeyBackup(ctx, u); err != nil {
		t.Fatalf("deleting no backup: %v", err)
	}
	if err := ks.ClearProofAttempts(ctx, u); err != nil {
		t.Fatalf("clearing no backup: %v", err)
	}
	_, err = ks.GetKeyBackup(ctx, u)
	wantCode(t, "a deleted backup", err, chat.NotFound)
}

func contractBackupKeys(t *testing.T, ks chat.KeyStore) {
	ctx := context.Background()
	u := uniq("kd_u")
	var want []chat.BackupRoomKey
	for i := range 7 {
		want = append(want, chat.BackupRoomKey{RoomID: fmt.Sprintf("room%d", i/3), Epoch: i%3 + 1, Key: fmt.Sprint("K", i)})
	}
	want = append(want, chat.BackupRoomKey{RoomID: "room0", Epoch: 10, Key: "K10"}) // sorts after epoch 3
	if err := ks.PutBackupKeys(ctx, u, want[4:]); err != nil {
		t.Fatal(err)
	}
	if err := ks.PutBackupKeys(ctx, u, want[:4]); err != nil {
		t.Fatal(err)
	}
	replaced := chat.BackupRoomKey{RoomID: "room0", Epoch: 1, Key: "K0b"}
	if err := ks.PutBackupKeys(ctx, u, []chat.BackupRoomKey{replaced}); err != nil {
		t.Fatal(err)
	}
	want[0] = replaced
	slices.SortFunc(want, func(a, b chat.BackupRoomKey) int {
		if a.RoomID != b.RoomID {
			if a.RoomID < b.RoomID {
				return -1
			}
			return 1
		}
		return a.Epoch - b.Epoch
	})
	var got []chat.BackupRoomKey
	cursor := ""
	for pages := 0; ; pages++ {
		page, next, err := ks.ListBackupKeys(ctx, u, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 3 || pages > 5 {
			t.Fatalf("page %d of %d keys", pages, len(page))
		}
		got = append(got, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ListBackupKeys =\n%+v\nwant\n%+v", got, want)
	}
	_, _, err := ks.ListBackupKeys(ctx, u, "!!", 3)
	wantCode(t, "a bad cursor", err, chat.Invalid)
	if err := ks.DeleteBackupKeys(ctx, u); err != nil {
		t.Fatal(err)
	}
	if left, _, err := ks.ListBackupKeys(ctx, u, "", 10); err != nil || len(left) != 0 {
		t.Fatalf("after DeleteBackupKeys: %+v %v", left, err)
	}
}

func contractConnectionDevices(t *testing.T, s chat.Store, ks chat.KeyStore) {
	ctx := context.Background()
	u := uniq("kd_u")
	c1, c2, c3 := uniq("kd_c"), uniq("kd_c"), uniq("kd_c")
	for _, id := range []string{c1, c2, c3} {
		if err := s.PutConnection(ctx, chat.Connection{ID: id, Identity: chat.Identity{UserID: u}}, nil); err != nil {
			t.Fatal(err)
		}
	}
	dev := "dev_aaaaaaaaaaaaaaaaaaaaaaaaaa"
	for _, id := range []string{c1, c3} {
		if err := ks.SetConnectionDevice(ctx, u, id, dev); err != nil {
			t.Fatal(err)
		}
	}
	if err := ks.SetConnectionDevice(ctx, u, c2, "dev_bbbbbbbbbbbbbbbbbbbbbbbbbb"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetConnection(ctx, c1); err != nil || got.DeviceID != dev {
		t.Fatalf("GetConnection = %+v, %v", got, err)
	}
	if err := ks.SetConnectionDevice(ctx, uniq("kd_other"), c1, "dev_cccccccccccccccccccccccccc"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetConnection(ctx, c1); got.DeviceID != dev {
		t.Fatalf("another person marked the connection: %+v", got)
	}
	gone := uniq("kd_gone")
	if err := ks.SetConnectionDevice(ctx, u, gone, dev); err != nil {
		t.Fatalf("a gone connection: %v", err)
	}
	if _, err := s.GetConnection(ctx, gone); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("SetConnectionDevice made a connection: %v", err)
	}
	want := []string{c1, c3}
	slices.Sort(want)
	got, err := ks.DeviceConnections(ctx, u, dev)
	slices.Sort(got)
	if err != nil || !slices.Equal(got, want) {
		t.Fatalf("DeviceConnections = %v, %v; want %v", got, err, want)
	}
	if err := s.DeleteConnection(ctx, chat.Connection{ID: c3, Identity: chat.Identity{UserID: u}}, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := ks.DeviceConnections(ctx, u, dev); !slices.Equal(got, []string{c1}) {
		t.Fatalf("after a disconnect: %v", got)
	}
}
