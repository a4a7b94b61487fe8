package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// redeployTerms rebuilds the stack's functions with another TERMS_VERSION,
// as a deployment does: new instances, nothing cached. The gateway and its
// open sockets stay.
func (s *stack) redeployTerms(version string) {
	s.t.Helper()
	s.cfg.TermsVersion = version
	a, err := inprocess.Build(context.Background(), s.cfg, chatapp.WithAWSConfig(s.awsCfg), chatapp.WithServiceConfig(generousLimits))
	if err != nil {
		s.t.Fatal(err)
	}
	s.app = a
}

// TestTermsAcceptanceAndReacceptance over the gateway: a newcomer can do
// nothing but getState and acceptTerms until they accept the current
// version; the acceptance is recorded for the token's user; a deployment
// with a new version asks again on the open connection, and the new
// acceptance replaces the old.
func TestTermsAcceptanceAndReacceptance(t *testing.T) {
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) { c.TermsVersion = "2026-01" })
	store, err := dynamo.New(dynamodb.NewFromConfig(s.awsCfg), s.table)
	if err != nil {
		t.Fatal(err)
	}
	ann := s.newUser("ann", "Ann Archer")
	a, st := s.online(ann)
	if st.Terms == nil || st.Terms.Version != "2026-01" || st.Terms.Accepted != "" || !st.Terms.Required {
		t.Fatalf("state.terms = %+v, want 2026-01 required", st.Terms)
	}
	// The state before acceptance holds only the dialog's part: nothing of
	// the workspace (she is in #general already).
	if len(st.Rooms) != 0 || len(st.Users) != 0 || len(st.Invites) != 0 || st.Me.UserID != ann.id {
		t.Errorf("state before acceptance: rooms %+v, users %+v, invites %+v, me %+v", st.Rooms, st.Users, st.Invites, st.Me)
	}
	send := map[string]any{"roomId": "general", "clientId": "hello", "text": "hello"}
	a.callError(protocol.ActionSendMessage, send, "terms_required")
	a.callError(protocol.ActionListChannels, nil, "terms_required")
	a.callError(protocol.ActionAcceptTerms, map[string]any{"version": "2025-12"}, "invalid")
	if got, _ := store.TermsAcceptance(context.Background(), ann.id); got.Version != "" {
		t.Fatalf("recorded %+v before acceptance", got)
	}

	ev := decode[protocol.TermsEvent](t, a.call(protocol.ActionAcceptTerms, map[string]any{"version": "2026-01"}, protocol.EventTerms))
	if ev.Accepted != "2026-01" || ev.Required {
		t.Errorf("terms event %+v", ev)
	}
	got, err := store.TermsAcceptance(context.Background(), ann.id)
	if err != nil || got.Version != "2026-01" || got.AcceptedAt.IsZero() {
		t.Fatalf("recorded %+v, %v", got, err)
	}
	a.call(protocol.ActionSendMessage, send, protocol.EventAck)
	if st := decode[protocol.StateEvent](t, a.call(protocol.ActionGetState, nil, protocol.EventState)); len(st.Rooms) == 0 {
		t.Errorf("state after acceptance has no rooms")
	}

	// A new version is deployed: the same connection is asked again.
	s.redeployTerms("2026-02")
	send["clientId"] = "hello-again"
	a.callError(protocol.ActionSendMessage, send, "terms_required")
	st = decode[protocol.StateEvent](t, a.call(protocol.ActionGetState, nil, protocol.EventState))
	if st.Terms == nil || st.Terms.Version != "2026-02" || st.Terms.Accepted != "2026-01" || !st.Terms.Required {
		t.Fatalf("after the bump state.terms = %+v", st.Terms)
	}
	if len(st.Rooms) != 0 {
		t.Errorf("after the bump the state holds rooms again before acceptance: %+v", st.Rooms)
	}
	a.callError(protocol.ActionAcceptTerms, map[string]any{"version": "2026-01"}, "invalid")
	a.call(protocol.ActionAcceptTerms, map[string]any{"version": "2026-02"}, protocol.EventTerms)
	if got, _ := store.TermsAcceptance(context.Background(), ann.id); got.Version != "2026-02" {
		t.Errorf("recorded %+v after re-acceptance", got)
	}
	a.call(protocol.ActionSendMessage, send, protocol.EventAck)
}
