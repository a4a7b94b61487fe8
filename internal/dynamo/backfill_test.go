package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// Users created before the name index have none of its items, so
// mentions of them resolve to nobody until the one-off backfill gives
// them their items; a second run writes nothing, and a dry run nothing
// at all.
func TestBackfillNameIndexIndexesOldProfilesOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var old []string
	for i := range 7 {
		p := chat.Profile{UserID: fmt.Sprintf("u-old%d", i), Username: fmt.Sprintf("old%d", i), DisplayName: fmt.Sprintf("Olga %d", i)}
		if err := s.PutProfileWithoutIndex(ctx, p); err != nil {
			t.Fatal(err)
		}
		old = append(old, p.UserID)
	}
	if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: "u-new", Username: "newbie", DisplayName: "Nina"}); err != nil {
		t.Fatal(err)
	}
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), append([]string{"u-new"}, old...)...)
	mention := func() []string {
		t.Helper()
		got, err := s.MentionCandidates(ctx, "r1", []string{"old3", "olga", "newbie"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range got {
			ids = append(ids, p.UserID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := mention(); !slices.Equal(got, []string{"u-new"}) {
		t.Fatalf("before the backfill mentions found %v, want only u-new", got)
	}

	dry, err := s.BackfillNameIndex(ctx, dynamo.BackfillOptions{DryRun: true, PageSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Per profile: 2 mention keys (old3, olga) and 2 people-search words
	// (olga, 3).
	if dry.Profiles != 8 || dry.Written != 7 || dry.Items != 28 || dry.Indexed != 1 || dry.Pages < 2 {
		t.Errorf("dry run %+v; want 8 profiles, 7 to write (28 items), 1 indexed, several pages", dry)
	}
	if got := mention(); !slices.Equal(got, []string{"u-new"}) {
		t.Fatalf("the dry run wrote: mentions found %v", got)
	}

	waits := 0
	st, err := s.BackfillNameIndex(ctx, dynamo.BackfillOptions{PageSize: 3, Wait: func(context.Context) error { waits++; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 7 || st.Items != 28 || st.Indexed != 1 || st.Changed != 0 {
		t.Errorf("backfill %+v; want 7 written (28 items), 1 indexed", st)
	}
	if waits < st.Pages+st.Profiles+st.Written {
		t.Errorf("Wait called %d times for %d pages, %d reads, %d writes: every request must wait", waits, st.Pages, st.Profiles, st.Written)
	}
	want := append(slices.Clone(old), "u-new")
	slices.Sort(want)
	if got := mention(); !slices.Equal(got, want) {
		t.Errorf("after the backfill mentions found %v, want %v", got, want)
	}
	// People search finds them too.
	if ps, err := s.SearchProfiles(ctx, "olg", 50); err != nil || len(ps) != 7 {
		t.Errorf("SearchProfiles(olg) after the backfill = %d profiles, %v; want the 7", len(ps), err)
	}

	again, err := s.BackfillNameIndex(ctx, dynamo.BackfillOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Written != 0 || again.Items != 0 || again.Indexed != 8 {
		t.Errorf("second run %+v; want nothing written, 8 indexed", again)
	}
}

// A profile renamed between the Scan and the write keeps only its new
// name's items (the rename wrote them): the backfill does not bring the
// old name back.
func TestBackfillNameIndexSkipsAProfileRenamedMeanwhile(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	if err := s.PutProfileWithoutIndex(ctx, chat.Profile{UserID: "u-old", Username: "old", DisplayName: "Oscar"}); err != nil {
		t.Fatal(err)
	}
	name := "Zed"
	if _, err := s.UpdateProfile(ctx, "u-old", &name, nil, nil); err != nil {
		t.Fatal(err)
	}
	st, err := s.BackfillStale(ctx, "u-old", "old", "Oscar")
	if err != nil || st.Changed != 1 || st.Written != 0 {
		t.Fatalf("stale backfill %+v, %v; want it skipped as changed", st, err)
	}
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u-old")
	got, err := s.MentionCandidates(ctx, "r1", []string{"oscar", "zed"})
	if err != nil || len(got) != 1 || got[0].DisplayName != "Zed" {
		t.Errorf("candidates %+v, %v; want u-old under zed only", got, err)
	}
}
