package service

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Page sizes of the directory listings.
const (
	usersPageSize    = 50
	channelsPageSize = 50
	maxCursorLen     = 1024
	batchGetLimit    = 100 // DynamoDB BatchGetItem keys per call
)

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
	users, next, err := s.store.ListProfiles(ctx, r.Cursor, usersPageSize)
	if err != nil {
		return protocol.UsersEvent{}, storeErr(err, "list users")
	}
	err = forEach(len(users), func(i int) error {
		conns, err := s.store.UserConnections(ctx, users[i].UserID)
		if err != nil {
			return storeErr(err, "list connections")
		}
		users[i].Online = len(conns) > 0
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
