package service

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Typing tells the room's other members' connections that the caller is
// typing. It is throttled per user per room to one event per
// TypingInterval; throttled calls are dropped silently (the client keeps
// sending while the user types, and nothing is lost by dropping). A
// stop (Stopped: the draft was cleared or sent) is never throttled.
func (s *Chat) Typing(ctx context.Context, c chat.Connection, r protocol.TypingRequest) error {
	if _, err := s.authorize(ctx, c, chat.ActTyping, r.RoomID, false); err != nil {
		return err
	}
	if r.Stopped {
		s.push.toRoom(ctx, r.RoomID, protocol.TypingEvent{
			Head: protocol.Head{Type: protocol.EventTyping}, RoomID: r.RoomID, UserID: c.UserID, Stopped: true,
		}, c.ID, c.UserID)
		return nil
	}
	ok, err := s.store.Allow(ctx, "typing:"+r.RoomID+":"+c.UserID, 1, s.typingInterval)
	if err != nil {
		return storeErr(err, "typing throttle")
	}
	if !ok {
		s.log.DebugContext(ctx, "typing throttled", slog.String("roomId", r.RoomID), slog.String("userId", c.UserID))
		return nil
	}
	name := s.profileOrStub(ctx, c.UserID).DisplayName
	if name == "" {
		name = c.DisplayName
	}
	// Typing is ephemeral: a direct push, not a domain event.
	s.push.toRoom(ctx, r.RoomID, protocol.TypingEvent{
		Head: protocol.Head{Type: protocol.EventTyping}, RoomID: r.RoomID, UserID: c.UserID, DisplayName: name,
	}, c.ID, c.UserID)
	return nil
}
