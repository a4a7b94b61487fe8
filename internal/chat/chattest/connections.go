package chattest

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func (s *Store) PutConnection(ctx context.Context, c chat.Connection, roomIDs []string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "PutConnection", c.ID, c.UserID); err != nil {
		return err
	}
	for _, r := range roomIDs {
		if r == "" {
			return chat.Errorf(chat.Internal, "PutConnection: empty room id")
		}
	}
	c.Groups = slices.Clone(c.Groups)
	// As DynamoDB: the connection keeps no email (issue #15), only
	// whether the name is its local part.
	c.NameFromEmail = c.PlaceholderName()
	c.Email = ""
	s.connections[c.ID] = c
	if s.userConns[c.UserID] == nil {
		s.userConns[c.UserID] = map[string]bool{}
	}
	s.userConns[c.UserID][c.ID] = true
	for _, r := range roomIDs {
		s.addRoomConn(r, c.UserID, c.ID)
	}
	return nil
}

func (s *Store) GetConnection(ctx context.Context, id string) (chat.Connection, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "GetConnection", id); err != nil {
		return chat.Connection{}, err
	}
	c, ok := s.connections[id]
	if !ok {
		return chat.Connection{}, chat.Errorf(chat.NotFound, "connection not found")
	}
	c.Groups = slices.Clone(c.Groups)
	return c, nil
}

// DeleteConnection removes exactly what the contract says: the connection,
// its user link, and its RoomConnection items for roomIDs only. Items in
// rooms not listed stay behind, as they would in DynamoDB.
func (s *Store) DeleteConnection(ctx context.Context, c chat.Connection, roomIDs []string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteConnection", c.ID, c.UserID); err != nil {
		return err
	}
	delete(s.connections, c.ID)
	delete(s.userConns[c.UserID], c.ID)
	for _, r := range roomIDs {
		delete(s.roomConns[r], c.ID)
	}
	return nil
}

// DeleteConnectionIfConnectedBefore deletes only the connection item, and
// only if it was connected before cutoff.
func (s *Store) DeleteConnectionIfConnectedBefore(ctx context.Context, id string, cutoff time.Time) (chat.Connection, bool, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "DeleteConnectionIfConnectedBefore", id); err != nil {
		return chat.Connection{}, false, err
	}
	c, ok := s.connections[id]
	if !ok {
		return chat.Connection{}, false, chat.Errorf(chat.NotFound, "connection not found")
	}
	c.Groups = slices.Clone(c.Groups)
	if !c.ConnectedAt.Before(cutoff) {
		return c, false, nil
	}
	delete(s.connections, id)
	return c, true, nil
}

func (s *Store) UserConnections(ctx context.Context, userID string) ([]string, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "UserConnections", userID); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(s.userConns[userID]))
	for id := range s.userConns[userID] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids, nil
}

func (s *Store) RoomConnections(ctx context.Context, roomID string) ([]chat.RoomConnection, error) {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RoomConnections", roomID); err != nil {
		return nil, err
	}
	out := make([]chat.RoomConnection, 0, len(s.roomConns[roomID]))
	for _, rc := range s.roomConns[roomID] {
		out = append(out, rc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ConnectionID < out[j].ConnectionID })
	return out, nil
}

func (s *Store) AddRoomConnections(ctx context.Context, roomID, userID string, connIDs []string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "AddRoomConnections", roomID, userID); err != nil {
		return err
	}
	for _, id := range connIDs {
		if id == "" {
			return chat.Errorf(chat.Internal, "AddRoomConnections: empty connection id")
		}
	}
	for _, id := range connIDs {
		s.addRoomConn(roomID, userID, id)
	}
	return nil
}

func (s *Store) RemoveRoomConnections(ctx context.Context, roomID string, connIDs []string) error {
	defer s.mu.Unlock()
	if err := s.begin(ctx, "RemoveRoomConnections", roomID); err != nil {
		return err
	}
	for _, id := range connIDs {
		delete(s.roomConns[roomID], id)
	}
	return nil
}

func (s *Store) addRoomConn(roomID, userID, connID string) {
	if s.roomConns[roomID] == nil {
		s.roomConns[roomID] = map[string]chat.RoomConnection{}
	}
	s.roomConns[roomID][connID] = chat.RoomConnection{RoomID: roomID, ConnectionID: connID, UserID: userID}
}
