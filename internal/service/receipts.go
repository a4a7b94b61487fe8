package service

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// MarkRead moves the caller's read position in a room forward (never
// back) and, when it moved, tells the room's connections (the caller's
// other connections included, so their unread badges clear; senders see
// their messages read). Not rate-limited: clients send it as the user
// scrolls, and it only ever writes forward.
//
// With Open it also records the room as the caller's last open one (one
// PutItem), whether or not the position moved; a failure there is logged,
// not answered: the read position matters more.
func (s *Chat) MarkRead(ctx context.Context, c chat.Connection, r protocol.MarkReadRequest) (protocol.ReadEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActMarkRead, r.RoomID, true)
	if err != nil {
		return protocol.ReadEvent{}, err
	}
	room, m := ra.room, *ra.member
	if r.Seq < 0 || r.Seq > room.LastSeq {
		return protocol.ReadEvent{}, chat.Errorf(chat.Invalid, "seq %d is not a message of this room (last is %d)", r.Seq, room.LastSeq)
	}
	if r.Open {
		if err := s.store.SetLastRoom(ctx, c.UserID, room.ID, s.clock()); err != nil {
			s.log.WarnContext(ctx, "could not record the last open room", slog.String("userId", c.UserID), slog.Any("error", err))
		}
	}
	ev := protocol.ReadEvent{Head: protocol.Head{Type: protocol.EventRead}, RoomID: room.ID, UserID: c.UserID, Seq: max(m.ReadSeq, r.Seq)}
	if r.Seq <= m.ReadSeq {
		return ev, nil
	}
	advanced, err := s.store.AdvanceReadSeq(ctx, room.ID, c.UserID, r.Seq)
	if err != nil {
		return protocol.ReadEvent{}, storeErr(err, "mark read")
	}
	if advanced {
		s.push.toRoom(ctx, room.ID, ev, c.ID, "") // a receipt: a direct push, not a domain event
	}
	return ev, nil
}
