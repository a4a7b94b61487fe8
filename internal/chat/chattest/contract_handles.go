package chattest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// contractHandles checks that handles are unique across users, that a
// change frees the old handle in the same write, and that mentions find a
// user by their handle (and no longer by the one they gave up).
func contractHandles(t *testing.T, s chat.Store) {
	ctx := context.Background()
	a, b, room := uniq("u"), uniq("u"), uniq("r")
	h1, h2 := uniq("ha")+".one", uniq("hb")+"-two"
	now := ms(time.Now())
	for _, id := range []string{a, b} {
		if _, _, err := s.EnsureProfile(ctx, chat.Profile{UserID: id, Username: id, DisplayName: "Person " + id, CreatedAt: now, Handle: "ignored" + id}); err != nil {
			t.Fatalf("EnsureProfile: %v", err)
		}
	}
	if p, _ := s.GetProfile(ctx, a); p.Handle != "" {
		t.Errorf("EnsureProfile stored handle %q", p.Handle)
	}
	_, err := s.SetHandle(ctx, uniq("nobody"), uniq("h.x"))
	wantCode(t, "SetHandle without profile", err, chat.NotFound)

	p, err := s.SetHandle(ctx, a, h1)
	if err != nil || p.Handle != h1 || p.DisplayName != "Person "+a {
		t.Fatalf("SetHandle(a, h1) = %+v, %v", p, err)
	}
	if p, err = s.SetHandle(ctx, a, h1); err != nil || p.Handle != h1 {
		t.Fatalf("SetHandle(a, h1) again = %+v, %v", p, err)
	}
	_, err = s.SetHandle(ctx, b, h1)
	wantCode(t, "SetHandle(b, a's handle)", err, chat.Conflict)
	if !errors.Is(err, chat.ErrHandleTaken) {
		t.Errorf("conflict %v is not ErrHandleTaken", err)
	}
	if got, _ := s.GetProfile(ctx, b); got.Handle != "" {
		t.Errorf("refused SetHandle left b with %q", got.Handle)
	}

	// Mentions find a member by handle.
	r := chat.Room{ID: room, Kind: chat.KindPrivate, Name: uniq("handles-"), CreatedBy: a, CreatedAt: now, MemberCount: 2}
	if err := s.CreateRoom(ctx, r, []chat.Member{{RoomID: room, UserID: a, Role: chat.RoleOwner, JoinedAt: now}, {RoomID: room, UserID: b, Role: chat.RoleMember, JoinedAt: now}}); err != nil {
		t.Fatalf("CreateRoom: %v", err)
	}
	cands, err := s.MentionCandidates(ctx, room, []string{chat.NameKey(h1)})
	if err != nil || len(cands) != 1 || cands[0].UserID != a || cands[0].Handle != h1 {
		t.Fatalf("MentionCandidates(h1) = %+v, %v", cands, err)
	}

	// a moves to h2: h1 is free for b at once, and h1 finds b, not a.
	if p, err = s.SetHandle(ctx, a, h2); err != nil || p.Handle != h2 {
		t.Fatalf("SetHandle(a, h2) = %+v, %v", p, err)
	}
	if p, err = s.SetHandle(ctx, b, h1); err != nil || p.Handle != h1 {
		t.Fatalf("SetHandle(b, freed h1) = %+v, %v", p, err)
	}
	_, err = s.SetHandle(ctx, a, h1)
	wantCode(t, "SetHandle(a, b's new handle)", err, chat.Conflict)
	cands, err = s.MentionCandidates(ctx, room, []string{chat.NameKey(h1)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cands {
		if c.UserID == a && c.Handle == h1 {
			t.Errorf("a still indexed under old handle: %+v", c)
		}
	}
	found := false
	for _, c := range cands {
		found = found || (c.UserID == b && c.Handle == h1)
	}
	if !found {
		t.Errorf("b not found by handle h1: %+v", cands)
	}
	// A display-name change keeps the handle and its index.
	name := "Renamed " + a
	if p, err = s.UpdateProfile(ctx, a, &name, nil, nil); err != nil || p.Handle != h2 {
		t.Fatalf("UpdateProfile(name) = %+v, %v", p, err)
	}
	cands, err = s.MentionCandidates(ctx, room, []string{chat.NameKey(h2)})
	if err != nil || len(cands) != 1 || cands[0].UserID != a || cands[0].Handle != h2 || cands[0].DisplayName != name {
		t.Errorf("MentionCandidates(h2) after rename = %+v, %v", cands, err)
	}
}

// contractLastRoom: the last open room is one value per user, "" at first.
func contractLastRoom(t *testing.T, s chat.Store) {
	ctx := context.Background()
	u, other := uniq("u"), uniq("u")
	if id, at, err := s.LastRoom(ctx, u); err != nil || id != "" || !at.IsZero() {
		t.Fatalf("LastRoom before any = %q, %v, %v", id, at, err)
	}
	now := ms(time.Now())
	for i, r := range []string{"r1", "r2"} {
		if err := s.SetLastRoom(ctx, u, r, now.Add(time.Duration(i)*time.Second)); err != nil {
			t.Fatalf("SetLastRoom(%s): %v", r, err)
		}
	}
	if id, at, err := s.LastRoom(ctx, u); err != nil || id != "r2" || !at.Equal(now.Add(time.Second)) {
		t.Errorf("LastRoom = %q, %v, %v; want r2 at %v", id, at, err, now.Add(time.Second))
	}
	if id, _, err := s.LastRoom(ctx, other); err != nil || id != "" {
		t.Errorf("another user's LastRoom = %q, %v", id, err)
	}
}
