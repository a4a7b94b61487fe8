package service_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func (h *harness) rename(c chat.Connection, name string) {
	h.t.Helper()
	if _, err := h.svc.UpdateProfile(h.ctx, c, protocol.UpdateProfileRequest{DisplayName: &name}); err != nil {
		h.t.Fatalf("UpdateProfile(%q): %v", name, err)
	}
}

func (h *harness) findUsers(c chat.Connection, q string) []string {
	h.t.Helper()
	ev, err := h.svc.ListUsers(h.ctx, c, protocol.ListUsersRequest{Query: q})
	if err != nil {
		h.t.Fatalf("ListUsers(%q): %v", q, err)
	}
	if ev.Cursor != "" {
		h.t.Errorf("ListUsers(%q) gave a cursor %q: a search is one page", q, ev.Cursor)
	}
	var out []string
	for _, u := range ev.Users {
		out = append(out, u.UserID)
	}
	return out
}

// TestListUsersSearchesPeople: listUsers with a query finds people by a
// prefix of any word of their display name or handle, case- and
// accent-insensitively, sorted by name, with presence; the username
// (an email address) is not searchable.
func TestListUsersSearchesPeople(t *testing.T) {
	h := newHarness(t)
	zoe, bo, bo2 := h.connect("zoe", "z1"), h.connect("bo", "b1"), h.connect("bo2", "b2")
	h.rename(zoe, "Zoë Ångström")
	h.rename(bo, "Bo Berg")
	h.rename(bo2, "Bo Bergström")
	if _, err := h.svc.UpdateProfile(h.ctx, bo, protocol.UpdateProfileRequest{Handle: ptr("bo.berg")}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"zo":            {"zoe"},
		"ZOE ång":       {"zoe"},
		"angstrom":      {"zoe"},
		"bo":            {"bo", "bo2"},
		"berg":          {"bo", "bo2"},
		"bergs":         {"bo2"},
		"@bo.berg":      {"bo", "bo2"}, // "bo" and "berg" begin words of both names
		"bo bergström":  {"bo2"},
		"ström":         {},
		"nobody":        {},
		"!!":            {},
		"zoe@example":   {},
		"Bo Berg Zoë":   {},
		"  b  ":         {"bo", "bo2"},
		"BERGSTRÖM bo ": {"bo2"},
	} {
		if got := h.findUsers(zoe, q); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("ListUsers(%q) = %v, want %v", q, got, want)
		}
	}
	// Presence is filled in as for the listing.
	ev, _ := h.svc.ListUsers(h.ctx, zoe, protocol.ListUsersRequest{Query: "bo"})
	for _, u := range ev.Users {
		if !u.Online {
			t.Errorf("%s is connected but not online in the search", u.UserID)
		}
	}
	// A rename is found at once; the old name finds nobody.
	h.rename(zoe, "Zoe Quill")
	if got := h.findUsers(bo, "quill"); !slices.Equal(got, []string{"zoe"}) {
		t.Errorf("after the rename, quill: %v", got)
	}
	if got := h.findUsers(bo, "ång"); len(got) != 0 {
		t.Errorf("after the rename, the old name finds %v", got)
	}
	_, err := h.svc.ListUsers(h.ctx, zoe, protocol.ListUsersRequest{Query: strings.Repeat("a", 101)})
	wantCode(t, err, chat.Invalid)
	// Without a query: the directory as before, paged.
	all, err := h.svc.ListUsers(h.ctx, zoe, protocol.ListUsersRequest{})
	if err != nil || len(all.Users) != 3 {
		t.Errorf("ListUsers() = %+v, %v", all.Users, err)
	}
}

// TestListChannelsSearchesPublicChannels: listChannels with a query finds
// public channels by a prefix of a word of their name or topic, folded;
// never private, direct or archived ones.
func TestListChannelsSearchesPublicChannels(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	rel := h.channel(alice, "release-notes", false)
	topic := "Wöchentliche Übersicht"
	if _, err := h.svc.UpdateChannel(h.ctx, alice, protocol.UpdateChannelRequest{RoomID: rel.ID, Topic: &topic}); err != nil {
		t.Fatal(err)
	}
	h.channel(alice, "random", false)
	h.channel(alice, "release-secret", true)
	old := h.channel(alice, "release-2019", false)
	if _, err := h.svc.ArchiveChannel(h.ctx, alice, protocol.RoomRequest{RoomID: old.ID}); err != nil {
		t.Fatal(err)
	}
	names := func(q string) []string {
		t.Helper()
		ev, err := h.svc.ListChannels(h.ctx, bob, protocol.ListChannelsRequest{Query: q})
		if err != nil {
			t.Fatalf("ListChannels(%q): %v", q, err)
		}
		if ev.Cursor != "" {
			t.Errorf("a search gave a cursor")
		}
		var out []string
		for _, r := range ev.Rooms {
			out = append(out, r.Name)
		}
		return out
	}
	for q, want := range map[string][]string{
		"rel":            {"release-notes"},
		"#release-no":    {"release-notes"},
		"notes":          {"release-notes"},
		"uber":           {"release-notes"},
		"WOCHENTLICHE":   {"release-notes"},
		"rel übersicht":  {"release-notes"},
		"secret":         nil,
		"ran":            {"random"},
		"2019":           nil,
		"lease":          nil,
		"release random": nil,
	} {
		if got := names(q); !slices.Equal(got, want) {
			t.Errorf("ListChannels(%q) = %v, want %v", q, got, want)
		}
	}
	_, err := h.svc.ListChannels(h.ctx, bob, protocol.ListChannelsRequest{Query: strings.Repeat("x", 101)})
	wantCode(t, err, chat.Invalid)
}

// TestSearchChargesItsWeight: one search charges protocol.SearchWeight
// reads, so a read budget of 2×SearchWeight allows two searches and then
// neither a search nor a history read; the next window allows again.
func TestSearchChargesItsWeight(t *testing.T) {
	h := newHarness(t, func(c *service.Config) {
		c.ReadsPerWindow, c.RateWindow = 2*protocol.SearchWeight, time.Minute
	})
	spec, _ := protocol.LookupAction(protocol.ActionSearch)
	if spec.Units() != protocol.SearchWeight || protocol.SearchWeight < 2 {
		t.Fatalf("search charges %d units, want SearchWeight %d (> 1)", spec.Units(), protocol.SearchWeight)
	}
	if hist, _ := protocol.LookupAction(protocol.ActionHistory); hist.Units() != 1 {
		t.Errorf("history charges %d units", hist.Units())
	}
	for i := range 2 {
		if err := h.svc.ChargeN(h.ctx, "alice", spec.Budget, spec.Units()); err != nil {
			t.Fatalf("search %d: %v", i+1, err)
		}
	}
	wantCode(t, h.svc.ChargeN(h.ctx, "alice", spec.Budget, spec.Units()), chat.RateLimited)
	wantCode(t, h.svc.Charge(h.ctx, "alice", protocol.BudgetRead), chat.RateLimited)
	if err := h.svc.ChargeN(h.ctx, "bob", spec.Budget, spec.Units()); err != nil {
		t.Errorf("bob limited by alice: %v", err)
	}
	// Weights are for reads only.
	wantCode(t, h.svc.ChargeN(h.ctx, "carol", protocol.BudgetWrite, 3), chat.Internal)
	h.advance(time.Minute)
	if err := h.svc.ChargeN(h.ctx, "alice", spec.Budget, spec.Units()); err != nil {
		t.Errorf("next window: %v", err)
	}
}

// TestArchivedRoomStaysSearchable: archiving keeps a channel's messages
// searchable to its members (and only them).
func TestArchivedRoomStaysSearchable(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.connect("alice", "a1"), h.connect("bob", "b1"), h.connect("carol", "c1")
	pub := h.channel(alice, "project-x", false)
	priv := h.channel(alice, "project-y", true)
	h.join(bob, pub.ID)
	m1 := h.send(alice, pub.ID, "final milestone report attached")
	m2 := h.send(alice, priv.ID, "final milestone budget")
	for _, r := range []chat.Room{pub, priv} {
		if _, err := h.svc.ArchiveChannel(h.ctx, alice, protocol.RoomRequest{RoomID: r.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if got := h.search(alice, "milestone "); !found(got, m1) || !found(got, m2) {
		t.Errorf("alice finds %v in her archived channels", got)
	}
	if got := h.search(bob, "milestone "); !found(got, m1) || found(got, m2) {
		t.Errorf("bob finds %v", got)
	}
	if got := h.search(bob, "in:#project-x final"); !found(got, m1) {
		t.Errorf("bob with in:#project-x finds %v", got)
	}
	if got := h.search(carol, "milestone "); len(got) != 0 {
		t.Errorf("outsider carol finds %v", got)
	}
}
