package outhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
)

// Outgoing webhooks' delivery (functions/outhooks): an EventBridge rule on
// the bus's message.created events invokes the function asynchronously;
// Deliver posts the message to every outgoing webhook of its room that it
// fires (chat.Integration.Fires), signed, retrying a failing URL with
// backoff within the invocation (Backoff). If a URL still fails, Deliver
// returns an error: Lambda retries the invocation twice more (about one
// and three minutes later) and then sends the event to the OnFailure
// dead-letter queue (infra/chatstack/outhooks.go; make dev's and the
// tests' stand-in: internal/local/localbus). Delivery is at least once: a
// retried invocation posts again to the hooks that had succeeded, with the
// same X-Backchannel-Delivery, which a receiver uses to drop repeats.

// Store is what delivery reads: a room's outgoing webhooks, and the
// message when the event carries no text.
type Store interface {
	ListIntegrations(ctx context.Context, roomID string, kind chat.IntegrationKind) ([]chat.Integration, error)
	GetMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error)
}

// DefaultBackoff is the wait before each retry within one invocation.
var DefaultBackoff = []time.Duration{time.Second, 4 * time.Second}

// BusEvent is an EventBridge event as a rule target receives it.
type BusEvent struct {
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       time.Time       `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// WebhookPayload is the JSON body an outgoing webhook receives.
type WebhookPayload struct {
	Event       string    `json:"event"` // "message.created"
	WebhookID   string    `json:"webhookId"`
	DeliveryID  string    `json:"deliveryId"`
	RoomID      string    `json:"roomId"`
	Seq         int64     `json:"seq"`
	ParentSeq   int64     `json:"parentSeq,omitempty"`
	UserID      string    `json:"userId"`
	UserName    string    `json:"userName"`
	Text        string    `json:"text"`
	TriggerWord string    `json:"triggerWord,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Deliverer delivers one event to its room's outgoing webhooks.
type Deliverer struct {
	Store  Store
	Client *Client
	// Backoff: the waits before the retries within an invocation (nil:
	// DefaultBackoff; empty: no retry within the invocation).
	Backoff []time.Duration
	// Timeout of one request (0: DeliveryTimeout).
	Timeout time.Duration
	Logger  *slog.Logger
}

// integrationSender is the senderId prefix of a command's room reply
// (service.IntegrationSenderPrefix): outgoing webhooks do not see what
// integrations post, so two of them cannot loop. An incoming webhook's
// posts (chat.WebhookSenderPrefix) are skipped for the same reason: a
// receiver that answers through an incoming webhook would loop.
const integrationSender = "integration:"

func postedByIntegration(senderID string) bool {
	return strings.HasPrefix(senderID, integrationSender) || strings.HasPrefix(senderID, chat.WebhookSenderPrefix)
}

// Deliver handles one event: only message.created is delivered.
func (d *Deliverer) Deliver(ctx context.Context, ev BusEvent) error {
	if ev.DetailType != string(chat.EventMessageCreated) {
		return nil
	}
	var det eventbus.MessageDetail
	if err := json.Unmarshal(ev.Detail, &det); err != nil {
		d.log().ErrorContext(ctx, "outgoing webhooks: bad event detail", "error", err.Error())
		return nil // retrying cannot fix it
	}
	if det.RoomID == "" || det.Deleted || postedByIntegration(det.SenderID) {
		return nil
	}
	hooks, err := d.Store.ListIntegrations(ctx, det.RoomID, chat.KindOutgoing)
	if err != nil {
		return fmt.Errorf("list outgoing webhooks: %w", err)
	}
	if len(hooks) == 0 {
		return nil
	}
	msg, err := d.Store.GetMessage(ctx, det.RoomID, det.Seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil // deleted since
	}
	if err != nil {
		return fmt.Errorf("get message: %w", err)
	}
	if msg.Deleted || msg.System != nil || msg.Encrypted != nil { // end-to-end encrypted: never sent out
		return nil
	}
	// The room's webhooks at once: one slow URL does not hold the others
	// (at most chat.MaxOutgoingPerRoom).
	var (
		mu     sync.Mutex
		failed []error
		wg     sync.WaitGroup
	)
	for _, h := range hooks {
		if !h.Fires(msg.Text) {
			continue
		}
		p := WebhookPayload{Event: string(chat.EventMessageCreated), WebhookID: h.ID, DeliveryID: ev.ID + ":" + h.ID,
			RoomID: msg.RoomID, Seq: msg.Seq, ParentSeq: msg.ParentSeq, UserID: msg.SenderID, UserName: msg.SenderName,
			Text: msg.Text, TriggerWord: trigger(h, msg.Text), CreatedAt: msg.CreatedAt}
		wg.Go(func() {
			if err := d.post(ctx, h, p); err != nil {
				mu.Lock()
				failed = append(failed, fmt.Errorf("webhook %s: %w", h.ID, err))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return errors.Join(failed...)
}

func trigger(h chat.Integration, text string) string {
	if h.AllMessages {
		return ""
	}
	for _, w := range h.TriggerWords {
		if (chat.Integration{Kind: chat.KindOutgoing, TriggerWords: []string{w}}).Fires(text) {
			return w
		}
	}
	return ""
}

func (d *Deliverer) post(ctx context.Context, h chat.Integration, p WebhookPayload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	backoff := d.Backoff
	if backoff == nil {
		backoff = DefaultBackoff
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DeliveryTimeout
	}
	for try := 0; ; try++ {
		_, err = d.Client.Post(ctx, h.URL, h.Secret, p.DeliveryID, body, timeout)
		if err == nil {
			d.log().InfoContext(ctx, "outgoing webhook delivered", "webhook", h.ID, "roomId", p.RoomID, "seq", p.Seq, "attempt", try+1)
			return nil
		}
		d.log().WarnContext(ctx, "outgoing webhook failed", "webhook", h.ID, "roomId", p.RoomID, "seq", p.Seq, "attempt", try+1, "error", err.Error())
		var se *StatusError
		if errors.As(err, &se) && se.Status >= 400 && se.Status < 500 && se.Status != 408 && se.Status != 429 {
			return err // the receiver refuses it: retrying now will not help (Lambda's retries still come)
		}
		if try >= len(backoff) {
			return err
		}
		select {
		case <-time.After(backoff[try]):
		case <-ctx.Done():
			return err
		}
	}
}

func (d *Deliverer) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}
