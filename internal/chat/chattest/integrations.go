package chattest

import (
	"context"
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.IntegrationStore = (*Store)(nil)

// PutIntegration implements chat.IntegrationStore.
func (s *Store) PutIntegration(_ context.Context, it chat.Integration, max int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.integ == nil {
		s.integ = map[string]chat.Integration{}
	}
	n := 0
	for _, o := range s.integ {
		if o.RoomID != it.RoomID || o.Kind != it.Kind {
			continue
		}
		n++
		if it.Kind == chat.KindCommand && o.Command == it.Command {
			return chat.Errorf(chat.Conflict, "/%s is registered here already", it.Command)
		}
	}
	if max > 0 && n >= max {
		return chat.Errorf(chat.Conflict, "at most %d of these here", max)
	}
	if _, ok := s.integ[it.ID]; ok {
		return chat.Errorf(chat.Conflict, "integration exists")
	}
	s.integ[it.ID] = it
	return nil
}

// ListIntegrations implements chat.IntegrationStore.
func (s *Store) ListIntegrations(_ context.Context, roomID string, kind chat.IntegrationKind) ([]chat.Integration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []chat.Integration
	for _, it := range s.integ {
		if it.RoomID == roomID && (kind == "" || it.Kind == kind) {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b chat.Integration) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// DeleteIntegration implements chat.IntegrationStore.
func (s *Store) DeleteIntegration(_ context.Context, roomID, id string) (chat.Integration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.integ[id]
	if !ok || it.RoomID != roomID {
		return chat.Integration{}, chat.Errorf(chat.NotFound, "integration not found")
	}
	delete(s.integ, id)
	return it, nil
}

// IntegrationsBy implements chat.IntegrationStore.
func (s *Store) IntegrationsBy(_ context.Context, userID string) ([]chat.Integration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []chat.Integration
	for _, it := range s.integ {
		if it.CreatedBy == userID {
			out = append(out, it)
		}
	}
	slices.SortFunc(out, func(a, b chat.Integration) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
