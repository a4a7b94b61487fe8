// Package erasure is the account erasure's queue and worker
// (functions/erasure). deleteAccount and deleteUser only refuse the
// account and put a job (the user id, nothing else) on the erasure queue;
// the worker runs the erasure (service.Chat.EraseAccount): the pool
// account, connections, schedules and files on the first pass, then a
// strongly consistent scan of the table that handles every item holding
// the id. A pass that nears the invocation's deadline puts its
// continuation (the scan's cursor) back on the queue, so no erasure is
// bounded by one invocation. Every step is idempotent: SQS delivers at
// least once, and a failed record is retried, then dead-lettered.
package erasure

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// SQSAPI is the part of the SQS client the queue uses.
type SQSAPI interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Queue puts erasure jobs on the queue at URL.
type Queue struct {
	Client SQSAPI
	URL    string
}

var _ chat.ErasureQueue = (*Queue)(nil)

// FirstDelay delays a new erasure's first pass, which closes the person's
// connections: the answer to deleteAccount reaches their socket first.
const FirstDelay = 3 * time.Second

// EnqueueErasure sends one job (a new one delayed by FirstDelay).
func (q *Queue) EnqueueErasure(ctx context.Context, job chat.ErasureJob) error {
	body, err := json.Marshal(job)
	if err != nil {
		return err
	}
	in := &sqs.SendMessageInput{QueueUrl: aws.String(q.URL), MessageBody: aws.String(string(body))}
	if job.Cursor == "" && job.Pass == 0 {
		in.DelaySeconds = int32(FirstDelay / time.Second)
	}
	if _, err := q.Client.SendMessage(ctx, in); err != nil {
		return fmt.Errorf("erasure: queue job: %w", err)
	}
	return nil
}

// DecodeJob parses a queue message body.
func DecodeJob(body string) (chat.ErasureJob, error) {
	var j chat.ErasureJob
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return j, fmt.Errorf("erasure job: %w", err)
	}
	if j.UserID == "" {
		return j, errors.New("erasure job: userId is required")
	}
	return j, nil
}

// Eraser runs one pass (service.Chat.EraseAccount).
type Eraser interface {
	EraseAccount(ctx context.Context, job chat.ErasureJob, stop func() bool) (chat.ErasureResult, error)
}

// DefaultMargin is how long before the invocation's deadline a pass stops
// scanning and queues its continuation.
const DefaultMargin = 60 * time.Second

// Worker handles the erasure queue's records.
type Worker struct {
	Eraser Eraser
	// Queue takes a pass's continuation.
	Queue  chat.ErasureQueue
	Margin time.Duration
	Logger *slog.Logger
}

// Handle is the Lambda handler (SQS event source, batch size 1 in the
// stack; ReportBatchItemFailures).
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := w.job(ctx, rec); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (w *Worker) log() *slog.Logger {
	if w.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return w.Logger
}

func (w *Worker) job(ctx context.Context, rec events.SQSMessage) error {
	job, err := DecodeJob(rec.Body)
	if err != nil {
		w.log().ErrorContext(ctx, "erasure job dropped: not a job", slog.String("messageId", rec.MessageId), slog.Any("error", err))
		return nil
	}
	margin := w.Margin
	if margin <= 0 {
		margin = DefaultMargin
	}
	stop := func() bool {
		d, ok := ctx.Deadline()
		return ok && time.Until(d) < margin
	}
	res, err := w.Eraser.EraseAccount(ctx, job, stop)
	if err != nil {
		w.log().ErrorContext(ctx, "erasure pass failed", slog.String("userId", job.UserID), slog.Any("error", err))
		return err
	}
	if res.Cursor == "" {
		w.log().InfoContext(ctx, "erasure complete", slog.String("userId", job.UserID), slog.Int("passes", job.Pass+1))
		return nil
	}
	next := chat.ErasureJob{UserID: job.UserID, Cursor: res.Cursor, Pass: job.Pass + 1}
	if err := w.Queue.EnqueueErasure(ctx, next); err != nil {
		w.log().ErrorContext(ctx, "erasure continuation not queued", slog.String("userId", job.UserID), slog.Any("error", err))
		return err // the pass runs again from its own cursor: idempotent
	}
	return nil
}
