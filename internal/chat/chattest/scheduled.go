package chattest

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var _ chat.ScheduledStore = (*Store)(nil)

func (s *Store) PutScheduled(ctx context.Context, it chat.ScheduledItem, max int) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutScheduled", it.UserID); err != nil {
		return err
	}
	if it.UserID == "" || it.ID == "" || it.RoomID == "" || it.At.IsZero() {
		return chat.Errorf(chat.Invalid, "a scheduled item needs a user, an id, a room and a time")
	}
	mine := s.sched[it.UserID]
	if mine == nil {
		mine = map[string]chat.ScheduledItem{}
		s.sched[it.UserID] = mine
	}
	n := 0
	for _, o := range mine {
		if o.State == chat.ScheduledPending || o.State == chat.ScheduledSending {
			n++
		}
	}
	if max > 0 && n >= max {
		return chat.Errorf(chat.Conflict, "you have %d scheduled messages and reminders already: send or cancel some first", n)
	}
	if _, ok := mine[it.ID]; ok {
		return chat.Errorf(chat.Conflict, "scheduled item %s exists", it.ID)
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = s.Now()
	}
	it.State = chat.ScheduledPending
	it.At, it.CreatedAt = it.At.UTC(), it.CreatedAt.UTC()
	mine[it.ID] = it
	return nil
}

func (s *Store) getSched(userID, id string) (chat.ScheduledItem, error) {
	it, ok := s.sched[userID][id]
	if !ok {
		return chat.ScheduledItem{}, chat.Errorf(chat.NotFound, "that scheduled message or reminder is gone (sent, cancelled or expired)")
	}
	return it, nil
}

func (s *Store) GetScheduled(ctx context.Context, userID, id string) (chat.ScheduledItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetScheduled", userID); err != nil {
		return chat.ScheduledItem{}, err
	}
	return s.getSched(userID, id)
}

func (s *Store) ListScheduled(ctx context.Context, userID string) ([]chat.ScheduledItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListScheduled", userID); err != nil {
		return nil, err
	}
	out := []chat.ScheduledItem{}
	for _, it := range s.sched[userID] {
		out = append(out, it)
	}
	return out, nil
}

func stateConflict(it chat.ScheduledItem) error {
	switch it.State {
	case chat.ScheduledSending:
		return chat.Errorf(chat.Conflict, "it is being sent right now")
	case chat.ScheduledPending:
		return chat.Errorf(chat.Conflict, "it was changed meanwhile: reload and try again")
	}
	return chat.Errorf(chat.Conflict, "it is %s already", it.State)
}

func (s *Store) UpdateScheduled(ctx context.Context, userID, id string, oldAt time.Time, text string, at time.Time) (chat.ScheduledItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateScheduled", userID); err != nil {
		return chat.ScheduledItem{}, err
	}
	it, err := s.getSched(userID, id)
	if err != nil {
		return it, err
	}
	if it.State != chat.ScheduledPending || !it.At.Equal(oldAt) {
		return chat.ScheduledItem{}, stateConflict(it)
	}
	it.Text, it.At = text, at.UTC()
	s.sched[userID][id] = it
	return it, nil
}

func (s *Store) DeleteScheduled(ctx context.Context, userID, id string, onlyPending bool) (chat.ScheduledItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteScheduled", userID); err != nil {
		return chat.ScheduledItem{}, err
	}
	it, err := s.getSched(userID, id)
	if err != nil {
		return it, err
	}
	if onlyPending && it.State != chat.ScheduledPending {
		return chat.ScheduledItem{}, stateConflict(it)
	}
	delete(s.sched[userID], id)
	return it, nil
}

func (s *Store) ClaimScheduled(ctx context.Context, userID, id string, at time.Time) (chat.ScheduledItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ClaimScheduled", userID); err != nil {
		return chat.ScheduledItem{}, err
	}
	it, err := s.getSched(userID, id)
	if err != nil {
		return it, err
	}
	if (it.State != chat.ScheduledPending && it.State != chat.ScheduledSending) || !it.At.Equal(at) {
		return chat.ScheduledItem{}, chat.Errorf(chat.Conflict, "stale schedule: the item was rescheduled or settled")
	}
	it.State = chat.ScheduledSending
	s.sched[userID][id] = it
	return it, nil
}

func (s *Store) SettleScheduled(ctx context.Context, userID, id string, state chat.ScheduledState, reason string, firedAt, _ time.Time) (chat.ScheduledItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SettleScheduled", userID); err != nil {
		return chat.ScheduledItem{}, err
	}
	it, err := s.getSched(userID, id)
	if err != nil {
		return it, err
	}
	it.State, it.Reason, it.FiredAt = state, reason, firedAt.UTC()
	s.sched[userID][id] = it
	return it, nil
}
