package service

import (
	"context"
	"log/slog"
	"slices"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Unread counts the server sends (issue 15): a blocked person's messages
// are not news for the blocker. getState's rooms (roomState) and a
// rejoin's room leave them out of unread and mentions, and listThreads out
// of a followed thread's unread, as the blocker's client does for what it
// counts itself (web: countUnread, "What the blocker's client does").

// blockedBy is the block list of userID, for counting; a failed read is
// logged and counts everyone (the count is a hint, never a reason to fail
// the request).
func (s *Chat) blockedBy(ctx context.Context, userID string) []string {
	p, err := s.store.GetPreferences(ctx, userID)
	if err != nil {
		s.log.WarnContext(ctx, "block list unreadable: unread counts include everyone", slog.String("userId", userID), slog.Any("error", err))
		return nil
	}
	return p.Blocked
}

// threadUnread counts a followed thread's replies after readSeq by others
// than userID and the people they blocked, up to protocol.ThreadUnreadCap.
// Without a block list it is the store's count (a COUNT Query); with one,
// the newest replies are read (one page of the cap) and counted here.
func (s *Chat) threadUnread(ctx context.Context, it protocol.ThreadItem, userID string, blocked []string) (int, error) {
	if len(blocked) == 0 {
		return s.store.ThreadUnread(ctx, it.RoomID, it.ParentSeq, it.ReadSeq, userID, protocol.ThreadUnreadCap)
	}
	replies, _, err := s.store.ThreadReplies(ctx, it.RoomID, it.ParentSeq, 0, protocol.ThreadUnreadCap)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range replies {
		if r.Seq > it.ReadSeq && r.SenderID != userID && !r.Deleted && !slices.Contains(blocked, r.SenderID) {
			n++
		}
	}
	return n, nil
}
