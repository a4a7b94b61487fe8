package service_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func TestOpenDirectFindsTheSameConversation(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	carol := h.connect("carol", "c1")

	ab := h.direct(alice, "bob")
	if !strings.HasPrefix(ab.ID, "d_") || ab.Kind != chat.KindDirect || !slices.Equal(ab.MemberIDs, []string{"alice", "bob"}) {
		t.Errorf("room = %+v", ab)
	}
	if ba := h.direct(bob, "alice"); ba.ID != ab.ID {
		t.Errorf("bob->alice %s != alice->bob %s", ba.ID, ab.ID)
	}
	if again := h.direct(alice, "bob", "bob", "alice"); again.ID != ab.ID {
		t.Errorf("duplicates and self changed the room: %s", again.ID)
	}
	group := h.direct(carol, "bob", "alice")
	if group.ID == ab.ID || group.MemberCount != 3 {
		t.Errorf("group = %+v", group)
	}
	if g2 := h.direct(alice, "carol", "bob"); g2.ID != group.ID {
		t.Errorf("group order changed the id")
	}
}

func TestOpenDirectTellsTheOthers(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	h.connect("bob", "b1")
	h.fan.Reset()
	room := h.direct(alice, "bob")

	added := decodeOne[protocol.RoomEvent](t, h.fan, "b1", protocol.EventRoomAdded)
	if added.Room.ID != room.ID {
		t.Errorf("roomAdded for %s", added.Room.ID)
	}
	decodeOne[protocol.RoomEvent](t, h.fan, "a2", protocol.EventRoomAdded)
	if len(h.fan.Deliveries("a1")) != 0 {
		t.Errorf("calling connection got pushes: %v", h.fan.Types("a1"))
	}
	// Reopening announces nothing.
	h.fan.Reset()
	h.direct(alice, "bob")
	if n := len(h.fan.Sends()); n != 0 {
		t.Errorf("reopen pushed %d events", n)
	}
	// Bob hears messages at once.
	h.send(alice, room.ID, "psst")
	if len(h.fan.OfType("b1", protocol.EventMessage)) != 1 {
		t.Error("bob did not get the direct message")
	}
}

func TestOpenDirectRaceReturnsTheWinner(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.direct(bob, "alice")
	msg := h.send(bob, room.ID, "first")
	h.fan.Reset()
	// Alice loses the race: her first read finds no room, then CreateRoom
	// reports that bob's exists.
	h.store.FailOnce("GetRoom", chat.Errorf(chat.NotFound, "room not found"))
	ev, err := h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: []string{"bob"}})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Room.ID != room.ID || ev.Room.LastSeq != msg.Seq || ev.Room.Unread != 1 {
		t.Errorf("room = %+v, want the existing one with 1 unread", ev.Room)
	}
	if n := len(h.fan.Sends()); n != 0 {
		t.Errorf("the loser announced the room: %d pushes", n)
	}
	// If the winner cannot be read either, that is an error, not an empty room.
	h.store.FailOn("GetRoom", chat.Errorf(chat.NotFound, "room not found"))
	defer h.store.FailOn("GetRoom", nil)
	_, err = h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: []string{"bob"}})
	wantCode(t, err, chat.Internal)
}

func TestOpenDirectValidation(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	for i := range protocol.MaxDirectMembers {
		h.connect("u"+string(rune('a'+i)), "cu"+string(rune('a'+i)))
	}
	_, err := h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: []string{"ghost"}})
	wantCode(t, err, chat.NotFound)
	_, err = h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: []string{"alice"}})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{})
	wantCode(t, err, chat.Invalid)

	var many []string
	for i := range protocol.MaxDirectMembers - 1 {
		many = append(many, "u"+string(rune('a'+i)))
	}
	if _, err := h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: many}); err != nil {
		t.Errorf("group of %d: %v", protocol.MaxDirectMembers, err)
	}
	many = append(many, "u"+string(rune('a'+protocol.MaxDirectMembers-1)))
	_, err = h.svc.OpenDirect(h.ctx, alice, protocol.OpenDirectRequest{UserIDs: many})
	wantCode(t, err, chat.Invalid)
}
