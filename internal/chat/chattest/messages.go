package chattest

import (
	"time"

	"context"
	"slices"
	"sort"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// AppendMessage stamps the next seq of the room (NotFound without the
// room) and is idempotent on (RoomID, SenderID, ClientID).
func (s *Store) AppendMessage(ctx context.Context, m chat.Message) (chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AppendMessage", m.RoomID, m.SenderID, m.ClientID); err != nil {
		return chat.Message{}, false, err
	}
	r, ok := s.rooms[m.RoomID]
	if !ok {
		return chat.Message{}, false, chat.Errorf(chat.NotFound, "room not found")
	}
	// Like the DynamoDB store, the seq is taken before the client id is
	// checked: a retry leaves a gap.
	r.LastSeq++
	s.rooms[m.RoomID] = r
	idem := m.RoomID + "\x00" + m.SenderID + "\x00" + m.ClientID
	if seq, ok := s.clientIDs[idem]; ok {
		return copyMessage(s.messages[m.RoomID][seq]), false, nil
	}
	m.Seq = r.LastSeq
	m = copyMessage(m)
	if s.messages[m.RoomID] == nil {
		s.messages[m.RoomID] = map[int64]chat.Message{}
	}
	s.messages[m.RoomID][m.Seq] = m
	s.clientIDs[idem] = m.Seq
	return copyMessage(m), true, nil
}

func (s *Store) GetMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetMessage", roomID); err != nil {
		return chat.Message{}, err
	}
	m, ok := s.messages[roomID][seq]
	if !ok || s.expired(m) {
		return chat.Message{}, chat.Errorf(chat.NotFound, "message not found")
	}
	return copyMessage(m), nil
}

// ReplaceMessage overwrites an existing message; NotFound if there is none,
// Conflict if it is deleted already.
func (s *Store) ReplaceMessage(ctx context.Context, m chat.Message) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "ReplaceMessage", m.RoomID); err != nil {
		return err
	}
	old, ok := s.messages[m.RoomID][m.Seq]
	if !ok {
		return chat.Errorf(chat.NotFound, "message not found")
	}
	if old.Deleted {
		return chat.Errorf(chat.Conflict, "message was deleted")
	}
	// Like the DynamoDB store: the content is replaced, the reactions and
	// pin are kept (a tombstone loses them).
	m.Reactions, m.PinnedBy, m.PinnedAt = old.Reactions, old.PinnedBy, old.PinnedAt
	m.Poll = old.Poll // votes are written by Vote alone
	// and so are the thread fields, which AddThreadReply writes.
	m.ParentSeq, m.ToRoom, m.Thread = old.ParentSeq, old.ToRoom, old.Thread
	m.Previews, m.PreviewsRemoved, m.PreviewsVersion = old.Previews, old.PreviewsRemoved, old.PreviewsVersion
	m.ExpiresAt = old.ExpiresAt // the expiry is stamped at the send (and re-stamped), not by an edit
	if m.Deleted {
		m.Reactions, m.PinnedBy, m.PinnedAt, m.Poll = nil, "", time.Time{}, nil
		m.Previews, m.PreviewsRemoved = nil, nil
	}
	s.messages[m.RoomID][m.Seq] = copyMessage(m)
	return nil
}

func (s *Store) MessagesBefore(ctx context.Context, roomID string, before int64, limit int) ([]chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "MessagesBefore", roomID); err != nil {
		return nil, false, err
	}
	if limit <= 0 {
		return nil, false, chat.Errorf(chat.Internal, "MessagesBefore: limit must be positive")
	}
	seqs := s.seqs(roomID, func(seq int64) bool { return (before == 0 || seq < before) && s.messages[roomID][seq].InTimeline() })
	slices.Reverse(seqs)
	return s.page(roomID, seqs, limit)
}

func (s *Store) MessagesAfter(ctx context.Context, roomID string, after int64, limit int) ([]chat.Message, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "MessagesAfter", roomID); err != nil {
		return nil, false, err
	}
	if limit <= 0 {
		return nil, false, chat.Errorf(chat.Internal, "MessagesAfter: limit must be positive")
	}
	return s.page(roomID, s.seqs(roomID, func(seq int64) bool { return seq > after && s.messages[roomID][seq].InTimeline() }), limit)
}

// seqs lists the room's seqs that keep, ascending.
func (s *Store) seqs(roomID string, keep func(int64) bool) []int64 {
	var out []int64
	for seq, m := range s.messages[roomID] {
		if keep(seq) && !s.expired(m) {
			out = append(out, seq)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func (s *Store) page(roomID string, seqs []int64, limit int) ([]chat.Message, bool, error) {
	more := len(seqs) > limit
	if more {
		seqs = seqs[:limit]
	}
	out := make([]chat.Message, 0, len(seqs))
	for _, seq := range seqs {
		out = append(out, copyMessage(s.messages[roomID][seq]))
	}
	return out, more, nil
}

func copyMessage(m chat.Message) chat.Message {
	m.Mentions = slices.Clone(m.Mentions)
	m.Attachments = slices.Clone(m.Attachments)
	rs := make([]chat.Reaction, 0, len(m.Reactions))
	for _, r := range m.Reactions {
		rs = append(rs, chat.Reaction{Emoji: r.Emoji, UserIDs: slices.Clone(r.UserIDs)})
	}
	m.Reactions = nil
	if len(rs) > 0 {
		m.Reactions = rs
	}
	if m.Poll != nil {
		p := m.Poll.Clone()
		p.Mine = nil
		p.Tally()
		m.Poll = &p
	}
	if m.Thread != nil {
		t := *m.Thread
		t.Repliers = slices.Clone(t.Repliers)
		m.Thread = &t
	}
	m.Previews = slices.Clone(m.Previews)
	m.PreviewsRemoved = slices.Clone(m.PreviewsRemoved)
	return m
}
