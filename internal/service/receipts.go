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
		s.pushReceipt(ctx, c, room.ID, ev) // a receipt: a direct push, not a domain event
	}
	return ev, nil
}

// pushReceipt sends a read receipt as chat.ReceiptVisible says (issue
// #15): a reader who hides receipts tells only their own other
// connections (their unread badges clear); otherwise the room hears it but
// for the members who hide their own receipts (they see nobody's).
//
// Cost: one GetItem of the workspace's receipt hiders (ReceiptHiders),
// whatever the room's size; unreadable, the receipt goes to the reader's
// own connections only (never shown by mistake).
func (s *Chat) pushReceipt(ctx context.Context, c chat.Connection, roomID string, ev protocol.ReadEvent) {
	hides, err := s.store.ReceiptHiders(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "receipt hiders unreadable: receipt kept to the reader's devices", slog.Any("error", err))
	}
	if err != nil || hides[c.UserID] {
		own, err := s.store.UserConnections(ctx, c.UserID)
		if err != nil {
			s.log.WarnContext(ctx, "receipt not sent to own devices", slog.Any("error", err))
			return
		}
		s.push.send(ctx, without(own, c.ID), ev)
		return
	}
	rcs, err := s.store.RoomConnections(ctx, roomID)
	if err != nil {
		s.log.WarnContext(ctx, "room connections", slog.String("roomId", roomID), slog.Any("error", err))
		return
	}
	ids := make([]string, 0, len(rcs))
	for _, rc := range rcs {
		if rc.ConnectionID == c.ID || !chat.ReceiptVisible(c.UserID, false, rc.UserID, hides[rc.UserID]) {
			continue
		}
		ids = append(ids, rc.ConnectionID)
	}
	s.push.send(ctx, ids, ev)
}
