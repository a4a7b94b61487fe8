package chattest

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.ExportStore = (*Store)(nil)

func (s *Store) CreateExport(ctx context.Context, e chat.Export, now time.Time) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateExport", e.UserID, e.ID); err != nil {
		return err
	}
	if s.exports == nil {
		s.exports = map[string]chat.Export{}
	}
	if old, ok := s.exports[e.UserID]; ok && old.Active(now) {
		return chat.Errorf(chat.Conflict, "an export of this person's data is already running: wait for it to finish")
	}
	s.exports[e.UserID] = e
	return nil
}

func (s *Store) GetExport(ctx context.Context, userID string) (chat.Export, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetExport", userID); err != nil {
		return chat.Export{}, err
	}
	e, ok := s.exports[userID]
	if !ok {
		return chat.Export{}, chat.Errorf(chat.NotFound, "no export")
	}
	return e, nil
}

func (s *Store) UpdateExport(ctx context.Context, e chat.Export) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateExport", e.UserID, e.ID); err != nil {
		return err
	}
	if old, ok := s.exports[e.UserID]; !ok || old.ID != e.ID {
		return chat.Errorf(chat.NotFound, "export %s was replaced", e.ID)
	}
	s.exports[e.UserID] = e
	return nil
}
