package dynamo_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
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
