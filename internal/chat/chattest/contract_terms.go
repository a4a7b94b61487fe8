package chattest

import (
	"context"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func contractTerms(t *testing.T, s chat.Store) {
	ctx := context.Background()
	user := uniq("terms-user")
	got, err := s.TermsAcceptance(ctx, user)
	if err != nil || got != (chat.TermsAcceptance{}) {
		t.Fatalf("TermsAcceptance of a newcomer = %+v, %v; want the zero value", got, err)
	}
	at := ms(time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC))
	if err := s.AcceptTerms(ctx, user, chat.TermsAcceptance{Version: "1", AcceptedAt: at}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TermsAcceptance(ctx, user); err != nil || got.Version != "1" || !ms(got.AcceptedAt).Equal(at) {
		t.Errorf("after accepting 1: %+v, %v", got, err)
	}
	later := at.Add(time.Hour)
	if err := s.AcceptTerms(ctx, user, chat.TermsAcceptance{Version: "2026-12", AcceptedAt: later}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.TermsAcceptance(ctx, user); err != nil || got.Version != "2026-12" || !ms(got.AcceptedAt).Equal(later) {
		t.Errorf("after accepting 2026-12: %+v, %v", got, err)
	}
	if other, err := s.TermsAcceptance(ctx, uniq("terms-other")); err != nil || other.Version != "" {
		t.Errorf("another person's acceptance = %+v, %v", other, err)
	}
}
