package main

import (
	"testing"
	"time"

	chatpkg "github.com/backchannel-chat/backchannel/internal/chat"
)

// t0 is when the test rooms' first message was created; seq n is n
// seconds later.
var t0 = time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)

// room is a stored timeline with holes: seqs a retried or failed send took
// and that never hold a message (docs/PROTOCOL.md §7). Message n was
// created n seconds after t0.
func room(n int64, holes ...int64) []chatpkg.Message {
	skip := map[int64]bool{}
	for _, h := range holes {
		skip[h] = true
	}
	var msgs []chatpkg.Message
	for seq := int64(1); seq <= n; seq++ {
		if !skip[seq] {
			msgs = append(msgs, chatpkg.Message{RoomID: "r", Seq: seq, CreatedAt: t0.Add(time.Duration(seq) * time.Second)})
		}
	}
	return msgs
}

// pager answers resume as the server does: at most size messages after
// from, oldest first, and whether more follow.
func pager(msgs []chatpkg.Message, size int, calls *int) func(int64) ([]chatpkg.Message, bool, error) {
	return func(from int64) ([]chatpkg.Message, bool, error) {
		*calls++
		var out []chatpkg.Message
		for _, m := range msgs {
			if m.Seq > from {
				out = append(out, m)
			}
		}
		if len(out) > size {
			return out[:size], true, nil
		}
		return out, false, nil
	}
}

// The large load test stalled because a reconnecting client asked for
// every next page from its contiguous mark: with a hole in the room it got
// the same page again, forever, charged to its read budget. Paging from the
// last seq of each page ends, and the skipped seqs become holes.
func TestResumePagesPastHoles(t *testing.T) {
	stored := room(250, 3, 120, 121, 240)
	calls := 0
	var got []int64
	top, err := resumeRoom(0, pager(stored, 100, &calls), func(m chatpkg.Message) { got = append(got, m.Seq) })
	if err != nil {
		t.Fatalf("resumeRoom: %v (after %d pages)", err, calls)
	}
	if calls != 3 {
		t.Errorf("pages asked = %d, want 3", calls)
	}
	if top != 250 || len(got) != len(stored) {
		t.Errorf("top %d, %d messages applied; want 250 and %d", top, len(got), len(stored))
	}
}

// Gaps whose next message is more than HoleSettle older than the newest
// one are holes; a younger gap may be a write in flight, and the
// contiguous mark stays below it so that the next resume asks again (the
// load test lost a message so: resumed while its write was in flight, the
// client took it for a hole, then lost the connection before its push).
func TestResumeMarksSettledHolesOnly(t *testing.T) {
	c := newClient(&run{}, 1)
	c.room = "r"
	stored := room(250, 3, 120, 121, 240) // 240's next message is 9 s older than the newest
	calls := 0
	top, err := resumeRoom(c.last, pager(stored, 100, &calls), func(m chatpkg.Message) {
		c.mu.Lock()
		c.hold(m.Seq, m.CreatedAt)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	if c.last != 2 {
		t.Errorf("before marking holes last = %d, want 2 (held up to the first gap)", c.last)
	}
	c.markHoles(0, top)
	c.mu.Unlock()
	if c.last != 239 || c.st.holes != 3 || c.st.youngGaps != 1 {
		t.Errorf("last = %d, holes = %d, young gaps = %d; want 239, 3, 1", c.last, c.st.holes, c.st.youngGaps)
	}
	// The message in flight arrives (live, or from the next resume).
	c.mu.Lock()
	c.hold(240, t0.Add(240*time.Second))
	c.mu.Unlock()
	if c.last != 250 {
		t.Errorf("last = %d after 240 arrived, want 250", c.last)
	}
	// A later resume, once a newer message shows the gap is old, settles it.
	c2 := newClient(&run{}, 2)
	c2.room = "r"
	for _, m := range append(room(250, 240), chatpkg.Message{RoomID: "r", Seq: 251, CreatedAt: t0.Add(400 * time.Second)}) {
		c2.hold(m.Seq, m.CreatedAt)
	}
	c2.markHoles(0, 251)
	if c2.last != 251 || c2.st.holes != 1 {
		t.Errorf("last = %d, holes = %d once the gap is old; want 251, 1", c2.last, c2.st.holes)
	}
}

// A rate_limited page is asked for again, not skipped.
func TestResumeRetriesARefusedPage(t *testing.T) {
	stored := room(150)
	calls, refused := 0, 0
	inner := pager(stored, 100, &calls)
	top, err := resumeRoom(0, func(from int64) ([]chatpkg.Message, bool, error) {
		if from == 100 && refused == 0 {
			refused++
			return nil, false, errRetryPage
		}
		return inner(from)
	}, func(chatpkg.Message) {})
	if err != nil || top != 150 || calls != 2 || refused != 1 {
		t.Errorf("top %d, pages %d, refused %d, err %v; want 150, 2, 1, nil", top, calls, refused, err)
	}
}
