// Package pushsend is the push sender: the Lambda on the push queue. Each
// record is one person's push job (internal/notify.Job); the worker reads
// the person's subscriptions, builds the payload and sends it to every
// device through the Web Push adapter (internal/webpush), concurrently.
// A subscription the push service calls gone (404, 410) is deleted; a
// push service that is unavailable (429, 5xx, network) fails the record
// (ReportBatchItemFailures), which SQS redelivers after its visibility
// timeout and, after a few receives, moves to the dead-letter queue. A
// retried record pushes again to the devices that got it already: the
// notification's tag (the room) shows it once.
package pushsend

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// Store is the part of the table's store the worker needs.
type Store interface {
	PushSubscriptions(ctx context.Context, userID string) ([]chat.PushSubscription, error)
	DeletePushSubscription(ctx context.Context, userID, endpoint string) (bool, error)
}

// Sender sends one push (webpush.Sender).
type Sender interface {
	Send(ctx context.Context, sub chat.PushSubscription, payload []byte, urgency, topic string) (int, error)
}

// Worker handles the push queue's records.
type Worker struct {
	Store  Store
	Sender Sender
	Logger *slog.Logger
	Now    func() time.Time
}

// Payload builds a job's push payload.
func Payload(j notify.Job) ([]byte, error) {
	return json.Marshal(webpush.Payload{
		V: 1, RoomID: j.RoomID, Seq: j.Seq, ParentSeq: j.ParentSeq, Room: j.Room, Sender: j.Sender, Preview: j.Preview, Tag: j.RoomID,
	})
}

// urgencyOf: DMs and mentions wake a phone on low battery, "all" does not.
func urgencyOf(reason string) string {
	if reason == string(chat.ReasonAll) {
		return webpush.UrgencyNormal
	}
	return webpush.UrgencyHigh
}

// Handle is the Lambda handler (SQS event source, ReportBatchItemFailures):
// the records' jobs run concurrently, so a batch takes about as long as
// its slowest push (the HTTP client's timeout bounds it).
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var (
		resp events.SQSEventResponse
		mu   sync.Mutex
		wg   sync.WaitGroup
	)
	for _, rec := range ev.Records {
		wg.Go(func() {
			if err := w.job(ctx, rec); err != nil {
				mu.Lock()
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return resp, nil
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func (w *Worker) now() time.Time {
	if w.Now == nil {
		return time.Now()
	}
	return w.Now()
}

// job sends one record's push; an error means "retry the record".
func (w *Worker) job(ctx context.Context, rec events.SQSMessage) error {
	log := w.log()
	j, err := notify.DecodeJob(rec.Body)
	if err != nil {
		log.ErrorContext(ctx, "push job dropped: not a job", slog.String("messageId", rec.MessageId), slog.Any("error", err))
		return nil // retrying will not make it one
	}
	subs, err := w.Store.PushSubscriptions(ctx, j.UserID)
	if err != nil {
		log.WarnContext(ctx, "push subscriptions", slog.String("userId", j.UserID), slog.Any("error", err))
		return err
	}
	if len(subs) == 0 {
		return nil
	}
	payload, err := Payload(j)
	if err != nil {
		return nil
	}
	var (
		mu                         sync.Mutex
		wg                         sync.WaitGroup
		sent, gone, failed, refuse int
	)
	for _, sub := range subs {
		wg.Go(func() {
			_, err := w.Sender.Send(ctx, sub, payload, urgencyOf(j.Reason), j.RoomID)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				sent++
			case errors.Is(err, webpush.ErrGone):
				gone++
				if _, derr := w.Store.DeletePushSubscription(ctx, j.UserID, sub.Endpoint); derr != nil {
					log.WarnContext(ctx, "gone subscription not deleted", slog.String("userId", j.UserID), slog.Any("error", derr))
				}
			case errors.Is(err, webpush.ErrRetry):
				failed++
				log.WarnContext(ctx, "push service unavailable", slog.String("userId", j.UserID), slog.Any("error", err))
			default:
				refuse++
				log.ErrorContext(ctx, "push refused", slog.String("userId", j.UserID), slog.Any("error", err))
			}
		})
	}
	wg.Wait()
	attrs := []slog.Attr{
		slog.String("userId", j.UserID), slog.String("roomId", j.RoomID), slog.Int64("seq", j.Seq),
		slog.Int("devices", len(subs)), slog.Int("sent", sent), slog.Int("gone", gone),
		slog.Int("failed", failed), slog.Int("refused", refuse), slog.Int("payloadBytes", len(payload)),
	}
	if j.SentAt > 0 {
		attrs = append(attrs, slog.Int64("sinceSendMs", w.now().UnixMilli()-j.SentAt))
	}
	log.LogAttrs(ctx, slog.LevelInfo, "push", attrs...)
	if failed > 0 {
		return errors.New("push service unavailable")
	}
	return nil
}
