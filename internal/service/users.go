package service

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/search"
)

// Page sizes of the directory listings.
const (
	usersPageSize    = 50
	channelsPageSize = 50
	maxCursorLen     = 1024
	batchGetLimit    = 100 // DynamoDB BatchGetItem keys per call
	// maxNameQueryBytes bounds a people or channel query.
	maxNameQueryBytes = 100
	// peopleIndexReads is how many word-index items a people search reads
	// (people with several matching words count more than once).
	peopleIndexReads = 200
	// channelScanLimit is how many public channels a channel search reads
	// at most (channelsScanPage per request).
	channelScanLimit = 2000
	channelsScanPage = 200
)

// nameQuery parses a people or channel query: its folded words and the one
// to look up. Invalid when too long.
func nameQuery(q string) (words []string, lookup string, err error) {
	if len(q) > maxNameQueryBytes {
		return nil, "", chat.Errorf(chat.Invalid, "query is longer than %d bytes", maxNameQueryBytes)
	}
	words, lookup = search.NameQuery(q)
	return words, lookup, nil
}

// ListUsers pages through every user, with presence. Any signed-in user
// may list the directory (to start direct messages).
//
// Cost: one Query for the page plus one UserConnections Query per user on
// it (storeConcurrency at a time).
func (s *Chat) ListUsers(ctx context.Context, c chat.Connection, r protocol.ListUsersRequest) (protocol.UsersEvent, error) {
	if len(r.Cursor) > maxCursorLen {
		return protocol.UsersEvent{}, chat.Errorf(chat.Invalid, "cursor is malformed")
	}
	if err := chat.Authorize(chat.ActListUsers, chat.Access{Groups: c.Groups}); err != nil {
		return protocol.UsersEvent{}, err
	}
	var (
		users []chat.Profile
		next  string
		err   error
	)
	if r.Query != "" {
		users, err = s.searchUsers(ctx, r.Query)
	} else {
		if users, next, err = s.store.ListProfiles(ctx, r.Cursor, usersPageSize); err != nil {
			err = storeErr(err, "list users")
		}
	}
	if err != nil {
		return protocol.UsersEvent{}, err
	}
	// Visitors (issue 17) are nobody's to find: only their conversations'
	// agents see them, in the inbox.
	users = slices.DeleteFunc(users, func(p chat.Profile) bool { return chat.IsVisitorID(p.UserID) })
	err = forEach(len(users), func(i int) error {
		conns, err := s.store.UserConnections(ctx, users[i].UserID)
		if err != nil {
			return storeErr(err, "list connections")
		}
		users[i].Online = len(conns) > 0
		users[i] = chat.PresenceSeenBy(users[i], c.UserID)
		return nil
	})
	if err != nil {
		return protocol.UsersEvent{}, err
	}
	if users == nil {
		users = []chat.Profile{}
	}
	return protocol.UsersEvent{Head: protocol.Head{Type: protocol.EventUsers}, Users: users, Cursor: next}, nil
}

// searchUsers answers ListUsers with a query: the people index is asked
// for the query's longest word (one Query of at most peopleIndexReads
// items, then one BatchGetItem of their profiles), and the people are
// kept whose words match every query word, sorted by display name, at
// most usersPageSize.
func (s *Chat) searchUsers(ctx context.Context, q string) ([]chat.Profile, error) {
	words, lookup, err := nameQuery(q)
	if err != nil || lookup == "" {
		return []chat.Profile{}, err
	}
	cands, err := s.store.SearchProfiles(ctx, lookup, peopleIndexReads)
	if err != nil {
		return nil, storeErr(err, "search people")
	}
	out := make([]chat.Profile, 0, len(cands))
	for _, p := range cands {
		if search.MatchNameQuery(words, search.NameWords(p.DisplayName, p.Handle)) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b chat.Profile) int {
		return cmp.Or(cmp.Compare(search.Fold(a.DisplayName), search.Fold(b.DisplayName)), cmp.Compare(a.UserID, b.UserID))
	})
	if len(out) > usersPageSize {
		out = out[:usersPageSize]
	}
	return out, nil
}

// profilesOf reads the profiles of ids (duplicates dropped, missing users
// left out) in batches, sorted by user id.
func (s *Chat) profilesOf(ctx context.Context, ids []string) ([]chat.Profile, error) {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	chunks := slices.Collect(slices.Chunk(ids, batchGetLimit))
	var (
		mu  sync.Mutex
		out = []chat.Profile{}
	)
	err := forEach(len(chunks), func(i int) error {
		ps, err := s.store.GetProfiles(ctx, chunks[i])
		if err != nil {
			return storeErr(err, "get profiles")
		}
		mu.Lock()
		out = append(out, ps...)
		mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b chat.Profile) int { return cmp.Compare(a.UserID, b.UserID) })
	return out, nil
}
