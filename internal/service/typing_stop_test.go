package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// A stop (the draft was cleared or sent) reaches the others at once, even
// right after a typing event (it is not throttled), and not the typist.
func TestTypingStopIsPushedAtOnce(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	h.connect("bob", "b1")
	h.fan.Reset()
	for _, stopped := range []bool{false, true} {
		if err := h.svc.Typing(h.ctx, alice, protocol.TypingRequest{RoomID: chat.GeneralRoomID, Stopped: stopped}); err != nil {
			t.Fatalf("Typing(stopped=%v): %v", stopped, err)
		}
	}
	evs := h.fan.OfType("b1", protocol.EventTyping)
	if len(evs) != 2 {
		t.Fatalf("bob got %d typing events, want 2 (typing, stopped)", len(evs))
	}
	var first, last protocol.TypingEvent
	if err := evs[0].Decode(&first); err != nil {
		t.Fatal(err)
	}
	if err := evs[1].Decode(&last); err != nil {
		t.Fatal(err)
	}
	if first.Stopped || !last.Stopped || last.UserID != "alice" || last.RoomID != chat.GeneralRoomID {
		t.Errorf("typing events = %+v, %+v; want a typing then a stop from alice", first, last)
	}
	if n := len(h.fan.Deliveries("a2")); n != 0 {
		t.Errorf("the typist's own other connection was told: %v", h.fan.Types("a2"))
	}
}
