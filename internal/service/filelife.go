package service

import (
	"context"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// attachedFile says whether a download's file is still served: it must be
// an attachment of the message r.Seq of the room, and that message must
// still be there (not deleted, not past its room's retention: issue 15).
// A file lives as long as its message. Without this, a member who kept a
// file's key could have it signed until the file sweeper deleted it after
// the TTL process removed the message (TTL lags by up to two days), and
// could have another member's upload signed that was never sent. Cost: one
// consistent GetItem of the message (the store leaves out an item past its
// ttl; the service checks expiresAt against its own clock too).
func (s *Chat) attachedFile(ctx context.Context, r protocol.RequestDownloadRequest) error {
	if r.Seq <= 0 {
		return chat.Errorf(chat.Invalid, "seq must be the message the file is attached to")
	}
	msg, err := s.store.GetMessage(ctx, r.RoomID, r.Seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return chat.Errorf(chat.NotFound, "file not found: its message is gone")
	}
	if err != nil {
		return storeErr(err, "get message")
	}
	if msg.Deleted || (!msg.ExpiresAt.IsZero() && !msg.ExpiresAt.After(s.clock())) {
		return chat.Errorf(chat.NotFound, "file not found: its message is gone")
	}
	if !slices.ContainsFunc(msg.Attachments, func(a chat.Attachment) bool { return a.Key == r.Key }) {
		return chat.Errorf(chat.NotFound, "file not found in that message")
	}
	return nil
}
