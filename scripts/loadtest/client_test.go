package main

import (
	"testing"

	chatpkg "github.com/backchannel-chat/backchannel/internal/chat"
)

// room is a stored timeline with holes: seqs a retried or failed send took
// and that never hold a message (docs/PROTOCOL.md §7).
func room(n int64, holes ...int64) []chatpkg.Message {
	skip := map[int64]bool{}
	for _, h := range holes {
		skip[h] = true
	}
	var msgs []chatpkg.Message
	for seq := int64(1); seq <= n; seq++ {
		if !skip[seq] {
			msgs = append(msgs, chatpkg.Message{RoomID: "r", Seq: seq})
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

func TestResumeMarksHolesSoTheNextResumeStartsAfterThem(t *testing.T) {
	c := newClient(&run{}, 1)
	c.room = "r"
	stored := room(250, 3, 120, 121, 240)
	calls := 0
	top, err := resumeRoom(c.last, pager(stored, 100, &calls), func(m chatpkg.Message) {
		c.mu.Lock()
		c.hold(m.Seq)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	if c.last != 2 {
		t.Errorf("before marking holes last = %d, want 2 (held up to the first hole)", c.last)
	}
	c.markHoles(0, top)
	c.mu.Unlock()
	if c.last != 250 || c.st.holes != 4 {
		t.Errorf("last = %d, holes = %d; want 250 and 4", c.last, c.st.holes)
	}
	// A message written later with a seq below top (a write still in flight
	// during the resume) is still held when it arrives live.
	c.mu.Lock()
	c.hold(251)
	c.mu.Unlock()
	if c.last != 251 {
		t.Errorf("last = %d after 251, want 251", c.last)
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
