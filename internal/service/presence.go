package service

import (
	"context"
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
// subscribe-on-view model. (Push.sharedAudience computes the audience;
// presence is ephemeral, so it is a direct push, not a domain event.)

// pushPresence announces userID online or offline (with lastSeen) to
// everyone sharing a room with them.
// A person who appears offline (hidden) is never announced (issue #15).
func (s *Chat) pushPresence(ctx context.Context, userID string, roomIDs []string, online bool, at time.Time, hidden bool) {
	if hidden {
		return
	}
	ev := protocol.PresenceEvent{Head: protocol.Head{Type: protocol.EventPresence}, UserID: userID, Online: online}
	if !online {
		ev.LastSeen = at.UnixMilli()
	}
	s.push.send(ctx, s.push.sharedAudience(ctx, userID, roomIDs), ev)
}
