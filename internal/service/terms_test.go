package service_test

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

func withTerms(v string) func(*service.Config) { return func(c *service.Config) { c.TermsVersion = v } }

// TestTermsGateAndAcceptance: without an acceptance of the current version
// the gate refuses (terms_required) and getState says what is required;
// acceptTerms of the current version (from the verified identity) records
// it, the gate opens and the other devices hear it; accepting another
// version is refused; a version bump asks again.
func TestTermsGateAndAcceptance(t *testing.T) {
	h := newHarness(t, withTerms("1"))
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")

	wantCode(t, h.svc.RequireTerms(h.ctx, alice), chat.TermsRequired)
	st, err := h.svc.GetState(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if st.Terms == nil || *st.Terms != (protocol.TermsState{Version: "1", Required: true}) {
		t.Fatalf("state.terms = %+v", st.Terms)
	}

	for _, bad := range []string{"", "0", "2", " 1", string(make([]byte, 65))} {
		_, err := h.svc.AcceptTerms(h.ctx, alice, protocol.AcceptTermsRequest{Version: bad})
		wantCode(t, err, chat.Invalid)
	}
	wantCode(t, h.svc.RequireTerms(h.ctx, alice), chat.TermsRequired)

	h.fan.Reset()
	ev, err := h.svc.AcceptTerms(h.ctx, alice, protocol.AcceptTermsRequest{Version: "1"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventTerms || ev.Version != "1" || ev.Accepted != "1" || ev.Required || !ev.AcceptedAt.Equal(h.clock()) {
		t.Errorf("terms event = %+v", ev)
	}
	if a, err := h.store.TermsAcceptance(h.ctx, "alice"); err != nil || a.Version != "1" || !a.AcceptedAt.Equal(h.clock()) {
		t.Errorf("recorded %+v, %v", a, err)
	}
	if got := h.fan.Types("a2"); len(got) != 1 || got[0] != protocol.EventTerms {
		t.Errorf("alice's other device got %v", got)
	}
	if err := h.svc.RequireTerms(h.ctx, alice); err != nil {
		t.Errorf("after accepting: %v", err)
	}

	// A new version: asked again, whatever the cache knew.
	h.svc.SetTermsVersion("2")
	wantCode(t, h.svc.RequireTerms(h.ctx, alice), chat.TermsRequired)
	if st, _ := h.svc.GetState(h.ctx, alice); st.Terms == nil || st.Terms.Accepted != "1" || st.Terms.Version != "2" || !st.Terms.Required {
		t.Errorf("after the bump state.terms = %+v", st.Terms)
	}
	_, err = h.svc.AcceptTerms(h.ctx, alice, protocol.AcceptTermsRequest{Version: "1"})
	wantCode(t, err, chat.Invalid)
	h.now = h.now.Add(time.Hour)
	if _, err := h.svc.AcceptTerms(h.ctx, alice, protocol.AcceptTermsRequest{Version: "2"}); err != nil {
		t.Fatal(err)
	}
	if err := h.svc.RequireTerms(h.ctx, alice); err != nil {
		t.Errorf("after accepting 2: %v", err)
	}
}

// TestNoTermsNoGate: a deployment without TERMS_VERSION asks nothing.
func TestNoTermsNoGate(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "a1")
	if err := h.svc.RequireTerms(h.ctx, alice); err != nil {
		t.Fatal(err)
	}
	if st, err := h.svc.GetState(h.ctx, alice); err != nil || st.Terms != nil {
		t.Errorf("state.terms = %+v, %v", st.Terms, err)
	}
	_, err := h.svc.AcceptTerms(h.ctx, alice, protocol.AcceptTermsRequest{Version: "1"})
	wantCode(t, err, chat.Invalid)
}

// TestGetStateBeforeTermsHoldsOnlyTheDialog: while the current terms are
// not accepted, getState (answered before acceptance, so the client can
// render the dialog) carries only what the dialog needs: the connection,
// the person's own profile, groups, limits, preferences (language and
// theme) and the terms; no rooms, people, invitations or last room. Once
// accepted, the whole state; a new version gates it again.
func TestGetStateBeforeTermsHoldsOnlyTheDialog(t *testing.T) {
	h := newHarness(t, withTerms("1"))
	alice := h.connect("alice", "a1")
	bob := h.connect("bob", "b1")
	if _, err := h.svc.AcceptTerms(h.ctx, bob, protocol.AcceptTermsRequest{Version: "1"}); err != nil {
		t.Fatal(err)
	}
	h.send(bob, chat.GeneralRoomID, "hello before alice accepted")

	gated := func(when string) {
		t.Helper()
		st, err := h.svc.GetState(h.ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		if len(st.Rooms) != 0 || len(st.Users) != 0 || len(st.Invites) != 0 || st.LastRoomID != "" {
			t.Errorf("%s: state before acceptance holds rooms %+v, users %+v, invites %+v, last room %q", when, st.Rooms, st.Users, st.Invites, st.LastRoomID)
		}
		if st.Rooms == nil || st.Users == nil || st.Invites == nil {
			t.Errorf("%s: empty lists must be [] (the client reads them)", when)
		}
		if st.Me.UserID != "alice" || st.ConnectionID != alice.ID || st.Terms == nil || !st.Terms.Required || st.Preferences.Appearance.Theme == "" {
			t.Errorf("%s: the dialog's part: %+v", when, st)
		}
	}
	gated("before")
	if _, err := h.svc.AcceptTerms(h.ctx, alice, protocol.AcceptTermsRequest{Version: "1"}); err != nil {
		t.Fatal(err)
	}
	st, err := h.svc.GetState(h.ctx, alice)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Rooms) == 0 || len(st.Users) == 0 {
		t.Errorf("after accepting: rooms %+v, users %+v", st.Rooms, st.Users)
	}
	h.svc.SetTermsVersion("2")
	gated("after a new version")
}
