package service_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// API Gateway refuses frames over 128 KB; a page of large messages must be
// cut short with hasMore rather than sent whole.
const gatewayMessageLimit = 128 * 1024

func TestHistoryOfLargeMessagesFitsOneFrame(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	big := strings.Repeat("x", protocol.MaxTextBytes)
	h.fill(alice, chat.GeneralRoomID, 40)
	for range 30 {
		h.send(alice, chat.GeneralRoomID, big)
	}

	seen, before := 0, int64(0)
	for pages := 0; ; pages++ {
		p, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Before: before, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(p); len(b) > gatewayMessageLimit {
			t.Fatalf("page %d is %d bytes, over API Gateway's %d", pages, len(b), gatewayMessageLimit)
		}
		if len(p.Messages) == 0 {
			t.Fatalf("page %d is empty", pages)
		}
		seen += len(p.Messages)
		if !p.HasMore {
			break
		}
		before = p.Before
	}
	if seen != 70 {
		t.Errorf("paged through %d messages, want 70", seen)
	}
}

func TestResumeOfLargeMessagesFitsOneFrame(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "big", false)
	big := strings.Repeat("y", protocol.MaxTextBytes)
	for range 20 {
		h.send(alice, chat.GeneralRoomID, big)
		h.send(alice, room.ID, big)
	}

	after := map[string]int64{chat.GeneralRoomID: 0, room.ID: 0}
	got := map[string]int{}
	for round := 0; round < 10; round++ {
		ev, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: after})
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := json.Marshal(ev); len(b) > gatewayMessageLimit {
			t.Fatalf("resume reply is %d bytes, over %d", len(b), gatewayMessageLimit)
		}
		more := false
		for _, r := range ev.Rooms {
			got[r.RoomID] += len(r.Messages)
			if n := len(r.Messages); n > 0 {
				after[r.RoomID] = r.Messages[n-1].Seq
			}
			more = more || r.HasMore
		}
		if !more {
			break
		}
	}
	if got[chat.GeneralRoomID] != 20 || got[room.ID] != 20 {
		t.Errorf("resumed %v, want 20 in each room", got)
	}
}
