package chattest

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func msgKey(roomID string, seq int64) string { return fmt.Sprintf("%s|%020d", roomID, seq) }

func (s *Store) RecordChange(ctx context.Context, roomID string, seq int64) (int64, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RecordChange", roomID); err != nil {
		return 0, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return 0, chat.Errorf(chat.NotFound, "room not found")
	}
	r.LastChg++
	s.rooms[roomID] = r
	s.changes[roomID] = append(s.changes[roomID], chat.Change{Chg: r.LastChg, Seq: seq})
	return r.LastChg, nil
}

func (s *Store) ChangesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Change, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ChangesAfter", roomID); err != nil {
		return nil, false, err
	}
	if limit <= 0 {
		return nil, false, chat.Errorf(chat.Internal, "ChangesAfter: limit must be positive")
	}
	var out []chat.Change
	for _, c := range s.changes[roomID] {
		if c.Chg > after {
			out = append(out, c)
		}
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

func (s *Store) GetMessages(ctx context.Context, roomID string, seqs []int64) ([]chat.Message, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetMessages", roomID); err != nil {
		return nil, err
	}
	seqs = slices.Compact(slices.Sorted(slices.Values(seqs)))
	out := []chat.Message{}
	for _, seq := range seqs {
		if m, ok := s.messages[roomID][seq]; ok && !s.expired(m) {
			out = append(out, copyMessage(m))
		}
	}
	return out, nil
}

func (s *Store) React(ctx context.Context, roomID string, seq int64, userID, emoji string, on bool) (chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "React", roomID, userID, emoji); err != nil {
		return chat.Message{}, false, err
	}
	m, ok := s.messages[roomID][seq]
	if !ok {
		return chat.Message{}, false, chat.Errorf(chat.NotFound, "message not found")
	}
	if m.Deleted {
		return chat.Message{}, false, chat.Errorf(chat.Conflict, "message was deleted")
	}
	rs, changed, err := chat.ApplyReaction(m.Reactions, userID, emoji, on)
	if err != nil || !changed {
		return copyMessage(m), false, err
	}
	m.Reactions = rs
	if len(rs) == 0 {
		m.Reactions = nil
	}
	s.messages[roomID][seq] = copyMessage(m)
	return copyMessage(m), true, nil
}

func (s *Store) SetPinned(ctx context.Context, roomID string, seq int64, by string, at time.Time, on bool) (chat.Message, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetPinned", roomID); err != nil {
		return chat.Message{}, err
	}
	m, ok := s.messages[roomID][seq]
	if !ok {
		return chat.Message{}, chat.Errorf(chat.NotFound, "message not found")
	}
	if m.Deleted && on {
		return chat.Message{}, chat.Errorf(chat.Conflict, "message was deleted")
	}
	if (m.PinnedBy != "") == on {
		return copyMessage(m), nil
	}
	if on {
		if len(s.pins[roomID]) >= chat.MaxPins {
			return chat.Message{}, chat.Errorf(chat.Invalid, "a room keeps at most %d pinned messages: unpin one first", chat.MaxPins)
		}
		m.PinnedBy, m.PinnedAt = by, at.UTC()
		s.pins[roomID] = append(s.pins[roomID], seq)
	} else {
		m.PinnedBy, m.PinnedAt = "", time.Time{}
		s.pins[roomID] = slices.DeleteFunc(s.pins[roomID], func(p int64) bool { return p == seq })
	}
	s.messages[roomID][seq] = m
	return copyMessage(m), nil
}

func (s *Store) PinnedSeqs(ctx context.Context, roomID string) ([]int64, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PinnedSeqs", roomID); err != nil {
		return nil, err
	}
	if _, ok := s.rooms[roomID]; !ok {
		return nil, chat.Errorf(chat.NotFound, "room not found")
	}
	seqs := slices.Clone(s.pins[roomID])
	slices.Sort(seqs)
	slices.Reverse(seqs)
	return seqs, nil
}

func (s *Store) SetMembersCanPin(ctx context.Context, roomID string, on bool) (chat.Room, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SetMembersCanPin", roomID); err != nil {
		return chat.Room{}, err
	}
	r, ok := s.rooms[roomID]
	if !ok {
		return chat.Room{}, chat.Errorf(chat.NotFound, "room not found")
	}
	r.MembersCanPin = on
	s.rooms[roomID] = r
	r.MemberIDs = slices.Clone(r.MemberIDs)
	return r, nil
}

func (s *Store) PutVersion(ctx context.Context, roomID string, seq int64, v chat.MessageVersion) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutVersion", roomID); err != nil {
		return err
	}
	k := msgKey(roomID, seq)
	v.At = v.At.UTC()
	s.versions[k] = append(s.versions[k], v)
	slices.SortStableFunc(s.versions[k], func(a, b chat.MessageVersion) int { return a.At.Compare(b.At) })
	return nil
}

func (s *Store) MessageVersions(ctx context.Context, roomID string, seq int64) ([]chat.MessageVersion, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "MessageVersions", roomID); err != nil {
		return nil, err
	}
	return append([]chat.MessageVersion{}, s.versions[msgKey(roomID, seq)]...), nil
}

func (s *Store) DeleteVersions(ctx context.Context, roomID string, seq int64) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteVersions", roomID); err != nil {
		return err
	}
	delete(s.versions, msgKey(roomID, seq))
	return nil
}

func (s *Store) SaveMessage(ctx context.Context, it chat.SavedItem) (chat.SavedItem, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "SaveMessage", it.UserID, it.RoomID); err != nil {
		return chat.SavedItem{}, err
	}
	if it.Seq <= 0 {
		return chat.SavedItem{}, chat.Errorf(chat.Invalid, "a saved message needs a seq")
	}
	if s.saved[it.UserID] == nil {
		s.saved[it.UserID] = map[string]chat.SavedItem{}
	}
	k := msgKey(it.RoomID, it.Seq)
	if first, ok := s.saved[it.UserID][k]; ok {
		return first, nil
	}
	if it.SavedAt.IsZero() {
		it.SavedAt = s.Now()
	}
	it.SavedAt = it.SavedAt.UTC()
	s.saved[it.UserID][k] = it
	return it, nil
}

func (s *Store) UnsaveMessage(ctx context.Context, userID, roomID string, seq int64) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UnsaveMessage", userID, roomID); err != nil {
		return err
	}
	delete(s.saved[userID], msgKey(roomID, seq))
	return nil
}

// savedOrder is the DynamoDB store's gsi1 sort key: newest saved first.
func savedOrder(it chat.SavedItem) string {
	return it.SavedAt.UTC().Format("20060102T150405.000000000Z") + "#" + msgKey(it.RoomID, it.Seq)
}

func (s *Store) ListSaved(ctx context.Context, userID, cursor string, limit int) ([]chat.SavedItem, string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ListSaved", userID); err != nil {
		return nil, "", err
	}
	if limit <= 0 {
		limit = 50
	}
	before := ""
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) == 0 {
			return nil, "", chat.Errorf(chat.Invalid, "bad cursor")
		}
		before = string(b)
	}
	var all []chat.SavedItem
	for _, it := range s.saved[userID] {
		if before == "" || strings.Compare(savedOrder(it), before) < 0 {
			all = append(all, it)
		}
	}
	slices.SortFunc(all, func(a, b chat.SavedItem) int { return strings.Compare(savedOrder(b), savedOrder(a)) })
	if len(all) <= limit {
		return all, "", nil
	}
	all = all[:limit]
	return all, base64.RawURLEncoding.EncodeToString([]byte(savedOrder(all[limit-1]))), nil
}

func (s *Store) UpdateLinkPreviews(ctx context.Context, roomID string, seq int64, fn chat.PreviewUpdate) (chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UpdateLinkPreviews", roomID); err != nil {
		return chat.Message{}, false, err
	}
	m, ok := s.messages[roomID][seq]
	if !ok {
		return chat.Message{}, false, chat.Errorf(chat.NotFound, "message not found")
	}
	if m.Deleted {
		return chat.Message{}, false, chat.Errorf(chat.Conflict, "message was deleted")
	}
	ps, removed, changed := fn(copyMessage(m))
	if !changed {
		return copyMessage(m), false, nil
	}
	m.Previews, m.PreviewsRemoved = slices.Clone(ps), slices.Clone(removed)
	if len(ps) == 0 {
		m.Previews = nil
	}
	m.PreviewsVersion++
	s.messages[roomID][seq] = copyMessage(m)
	return copyMessage(m), true, nil
}
