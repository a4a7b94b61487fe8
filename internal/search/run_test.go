package search

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// memIndex is an in-memory Index fed by the Indexer, as the table is.
type memIndex struct {
	postings map[string][]Posting // room -> postings
	msgs     map[string]map[int64]chat.Message
}

func newMemIndex() *memIndex {
	return &memIndex{postings: map[string][]Posting{}, msgs: map[string]map[int64]chat.Message{}}
}

func (x *memIndex) WritePostings(_ context.Context, put, del []Posting) error {
	for _, d := range del {
		x.postings[d.RoomID] = slices.DeleteFunc(x.postings[d.RoomID], func(p Posting) bool { return p.Term == d.Term && p.Seq == d.Seq })
	}
	for _, p := range put {
		x.postings[p.RoomID] = append(x.postings[p.RoomID], p)
	}
	return nil
}

func (x *memIndex) Postings(_ context.Context, room, term string, prefix bool, before int64, limit int) ([]Posting, bool, error) {
	var out []Posting
	for _, p := range x.postings[room] {
		if prefix && strings.HasPrefix(p.Term, term) || !prefix && p.Term == term && (before <= 0 || p.Seq < before) {
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq > out[j].Seq })
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

func (x *memIndex) Messages(_ context.Context, keys []MessageKey) ([]chat.Message, error) {
	var out []chat.Message
	for _, k := range keys {
		if m, ok := x.msgs[k.RoomID][k.Seq]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func (x *memIndex) send(t *testing.T, m chat.Message) {
	t.Helper()
	if x.msgs[m.RoomID] == nil {
		x.msgs[m.RoomID] = map[int64]chat.Message{}
	}
	x.msgs[m.RoomID][m.Seq] = m
	if err := NewIndexer(x).Consume(context.Background(), []chat.Event{chat.MessageCreated{Message: m}}); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, x *memIndex, query string, rooms []string, cursor string, limit int) Page {
	t.Helper()
	q, err := Parse(query)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Run(context.Background(), x, Request{Query: q, Filter: Filter{Me: "me"}, Rooms: rooms, Cursor: cursor, Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ids(p Page) []string {
	var out []string
	for _, r := range p.Results {
		out = append(out, fmt.Sprintf("%s/%d", r.Message.RoomID, r.Message.Seq))
	}
	return out
}

// TestRunPagesNewestFirstAcrossRooms: results of several rooms merge by
// time, pages continue without repeats or gaps, even where a room's
// postings are read in several cuts (more than TermReadLimit).
func TestRunPagesNewestFirstAcrossRooms(t *testing.T) {
	x := newMemIndex()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	n := 3*TermReadLimit + 100 // each room has more than TermReadLimit matches
	for i := 1; i <= n; i++ {
		room := []string{"a", "b"}[i%2]
		text := "deploy the thing"
		if i%3 == 0 {
			text = "unrelated words"
		}
		x.send(t, chat.Message{RoomID: room, Seq: int64(i), SenderID: "u", Text: text, CreatedAt: t0.Add(time.Duration(i) * time.Minute)})
		if i%3 != 0 {
			want = append([]string{fmt.Sprintf("%s/%d", room, i)}, want...)
		}
	}
	// The in-memory postings of one room exceed TermReadLimit only with
	// both rooms' halves; make one room long enough too.
	var got []string
	cur := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("no end of pages")
		}
		p := run(t, x, "deploying ", []string{"a", "b"}, cur, 17)
		got = append(got, ids(p)...)
		if p.Next == "" {
			break
		}
		cur = p.Next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %d results, want %d\n%v\n%v", len(got), len(want), got, want)
	}
}

func TestRunEditDeleteAndOperators(t *testing.T) {
	x := newMemIndex()
	ctx := context.Background()
	now := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	m := chat.Message{RoomID: "a", Seq: 1, SenderID: "u1", Text: "red car", CreatedAt: now, Mentions: []string{"me"}}
	x.send(t, m)
	x.send(t, chat.Message{RoomID: "a", Seq: 2, SenderID: "u2", Text: "blue car", CreatedAt: now})
	if got := ids(run(t, x, "red ", []string{"a"}, "", 10)); !slices.Equal(got, []string{"a/1"}) {
		t.Fatalf("red: %v", got)
	}
	if got := ids(run(t, x, "is:mention", []string{"a"}, "", 10)); !slices.Equal(got, []string{"a/1"}) {
		t.Fatalf("is:mention: %v", got)
	}
	if got := ids(run(t, x, "ca", []string{"a"}, "", 10)); !slices.Equal(got, []string{"a/2", "a/1"}) {
		t.Fatalf("prefix ca: %v", got)
	}
	edited := m
	edited.Text = "green car"
	x.msgs["a"][1] = edited
	if err := NewIndexer(x).Consume(ctx, []chat.Event{chat.MessageEdited{Message: edited, Previous: m}}); err != nil {
		t.Fatal(err)
	}
	if got := ids(run(t, x, "red ", []string{"a"}, "", 10)); len(got) != 0 {
		t.Fatalf("red after edit: %v", got)
	}
	if got := ids(run(t, x, "green ", []string{"a"}, "", 10)); !slices.Equal(got, []string{"a/1"}) {
		t.Fatalf("green after edit: %v", got)
	}
	tomb := edited
	tomb.Deleted, tomb.Text = true, ""
	x.msgs["a"][1] = tomb
	if err := NewIndexer(x).Consume(ctx, []chat.Event{chat.MessageDeleted{Message: tomb, Previous: edited}}); err != nil {
		t.Fatal(err)
	}
	if got := ids(run(t, x, "green ", []string{"a"}, "", 10)); len(got) != 0 {
		t.Fatalf("green after delete: %v", got)
	}
	if len(x.postings["a"]) != len(Postings(x.msgs["a"][2])) {
		t.Fatalf("postings left behind: %+v", x.postings["a"])
	}
	// Rooms not asked for are never read.
	if got := ids(run(t, x, "car ", []string{"b"}, "", 10)); len(got) != 0 {
		t.Fatalf("other room: %v", got)
	}
	q, _ := Parse("in:#x on:2026-02-03")
	if _, err := Run(ctx, x, Request{Query: q, Rooms: []string{"a"}}); chat.ErrorCode(err) != chat.Invalid {
		t.Fatalf("dates only: %v", err)
	}
	q, _ = Parse("car ")
	p, err := Run(ctx, x, Request{Query: q, Rooms: []string{"a"}, Order: OrderRelevance, Limit: 1})
	if err != nil || len(p.Results) != 1 {
		t.Fatalf("relevance: %v %v", p, err)
	}
	if _, err := Run(ctx, x, Request{Query: q, Rooms: []string{"a"}, Cursor: "!!"}); chat.ErrorCode(err) != chat.Invalid {
		t.Fatalf("bad cursor: %v", err)
	}
}

// limitIndex records the limits Run asks the index for.
type limitIndex struct {
	*memIndex
	prefixLimits, termLimits []int
	fetched                  int
}

func (x *limitIndex) Postings(ctx context.Context, room, term string, prefix bool, before int64, limit int) ([]Posting, bool, error) {
	if prefix {
		x.prefixLimits = append(x.prefixLimits, limit)
	} else {
		x.termLimits = append(x.termLimits, limit)
	}
	return x.memIndex.Postings(ctx, room, term, prefix, before, limit)
}

func (x *limitIndex) Messages(ctx context.Context, keys []MessageKey) ([]chat.Message, error) {
	x.fetched += len(keys)
	return x.memIndex.Messages(ctx, keys)
}

// TestPrefixQueryReadsAtMost500PostingsPerRoom: a prefix-only query (the
// last word as typed) reads at most PrefixReadLimit (500) postings per
// room, one Query each, however many terms begin with it, and fetches at
// most MaxFetched messages; a word query at most TermReadLimit per term.
func TestPrefixQueryReadsAtMost500PostingsPerRoom(t *testing.T) {
	if PrefixReadLimit != 500 {
		t.Fatalf("PrefixReadLimit = %d, want 500", PrefixReadLimit)
	}
	mem := newMemIndex()
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, room := range []string{"big", "small"} {
		n := 700
		if room == "small" {
			n = 10
		}
		for i := range n {
			mem.send(t, chat.Message{RoomID: room, Seq: int64(i + 1), SenderID: "u", CreatedAt: base.Add(time.Duration(i) * time.Minute),
				Text: fmt.Sprintf("deploy%d deployment deployed", i)})
		}
	}
	x := &limitIndex{memIndex: mem}
	q, err := Parse("dep")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Run(context.Background(), x, Request{Query: q, Rooms: []string{"big", "small"}, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Results) != 20 {
		t.Errorf("%d results, want a full page", len(p.Results))
	}
	if len(x.prefixLimits) != 2 || len(x.termLimits) != 0 {
		t.Errorf("prefix Queries %v, term Queries %v: want one prefix Query per room", x.prefixLimits, x.termLimits)
	}
	for _, l := range x.prefixLimits {
		if l > 500 {
			t.Errorf("a prefix Query asked for %d postings, more than 500", l)
		}
	}
	if x.fetched > MaxFetched {
		t.Errorf("fetched %d messages, more than MaxFetched %d", x.fetched, MaxFetched)
	}
	x.prefixLimits, x.termLimits = nil, nil
	q, _ = Parse("deployment ")
	if _, err := Run(context.Background(), x, Request{Query: q, Rooms: []string{"big", "small"}, Limit: 20}); err != nil {
		t.Fatal(err)
	}
	for _, l := range x.termLimits {
		if l > TermReadLimit {
			t.Errorf("a term Query asked for %d postings", l)
		}
	}
	if len(x.prefixLimits) != 0 || len(x.termLimits) == 0 {
		t.Errorf("word query: prefix %v, term %v", x.prefixLimits, x.termLimits)
	}
}
