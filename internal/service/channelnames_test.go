package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// wantConflict fails unless err is a Conflict with exactly msg for the
// client.
func wantConflict(t *testing.T, err error, msg string) {
	t.Helper()
	wantCode(t, err, chat.Conflict)
	if got := chat.ErrorMessage(err); got != msg {
		t.Errorf("message = %q, want %q", got, msg)
	}
}

func TestChannelNamesAreUnique(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	h.channel(alice, "random", false)
	h.channel(alice, "secret", true)

	_, err := h.svc.CreateChannel(h.ctx, bob, protocol.CreateChannelRequest{Name: "Random"})
	wantConflict(t, err, `a channel named "random" already exists`)
	_, err = h.svc.CreateChannel(h.ctx, bob, protocol.CreateChannelRequest{Name: "random", Private: true})
	wantConflict(t, err, `a channel named "random" already exists`)
	// A private holder is not named: bob learns only that the name is taken.
	_, err = h.svc.CreateChannel(h.ctx, bob, protocol.CreateChannelRequest{Name: "secret"})
	wantConflict(t, err, "that channel name is taken")
	_, err = h.svc.CreateChannel(h.ctx, bob, protocol.CreateChannelRequest{Name: "general"})
	wantConflict(t, err, "#general already exists: pick another name")

	rooms, _, err := h.store.ListPublicRooms(h.ctx, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rooms) != 2 { // general and random
		t.Errorf("public rooms after refused creates = %+v", rooms)
	}
	if n := len(h.fan.OfType("b1", protocol.EventRoomAdded)); n != 0 {
		t.Errorf("refused creates announced %d rooms", n)
	}
}

func TestRenameChannelKeepsNamesUnique(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	random := h.channel(alice, "random", false)
	h.channel(alice, "secret", true)
	ops := h.channel(alice, "ops", false)
	rename := func(roomID, name string) (protocol.RoomEvent, error) {
		return h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: roomID, Name: &name})
	}

	_, err := rename(ops.ID, "random")
	wantConflict(t, err, `a channel named "random" already exists`)
	_, err = rename(ops.ID, "secret")
	wantConflict(t, err, "that channel name is taken")
	_, err = rename(ops.ID, "general")
	wantConflict(t, err, "#general already exists: pick another name")
	if got, _ := h.store.GetRoom(h.ctx, ops.ID); got.Name != "ops" {
		t.Errorf("refused renames left the name %q", got.Name)
	}

	if ev, err := rename(random.ID, "Random"); err != nil || ev.Room.Name != "random" {
		t.Errorf("rename to its own name = %+v, %v", ev.Room, err)
	}
	if ev, err := rename(random.ID, "chatter"); err != nil || ev.Room.Name != "chatter" {
		t.Fatalf("rename = %+v, %v", ev.Room, err)
	}
	// The old name is free again, the new one taken.
	h.channel(alice, "random", true)
	_, err = h.svc.CreateChannel(h.ctx, alice, protocol.CreateChannelRequest{Name: "chatter"})
	wantConflict(t, err, `a channel named "chatter" already exists`)

	// A topic-only update of a channel is not a rename.
	topic := "ops things"
	if _, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: ops.ID, Topic: &topic}); err != nil {
		t.Errorf("topic update: %v", err)
	}
}
