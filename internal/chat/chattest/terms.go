package chattest

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func (s *Store) TermsAcceptance(ctx context.Context, userID string) (chat.TermsAcceptance, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "TermsAcceptance", userID); err != nil {
		return chat.TermsAcceptance{}, err
	}
	return s.terms[userID], nil
}

func (s *Store) AcceptTerms(ctx context.Context, userID string, a chat.TermsAcceptance) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AcceptTerms", userID, a.Version); err != nil {
		return err
	}
	if s.terms == nil {
		s.terms = map[string]chat.TermsAcceptance{}
	}
	a.AcceptedAt = a.AcceptedAt.UTC()
	s.terms[userID] = a
	return nil
}
