package integration

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// sendN has c send n messages to roomID and returns their seqs.
func sendN(t *testing.T, c *client, roomID, prefix string, n int) []int64 {
	t.Helper()
	seqs := make([]int64, n)
	for i := range n {
		ack := decode[protocol.AckEvent](t, c.call(protocol.ActionSendMessage,
			message(roomID, fmt.Sprintf("%s-%d", prefix, i), fmt.Sprintf("%s %d", prefix, i)), protocol.EventAck))
		seqs[i] = ack.Message.Seq
	}
	return seqs
}

// TestHistoryPaging: newest first, pages chained by the before cursor,
// nothing skipped or repeated.
func TestHistoryPaging(t *testing.T) {
	tr := newTrio(t, generousLimits)
	sent := sendN(t, tr.a, chat.GeneralRoomID, "h", 7)

	var seen []int64
	before := int64(0)
	for page := 0; ; page++ {
		req := map[string]any{"roomId": chat.GeneralRoomID, "limit": 3}
		if before != 0 {
			req["before"] = before
		}
		h := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, req, protocol.EventHistory))
		if len(h.Messages) > 3 || page > 5 {
			t.Fatalf("page %d: %d messages", page, len(h.Messages))
		}
		for _, m := range h.Messages {
			seen = append(seen, m.Seq)
		}
		if !h.HasMore {
			break
		}
		if h.Before == 0 || h.Before != h.Messages[len(h.Messages)-1].Seq {
			t.Fatalf("page %d: before %d with messages %v", page, h.Before, h.Messages)
		}
		before = h.Before
	}
	want := slices.Clone(sent)
	slices.Reverse(want)
	if !slices.Equal(seen, want) {
		t.Fatalf("paged seqs %v, want %v (newest first)", seen, want)
	}
	tr.b.callError(protocol.ActionHistory, map[string]any{"roomId": chat.GeneralRoomID, "before": -1}, "invalid")
}

// TestHistoryAroundASeq: a room opened at a message (as from a search
// result) pages older with before and newer with after until the newest,
// nothing skipped or repeated.
func TestHistoryAroundASeq(t *testing.T) {
	tr := newTrio(t, generousLimits)
	sent := sendN(t, tr.a, chat.GeneralRoomID, "ar", 9)
	anchor := sent[4]
	h := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory,
		map[string]any{"roomId": chat.GeneralRoomID, "around": anchor, "limit": 4}, protocol.EventHistory))
	var seen []int64
	for _, m := range h.Messages {
		seen = append(seen, m.Seq)
	}
	if !slices.Equal(seen, []int64{anchor + 1, anchor, anchor - 1, anchor - 2}) || h.HasMoreAfter == nil || !*h.HasMoreAfter || h.After != anchor+1 || !h.HasMore {
		t.Fatalf("around %d: %v, hasMore %v before %d, hasMoreAfter %v after %d", anchor, seen, h.HasMore, h.Before, h.HasMoreAfter, h.After)
	}
	after := h.After
	for page := 0; ; page++ {
		p := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory,
			map[string]any{"roomId": chat.GeneralRoomID, "after": after, "limit": 2}, protocol.EventHistory))
		if page > 5 || len(p.Messages) > 2 {
			t.Fatalf("forward page %d: %d messages", page, len(p.Messages))
		}
		for i := len(p.Messages) - 1; i >= 0; i-- {
			seen = append([]int64{p.Messages[i].Seq}, seen...)
		}
		if p.HasMoreAfter == nil {
			t.Fatal("an after page without hasMoreAfter")
		}
		if !*p.HasMoreAfter {
			break
		}
		after = p.After
	}
	if seen[0] != sent[len(sent)-1] {
		t.Fatalf("forward paging stopped at %d, newest is %d (%v)", seen[0], sent[len(sent)-1], seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] != seen[i-1]-1 {
			t.Fatalf("seqs not contiguous: %v", seen)
		}
	}
	tr.b.callError(protocol.ActionHistory, map[string]any{"roomId": chat.GeneralRoomID, "around": anchor, "before": anchor}, "invalid")
}

// TestResumeAfterForcedDisconnect: the server drops Bob's connection; what
// was sent meanwhile reaches him on resume, in order, none lost, paging
// with hasMore past one page.
func TestResumeAfterForcedDisconnect(t *testing.T) {
	tr := newTrio(t, generousLimits)
	before := sendN(t, tr.a, chat.GeneralRoomID, "before", 2)
	last := int64(0)
	for range before {
		m := decode[protocol.MessageEvent](t, tr.b.expectEvent(protocol.EventMessage, nil)).Message
		last = max(last, m.Seq)
	}

	// Server-side disconnect through the management API.
	tr.s.forceDisconnect(tr.stateB.ConnectionID)
	tr.b.waitClosed()
	// Ann learns Bob went offline: $disconnect ran for exactly that id.
	tr.a.expectEvent(protocol.EventPresence, func(f frame) bool {
		return f.fields["userId"] == tr.bob.id && f.fields["online"] == false
	})
	// Messages sent while Bob is away: more than one resume page.
	missed := sendN(t, tr.a, chat.GeneralRoomID, "missed", protocol.ResumePageSize+5)

	b2, st := tr.s.online(tr.bob)
	if st.ConnectionID == tr.stateB.ConnectionID {
		t.Fatal("reconnect reused the connection id")
	}
	general, _ := findRoom(st.Rooms, chat.GeneralRoomID)
	if general.LastSeq != missed[len(missed)-1] {
		t.Errorf("state lastSeq %d, want %d", general.LastSeq, missed[len(missed)-1])
	}
	var got []int64
	pages := 0
	for {
		ev := decode[protocol.MissedEvent](t, b2.call(protocol.ActionResume,
			map[string]any{"rooms": map[string]int64{chat.GeneralRoomID: last}}, protocol.EventMissed))
		pages++
		if len(ev.Rooms) != 1 || ev.Rooms[0].RoomID != chat.GeneralRoomID {
			t.Fatalf("resume answered rooms %+v", ev.Rooms)
		}
		for _, m := range ev.Rooms[0].Messages {
			got = append(got, m.Seq)
			last = m.Seq
		}
		if !ev.Rooms[0].HasMore {
			break
		}
		if pages > 5 {
			t.Fatal("resume never ends")
		}
	}
	if !slices.Equal(got, missed) {
		t.Fatalf("resumed seqs %v,\nwant %v", got, missed)
	}
	if pages < 2 {
		t.Errorf("resumed %d messages in %d page(s), want paging with hasMore", len(got), pages)
	}
	// Resuming rooms one is not a member of reveals nothing.
	dm := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionOpenDirect, map[string]any{"userIds": []string{tr.cyd.id}}, protocol.EventRoom)).Room
	tr.a.call(protocol.ActionSendMessage, message(dm.ID, "secret", "for cyd"), protocol.EventAck)
	ev := decode[protocol.MissedEvent](t, b2.call(protocol.ActionResume, map[string]any{"rooms": map[string]int64{dm.ID: 0}}, protocol.EventMissed))
	if len(ev.Rooms) != 0 {
		t.Errorf("bob resumed a DM he is not in: %+v", ev.Rooms)
	}
	// The old connection id is gone for good: the gateway says 410.
	if err := tr.s.post(tr.stateB.ConnectionID); !errors.Is(err, chat.ErrGone) {
		t.Errorf("posting to the dropped connection: %v, want gone", err)
	}
}
