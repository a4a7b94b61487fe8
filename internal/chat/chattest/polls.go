package chattest

import (
	"context"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// pollMessage returns the stored poll message at seq, or the store's error.
func (s *Store) pollMessage(roomID string, seq int64) (chat.Message, error) {
	m, ok := s.messages[roomID][seq]
	switch {
	case !ok:
		return chat.Message{}, chat.Errorf(chat.NotFound, "message not found")
	case m.Deleted:
		return chat.Message{}, chat.Errorf(chat.Conflict, "message was deleted")
	case m.Poll == nil:
		return chat.Message{}, chat.Errorf(chat.Invalid, "message %d is not a poll", seq)
	}
	return m, nil
}

func (s *Store) Vote(ctx context.Context, roomID string, seq int64, userID string, options []int) (chat.Message, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "Vote", roomID, userID); err != nil {
		return chat.Message{}, err
	}
	m, err := s.pollMessage(roomID, seq)
	if err != nil {
		return chat.Message{}, err
	}
	if m.Poll.Closed() {
		return chat.Message{}, chat.Errorf(chat.Conflict, "this poll is closed: it takes no more votes")
	}
	p, changed, err := m.Poll.ApplyVote(userID, options)
	if err != nil {
		return chat.Message{}, err
	}
	if changed {
		m.Poll = &p
		s.messages[roomID][seq] = copyMessage(m)
	}
	return copyMessage(m), nil
}

func (s *Store) ClosePoll(ctx context.Context, roomID string, seq int64, by string, at time.Time) (chat.Message, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ClosePoll", roomID, by); err != nil {
		return chat.Message{}, err
	}
	m, err := s.pollMessage(roomID, seq)
	if err != nil {
		return chat.Message{}, err
	}
	if !m.Poll.Closed() {
		p := m.Poll.Clone()
		p.ClosedBy, p.ClosedAt = by, at.UTC()
		m.Poll = &p
		s.messages[roomID][seq] = copyMessage(m)
	}
	return copyMessage(m), nil
}
