package service_test

import (
	"encoding/json"
	"strings"
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
	if r := rest.Rooms[0]; len(r.Messages) != 20 || r.HasMore || r.Messages[19].Seq != 130 {
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

func TestHistoryAroundASeqPagesBothWays(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	h.fill(alice, chat.GeneralRoomID, 60)
	last, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	top := last.Messages[0].Seq
	mid := top - 30

	page, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Around: mid, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Messages) != 10 || page.Messages[0].Seq != mid+4 || page.Messages[9].Seq != mid-5 {
		t.Fatalf("around %d: %d messages from %d to %d", mid, len(page.Messages), page.Messages[0].Seq, page.Messages[len(page.Messages)-1].Seq)
	}
	if !page.HasMore || page.Before != mid-5 || !*page.HasMoreAfter || page.After != mid+4 {
		t.Errorf("around: hasMore %v before %d, hasMoreAfter %v after %d", page.HasMore, page.Before, *page.HasMoreAfter, page.After)
	}
	// Forward from there to the newest, newest first in each page.
	after, seen := page.After, int64(0)
	for {
		p, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, After: after, Limit: 7})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range p.Messages {
			if want := after + int64(len(p.Messages)-i); m.Seq != want {
				t.Fatalf("after %d: message %d has seq %d, want %d", after, i, m.Seq, want)
			}
		}
		seen += int64(len(p.Messages))
		if !*p.HasMoreAfter {
			if p.After != 0 {
				t.Errorf("last forward page says after %d", p.After)
			}
			break
		}
		after = p.After
	}
	if seen != top-(mid+4) {
		t.Errorf("paged forward over %d messages, want %d", seen, top-(mid+4))
	}

	// At the newest message: nothing after.
	end, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Around: top, Limit: 10})
	if err != nil || *end.HasMoreAfter || end.Messages[0].Seq != top || len(end.Messages) != 6 {
		t.Errorf("around the newest: %d messages, hasMoreAfter %v, err %v", len(end.Messages), end.HasMoreAfter, err)
	}

	for _, bad := range []protocol.HistoryRequest{
		{RoomID: chat.GeneralRoomID, Around: -1},
		{RoomID: chat.GeneralRoomID, After: -1},
		{RoomID: chat.GeneralRoomID, Around: 5, Before: 9},
		{RoomID: chat.GeneralRoomID, Around: 5, After: 2},
	} {
		_, err := h.svc.History(h.ctx, alice, bad)
		wantCode(t, err, chat.Invalid)
	}
	bob := h.connect("bob", "b1")
	priv := h.channel(alice, "secret", true).ID
	_, err = h.svc.History(h.ctx, bob, protocol.HistoryRequest{RoomID: priv, Around: 1})
	if err == nil {
		t.Error("a non-member read history around a seq")
	}
}

func TestHistoryAroundKeepsTheAnchorUnderTheBudget(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	big := strings.Repeat("x", 3900)
	for range 60 {
		h.send(alice, chat.GeneralRoomID, big)
	}
	last, _ := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Limit: 1})
	mid := last.Messages[0].Seq - 30
	page, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: chat.GeneralRoomID, Around: mid, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(page)
	if len(b) > 100*1024+512 || len(page.Messages) >= 60 {
		t.Fatalf("reply of %d bytes with %d messages", len(b), len(page.Messages))
	}
	var hasAnchor bool
	for _, m := range page.Messages {
		hasAnchor = hasAnchor || m.Seq == mid
	}
	if !hasAnchor || !page.HasMore || !*page.HasMoreAfter {
		t.Errorf("anchor kept %v, hasMore %v, hasMoreAfter %v", hasAnchor, page.HasMore, *page.HasMoreAfter)
	}
}
