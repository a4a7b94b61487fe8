package service_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

func (h *harness) search(c chat.Connection, query string, rooms ...string) []string {
	h.t.Helper()
	ev, err := h.svc.Search(h.ctx, c, protocol.SearchRequest{Query: query, Rooms: rooms})
	if err != nil {
		h.t.Fatalf("Search(%q): %v", query, err)
	}
	var out []string
	for _, r := range ev.Results {
		out = append(out, fmt.Sprintf("%s/%d", r.RoomID, r.Seq))
	}
	return out
}

func found(got []string, m chat.Message) bool {
	return slices.Contains(got, fmt.Sprintf("%s/%d", m.RoomID, m.Seq))
}

// TestSearchAuthorizationIsMembershipNow: an outsider never finds a
// private channel's or a DM's messages, whatever the query; a member who
// leaves, or is removed, stops finding the room's messages at once.
func TestSearchAuthorizationIsMembershipNow(t *testing.T) {
	h := newHarness(t)
	alice, bob, carol := h.connect("alice", "a1"), h.connect("bob", "b1"), h.connect("carol", "c1")
	for id, handle := range map[string]string{"alice": "alice", "bob": "bob", "carol": "carol"} {
		if _, err := h.store.SetHandle(h.ctx, id, handle); err != nil {
			t.Fatal(err)
		}
	}
	pub := h.channel(alice, "town", false)
	priv := h.channel(alice, "secret", true)
	if _, err := h.svc.InviteToChannel(h.ctx, alice, protocol.InviteRequest{RoomID: priv.ID, UserIDs: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.AcceptInvite(h.ctx, bob, protocol.RoomRequest{RoomID: priv.ID}); err != nil {
		t.Fatal(err)
	}
	h.join(bob, pub.ID)
	dm := h.direct(alice, "bob")
	mPub := h.send(alice, pub.ID, "quarterly numbers look fine")
	mPriv := h.send(alice, priv.ID, "quarterly layoffs are planned")
	mDM := h.send(alice, dm.ID, "quarterly bonus for you")

	if got := h.search(bob, "quarterly "); !found(got, mPub) || !found(got, mPriv) || !found(got, mDM) {
		t.Fatalf("bob finds %v", got)
	}
	for _, q := range []string{"quarterly ", "layoffs ", "bonus ", "quart", "from:@alice", "in:#secret quarterly", "in:@alice quarterly", "in:@bob bonus", "has:link quarterly"} {
		got := h.search(carol, q)
		if found(got, mPriv) || found(got, mDM) {
			t.Errorf("outsider carol finds %v with %q", got, q)
		}
		if got := h.search(carol, q, priv.ID, dm.ID); len(got) != 0 {
			t.Errorf("outsider carol finds %v with %q in rooms named", got, q)
		}
	}
	// Not even a public channel's: search covers the rooms one is in.
	if got := h.search(carol, "quarterly "); len(got) != 0 {
		t.Errorf("carol, in none of the rooms, finds %v", got)
	}

	// Bob leaves the private channel: at once, it is gone from his results.
	if _, err := h.svc.LeaveChannel(h.ctx, bob, protocol.RoomRequest{RoomID: priv.ID}); err != nil {
		t.Fatal(err)
	}
	if got := h.search(bob, "quarterly "); found(got, mPriv) || !found(got, mPub) {
		t.Errorf("bob after leaving finds %v", got)
	}
	// Removed from the public channel: gone too.
	if _, err := h.svc.RemoveMember(h.ctx, alice, protocol.MemberActionRequest{RoomID: pub.ID, UserID: "bob"}); err != nil {
		t.Fatal(err)
	}
	if got := h.search(bob, "quarterly "); found(got, mPub) || !found(got, mDM) {
		t.Errorf("bob after removal finds %v", got)
	}
}

func TestSearchOperatorsAndErrors(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	for id, handle := range map[string]string{"alice": "alice", "bob": "bob"} {
		if _, err := h.store.SetHandle(h.ctx, id, handle); err != nil {
			t.Fatal(err)
		}
	}
	ops := h.channel(alice, "ops", false)
	dev := h.channel(alice, "dev", false)
	h.join(bob, ops.ID)
	h.join(bob, dev.ID)
	dm := h.direct(alice, "bob")
	a := h.send(alice, ops.ID, "Deploying the API now")
	h.advance(time.Second)
	b := h.send(bob, ops.ID, "deployment done, see https://ci.example.com")
	h.advance(time.Second)
	c := h.send(bob, dev.ID, "deploy dev later")
	h.advance(time.Second)
	d := h.send(bob, dm.ID, "deploy notes for you")

	for _, tc := range []struct {
		query string
		want  []chat.Message
	}{
		{"deploy ", []chat.Message{d, c, b, a}},
		{"deploy from:@bob", []chat.Message{d, c, b}},
		{"deploy in:#ops", []chat.Message{b, a}},
		{"deploy in:ops from:@bob", []chat.Message{b}},
		{"in:@bob deploy", []chat.Message{d}},
		{"has:link", []chat.Message{b}},
		{"DEPLOYING ", []chat.Message{d, c, b, a}},
		{"api", []chat.Message{a}},
		{`"deploy dev"`, []chat.Message{c}},
	} {
		got := h.search(alice, tc.query)
		var want []string
		for _, m := range tc.want {
			want = append(want, fmt.Sprintf("%s/%d", m.RoomID, m.Seq))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: got %v, want %v", tc.query, got, want)
		}
	}
	ev, err := h.svc.Search(h.ctx, alice, protocol.SearchRequest{Query: "see"})
	if err != nil || len(ev.Results) != 1 || ev.Results[0].Text != b.Text || !slices.Equal(ev.Results[0].Highlights, [][2]int{{17, 20}}) {
		t.Errorf("snippet: %+v %v", ev, err)
	}
	for q, want := range map[string]string{
		"":                  "empty",
		`"open`:             "unterminated quote",
		"from:@nobody x":    "nobody has that handle",
		"on:2026-02-30":     "YYYY-MM-DD",
		"in:#ops":           "needs a word",
		"has:video deploy ": "has: takes file, image or link",
	} {
		_, err := h.svc.Search(h.ctx, alice, protocol.SearchRequest{Query: q})
		if chat.ErrorCode(err) != chat.Invalid || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want invalid %q", q, err, want)
		}
	}
	if _, err := h.svc.Search(h.ctx, alice, protocol.SearchRequest{Query: "x", Order: "oldest"}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("order oldest: %v", err)
	}
}
