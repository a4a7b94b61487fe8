package service

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// directGone tells the policy whether room is a direct conversation whose
// every other member deleted their account (chat.DirectGone), so that it
// refuses every write there read_only (sendMessage and thread replies,
// createPoll, vote, closePoll, scheduleMessage, editMessage, react,
// pinMessage, removePreview, requestUpload; a scheduled message's
// delivery goes through sendMessage). It reads the other members'
// profiles (one BatchGetItem) only for a write (chat.DirectGoneMatters)
// in a direct room; 0 otherwise.
func (s *Chat) directGone(ctx context.Context, c chat.Connection, action chat.Action, room chat.Room) (int, error) {
	if room.Kind != chat.KindDirect || !chat.DirectGoneMatters(action) {
		return 0, nil
	}
	ids := chat.DirectOthers(room, c.UserID)
	if len(ids) == 0 {
		return 0, nil
	}
	others, err := s.store.GetProfiles(ctx, ids)
	if err != nil {
		return 0, storeErr(err, "get the conversation's members")
	}
	return chat.DirectGone(room, c.UserID, others), nil
}
