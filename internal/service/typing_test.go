package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func TestTypingIsThrottledPerUserPerRoom(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "side", false)
	h.join(bob, room.ID)
	h.fan.Reset()

	typing := func(c chat.Connection, roomID string) {
		t.Helper()
		if err := h.svc.Typing(h.ctx, c, protocol.TypingRequest{RoomID: roomID}); err != nil {
			t.Fatalf("Typing: %v", err)
		}
	}
	typing(alice, chat.GeneralRoomID)
	ev := decodeOne[protocol.TypingEvent](t, h.fan, "b1", protocol.EventTyping)
	if ev.RoomID != chat.GeneralRoomID || ev.UserID != "alice" || ev.DisplayName != "Alice" {
		t.Errorf("typing = %+v", ev)
	}
	if n := len(h.fan.Deliveries("a2")); n != 0 {
		t.Errorf("the typist's own other connection was told: %v", h.fan.Types("a2"))
	}

	typing(alice, chat.GeneralRoomID) // within the interval: dropped, no error
	if n := len(h.fan.OfType("b1", protocol.EventTyping)); n != 1 {
		t.Errorf("bob got %d typing events, want 1", n)
	}
	typing(alice, room.ID) // another room has its own allowance
	typing(bob, chat.GeneralRoomID)
	if n := len(h.fan.OfType("b1", protocol.EventTyping)); n != 2 {
		t.Errorf("bob got %d typing events, want 2", n)
	}
	if n := len(h.fan.OfType("a1", protocol.EventTyping)); n != 1 {
		t.Errorf("alice got %d typing events, want 1 (bob's)", n)
	}

	h.advance(service.DefaultTypingInterval)
	typing(alice, chat.GeneralRoomID)
	if n := len(h.fan.OfType("b1", protocol.EventTyping)); n != 3 {
		t.Errorf("after the interval bob got %d typing events, want 3", n)
	}
}
