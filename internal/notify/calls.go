package notify

import (
	"context"
	"log/slog"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// ReasonCall is the push job's reason of an incoming call (urgency high).
const ReasonCall = "call"

// PresenceStore tells whether a person has a visible tab.
type PresenceStore interface {
	UserPresence(ctx context.Context, userID string) (connections, visible int, err error)
}

// CallRinger rings people's devices for an incoming call (the service's
// CallPush): one job on the Web Push queue for each person rung who has no
// visible tab (a visible tab rings itself on callRinging). The push sender
// sends it like a message's: the caller as the sender, "Incoming call"
// (or "Incoming video call") as the text, the room as the tag.
type CallRinger struct {
	Presence PresenceStore
	Queue    Queue
	Logger   *slog.Logger
	Now      func() time.Time
}

func (r *CallRinger) Ring(ctx context.Context, call chat.Call, roomName string, caller chat.Profile, userIDs []string) error {
	text := "Incoming call"
	if call.Video {
		text = "Incoming video call"
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	var jobs []Job
	for _, u := range userIDs {
		if r.Presence != nil {
			_, visible, err := r.Presence.UserPresence(ctx, u)
			if err == nil && visible > 0 {
				continue
			}
			if err != nil && r.Logger != nil {
				r.Logger.WarnContext(ctx, "call push: presence unknown, pushing", slog.String("userId", u), slog.Any("error", err))
			}
		}
		jobs = append(jobs, Job{UserID: u, RoomID: call.RoomID, Room: roomName, Sender: caller.DisplayName, Preview: text,
			Reason: ReasonCall, SentAt: now().UnixMilli()})
	}
	if len(jobs) == 0 {
		return nil
	}
	return r.Queue.Enqueue(ctx, jobs)
}
