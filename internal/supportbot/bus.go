package supportbot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
)

// The FAQ bot runs behind the bus (functions/supportbot): the stream
// function puts every message.created on the chat bus (internal/eventbus),
// and a rule whose pattern keeps only visitors' messages (detail.senderId
// prefix "vis_", SenderPattern) invokes the bot asynchronously; Lambda
// retries a failed invocation, then the event goes to the dead-letter
// queue. The bot needs the chat service (its answer is pushed to the
// visitor), which the stream function does not link.

// SenderPattern is the rule's pattern on the detail: visitors' messages.
var SenderPattern = map[string]any{"senderId": []any{map[string]string{"prefix": VisitorPrefix}}}

// BusEvent is an EventBridge event as a rule's Lambda target receives it.
type BusEvent struct {
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Detail     json.RawMessage `json:"detail"`
}

// Messages reads the message an event names (its text is not on the bus
// unless EVENTS_INCLUDE_TEXT).
type Messages interface {
	GetMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error)
}

// BusHandler answers one message.created event with the Responder.
type BusHandler struct {
	Responder *Responder
	Messages  Messages
}

// Handle is the function's handler. An error has Lambda retry the event;
// the reply's client id makes a retry post once.
func (h *BusHandler) Handle(ctx context.Context, ev BusEvent) error {
	if ev.DetailType != string(chat.EventMessageCreated) {
		return nil
	}
	var d eventbus.MessageDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return nil // not a message detail: nothing a retry would change
	}
	if !strings.HasPrefix(d.SenderID, VisitorPrefix) || d.RoomID == "" || d.Seq <= 0 {
		return nil
	}
	m, err := h.Messages.GetMessage(ctx, d.RoomID, d.Seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil // deleted (or expired) meanwhile
	}
	if err != nil {
		return fmt.Errorf("supportbot: message %s/%d: %w", d.RoomID, d.Seq, err)
	}
	return h.Responder.Consume(ctx, []chat.Event{chat.MessageCreated{Actor: chat.Actor{UserID: m.SenderID}, Message: m}})
}

// HandleJSON handles an event given as JSON (the local bus's targets).
func (h *BusHandler) HandleJSON(ctx context.Context, raw []byte) error {
	var ev BusEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("supportbot: event: %w", err)
	}
	return h.Handle(ctx, ev)
}
