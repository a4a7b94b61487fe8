package chattest

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.CallStore = (*Store)(nil)

// cloneCall copies c's slices, so callers never share them with the store.
func cloneCall(c chat.Call) chat.Call {
	c.Participants = slices.Clone(c.Participants)
	c.Rung = slices.Clone(c.Rung)
	c.Joined = slices.Clone(c.Joined)
	c.Declined = slices.Clone(c.Declined)
	return c
}

func (s *Store) CreateCall(ctx context.Context, c chat.Call) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "CreateCall", c.RoomID, c.ID); err != nil {
		return err
	}
	if s.calls == nil {
		s.calls = map[string]chat.Call{}
	}
	if old, ok := s.calls[c.RoomID]; ok && s.Now().Before(old.ExpiresAt) {
		return chat.Errorf(chat.Conflict, "the room has a call already")
	}
	c.Version = 1
	s.calls[c.RoomID] = cloneCall(c)
	return nil
}

func (s *Store) RoomCall(ctx context.Context, roomID string) (chat.Call, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RoomCall", roomID); err != nil {
		return chat.Call{}, err
	}
	c, ok := s.calls[roomID]
	if !ok {
		return chat.Call{}, chat.Errorf(chat.NotFound, "no call in this room")
	}
	return cloneCall(c), nil
}

func (s *Store) UpdateCall(ctx context.Context, c chat.Call) (chat.Call, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateCall", c.RoomID, c.ID); err != nil {
		return chat.Call{}, err
	}
	old, ok := s.calls[c.RoomID]
	if !ok || old.ID != c.ID || old.Version != c.Version {
		return chat.Call{}, chat.Errorf(chat.Conflict, "the call changed meanwhile")
	}
	c.Version++
	s.calls[c.RoomID] = cloneCall(c)
	return cloneCall(c), nil
}

func (s *Store) DeleteCall(ctx context.Context, c chat.Call) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteCall", c.RoomID, c.ID); err != nil {
		return err
	}
	old, ok := s.calls[c.RoomID]
	if !ok {
		return chat.Errorf(chat.NotFound, "no call in this room")
	}
	if old.ID != c.ID || old.Version != c.Version {
		return chat.Errorf(chat.Conflict, "the call changed meanwhile")
	}
	delete(s.calls, c.RoomID)
	return nil
}

func (s *Store) SetConnectionCall(ctx context.Context, connectionID, callID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetConnectionCall", connectionID, callID); err != nil {
		return err
	}
	if c, ok := s.connections[connectionID]; ok {
		c.CallID = callID
		s.connections[connectionID] = c
	}
	return nil
}
