package service_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// fill sends n messages to the room and returns their seqs' last value.
func (h *harness) fill(c chat.Connection, roomID string, n int) {
	h.t.Helper()
	for range n {
		h.send(c, roomID, "msg")
	}
}

func TestHistoryPagesNewestFirst(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.fill(alice, chat.GeneralRoomID, 120)

	page, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID})
	if err != nil {
		t.Fatal(err)
	}
	if page.Type != protocol.EventHistory || len(page.Messages) != protocol.HistoryPageSize || !page.HasMore {
		t.Fatalf("page: %d messages, hasMore %v", len(page.Messages), page.HasMore)
	}
	if page.Messages[0].Seq != 120 || page.Messages[49].Seq != 71 || page.Before != 71 {
		t.Errorf("page spans %d..%d, before %d", page.Messages[0].Seq, page.Messages[49].Seq, page.Before)
	}
	var seen int
	before := int64(0)
	for {
		p, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Before: before, Limit: 40})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range p.Messages {
			if want := int64(120 - seen - i); m.Seq != want {
				t.Fatalf("seq %d, want %d", m.Seq, want)
			}
		}
		seen += len(p.Messages)
		if !p.HasMore {
			break
		}
		before = p.Before
	}
	if seen != 120 {
		t.Errorf("paged through %d messages, want 120", seen)
	}

	big, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Limit: 1000})
	if err != nil || len(big.Messages) != 100 {
		t.Errorf("limit 1000 gave %d messages (want 100), err %v", len(big.Messages), err)
	}
	_, err = h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Before: -1})
	wantCode(t, err, chat.Invalid)
}

func TestHistoryOfAnEmptyRoom(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	p, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID})
	if err != nil || p.Messages == nil || len(p.Messages) != 0 || p.HasMore || p.Before != 0 {
		t.Errorf("page = %+v, err %v", p, err)
	}
}

func TestResumeReturnsWhatWasMissed(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "busy", false)
	h.join(bob, room.ID)
	h.fill(alice, chat.GeneralRoomID, 3)
	h.fill(alice, room.ID, 130)

	missed, err := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{chat.GeneralRoomID: 1, room.ID: 10}})
	if err != nil {
		t.Fatal(err)
	}
	if missed.Type != protocol.EventMissed || len(missed.Rooms) != 2 {
		t.Fatalf("missed = %+v", missed)
	}
	byID := map[string]protocol.MissedRoom{}
	for _, r := range missed.Rooms {
		byID[r.RoomID] = r
	}
	g := byID[chat.GeneralRoomID]
	if len(g.Messages) != 2 || g.Messages[0].Seq != 2 || g.HasMore {
		t.Errorf("general: %d messages from %v, hasMore %v", len(g.Messages), g.Messages, g.HasMore)
	}
	b := byID[room.ID]
	if len(b.Messages) != protocol.ResumePageSize || b.Messages[0].Seq != 11 || b.Messages[99].Seq != 110 || !b.HasMore {
		t.Fatalf("busy: %d messages, hasMore %v", len(b.Messages), b.HasMore)
	}
	rest, err := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{room.ID: 110}})
	if err != nil {
		t.Fatal(err)
	}
	// Seq 1 is the system line of bob's join; the 130 messages are 2..131.
	if r := rest.Rooms[0]; len(r.Messages) != 21 || r.HasMore || r.Messages[20].Seq != 131 {
		t.Errorf("second page: %d messages, hasMore %v", len(r.Messages), r.HasMore)
	}
}

func TestResumeSkipsRoomsNoLongerMine(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "was-mine", false)
	h.join(bob, room.ID)
	h.fill(alice, room.ID, 2)
	if _, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	missed, err := h.svc.Resume(h.ctx, bob, protocol.ResumeRequest{Rooms: map[string]int64{
		room.ID: 0, chat.GeneralRoomID: 0, "c_nosuchroom": 0,
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(missed.Rooms) != 1 || missed.Rooms[0].RoomID != chat.GeneralRoomID {
		t.Errorf("rooms = %+v, want only general", missed.Rooms)
	}
}

func TestResumeLimits(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	many := map[string]int64{}
	for i := range 51 {
		many["c_"+string(rune('a'+i%26))+string(rune('a'+i/26))] = 0
	}
	_, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: many})
	wantCode(t, err, chat.Invalid)
	_, err = h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{Rooms: map[string]int64{chat.GeneralRoomID: -5}})
	wantCode(t, err, chat.Invalid)
	empty, err := h.svc.Resume(h.ctx, alice, protocol.ResumeRequest{})
	if err != nil || empty.Rooms == nil || len(empty.Rooms) != 0 {
		t.Errorf("empty resume = %+v, %v", empty, err)
	}
}
