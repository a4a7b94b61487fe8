package chattest

import (
	"context"
	"fmt"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func followKey(roomID string, parentSeq int64, userID string) string {
	return fmt.Sprintf("%s|%020d|%s", roomID, parentSeq, userID)
}

// AddThreadReply adds reply to its parent's summary. Like the DynamoDB
// store it refuses a deleted parent (Conflict); holding the lock, it needs
// no retry.
func (s *Store) AddThreadReply(ctx context.Context, parent chat.Message, reply chat.Message) (chat.Message, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AddThreadReply", parent.RoomID); err != nil {
		return chat.Message{}, err
	}
	m, ok := s.messages[parent.RoomID][parent.Seq]
	if !ok {
		return chat.Message{}, chat.Errorf(chat.NotFound, "message not found")
	}
	if m.Deleted {
		return chat.Message{}, chat.Errorf(chat.Conflict, "message was deleted")
	}
	t := m.Thread.WithReply(reply)
	m.Thread = &t
	s.messages[parent.RoomID][parent.Seq] = m
	return copyMessage(m), nil
}

// RemoveThreadReply takes a deleted reply out of its parent's count.
func (s *Store) RemoveThreadReply(ctx context.Context, roomID string, parentSeq int64) (chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RemoveThreadReply", roomID); err != nil {
		return chat.Message{}, false, err
	}
	m, ok := s.messages[roomID][parentSeq]
	if !ok {
		return chat.Message{}, false, chat.Errorf(chat.NotFound, "message not found")
	}
	if m.Thread == nil || m.Thread.Replies <= 0 {
		return copyMessage(m), false, nil
	}
	t := m.Thread.WithoutReply()
	m.Thread = &t
	s.messages[roomID][parentSeq] = m
	return copyMessage(m), true, nil
}

func (s *Store) ThreadReplies(ctx context.Context, roomID string, parentSeq, before int64, limit int) ([]chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ThreadReplies", roomID); err != nil {
		return nil, false, err
	}
	if limit <= 0 {
		return nil, false, chat.Errorf(chat.Internal, "ThreadReplies: limit must be positive")
	}
	seqs := s.seqs(roomID, func(seq int64) bool {
		return (before <= 0 || seq < before) && s.messages[roomID][seq].ParentSeq == parentSeq
	})
	slices.Reverse(seqs)
	return s.page(roomID, seqs, limit)
}

func (s *Store) ThreadFollowers(ctx context.Context, roomID string, parentSeq int64) ([]chat.ThreadFollow, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ThreadFollowers", roomID); err != nil {
		return nil, err
	}
	var out []chat.ThreadFollow
	for _, f := range s.follows {
		if f.RoomID == roomID && f.ParentSeq == parentSeq {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b chat.ThreadFollow) int { return compareStrings(a.UserID, b.UserID) })
	return out, nil
}

func (s *Store) FollowThread(ctx context.Context, f chat.ThreadFollow) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "FollowThread", f.RoomID, f.UserID); err != nil {
		return false, err
	}
	k := followKey(f.RoomID, f.ParentSeq, f.UserID)
	if _, ok := s.follows[k]; ok {
		return false, nil
	}
	f.Since = f.Since.UTC()
	s.follows[k] = f
	return true, nil
}

func (s *Store) UnfollowThread(ctx context.Context, roomID string, parentSeq int64, userID string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UnfollowThread", roomID, userID); err != nil {
		return err
	}
	delete(s.follows, followKey(roomID, parentSeq, userID))
	return nil
}

func (s *Store) MarkThreadRead(ctx context.Context, roomID string, parentSeq int64, userID string, seq int64) (bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "MarkThreadRead", roomID, userID); err != nil {
		return false, err
	}
	k := followKey(roomID, parentSeq, userID)
	f, ok := s.follows[k]
	if !ok {
		return false, chat.Errorf(chat.NotFound, "not following the thread")
	}
	if seq <= f.ReadSeq {
		return false, nil
	}
	f.ReadSeq = seq
	s.follows[k] = f
	return true, nil
}

func (s *Store) FollowedThreads(ctx context.Context, userID string) ([]chat.ThreadFollow, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "FollowedThreads", userID); err != nil {
		return nil, err
	}
	var out []chat.ThreadFollow
	for _, f := range s.follows {
		if f.UserID == userID {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b chat.ThreadFollow) int {
		return compareStrings(followKey(a.RoomID, a.ParentSeq, ""), followKey(b.RoomID, b.ParentSeq, ""))
	})
	if len(out) > chat.MaxFollowedThreads {
		out = out[:chat.MaxFollowedThreads]
	}
	return out, nil
}

func (s *Store) ThreadUnread(ctx context.Context, roomID string, parentSeq, after int64, userID string, limit int) (int, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ThreadUnread", roomID); err != nil {
		return 0, err
	}
	n := 0
	for seq, m := range s.messages[roomID] {
		if m.ParentSeq == parentSeq && seq > after && m.SenderID != userID && !m.Deleted && n < limit {
			n++
		}
	}
	return n, nil
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
