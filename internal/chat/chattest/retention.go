package chattest

import (
	"context"
	"slices"
	"strconv"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Retention: the workspace settings, a room's retention and the expiry of
// messages. Like the DynamoDB store, a message past its expiry is left out
// of every read (TTL deletes it later; ExpireMessages plays that part).

func (s *Store) expired(m chat.Message) bool { return chat.Expired(m.ExpiresAt, s.Now()) }

func (s *Store) GetWorkspaceSettings(ctx context.Context) (chat.WorkspaceSettings, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetWorkspaceSettings"); err != nil {
		return chat.WorkspaceSettings{}, false, err
	}
	if s.settings == nil {
		return chat.WorkspaceSettings{}, false, nil
	}
	return *s.settings, true, nil
}

func (s *Store) PutWorkspaceSettings(ctx context.Context, ws chat.WorkspaceSettings) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutWorkspaceSettings"); err != nil {
		return err
	}
	s.settings = &ws
	return nil
}

func (s *Store) SetRoomRetention(ctx context.Context, roomID string, days *int) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetRoomRetention", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	r.RetentionDays = nil
	if days != nil {
		d := *days
		r.RetentionDays = &d
	}
	s.rooms[roomID] = r
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

func (s *Store) RestampMessages(ctx context.Context, roomID string, days int, afterSeq int64, limit int) (int64, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RestampMessages", roomID); err != nil {
		return afterSeq, false, err
	}
	if limit <= 0 {
		limit = 100
	}
	var seqs []int64
	for seq := range s.messages[roomID] {
		if seq > afterSeq {
			seqs = append(seqs, seq)
		}
	}
	slices.Sort(seqs)
	more := len(seqs) > limit
	if more {
		seqs = seqs[:limit]
	}
	last := afterSeq
	for _, seq := range seqs {
		m := s.messages[roomID][seq]
		m.ExpiresAt = chat.MessageExpiry(m.CreatedAt, days)
		s.messages[roomID][seq] = m
		last = seq
	}
	return last, more, nil
}

// ExpireMessages removes the messages past their expiry, as DynamoDB's
// TTL process does, and returns how many it removed.
func (s *Store) ExpireMessages() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, msgs := range s.messages {
		for seq, m := range msgs {
			if s.expired(m) {
				delete(msgs, seq)
				n++
			}
		}
	}
	return n
}

// ContinueRestamp records nothing: the fake has no stream.
func (s *Store) ContinueRestamp(ctx context.Context, roomID string, from int64) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ContinueRestamp", roomID); err != nil {
		return err
	}
	s.Restamps = append(s.Restamps, roomID+"@"+strconv.FormatInt(from, 10))
	return nil
}

var _ chat.WorkspaceRestampStore = (*Store)(nil)

// ContinueWorkspaceRestamp records the cursor (WorkspaceRestamps); like the
// DynamoDB store it needs #general.
func (s *Store) ContinueWorkspaceRestamp(ctx context.Context, cursor string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ContinueWorkspaceRestamp"); err != nil {
		return err
	}
	if _, ok := s.rooms[chat.GeneralRoomID]; !ok {
		return chat.Errorf(chat.NotFound, "#general not found")
	}
	s.WorkspaceRestamps = append(s.WorkspaceRestamps, cursor)
	return nil
}

// RoomsPage pages through the rooms by id; the cursor is the last id given.
func (s *Store) RoomsPage(ctx context.Context, cursor string, limit int) ([]chat.Room, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RoomsPage"); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 100
	}
	var ids []string
	for id := range s.rooms {
		if id > cursor {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	next := ""
	if len(ids) > limit {
		ids, next = ids[:limit], ids[limit-1]
	}
	out := make([]chat.Room, 0, len(ids))
	for _, id := range ids {
		r := s.rooms[id]
		r.MemberIDs = slices.Clone(r.MemberIDs)
		out = append(out, r)
	}
	return out, next, nil
}
