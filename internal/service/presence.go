package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Presence and profile changes go to everyone who shares a room with the
// user: the union of the RoomConnections of all the user's rooms, without
// duplicates and without the user's own connections.
//
// Cost: one Query per room of the user (run storeConcurrency at a time)
// plus one PostToConnection per distinct online co-member. It is paid on a
// user's first connect and last disconnect only, not per connection. A user
// in #general of a large team reaches every online user: for rooms past a
// few thousand connections this is where presence should move to a
// subscribe-on-view model.

// sharedAudience lists the connections of everyone sharing one of roomIDs
// with userID.
func (s *Chat) sharedAudience(ctx context.Context, userID string, roomIDs []string) []string {
	var (
		mu   sync.Mutex
		seen = map[string]bool{}
		out  []string
	)
	_ = forEach(len(roomIDs), func(i int) error {
		rcs, err := s.store.RoomConnections(ctx, roomIDs[i])
		if err != nil {
			s.log.WarnContext(ctx, "room connections", slog.String("roomId", roomIDs[i]), slog.Any("error", err))
			return nil
		}
		mu.Lock()
		defer mu.Unlock()
		for _, rc := range rcs {
			if rc.UserID != userID && !seen[rc.ConnectionID] {
				seen[rc.ConnectionID] = true
				out = append(out, rc.ConnectionID)
			}
		}
		return nil
	})
	return out
}

// pushPresence announces userID online or offline (with lastSeen) to
// everyone sharing a room with them.
func (s *Chat) pushPresence(ctx context.Context, userID string, roomIDs []string, online bool, at time.Time) {
	ev := protocol.PresenceEvent{Head: protocol.Head{Type: protocol.EventPresence}, UserID: userID, Online: online}
	if !online {
		ev.LastSeen = at.UnixMilli()
	}
	s.send(ctx, s.sharedAudience(ctx, userID, roomIDs), ev)
}
