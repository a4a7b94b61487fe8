package scheduled

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// ReasonReminder is the push job's reason of a fired reminder.
const ReasonReminder = "reminder"

// QueuePush sends a fired reminder to its owner's devices as one job on
// the Web Push queue (the push sender function sends it, as it sends
// the notifier's): "<room>" as the title, "Reminder: <note or the
// message's start>" as the body.
type QueuePush struct {
	Queue notify.Queue
	// Previews: the message's text may be in the payload (PUSH_PREVIEWS);
	// a reminder's own note always is (the person wrote it for themselves).
	Previews bool
	// Sender is the notification's "sender" part ("Reminder").
	Sender string
}

var _ service.ReminderPush = (*QueuePush)(nil)

func (p *QueuePush) Remind(ctx context.Context, it chat.ScheduledItem, roomName string, msg *chat.Message) error {
	sender := p.Sender
	if sender == "" {
		sender = "Reminder"
	}
	preview := it.Text
	if preview == "" && msg != nil && p.Previews && !msg.Deleted {
		preview = notify.Preview(*msg)
	}
	room := roomName
	if room == "" {
		room = "Backchannel"
	}
	return p.Queue.Enqueue(ctx, []notify.Job{{UserID: it.UserID, RoomID: it.RoomID, Seq: it.Seq, Room: room, Sender: sender,
		Preview: preview, Reason: ReasonReminder, SentAt: it.FiredAt.UnixMilli()}})
}
