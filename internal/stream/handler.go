// Package stream is the handler of the table's DynamoDB stream (the
// functions/stream Lambda, and locally internal/local/streampoll): it
// decodes each record into domain events (dynamo.DecodeStreamRecord) and
// hands them, in record order, to the registered consumers.
//
// Failures are reported with ReportBatchItemFailures semantics for an
// ordered shard: the first record that failed (to decode, or whose events a
// consumer could not take) and every record after it are listed in
// BatchItemFailures. Lambda checkpoints before the lowest reported
// sequence number and retries from there, so nothing after a failure is
// skipped and nothing is reordered; events of records before it are
// delivered once per successful invocation (at least once overall).
package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
)

// Decoder turns one stream record into domain events.
type Decoder func(events.DynamoDBEventRecord) ([]chat.Event, error)

// Config configures a Handler.
type Config struct {
	// Consumers receive every batch's events, in record order. A consumer
	// that fails part way returns a *chat.PartialFailure.
	Consumers []chat.EventConsumer
	// Records are consumers of the raw records (internal/analytics), run
	// after Consumers and given only the records before the first one any
	// of them (or the decoder) failed: a retry starts at a record they
	// never saw, which lets them count each record once.
	Records []RecordConsumer
	// Decode defaults to dynamo.DecodeStreamRecord.
	Decode Decoder
	Logger *slog.Logger // nil discards
}

// RecordConsumer takes raw stream records in order and says how many it
// is done with (all, or the index of the first not done, with the error).
type RecordConsumer interface {
	ConsumeRecords(ctx context.Context, records []events.DynamoDBEventRecord) (int, error)
}

// Handler handles events.DynamoDBEvent batches.
type Handler struct {
	records   []RecordConsumer
	consumers []chat.EventConsumer
	decode    Decoder
	logger    *slog.Logger
}

// New returns a Handler.
func New(cfg Config) (*Handler, error) {
	for i, c := range cfg.Consumers {
		if c == nil {
			return nil, fmt.Errorf("stream: consumer %d is nil", i)
		}
	}
	for i, c := range cfg.Records {
		if c == nil {
			return nil, fmt.Errorf("stream: record consumer %d is nil", i)
		}
	}
	h := &Handler{consumers: cfg.Consumers, records: cfg.Records, decode: cfg.Decode, logger: cfg.Logger}
	if h.decode == nil {
		h.decode = dynamo.DecodeStreamRecord
	}
	if h.logger == nil {
		h.logger = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// Handle decodes the batch, hands its events to every consumer and reports
// the first failed record and every one after it. It returns an error only
// for a batch it cannot judge record by record (never, today): per-record
// failures are in the response.
func (h *Handler) Handle(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	records := ev.Records
	// firstFailed is the index of the first record that is not done;
	// len(records) when all are.
	firstFailed := len(records)
	var (
		evs    []chat.Event
		origin []int // origin[i] is the record index of evs[i]
	)
	for i, rec := range records {
		got, err := h.decode(rec)
		if err != nil {
			h.logger.LogAttrs(ctx, slog.LevelError, "stream record not decoded",
				slog.String("eventID", rec.EventID), slog.String("sequenceNumber", rec.Change.SequenceNumber),
				slog.String("error", err.Error()))
			firstFailed = i
			break
		}
		for _, e := range got {
			evs = append(evs, e)
			origin = append(origin, i)
		}
	}
	if len(evs) > 0 {
		for _, c := range h.consumers {
			err := c.Consume(ctx, evs)
			if err == nil {
				continue
			}
			failedAt := origin[0]
			var pf *chat.PartialFailure
			if errors.As(err, &pf) && pf.Index >= 0 && pf.Index < len(evs) {
				failedAt = origin[pf.Index]
			}
			h.logger.LogAttrs(ctx, slog.LevelError, "stream consumer failed",
				slog.String("consumer", fmt.Sprintf("%T", c)),
				slog.String("sequenceNumber", records[failedAt].Change.SequenceNumber),
				slog.String("error", err.Error()))
			firstFailed = min(firstFailed, failedAt)
		}
	}
	for _, c := range h.records {
		if firstFailed == 0 {
			break
		}
		n, err := c.ConsumeRecords(ctx, records[:firstFailed])
		if err == nil && n >= firstFailed {
			continue
		}
		n = max(0, min(n, firstFailed))
		msg := "incomplete"
		if err != nil {
			msg = err.Error()
		}
		h.logger.LogAttrs(ctx, slog.LevelError, "stream record consumer failed",
			slog.String("consumer", fmt.Sprintf("%T", c)), slog.Int("done", n), slog.String("error", msg))
		firstFailed = n
	}
	resp := events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	for _, rec := range records[firstFailed:] {
		resp.BatchItemFailures = append(resp.BatchItemFailures,
			events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
	}
	h.logger.LogAttrs(ctx, slog.LevelDebug, "stream batch handled",
		slog.Int("records", len(records)), slog.Int("events", len(evs)),
		slog.Int("failed", len(resp.BatchItemFailures)))
	return resp, nil
}
