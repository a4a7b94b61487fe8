package chattest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractPeopleSearch: SearchProfiles finds people by a prefix of a
// folded word of their display name or handle, and follows renames and
// handle changes at once (the old words find nobody).
func contractPeopleSearch(t *testing.T, s chat.Store) {
	ctx := context.Background()
	// A word unique to this run, so a shared table's other people stay out.
	tag := uniq("zq")
	a, b := uniq("u"), uniq("u")
	now := ms(time.Now())
	if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: a, Username: a + "@example.com", DisplayName: "Zoë Ångström " + tag, CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: b, Username: b, DisplayName: "Bo " + tag + "x", CreatedAt: now}); err != nil {
		t.Fatal(err)
	}
	ids := func(prefix string) []string {
		t.Helper()
		ps, err := s.SearchProfiles(ctx, prefix, 50)
		if err != nil {
			t.Fatalf("SearchProfiles(%q): %v", prefix, err)
		}
		var out []string
		for _, p := range ps {
			if p.UserID == a || p.UserID == b {
				out = append(out, p.UserID)
			}
		}
		slices.Sort(out)
		return out
	}
	both := []string{a, b}
	slices.Sort(both)
	if got := ids(tag); !slices.Equal(got, both) {
		t.Errorf("prefix %s: %v, want both %v", tag, got, both)
	}
	if got := ids(tag + "x"); !slices.Equal(got, []string{b}) {
		t.Errorf("prefix %sx: %v, want b", tag, got)
	}
	if ps, err := s.SearchProfiles(ctx, tag, 50); err == nil {
		for _, p := range ps {
			if p.UserID == a && (p.DisplayName != "Zoë Ångström "+tag || p.Username != a+"@example.com") {
				t.Errorf("SearchProfiles gave %+v, want the whole profile", p)
			}
		}
	}
	// The username (maybe an email address) is not searchable.
	if got := ids(a); len(got) != 0 {
		t.Errorf("found by username: %v", got)
	}
	// Rename and handle: the new words find, the old ones do not.
	newName := "Ann " + tag + "renamed"
	if _, err := s.UpdateProfile(ctx, a, &newName, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := ids(tag + "ren"); !slices.Equal(got, []string{a}) {
		t.Errorf("after rename, %sren: %v, want a", tag, got)
	}
	h := tag + ".hndl"
	if _, err := s.SetHandle(ctx, a, h); err != nil {
		t.Fatal(err)
	}
	if got := ids("hndl"); !slices.Contains(got, a) {
		t.Errorf("after SetHandle, hndl: %v, want a", got)
	}
	h2 := tag + ".other"
	if _, err := s.SetHandle(ctx, a, h2); err != nil {
		t.Fatal(err)
	}
	if got := ids(tag + "renamed"); !slices.Equal(got, []string{a}) {
		t.Errorf("after the second handle, %srenamed: %v", tag, got)
	}
	ps, err := s.SearchProfiles(ctx, "hndl", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.UserID == a {
			t.Errorf("the old handle's word still finds a: %+v", p)
		}
	}
	if ps, err := s.SearchProfiles(ctx, "", 50); err != nil || len(ps) != 0 {
		t.Errorf("empty prefix: %v, %v", ps, err)
	}
}
