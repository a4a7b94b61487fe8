package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// MarkRead moves the caller's read position in a room forward (never
// back) and, when it moved, tells the room's connections (the caller's
// other connections included, so their unread badges clear; senders see
// their messages read). Not rate-limited: clients send it as the user
// scrolls, and it only ever writes forward.
func (s *Chat) MarkRead(ctx context.Context, c chat.Connection, r protocol.MessageRef) (protocol.ReadEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActMarkRead, r.RoomID, true)
	if err != nil {
		return protocol.ReadEvent{}, err
	}
	room, m := ra.room, *ra.member
	if r.Seq < 0 || r.Seq > room.LastSeq {
		return protocol.ReadEvent{}, chat.Errorf(chat.Invalid, "seq %d is not a message of this room (last is %d)", r.Seq, room.LastSeq)
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
