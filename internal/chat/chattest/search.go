package chattest

import (
	"context"
	"sort"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// The in-memory store is its own search index: Postings computes the
// postings of the stored messages on every read (search.Postings, the
// terms the stream's indexer writes), so it is always fresh, as the table's
// index is once the stream consumer has caught up. It implements
// service.SearchIndex, which the service takes from its Store by default.

// Postings implements search.Index.
func (s *Store) Postings(_ context.Context, roomID, term string, prefix bool, before int64, limit int) ([]search.Posting, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []search.Posting
	for _, m := range s.messages[roomID] {
		for _, p := range search.Postings(m) {
			if prefix && strings.HasPrefix(p.Term, term) || !prefix && p.Term == term && (before <= 0 || p.Seq < before) {
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Seq > out[j].Seq })
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// Messages implements search.Index.
func (s *Store) Messages(_ context.Context, keys []search.MessageKey) ([]chat.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []chat.Message
	for _, k := range keys {
		if m, ok := s.messages[k.RoomID][k.Seq]; ok {
			out = append(out, m)
		}
	}
	return out, nil
}

// UserIDByHandle is the user holding a handle, "" if none.
func (s *Store) UserIDByHandle(_ context.Context, handle string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, p := range s.profiles {
		if p.Handle != "" && p.Handle == handle {
			return id, nil
		}
	}
	return "", nil
}

// RoomIDByName is the channel holding a name, "" if none.
func (s *Store) RoomIDByName(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.names[strings.ToLower(name)], nil
}
