package dynamo_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

func testProfile(id string) chat.Profile {
	return chat.Profile{
		UserID: id, Username: id, DisplayName: "Name " + id, AvatarColor: "#123456",
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond),
	}
}

func TestEnsureProfileCreatesOnce(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	p := testProfile("u1")
	p.Online = true // derived by the domain, never stored

	got, created, err := s.EnsureProfile(ctx, p)
	if err != nil || !created {
		t.Fatalf("first EnsureProfile = %v, %v, want created", created, err)
	}
	if got.UserID != "u1" || got.DisplayName != p.DisplayName || got.Online {
		t.Errorf("first EnsureProfile returned %+v", got)
	}

	again := p
	again.DisplayName = "Other"
	got, created, err = s.EnsureProfile(ctx, again)
	if err != nil || created {
		t.Fatalf("second EnsureProfile = %v, %v, want existing", created, err)
	}
	if got.DisplayName != p.DisplayName || !got.CreatedAt.Equal(p.CreatedAt) || got.AvatarColor != p.AvatarColor {
		t.Errorf("second EnsureProfile returned %+v, want the stored %+v", got, p)
	}
	stored, err := s.GetProfile(ctx, "u1")
	if err != nil || stored.DisplayName != p.DisplayName || stored.Online {
		t.Errorf("GetProfile = %+v, %v", stored, err)
	}
	if _, err := s.GetProfile(ctx, "nobody"); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("GetProfile(nobody) = %v, want not_found", err)
	}
}

func TestUpdateProfileAndLastSeen(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	p := testProfile("u1")
	p.AvatarKey = "avatars/u1.png"
	if _, _, err := s.EnsureProfile(ctx, p); err != nil {
		t.Fatal(err)
	}
	name, empty := "New Name", ""
	got, err := s.UpdateProfile(ctx, "u1", &name, nil, &empty)
	if err != nil {
		t.Fatalf("UpdateProfile: %v", err)
	}
	if got.DisplayName != name || got.AvatarColor != p.AvatarColor || got.AvatarKey != "" {
		t.Errorf("UpdateProfile = %+v", got)
	}
	if stored, _ := s.GetProfile(ctx, "u1"); stored.DisplayName != name || stored.AvatarKey != "" {
		t.Errorf("stored after update = %+v", stored)
	}
	if _, err := s.UpdateProfile(ctx, "nobody", &name, nil, nil); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("UpdateProfile(nobody) = %v, want not_found", err)
	}

	seen := time.Date(2026, 11, 21, 3, 4, 5, 6000, time.UTC)
	if err := s.SetLastSeen(ctx, "u1", seen); err != nil {
		t.Fatal(err)
	}
	if stored, _ := s.GetProfile(ctx, "u1"); !stored.LastSeen.Equal(seen) {
		t.Errorf("LastSeen = %v, want %v", stored.LastSeen, seen)
	}
	if err := s.SetLastSeen(ctx, "nobody", seen); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("SetLastSeen(nobody) = %v, want not_found", err)
	}
}

func TestGetProfilesKeepsOrderAndSkipsUnknown(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	var ids []string
	for i := range 130 { // more than one BatchGetItem (100 keys)
		id := fmt.Sprintf("u%03d", i)
		ids = append(ids, id)
		if _, _, err := s.EnsureProfile(ctx, testProfile(id)); err != nil {
			t.Fatal(err)
		}
	}
	ask := append([]string{"u129", "ghost", "u000"}, ids...)
	got, err := s.GetProfiles(ctx, ask)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 130 || got[0].UserID != "u129" || got[1].UserID != "u000" || got[2].UserID != "u001" {
		t.Errorf("GetProfiles: %d profiles starting %v", len(got), firstIDs(got, 3))
	}
	if got, err := s.GetProfiles(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("GetProfiles(nil) = %v, %v", got, err)
	}
}

func firstIDs(ps []chat.Profile, n int) []string {
	var ids []string
	for i := 0; i < n && i < len(ps); i++ {
		ids = append(ids, ps[i].UserID)
	}
	return ids
}

func TestListProfilesPages(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	for i := range 7 {
		if _, _, err := s.EnsureProfile(ctx, testProfile(fmt.Sprintf("u%d", 6-i))); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	cursor := ""
	pages := 0
	for {
		page, next, err := s.ListProfiles(ctx, cursor, 3)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if len(page) > 3 {
			t.Fatalf("page of %d > limit 3", len(page))
		}
		for _, p := range page {
			all = append(all, p.UserID)
		}
		if next == "" {
			break
		}
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		cursor = next
	}
	want := "[u0 u1 u2 u3 u4 u5 u6]"
	if fmt.Sprint(all) != want || pages != 3 {
		t.Errorf("ListProfiles = %v in %d pages, want %s in 3", all, pages, want)
	}
	// An exact multiple of the limit ends without an empty extra page.
	page, next, err := s.ListProfiles(ctx, "", 7)
	if err != nil || len(page) != 7 || next != "" {
		t.Errorf("ListProfiles(limit 7) = %d, %q, %v", len(page), next, err)
	}
	if _, _, err := s.ListProfiles(ctx, "!!not base64!!", 3); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("bad cursor: %v, want invalid", err)
	}
}

// TestMentionCandidatesFollowTheNameIndex: the name index is written with
// the profile and moved by a rename; candidates are the room's members
// indexed under the keys asked for, whatever the room's size.
func TestMentionCandidatesFollowTheNameIndex(t *testing.T) {
	var log requestLog
	s, _ := newStore(t, dynamo.WithCapacityRecorder(log.record))
	ctx := context.Background()
	for _, p := range []chat.Profile{
		{UserID: "u-ann", Username: "ann", DisplayName: "Ann Archer"},
		{UserID: "u-bob", Username: "bob", DisplayName: "Bob Baker"},
		{UserID: "u-annie", Username: "annie", DisplayName: "Annie"},
	} {
		if _, created, err := s.EnsureProfile(ctx, p); err != nil || !created {
			t.Fatalf("EnsureProfile(%s) = %v, %v", p.UserID, created, err)
		}
	}
	mustCreateRoom(t, s, testRoom("r1", chat.KindPublic, "One"), "u-ann", "u-bob")
	ids := func(ps []chat.Profile) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.UserID)
		}
		slices.Sort(out)
		return out
	}
	log.reset()
	got, err := s.MentionCandidates(ctx, "r1", []string{"ann", "bob", "annie", "nobody"})
	if err != nil || !slices.Equal(ids(got), []string{"u-ann", "u-bob"}) {
		t.Fatalf("candidates = %v, %v; want ann and bob (annie is no member)", ids(got), err)
	}
	ops, _ := log.reset()
	t.Logf("mention lookup: %v", ops)
	if len(ops) != 5 {
		t.Errorf("requests %v, want 4 Queries and 1 BatchGetItem", ops)
	}
	for _, p := range got {
		if p.UserID == "u-ann" && (p.Username != "ann" || p.DisplayName != "Ann Archer") {
			t.Errorf("candidate = %+v, want its names", p)
		}
	}

	name := "Zed Zulu"
	if p, err := s.UpdateProfile(ctx, "u-bob", &name, nil, nil); err != nil || p.DisplayName != name || p.Username != "bob" {
		t.Fatalf("rename = %+v, %v", p, err)
	}
	if got, _ := s.MentionCandidates(ctx, "r1", []string{"zed"}); !slices.Equal(ids(got), []string{"u-bob"}) {
		t.Errorf("after rename, zed = %v", ids(got))
	}
	if got, _ := s.MentionCandidates(ctx, "r1", []string{"bob"}); len(got) != 1 || got[0].DisplayName != name {
		t.Errorf("after rename, bob (the username) = %+v, want the new display name", got)
	}
	ann := "Ann Archer"
	renamed := "Xena"
	if _, err := s.UpdateProfile(ctx, "u-ann", &renamed, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.MentionCandidates(ctx, "r1", []string{"xena"}); !slices.Equal(ids(got), []string{"u-ann"}) {
		t.Errorf("after rename, xena = %v", ids(got))
	}
	if got, _ := s.MentionCandidates(ctx, "r1", []string{chat.NameKey(ann)}); !slices.Equal(ids(got), []string{"u-ann"}) {
		t.Errorf("the username key ann must still find ann: %v", ids(got))
	}
	missing := "x"
	if _, err := s.UpdateProfile(ctx, "nobody", &missing, nil, nil); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("rename of a missing user: %v, want NotFound", err)
	}
}
