// Package eventbus publishes chat domain events to an Amazon EventBridge
// custom bus: source "backchannel", detail-type the chat.EventType, and a
// documented detail per type (detail.go, docs/EVENTS.md) that leaves message
// text out unless the deployment opts in. It is a chat.EventConsumer of the
// stream handler (internal/stream).
package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Source is the source of every event this package puts.
const Source = "backchannel"

// PutEvents limits (EventBridge quotas): entries per request and the total
// size of a request's entries, computed as EventBridge does.
const (
	MaxEntries      = 10
	MaxRequestBytes = 256 * 1024
)

// API is the part of the EventBridge client the publisher uses.
type API interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, optFns ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

var _ API = (*eventbridge.Client)(nil)

// Config configures a Publisher.
type Config struct {
	BusName     string // the custom bus (EVENT_BUS_NAME)
	IncludeText bool   // EVENTS_INCLUDE_TEXT: message text in the detail
	Logger      *slog.Logger
}

// Publisher puts chat events on the bus.
type Publisher struct {
	api    API
	cfg    Config
	logger *slog.Logger
}

var _ chat.EventConsumer = (*Publisher)(nil)

// New returns a Publisher sending through api.
func New(api API, cfg Config) (*Publisher, error) {
	if api == nil {
		return nil, errors.New("eventbus: nil client")
	}
	if cfg.BusName == "" {
		return nil, errors.New("eventbus: empty bus name")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Publisher{api: api, cfg: cfg, logger: logger}, nil
}

// Entry is the PutEvents entry of ev on bus.
func Entry(bus string, ev chat.Event, includeText bool) (types.PutEventsRequestEntry, error) {
	detail, at, err := Detail(ev, includeText)
	if err != nil {
		return types.PutEventsRequestEntry{}, err
	}
	b, err := json.Marshal(detail)
	if err != nil {
		return types.PutEventsRequestEntry{}, fmt.Errorf("eventbus: %s detail: %w", ev.Type(), err)
	}
	e := types.PutEventsRequestEntry{
		EventBusName: aws.String(bus),
		Source:       aws.String(Source),
		DetailType:   aws.String(string(ev.Type())),
		Detail:       aws.String(string(b)),
	}
	if !at.IsZero() {
		e.Time = aws.Time(at.UTC())
	}
	if EntrySize(e) > MaxRequestBytes && includeText {
		// Only the opted-in text can make an entry this large: drop it
		// rather than fail the record forever.
		if md, ok := detail.(MessageDetail); ok {
			md.Text, md.TextOmitted = nil, "tooLarge"
			b, err = json.Marshal(md)
			if err != nil {
				return types.PutEventsRequestEntry{}, err
			}
			e.Detail = aws.String(string(b))
		}
	}
	return e, nil
}

// EntrySize is an entry's size as EventBridge counts it against the 256 KB
// request limit (docs: "Calculating PutEvents event entry size").
func EntrySize(e types.PutEventsRequestEntry) int {
	n := 0
	if e.Time != nil {
		n += 14
	}
	n += len(aws.ToString(e.Source)) + len(aws.ToString(e.DetailType)) + len(aws.ToString(e.Detail))
	for _, r := range e.Resources {
		n += len(r)
	}
	return n
}

// Batches splits entries, in order, into PutEvents requests of at most
// MaxEntries entries and MaxRequestBytes.
func Batches(entries []types.PutEventsRequestEntry) [][]types.PutEventsRequestEntry {
	var (
		out  [][]types.PutEventsRequestEntry
		cur  []types.PutEventsRequestEntry
		size int
	)
	for _, e := range entries {
		n := EntrySize(e)
		if len(cur) > 0 && (len(cur) == MaxEntries || size+n > MaxRequestBytes) {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// entryRetries is how often failed entries of one request are sent again
// (with backoff) before Consume gives up and the stream retries the record.
const entryRetries = 2

// Consume puts evs on the bus in order, in as few requests as the limits
// allow. It stops at the first request that keeps failing and returns a
// *chat.PartialFailure naming the first event not put, so the stream
// handler retries from that event's record: nothing after it is skipped,
// and entries already put may be put again (at-least-once delivery).
func (p *Publisher) Consume(ctx context.Context, evs []chat.Event) error {
	entries := make([]types.PutEventsRequestEntry, 0, len(evs))
	origin := make([]int, 0, len(evs)) // origin[j]: the index in evs of entries[j]
	for i, ev := range evs {
		switch ev.(type) {
		case chat.RoomPurgeContinued, chat.RoomRestamp, chat.WorkspaceRestamp, chat.SupportTranscriptRequested:
			continue // the purger's and the re-stamps' cues, not domain events
		}
		e, err := Entry(p.cfg.BusName, ev, p.cfg.IncludeText)
		if err != nil {
			return &chat.PartialFailure{Index: i, Err: err}
		}
		entries = append(entries, e)
		origin = append(origin, i)
	}
	done := 0
	for _, batch := range Batches(entries) {
		if i, err := p.put(ctx, batch); err != nil {
			return &chat.PartialFailure{Index: origin[done+i], Err: err}
		}
		for _, e := range batch {
			p.logger.LogAttrs(ctx, slog.LevelDebug, "event published",
				slog.String("detailType", aws.ToString(e.DetailType)), slog.String("bus", p.cfg.BusName))
		}
		done += len(batch)
	}
	return nil
}

// EntryError is a PutEvents entry that EventBridge refused.
type EntryError struct {
	DetailType string
	Code       string
	Message    string
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("eventbus: %s refused: %s: %s", e.DetailType, e.Code, e.Message)
}

// put sends one batch, retrying only the entries that failed; it returns
// the index (in batch) of the first entry still not put.
func (p *Publisher) put(ctx context.Context, batch []types.PutEventsRequestEntry) (int, error) {
	pending := make([]int, len(batch)) // indexes into batch, in order
	for i := range pending {
		pending[i] = i
	}
	var lastErr error
	for attempt := 0; attempt <= entryRetries; attempt++ {
		if attempt > 0 {
			delay := time.Duration(50<<attempt) * time.Millisecond
			select {
			case <-ctx.Done():
				return pending[0], errors.Join(lastErr, ctx.Err())
			case <-time.After(delay):
			}
		}
		in := &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, len(pending))}
		for j, i := range pending {
			in.Entries[j] = batch[i]
		}
		out, err := p.api.PutEvents(ctx, in)
		if err != nil {
			// The SDK has retried what it retries: the whole request failed.
			return pending[0], fmt.Errorf("eventbus: PutEvents: %w", err)
		}
		if out.FailedEntryCount == 0 {
			return 0, nil
		}
		if len(out.Entries) != len(in.Entries) {
			return pending[0], fmt.Errorf("eventbus: PutEvents answered %d entries for %d", len(out.Entries), len(in.Entries))
		}
		var still []int
		var errs []error
		for j, r := range out.Entries {
			if r.ErrorCode == nil && r.EventId != nil {
				continue
			}
			still = append(still, pending[j])
			errs = append(errs, &EntryError{
				DetailType: aws.ToString(in.Entries[j].DetailType),
				Code:       aws.ToString(r.ErrorCode), Message: aws.ToString(r.ErrorMessage),
			})
		}
		if len(still) == 0 { // FailedEntryCount said otherwise; trust the entries
			return 0, nil
		}
		lastErr = fmt.Errorf("eventbus: %d of %d entries failed: %w", len(still), len(in.Entries), errors.Join(errs...))
		p.logger.LogAttrs(ctx, slog.LevelWarn, "PutEvents entries failed",
			slog.Int("failed", len(still)), slog.Int("attempt", attempt+1), slog.String("error", lastErr.Error()))
		pending = still
	}
	return pending[0], lastErr
}
