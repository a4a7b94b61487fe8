package unfurl

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Messages reads a message as stored (service.Chat.StoredMessage).
type Messages interface {
	StoredMessage(ctx context.Context, roomID string, seq int64) (chat.Message, error)
}

// Previews stores a message's previews and tells the room
// (service.Chat.ApplyLinkPreviews).
type Previews interface {
	ApplyLinkPreviews(ctx context.Context, msg chat.Message, previews []chat.LinkPreview) (chat.Message, bool, error)
}

// Previewer previews one link (Unfurler).
type Previewer interface {
	Preview(ctx context.Context, link string) (chat.LinkPreview, error)
}

// MaxAttempts is how many receives of a job may fail on a transient
// error (a link that timed out, a 5xx) before the worker stores what it
// has: the queue's redrive policy moves a job to the dead-letter queue
// only after more receives than this, so only a store failure lands there.
const MaxAttempts = 3

// Worker handles the unfurl queue's records (functions/unfurl).
type Worker struct {
	Messages  Messages
	Previews  Previews
	Previewer Previewer
	Logger    *slog.Logger
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

// Handle is the Lambda handler (SQS event source, ReportBatchItemFailures).
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

// job previews one message's links, concurrently; an error means "retry
// the record".
func (w *Worker) job(ctx context.Context, rec events.SQSMessage) error {
	log := w.log()
	j, err := DecodeJob(rec.Body)
	if err != nil {
		log.ErrorContext(ctx, "unfurl job dropped: not a job", slog.String("messageId", rec.MessageId), slog.Any("error", err))
		return nil
	}
	m, err := w.Messages.StoredMessage(ctx, j.RoomID, j.Seq)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil // the room or message is gone
	}
	if err != nil {
		log.WarnContext(ctx, "unfurl: read message", slog.String("roomId", j.RoomID), slog.Int64("seq", j.Seq), slog.Any("error", err))
		return err
	}
	if m.Deleted || m.System != nil {
		return nil
	}
	links := Links(m.Text, chat.MaxPreviews)
	previews := make([]chat.LinkPreview, len(links))
	errs := make([]error, len(links))
	var wg sync.WaitGroup
	for i, link := range links {
		wg.Go(func() { previews[i], errs[i] = w.Previewer.Preview(ctx, link) })
	}
	wg.Wait()
	var got []chat.LinkPreview
	transient := 0
	for i, err := range errs {
		switch {
		case err == nil:
			got = append(got, previews[i])
		case errors.Is(err, ErrNoPreview):
		default:
			transient++
			log.InfoContext(ctx, "unfurl: link failed", slog.String("roomId", j.RoomID), slog.Int64("seq", j.Seq), slog.Any("error", err))
		}
	}
	if transient > 0 && receiveCount(rec) < MaxAttempts {
		return errors.New("unfurl: a link failed; the job is retried")
	}
	_, changed, err := w.Previews.ApplyLinkPreviews(ctx, m, got)
	if chat.ErrorCode(err) == chat.NotFound {
		return nil
	}
	if err != nil {
		log.ErrorContext(ctx, "unfurl: store previews", slog.String("roomId", j.RoomID), slog.Int64("seq", j.Seq), slog.Any("error", err))
		return err
	}
	log.InfoContext(ctx, "unfurled", slog.String("roomId", j.RoomID), slog.Int64("seq", j.Seq),
		slog.Int("links", len(links)), slog.Int("previews", len(got)), slog.Int("failed", transient), slog.Bool("changed", changed))
	return nil
}

func receiveCount(rec events.SQSMessage) int {
	n, err := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	if err != nil {
		return MaxAttempts // unknown: do not loop
	}
	return n
}
