package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// TestBackfillSearchIndex: messages stored before the indexer ran (no
// postings) get theirs; one the stream indexed already, system lines and
// tombstones are left alone; the dry run writes nothing; a second run
// writes nothing.
func TestBackfillSearchIndex(t *testing.T) {
	meter := &unitMeter{}
	meter.reset()
	s, _ := newStore(t, dynamo.WithCapacityRecorder(meter.record))
	ctx := context.Background()
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u1")
	mustCreateRoom(t, s, testRoom("r2", chat.KindPublic, "Two"), "u1")
	var old []chat.Message
	for i := range 9 {
		room := []string{"r1", "r2"}[i%2]
		m, _, err := s.AppendMessage(ctx, testMessage(room, "u1", fmt.Sprint("c", i), fmt.Sprintf("legacy archive note %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		old = append(old, m)
	}
	// Indexed already (by the stream, after deploying the indexer).
	fresh, _, err := s.AppendMessage(ctx, testMessage("r1", "u1", "fresh", "legacy but indexed"))
	if err != nil {
		t.Fatal(err)
	}
	if err := search.NewIndexer(s).Consume(ctx, []chat.Event{chat.MessageCreated{Message: fresh}}); err != nil {
		t.Fatal(err)
	}
	sys := testMessage("r2", "u1", "", "u1 joined")
	sys.System = &chat.SystemLine{Kind: chat.SystemJoined, UserIDs: []string{"u1"}}
	if _, _, err := s.AppendMessage(ctx, sys); err != nil {
		t.Fatal(err)
	}
	tomb := old[0]
	tomb.Deleted, tomb.Text = true, ""
	if err := s.ReplaceMessage(ctx, tomb); err != nil {
		t.Fatal(err)
	}
	if got := searchFor(t, s, "legacy ", "r1", "r2"); len(got) != 1 {
		t.Fatalf("before the backfill: %v, want only the indexed one", got)
	}
	dry, err := s.BackfillSearchIndex(ctx, dynamo.BackfillOptions{DryRun: true, PageSize: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPostings := 0
	for _, m := range old[1:] {
		wantPostings += len(search.Postings(m))
	}
	if dry.Messages != 11 || dry.Skipped != 2 || dry.Indexed != 1 || dry.Written != 8 || dry.Postings != wantPostings || dry.Pages < 2 {
		t.Errorf("dry run %+v; want 11 messages, 2 skipped, 1 indexed, 8 to write (%d postings), several pages", dry, wantPostings)
	}
	if got := searchFor(t, s, "legacy ", "r1", "r2"); len(got) != 1 {
		t.Fatalf("the dry run wrote: %v", got)
	}
	meter.reset()
	waits := 0
	var pages []int
	st, err := s.BackfillSearchIndex(ctx, dynamo.BackfillOptions{PageSize: 4, Wait: func(context.Context) error { waits++; return nil }},
		func(st dynamo.SearchBackfillStats) { pages = append(pages, st.Pages) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 8 || st.Postings != wantPostings || st.Indexed != 1 {
		t.Errorf("backfill %+v", st)
	}
	if len(pages) != st.Pages || waits < st.Pages {
		t.Errorf("progress %v, %d waits for %d pages", pages, waits, st.Pages)
	}
	if wcu := meter.sum("WritePostings"); wcu != float64(wantPostings) {
		t.Errorf("wrote %.1f WCU for %d postings", wcu, wantPostings)
	}
	got := searchFor(t, s, "legacy ", "r1", "r2")
	var want []string
	for _, m := range append(slices.Clone(old[1:]), fresh) {
		want = append(want, fmt.Sprintf("%s/%d", m.RoomID, m.Seq))
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("after the backfill: %v, want %v", got, want)
	}
	meter.reset()
	again, err := s.BackfillSearchIndex(ctx, dynamo.BackfillOptions{PageSize: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Indexed != 9 || meter.sum("WritePostings") != 0 {
		t.Errorf("second run %+v, %.1f WCU: want nothing written", again, meter.sum("WritePostings"))
	}
}
