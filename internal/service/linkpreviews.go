package service

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Link previews (issue 14): the unfurl worker (internal/unfurl,
// functions/unfurl) calls ApplyLinkPreviews after it fetched a message's
// links; the sender removes them with removePreview. Both are numbered in
// the room's change log before they are stored, like every change to a
// message, so resume replays them, and pushed as messageUpdated.

// ApplyLinkPreviews stores the unfurled previews of msg, as the worker
// read it (StoredMessage), without the links its sender removed meanwhile
// (the store applies the update to the message as it is when it writes),
// and tells the room. It is the worker's, not an action: no connection,
// no policy (the worker acts on a message that was sent, for whoever can
// see it). Nothing is stored or told when the previews are the same or
// the message was deleted; a message that is gone is NotFound.
func (s *Chat) ApplyLinkPreviews(ctx context.Context, msg chat.Message, previews []chat.LinkPreview) (chat.Message, bool, error) {
	roomID, seq := msg.RoomID, msg.Seq
	update := chat.SetPreviews(previews)
	if msg.Deleted || msg.Encrypted != nil { // encrypted: never unfurled (e2ee_rooms.go)
		return msg, false, nil
	}
	if _, _, changed := update(msg); !changed {
		return msg, false, nil
	}
	chg, err := s.store.RecordChange(ctx, roomID, seq)
	if err != nil {
		return chat.Message{}, false, storeErr(err, "record change")
	}
	stored, changed, err := s.store.UpdateLinkPreviews(ctx, roomID, seq, update)
	if chat.ErrorCode(err) == chat.Conflict {
		return chat.Message{}, false, nil // deleted meanwhile: a harmless replay
	}
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Message{}, false, err
	}
	if err != nil {
		return chat.Message{}, false, storeErr(err, "store link previews")
	}
	if changed {
		s.publish(ctx, chat.MessagePreviewed{Message: stored, Chg: chg})
		s.log.InfoContext(ctx, "link previews stored", slog.String("roomId", roomID), slog.Int64("seq", seq), slog.Int("previews", len(stored.Previews)))
	}
	return stored, changed, nil
}

// RemovePreview removes a link preview (or all, without a URL) from the
// caller's own message; the room gets messageUpdated. Idempotent: a
// removal that changes nothing answers the message without a change
// number.
func (s *Chat) RemovePreview(ctx context.Context, c chat.Connection, r protocol.RemovePreviewRequest) (protocol.MessageEvent, error) {
	if len(r.URL) > chat.MaxPreviewURL {
		return protocol.MessageEvent{}, chat.Errorf(chat.Invalid, "url is longer than %d bytes", chat.MaxPreviewURL)
	}
	msg, err := s.ownMessage(ctx, c, r.RoomID, r.Seq, chat.ActRemovePreview)
	if err != nil {
		return protocol.MessageEvent{}, err
	}
	if msg.Deleted {
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	update := chat.RemovePreview(r.URL)
	if _, _, changed := update(msg); !changed {
		return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: msg}, nil
	}
	chg, err := s.store.RecordChange(ctx, msg.RoomID, msg.Seq)
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "record change")
	}
	stored, _, err := s.store.UpdateLinkPreviews(ctx, msg.RoomID, msg.Seq, update)
	if chat.ErrorCode(err) == chat.Conflict {
		return protocol.MessageEvent{}, errMessageDeleted()
	}
	if err != nil {
		return protocol.MessageEvent{}, storeErr(err, "remove link preview")
	}
	s.publish(ctx, chat.MessagePreviewed{Actor: chat.Actor{UserID: c.UserID, ConnectionID: c.ID}, Message: stored, Chg: chg})
	return protocol.MessageEvent{Head: protocol.Head{Type: protocol.EventMessageUpdated}, Message: stored, Chg: chg}, nil
}

// StoredMessage reads a message as stored (strongly consistent), for the
// unfurl worker: no connection, no policy.
func (s *Chat) StoredMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error) {
	m, err := s.store.GetMessage(ctx, roomID, seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Message{}, err
	}
	if err != nil {
		return chat.Message{}, storeErr(err, "get message")
	}
	return m, nil
}
