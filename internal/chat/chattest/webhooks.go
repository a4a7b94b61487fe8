package chattest

import (
	"context"
	"slices"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.WebhookStore = (*Store)(nil)

func hookKey(roomID, id string) string { return roomID + "|" + id }

// CreateWebhook stores w unless its id is taken.
func (s *Store) CreateWebhook(ctx context.Context, w chat.Webhook) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateWebhook", w.RoomID, w.ID); err != nil {
		return err
	}
	if s.hooks == nil {
		s.hooks = map[string]chat.Webhook{}
	}
	k := hookKey(w.RoomID, w.ID)
	if _, ok := s.hooks[k]; ok {
		return chat.Errorf(chat.Conflict, "a webhook with this id exists")
	}
	w.SecretHash = slices.Clone(w.SecretHash)
	s.hooks[k] = w
	return nil
}

// GetWebhook returns one webhook.
func (s *Store) GetWebhook(ctx context.Context, roomID, id string) (chat.Webhook, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetWebhook"); err != nil {
		return chat.Webhook{}, err
	}
	w, ok := s.hooks[hookKey(roomID, id)]
	if !ok || roomID == "" || id == "" {
		return chat.Webhook{}, chat.Errorf(chat.NotFound, "no such webhook")
	}
	return w, nil
}

// ListWebhooks returns the room's webhooks, oldest first.
func (s *Store) ListWebhooks(ctx context.Context, roomID string) ([]chat.Webhook, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListWebhooks", roomID); err != nil {
		return nil, err
	}
	out := []chat.Webhook{}
	for _, w := range s.hooks {
		if w.RoomID == roomID {
			out = append(out, w)
		}
	}
	chat.SortWebhooks(out)
	return out, nil
}

// RotateWebhookSecret replaces the hash unless revoked.
func (s *Store) RotateWebhookSecret(ctx context.Context, roomID, id string, hash []byte, at time.Time) (chat.Webhook, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RotateWebhookSecret", roomID, id); err != nil {
		return chat.Webhook{}, err
	}
	k := hookKey(roomID, id)
	w, ok := s.hooks[k]
	if !ok {
		return chat.Webhook{}, chat.Errorf(chat.NotFound, "no such webhook")
	}
	if w.Revoked() {
		return chat.Webhook{}, chat.Errorf(chat.Conflict, "this webhook is revoked: create a new one")
	}
	w.SecretHash, w.RotatedAt = slices.Clone(hash), at.UTC()
	s.hooks[k] = w
	return w, nil
}

// RevokeWebhook marks it revoked (idempotent).
func (s *Store) RevokeWebhook(ctx context.Context, roomID, id, by string, at time.Time) (chat.Webhook, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RevokeWebhook", roomID, id); err != nil {
		return chat.Webhook{}, err
	}
	k := hookKey(roomID, id)
	w, ok := s.hooks[k]
	if !ok {
		return chat.Webhook{}, chat.Errorf(chat.NotFound, "no such webhook")
	}
	if !w.Revoked() {
		w.RevokedAt, w.RevokedBy, w.SecretHash = at.UTC(), by, nil
		s.hooks[k] = w
	}
	return w, nil
}
