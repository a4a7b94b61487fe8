package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// directWritable refuses a new message (sendMessage, createPoll,
// scheduleMessage; a scheduled message's delivery goes through
// sendMessage) in a direct conversation whose every other member deleted
// their account (chat.DirectReadOnly). It reads the other members'
// profiles only for a direct conversation; room must be the loaded room.
func (s *Chat) directWritable(ctx context.Context, c chat.Connection, room chat.Room) error {
	ids := chat.DirectOthers(room, c.UserID)
	if len(ids) == 0 {
		return nil
	}
	others, err := s.store.GetProfiles(ctx, ids)
	if err != nil {
		return storeErr(err, "get the conversation's members")
	}
	return chat.DirectReadOnly(room, c.UserID, others)
}
