package dynamo_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/search"
)

type unitMeter struct {
	mu    sync.Mutex
	units map[string]float64
	calls map[string]int
}

func (m *unitMeter) record(op string, u float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.units[op] += u
	m.calls[op]++
}

func (m *unitMeter) reset() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.units, m.calls = map[string]float64{}, map[string]int{}
}

func (m *unitMeter) sum(prefix string) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	var t float64
	for op, u := range m.units {
		if strings.HasPrefix(op, prefix) {
			t += u
		}
	}
	return t
}

func searchFor(t *testing.T, s *dynamo.Store, query string, rooms ...string) []string {
	t.Helper()
	q, err := search.Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	p, err := search.Run(context.Background(), s, search.Request{Query: q, Rooms: rooms, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range p.Results {
		out = append(out, fmt.Sprintf("%s/%d", r.Message.RoomID, r.Message.Seq))
	}
	return out
}

// TestSearchIndexOnDynamoDBLocal: the index consumer writes postings to the
// table, Run finds messages through them, an edit and a delete take words
// out; and the write cost per message and read cost per query are logged
// (docs/ARCHITECTURE.md quotes them).
func TestSearchIndexOnDynamoDBLocal(t *testing.T) {
	meter := &unitMeter{}
	meter.reset()
	s, _ := newStore(t, dynamo.WithCapacityRecorder(meter.record))
	ctx := context.Background()
	idx := search.NewIndexer(s)
	for _, r := range []string{"r1", "r2"} {
		mustCreateRoom(t, s, testRoom(r, chat.KindPublic, "Room "+r), "u1")
	}
	texts := []string{
		"Deploying the new release to production on Friday after the review",
		"Die Häuser in der Straße werden heute gestrichen",
		"Can someone review my pull request about the login bug?",
		"lunch?",
	}
	stored := map[string]chat.Message{}
	meter.reset()
	var items int
	for i, text := range texts {
		room := []string{"r1", "r2"}[i%2]
		m, _, err := s.AppendMessage(ctx, testMessage(room, "u1", fmt.Sprint("c", i), text))
		if err != nil {
			t.Fatal(err)
		}
		stored[text] = m
		before := meter.sum("WritePostings")
		if err := idx.Consume(ctx, []chat.Event{chat.MessageCreated{Message: m}}); err != nil {
			t.Fatal(err)
		}
		n := len(search.Postings(m))
		items += n
		t.Logf("index write: %d words -> %d postings, %.0f WCU: %q", len(search.Tokenize(text)), n, meter.sum("WritePostings")-before, text)
	}
	t.Logf("index write total: %d postings for %d messages, %.0f WCU", items, len(texts), meter.sum("WritePostings"))

	for _, c := range []struct {
		query string
		want  string
	}{
		{"deploy ", "r1/1"},
		{"haus ", "r2/1"},
		{"strasse ", "r2/1"},
		{"revi", "r1/2 r1/1"},
		{`"pull request"`, "r1/2"},
		{"release review ", "r1/1"},
		{"from:@u1 lunch", "r2/2"},
	} {
		meter.reset()
		got := strings.Join(searchFor(t, s, c.query, "r1", "r2"), " ")
		if got != c.want {
			t.Errorf("search %q = %q, want %q", c.query, got, c.want)
		}
		t.Logf("query %q over 2 rooms: %.1f RCU (postings %.1f, messages %.1f)", c.query,
			meter.sum("Postings")+meter.sum("SearchMessages"), meter.sum("Postings"), meter.sum("SearchMessages"))
	}
	if got := searchFor(t, s, "deploy ", "r2"); len(got) != 0 {
		t.Errorf("a room not asked for was searched: %v", got)
	}

	// Edit: the old words leave, the new come.
	old := stored[texts[0]]
	edited := old
	edited.Text = "Rolling back the release"
	edited.EditedAt = time.Now().UTC()
	if err := s.ReplaceMessage(ctx, edited); err != nil {
		t.Fatal(err)
	}
	meter.reset()
	if err := idx.Consume(ctx, []chat.Event{chat.MessageEdited{Message: edited, Previous: old}}); err != nil {
		t.Fatal(err)
	}
	put, del := search.Diff(old, edited)
	t.Logf("edit: %d postings put, %d deleted, %.0f WCU", len(put), len(del), meter.sum("WritePostings"))
	if got := searchFor(t, s, "deploy ", "r1", "r2"); len(got) != 0 {
		t.Errorf("deploy after the edit: %v", got)
	}
	if got := searchFor(t, s, "rolling ", "r1", "r2"); strings.Join(got, " ") != "r1/1" {
		t.Errorf("rolling after the edit: %v", got)
	}
	// Delete: every posting of the message leaves the table.
	tomb := edited
	tomb.Deleted, tomb.Text = true, ""
	if err := s.ReplaceMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if err := idx.Consume(ctx, []chat.Event{chat.MessageDeleted{Message: tomb, Previous: edited}}); err != nil {
		t.Fatal(err)
	}
	for _, term := range search.MessageTerms(edited) {
		ps, _, err := s.Postings(ctx, "r1", term, false, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.Seq == edited.Seq {
				t.Errorf("posting %q of the deleted message left", term)
			}
		}
	}
	if got := searchFor(t, s, "release ", "r1", "r2"); len(got) != 0 {
		t.Errorf("release after the delete: %v", got)
	}
}

// TestSearchReadCostOver50Rooms measures the read units of a two-word
// query over 50 rooms (docs/ARCHITECTURE.md quotes the log line): one
// Query per room and driving term, then one BatchGetItem of the page's
// candidates.
func TestSearchReadCostOver50Rooms(t *testing.T) {
	meter := &unitMeter{}
	meter.reset()
	s, _ := newStore(t, dynamo.WithCapacityRecorder(meter.record))
	ctx := context.Background()
	idx := search.NewIndexer(s)
	var rooms []string
	texts := []string{"deploy the review app", "lunch at noon", "review notes for the deploy", "nothing to see"}
	for r := range 50 {
		room := fmt.Sprintf("room%02d", r)
		rooms = append(rooms, room)
		mustCreateRoom(t, s, testRoom(room, chat.KindPublic, "Room "+room), "u1")
		for i, text := range texts {
			m, _, err := s.AppendMessage(ctx, testMessage(room, "u1", fmt.Sprint("c", i), text))
			if err != nil {
				t.Fatal(err)
			}
			if err := idx.Consume(ctx, []chat.Event{chat.MessageCreated{Message: m}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, query := range []string{"deploy review ", "deploying ", "revi"} {
		meter.reset()
		got := searchFor(t, s, query, rooms...)
		meter.mu.Lock()
		calls := meter.calls["Postings:Query"]
		batches := meter.calls["SearchMessages:BatchGetItem"]
		meter.mu.Unlock()
		t.Logf("query %q over 50 rooms: %d results, %d Queries (%.1f RCU) + %d BatchGetItem (%.1f RCU)", query, len(got),
			calls, meter.sum("Postings"), batches, meter.sum("SearchMessages"))
		if len(got) != 20 {
			t.Errorf("%q: %d results, want a full page of 20", query, len(got))
		}
	}
}
