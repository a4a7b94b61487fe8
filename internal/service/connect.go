package service

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Connect handles $connect: it makes sure the user has a profile (on first
// sign-in: creates it and joins #general, creating #general if missing),
// stores the connection with one RoomConnection item per room of the user,
// and announces the user online if this is their first connection.
func (s *Chat) Connect(ctx context.Context, c chat.Connection) error {
	if c.ID == "" || c.UserID == "" {
		return chat.Errorf(chat.Invalid, "connection id and user id are required")
	}
	if err := s.limit(ctx, "connect:"+c.UserID, "connection attempts", s.connectsPerWin); err != nil {
		return err
	}
	p, err := s.ensureProfile(ctx, c.Identity)
	if err != nil {
		return err
	}
	if p.Deactivated {
		// ID tokens cannot be revoked: a deactivated person's token may
		// still verify until it expires. The profile says no.
		return chat.Errorf(chat.Forbidden, "this account has been deactivated")
	}
	roomIDs, err := s.userRoomIDs(ctx, c.UserID)
	if err != nil {
		return err
	}
	// Read before writing: two simultaneous first connections may then both
	// announce "online" (harmless) rather than neither.
	existing, err := s.store.UserConnections(ctx, c.UserID)
	if err != nil {
		return storeErr(err, "list connections")
	}
	if len(without(existing, c.ID)) >= s.maxConns {
		if existing, err = s.forgetGoneConnections(ctx, c.UserID, without(existing, c.ID)); err != nil {
			return err
		}
		if len(without(existing, c.ID)) >= s.maxConns {
			return chat.Errorf(chat.RateLimited, "too many open connections: the limit is %d per person; close a tab or device", s.maxConns)
		}
	}
	now := s.clock()
	if c.ConnectedAt.IsZero() {
		c.ConnectedAt = now
	}
	c.ExpiresAt = now.Add(s.connectionTTL)
	if err := s.store.PutConnection(ctx, c, roomIDs); err != nil {
		return storeErr(err, "store connection")
	}
	first := len(without(existing, c.ID)) == 0
	s.log.DebugContext(ctx, "connected", slog.String("connectionId", c.ID),
		slog.String("userId", c.UserID), slog.Int("rooms", len(roomIDs)), slog.Bool("first", first))
	if first {
		s.pushPresence(ctx, c.UserID, roomIDs, true, now, p.HidePresence)
	}
	return nil
}

// forgetGoneConnections runs when a user is at the connection limit:
// API Gateway runs $disconnect best-effort, so some of the connections
// counted may be dead, and would lock the user out until a fan-out's 410
// or the TTL (hours) removed them. It probes each of ids with a pong
// without requestId (clients ignore it) and hands the ones API Gateway
// answers gone for to Gone, which forgets only those connected more than
// ConnectGrace ago (a 410 may also mean a $connect still running). Then
// it lists the user's connections again.
func (s *Chat) forgetGoneConnections(ctx context.Context, userID string, ids []string) ([]string, error) {
	probe, err := json.Marshal(protocol.PongEvent{Head: protocol.Head{Type: protocol.EventPong}, Time: s.clock().UnixMilli()})
	if err != nil {
		return nil, chat.Wrap(err, "probe")
	}
	var gone atomic.Int64
	_ = forEach(len(ids), func(i int) error {
		if s.fanout.Send(ctx, ids[i:i+1], probe).Gone == 0 {
			return nil
		}
		gone.Add(1)
		if err := s.Gone(ctx, ids[i]); err != nil {
			s.log.WarnContext(ctx, "cleanup of a gone connection at the limit failed",
				slog.String("connectionId", ids[i]), slog.Any("error", err))
		}
		return nil
	})
	s.log.InfoContext(ctx, "connection limit reached: probed the user's connections",
		slog.String("userId", userID), slog.Int("connections", len(ids)), slog.Int64("gone", gone.Load()))
	rest, err := s.store.UserConnections(ctx, userID)
	if err != nil {
		return nil, storeErr(err, "list connections")
	}
	return rest, nil
}

// Disconnect handles $disconnect: it deletes exactly that connection (a
// missing one is not an error) and, if it was the user's last, records
// lastSeen and announces the user offline.
func (s *Chat) Disconnect(ctx context.Context, connectionID string) error {
	if connectionID == "" {
		return chat.Errorf(chat.Invalid, "connection id is required")
	}
	c, err := s.store.GetConnection(ctx, connectionID)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil
	}
	if err != nil {
		return storeErr(err, "get connection")
	}
	return s.forget(ctx, c)
}

// ConnectGrace is how long after its connectedAt a connection may still be
// in its $connect: API Gateway stamps connectedAt when the upgrade request
// arrives, then runs the authorizer and the $connect integration, each
// bounded by the 29 s integration timeout, and answers PostToConnection
// with 410 until $connect has returned. 2 x 29 s, plus a little for clock
// skew between API Gateway and the Lambda.
const ConnectGrace = 60 * time.Second

// Gone handles the fan-out's 410 for a connection. A 410 does not prove a
// connection dead: API Gateway answers it too for a connection whose
// $connect has not returned yet, which the $connect has stored already and
// which is about to live. So Gone deletes the connection only if it was
// connected more than ConnectGrace ago, with a conditional delete (a
// $connect racing it is never undone); a younger one is kept: if it is
// really dead, its $disconnect, a later 410 or the TTL removes it. A
// deleted connection is then forgotten as on $disconnect.
func (s *Chat) Gone(ctx context.Context, connectionID string) error {
	if connectionID == "" {
		return chat.Errorf(chat.Invalid, "connection id is required")
	}
	c, deleted, err := s.store.DeleteConnectionIfConnectedBefore(ctx, connectionID, s.now().Add(-s.connectGrace))
	switch {
	case chat.ErrorCode(err) == chat.NotFound:
		return nil
	case err != nil:
		return storeErr(err, "delete gone connection")
	case !deleted:
		s.log.DebugContext(ctx, "410 for a connection that may still be connecting: kept",
			slog.String("connectionId", connectionID), slog.Time("connectedAt", c.ConnectedAt))
		return nil
	}
	return s.forget(ctx, c)
}

// forget takes c out of its call (if it is in one), deletes c's user link
// and room-connection items (and its item, if still there) and, if it was the user's last connection, records
// lastSeen and announces the user offline.
func (s *Chat) forget(ctx context.Context, c chat.Connection) error {
	s.leaveCallOnDisconnect(ctx, c) // calls.go: out of its call at once
	roomIDs, err := s.userRoomIDs(ctx, c.UserID)
	if err != nil {
		return err
	}
	if err := s.store.DeleteConnection(ctx, c, roomIDs); err != nil {
		return storeErr(err, "delete connection")
	}
	rest, err := s.store.UserConnections(ctx, c.UserID)
	if err != nil {
		return storeErr(err, "list connections")
	}
	last := len(without(rest, c.ID)) == 0
	s.log.DebugContext(ctx, "disconnected", slog.String("connectionId", c.ID),
		slog.String("userId", c.UserID), slog.Bool("last", last))
	if !last {
		return nil
	}
	now := s.clock()
	if err := s.store.SetLastSeen(ctx, c.UserID, now); err != nil && chat.ErrorCode(err) != chat.NotFound {
		return storeErr(err, "set last seen")
	}
	s.agentGone(ctx, c.UserID) // support.go: an agent with no connection is away
	s.pushPresence(ctx, c.UserID, roomIDs, false, now, s.presenceHidden(ctx, c.UserID))
	return nil
}

// Connection returns the stored connection: the identity every action is
// authorized from. A connection past its expiry is gone even if DynamoDB's
// TTL sweeper (which may lag by days) has not removed it yet.
func (s *Chat) Connection(ctx context.Context, connectionID string) (chat.Connection, error) {
	if connectionID == "" {
		return chat.Connection{}, chat.Errorf(chat.Invalid, "connection id is required")
	}
	c, err := s.store.GetConnection(ctx, connectionID)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Connection{}, chat.Errorf(chat.NotFound, "connection not found: reconnect")
	}
	if err != nil {
		return chat.Connection{}, storeErr(err, "get connection")
	}
	now := s.clock()
	// The token's expiry first: it is the more useful answer (refresh,
	// then reconnect) when both have passed.
	if !c.TokenExpiresAt.IsZero() && !now.Before(c.TokenExpiresAt) {
		return chat.Connection{}, chat.Errorf(chat.SessionExpired, "your sign-in expired at %s: reconnect with a fresh token", c.TokenExpiresAt.UTC().Format(time.RFC3339))
	}
	if !c.ExpiresAt.IsZero() && !now.Before(c.ExpiresAt) {
		return chat.Connection{}, chat.Errorf(chat.NotFound, "connection expired: reconnect")
	}
	return c, nil
}

// userRoomIDs lists the ids of the rooms the user is a member of.
func (s *Chat) userRoomIDs(ctx context.Context, userID string) ([]string, error) {
	ms, err := s.store.UserRooms(ctx, userID)
	if err != nil {
		return nil, storeErr(err, "list rooms")
	}
	ids := make([]string, len(ms))
	for i, m := range ms {
		ids[i] = m.RoomID
	}
	return ids, nil
}
