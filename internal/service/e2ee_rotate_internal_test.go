package service

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
)

// rotateRoomsOf (removeDevice, an identity reset) marks every encrypted
// room of the person, and only those, and tells their members.
func TestRotateRoomsOf(t *testing.T) {
	ctx := context.Background()
	store, fan := chattest.NewStore(), chattest.NewFanout()
	svc, err := New(Config{Store: store, Fanout: fan})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	rooms := []chat.Room{
		{ID: "d_enc", Kind: chat.KindDirect, Encrypted: true, KeyEpoch: 2, MemberIDs: []string{"ada", "bo"}},
		{ID: "c_enc", Kind: chat.KindPrivate, Name: "vault", Encrypted: true, KeyEpoch: 1},
		{ID: "c_plain", Kind: chat.KindPublic, Name: "open"},
		{ID: "c_other", Kind: chat.KindPrivate, Name: "other", Encrypted: true, KeyEpoch: 1}, // ada is not in it
	}
	for _, r := range rooms {
		r.CreatedAt, r.CreatedBy = now, "bo"
		members := []chat.Member{{RoomID: r.ID, UserID: "bo", Role: chat.RoleOwner, JoinedAt: now}}
		if r.ID != "c_other" {
			members = append(members, chat.Member{RoomID: r.ID, UserID: "ada", Role: chat.RoleMember, JoinedAt: now})
		}
		r.MemberCount = len(members)
		if err := store.CreateRoom(ctx, r, members); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.rotateRoomsOf(ctx, "ada"); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string]bool{"d_enc": true, "c_enc": true, "c_plain": false, "c_other": false} {
		r, _ := store.GetRoom(ctx, id)
		if r.RotateKey != want {
			t.Errorf("%s: rotateKey %v, want %v", id, r.RotateKey, want)
		}
	}
	if r, _ := store.GetRoom(ctx, "d_enc"); r.KeyEpoch != 2 {
		t.Errorf("the epoch moved: %+v", r)
	}
	// Idempotent: a second call changes nothing.
	if err := svc.rotateRoomsOf(ctx, "ada"); err != nil {
		t.Fatal(err)
	}
}
