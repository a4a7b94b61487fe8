// Package streampoll is a local stand-in for Lambda's DynamoDB event source
// mapping: it reads a table's stream (DynamoDB Local's, through the real
// dynamodbstreams client: DescribeStream, GetShardIterator, GetRecords,
// parents before children when shards roll over) and invokes a handler
// in-process with events.DynamoDBEvent exactly as the mapping would: the
// record JSON Lambda delivers (the event is marshalled and unmarshalled, as
// the runtime does), eventSourceARN set, batches bounded by count, payload
// size (6 MB) and a batching window, ReportBatchItemFailures honoured
// (retry from the lowest reported sequence number; an unknown identifier
// or a function error fails the whole batch), a bounded number of retries,
// then the batch is handed to OnFailure (an on-failure destination: by
// default a log line) and skipped.
//
// Not emulated: bisect on error, parallelization factor, tumbling windows,
// filters, and the record age limit.
package streampoll

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// API is the part of the dynamodbstreams client the poller uses.
type API interface {
	DescribeStream(ctx context.Context, in *dynamodbstreams.DescribeStreamInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error)
	GetShardIterator(ctx context.Context, in *dynamodbstreams.GetShardIteratorInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error)
	GetRecords(ctx context.Context, in *dynamodbstreams.GetRecordsInput, optFns ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error)
}

// Handler is the function the mapping invokes (stream.Handler.Handle).
type Handler func(context.Context, events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// Starting positions.
const (
	Latest      = "LATEST"
	TrimHorizon = "TRIM_HORIZON"
)

// MaxPayloadBytes is Lambda's synchronous invocation payload limit, which
// bounds a batch besides BatchSize.
const MaxPayloadBytes = 6 << 20

// Config configures a Poller; zero values take the defaults noted.
type Config struct {
	Client    API
	StreamARN string
	Handler   Handler
	// StartingPosition of the shards open at start: Latest (default) or
	// TrimHorizon. Shards found later are read from their start.
	StartingPosition string
	BatchSize        int           // default 100 (the mapping's default)
	BatchWindow      time.Duration // MaximumBatchingWindowInSeconds; default 0
	// MaxRetryAttempts is how often a failed batch is retried before it is
	// handed to OnFailure and skipped; default 3.
	MaxRetryAttempts int
	PollInterval     time.Duration // GetRecords of an idle shard; default 250 ms (Lambda polls 4 times a second)
	RetryDelay       time.Duration // first retry backoff, doubling; default 100 ms
	Logger           *slog.Logger
	// OnFailure receives a batch whose retries are exhausted (the
	// on-failure destination); nil logs it at error level.
	OnFailure func(context.Context, Failure)
	// Tap sees every invocation payload (JSON) before the handler runs.
	Tap func([]byte)
}

// Failure describes a skipped batch as an on-failure destination's
// message does (DDBStreamBatchInfo).
type Failure struct {
	Condition                       string    `json:"condition"`
	ApproximateInvokeCount          int       `json:"approximateInvokeCount"`
	ShardID                         string    `json:"shardId"`
	StartSequenceNumber             string    `json:"startSequenceNumber"`
	EndSequenceNumber               string    `json:"endSequenceNumber"`
	ApproximateArrivalOfFirstRecord time.Time `json:"approximateArrivalOfFirstRecord"`
	ApproximateArrivalOfLastRecord  time.Time `json:"approximateArrivalOfLastRecord"`
	BatchSize                       int       `json:"batchSize"`
	StreamARN                       string    `json:"streamArn"`
	Error                           string    `json:"error,omitempty"`
}

// StreamARN is the table's latest stream ARN (the table must have a
// stream: dynamo.CreateTable enables NEW_AND_OLD_IMAGES).
func StreamARN(ctx context.Context, client *dynamodb.Client, table string) (string, error) {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	if err != nil {
		return "", fmt.Errorf("streampoll: describe table %s: %w", table, err)
	}
	if out.Table == nil || out.Table.LatestStreamArn == nil {
		return "", fmt.Errorf("streampoll: table %s has no stream", table)
	}
	return *out.Table.LatestStreamArn, nil
}

// Poller polls one stream until Close.
type Poller struct {
	cfg    Config
	logger *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}

	mu      sync.Mutex
	shards  map[string]*shard
	invokes int
}

type shard struct {
	id, parent string
	startPos   string // iterator type when nothing was read yet
	iterator   string
	closed     bool   // GetRecords ended (no next iterator)
	done       bool   // closed and every record handed on
	lastSeq    string // last sequence number read
	buf        []pending
	firstAt    time.Time // when buf's first record was read (batching window)
	attempts   int       // invocations of the batch that starts at buf[0]
	retryAt    time.Time
}

type pending struct {
	rec  events.DynamoDBEventRecord
	size int
}

// Start validates cfg and polls in the background.
func Start(cfg Config) (*Poller, error) {
	if cfg.Client == nil || cfg.StreamARN == "" || cfg.Handler == nil {
		return nil, errors.New("streampoll: Client, StreamARN and Handler are required")
	}
	if cfg.StartingPosition == "" {
		cfg.StartingPosition = Latest
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 100
	}
	if cfg.MaxRetryAttempts <= 0 {
		cfg.MaxRetryAttempts = 3
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 250 * time.Millisecond
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 100 * time.Millisecond
	}
	p := &Poller{cfg: cfg, logger: cfg.Logger, done: make(chan struct{}), shards: map[string]*shard{}}
	if p.logger == nil {
		p.logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	if err := p.discover(ctx, true); err != nil {
		cancel()
		return nil, err
	}
	// Fix the starting position now, as creating a mapping does: records
	// written after Start returns are read even with LATEST.
	for _, s := range p.ready() {
		if err := p.ensureIterator(ctx, s); err != nil {
			cancel()
			return nil, fmt.Errorf("streampoll: %w", err)
		}
	}
	go p.run(ctx)
	return p, nil
}

// Close stops polling and waits for an invocation in flight.
func (p *Poller) Close() error {
	p.cancel()
	<-p.done
	return nil
}

// Invocations counts handler invocations (tests).
func (p *Poller) Invocations() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.invokes
}

const discoverEvery = 2 * time.Second

func (p *Poller) run(ctx context.Context) {
	defer close(p.done)
	lastDiscover := time.Now()
	for ctx.Err() == nil {
		busy := false
		anyClosed := false
		for _, s := range p.ready() {
			b, err := p.step(ctx, s)
			if err != nil && ctx.Err() == nil {
				p.logger.Warn("stream poll failed", slog.String("shard", s.id), slog.String("error", err.Error()))
			}
			busy = busy || b
			anyClosed = anyClosed || s.done
		}
		if anyClosed || time.Since(lastDiscover) > discoverEvery {
			if err := p.discover(ctx, false); err != nil && ctx.Err() == nil {
				p.logger.Warn("stream describe failed", slog.String("error", err.Error()))
			}
			lastDiscover = time.Now()
		}
		if !busy {
			select {
			case <-ctx.Done():
			case <-time.After(p.cfg.PollInterval):
			}
		}
	}
}

// ready lists the shards to poll now: not done, and whose parent is done
// or unknown (trimmed), so a key's records are handed on in order.
func (p *Poller) ready() []*shard {
	var out []*shard
	for _, s := range p.shards {
		if s.done {
			continue
		}
		if parent, ok := p.shards[s.parent]; ok && !parent.done {
			continue
		}
		out = append(out, s)
	}
	return out
}

// discover adds the stream's shards not known yet.
func (p *Poller) discover(ctx context.Context, initial bool) error {
	var start *string
	for {
		out, err := p.cfg.Client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{
			StreamArn: aws.String(p.cfg.StreamARN), ExclusiveStartShardId: start,
		})
		if err != nil {
			return fmt.Errorf("streampoll: describe stream: %w", err)
		}
		d := out.StreamDescription
		if d == nil {
			return nil
		}
		for _, sh := range d.Shards {
			id := aws.ToString(sh.ShardId)
			if _, ok := p.shards[id]; ok {
				continue
			}
			// Shards open at start begin at the starting position; shards
			// found later (children of a rollover) at their first record.
			s := &shard{id: id, parent: aws.ToString(sh.ParentShardId), startPos: TrimHorizon}
			if initial {
				s.startPos = p.cfg.StartingPosition
				closed := sh.SequenceNumberRange != nil && sh.SequenceNumberRange.EndingSequenceNumber != nil
				if closed && s.startPos == Latest {
					s.closed, s.done = true, true // nothing new can come from it
				}
			}
			p.shards[id] = s
		}
		if d.LastEvaluatedShardId == nil {
			return nil
		}
		start = d.LastEvaluatedShardId
	}
}

// getRecordsLimit is the most records one GetRecords call returns.
const getRecordsLimit = 1000

// step reads the shard once (if its buffer has room) and invokes the
// handler if a batch is due. busy says whether anything happened.
func (p *Poller) step(ctx context.Context, s *shard) (busy bool, err error) {
	if !s.closed && len(s.buf) < p.cfg.BatchSize {
		n, err := p.read(ctx, s)
		if err != nil {
			return false, err
		}
		busy = n > 0
	}
	if len(s.buf) > 0 && !time.Now().Before(s.retryAt) && p.due(s) {
		p.invoke(ctx, s)
		busy = true
	}
	if s.closed && len(s.buf) == 0 {
		s.done = true
	}
	return busy, nil
}

// due: a retry, a full batch, a closed shard, or the batching window has
// passed.
func (p *Poller) due(s *shard) bool {
	if s.attempts > 0 || len(s.buf) >= p.cfg.BatchSize || s.closed || p.cfg.BatchWindow <= 0 {
		return true
	}
	size := 0
	for _, r := range s.buf {
		size += r.size
	}
	return size >= MaxPayloadBytes || time.Since(s.firstAt) >= p.cfg.BatchWindow
}

// read calls GetRecords once, renewing the iterator as needed.
func (p *Poller) read(ctx context.Context, s *shard) (int, error) {
	if s.iterator == "" {
		if err := p.ensureIterator(ctx, s); err != nil || s.closed {
			return 0, err
		}
	}
	out, err := p.cfg.Client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{
		ShardIterator: aws.String(s.iterator), Limit: aws.Int32(getRecordsLimit),
	})
	var expired *st.ExpiredIteratorException
	var trimmed *st.TrimmedDataAccessException
	switch {
	case errors.As(err, &expired):
		s.iterator = ""
		return 0, nil
	case errors.As(err, &trimmed):
		s.iterator, s.lastSeq, s.startPos = "", "", TrimHorizon
		p.logger.Warn("stream records trimmed before they were read", slog.String("shard", s.id))
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("get records: %w", err)
	}
	for _, r := range out.Records {
		rec, err := lambdaRecord(r, p.cfg.StreamARN)
		if err != nil {
			return 0, fmt.Errorf("record %s: %w", aws.ToString(r.EventID), err)
		}
		b, err := json.Marshal(rec)
		if err != nil {
			return 0, err
		}
		if len(s.buf) == 0 {
			s.firstAt = time.Now()
		}
		s.buf = append(s.buf, pending{rec: rec, size: len(b)})
		s.lastSeq = rec.Change.SequenceNumber
	}
	if out.NextShardIterator == nil {
		s.closed, s.iterator = true, ""
	} else {
		s.iterator = *out.NextShardIterator
	}
	return len(out.Records), nil
}

// ensureIterator gets the shard's iterator: after the last record read,
// else at the shard's starting position.
func (p *Poller) ensureIterator(ctx context.Context, s *shard) error {
	if s.iterator != "" || s.closed {
		return nil
	}
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: aws.String(p.cfg.StreamARN), ShardId: aws.String(s.id)}
	if s.lastSeq != "" {
		in.ShardIteratorType, in.SequenceNumber = st.ShardIteratorTypeAfterSequenceNumber, aws.String(s.lastSeq)
	} else {
		in.ShardIteratorType = st.ShardIteratorType(s.startPos)
	}
	out, err := p.cfg.Client.GetShardIterator(ctx, in)
	var nf *st.ResourceNotFoundException
	if errors.As(err, &nf) { // the shard aged out of the stream
		s.closed = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("get shard iterator: %w", err)
	}
	if out.ShardIterator == nil {
		s.closed = true
		return nil
	}
	s.iterator = *out.ShardIterator
	return nil
}

// invoke hands the next batch to the handler as Lambda would and applies
// the outcome to the shard's buffer.
func (p *Poller) invoke(ctx context.Context, s *shard) {
	n, size := 0, 0
	for n < len(s.buf) && n < p.cfg.BatchSize && (n == 0 || size+s.buf[n].size <= MaxPayloadBytes) {
		size += s.buf[n].size
		n++
	}
	batch := make([]events.DynamoDBEventRecord, n)
	for i := range batch {
		batch[i] = s.buf[i].rec
	}
	failedAt, cause := p.call(ctx, batch)
	s.attempts++
	p.mu.Lock()
	p.invokes++
	p.mu.Unlock()
	if failedAt == n {
		s.buf, s.attempts, s.retryAt = s.buf[n:], 0, time.Time{}
		if len(s.buf) > 0 {
			s.firstAt = time.Now()
		}
		return
	}
	if failedAt > 0 { // progress: the checkpoint moved, a new batch starts there
		s.buf, s.attempts = s.buf[failedAt:], 1
	}
	if s.attempts <= p.cfg.MaxRetryAttempts {
		s.retryAt = time.Now().Add(min(p.cfg.RetryDelay<<(s.attempts-1), 5*time.Second))
		p.logger.Warn("stream batch failed; retrying",
			slog.String("shard", s.id), slog.String("from", batch[failedAt].Change.SequenceNumber),
			slog.Int("attempt", s.attempts), slog.String("error", cause))
		return
	}
	failed := batch[failedAt:]
	f := Failure{
		Condition:                       "RetryAttemptsExhausted",
		ApproximateInvokeCount:          s.attempts,
		ShardID:                         s.id,
		StartSequenceNumber:             failed[0].Change.SequenceNumber,
		EndSequenceNumber:               failed[len(failed)-1].Change.SequenceNumber,
		ApproximateArrivalOfFirstRecord: failed[0].Change.ApproximateCreationDateTime.UTC(),
		ApproximateArrivalOfLastRecord:  failed[len(failed)-1].Change.ApproximateCreationDateTime.UTC(),
		BatchSize:                       len(failed),
		StreamARN:                       p.cfg.StreamARN,
		Error:                           cause,
	}
	s.buf, s.attempts, s.retryAt = s.buf[len(failed):], 0, time.Time{}
	if p.cfg.OnFailure != nil {
		p.cfg.OnFailure(ctx, f)
		return
	}
	b, _ := json.Marshal(f)
	p.logger.Error("stream batch skipped after its retries (on-failure destination)", slog.String("batch", string(b)))
}

// call invokes the handler with the batch through JSON, as the Lambda
// runtime does, and returns the index of the first record to retry
// (len(batch) when none) and why.
func (p *Poller) call(ctx context.Context, batch []events.DynamoDBEventRecord) (int, string) {
	payload, err := json.Marshal(events.DynamoDBEvent{Records: batch})
	if err != nil {
		return 0, err.Error()
	}
	if p.cfg.Tap != nil {
		p.cfg.Tap(payload)
	}
	var in events.DynamoDBEvent
	if err := json.Unmarshal(payload, &in); err != nil {
		return 0, err.Error()
	}
	resp, err := p.cfg.Handler(ctx, in)
	if err != nil {
		return 0, "function error: " + err.Error()
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return 0, err.Error()
	}
	var out events.DynamoDBEventResponse
	if err := json.Unmarshal(b, &out); err != nil {
		return 0, err.Error()
	}
	if len(out.BatchItemFailures) == 0 {
		return len(batch), ""
	}
	index := make(map[string]int, len(batch))
	for i, r := range batch {
		index[r.Change.SequenceNumber] = i
	}
	first := len(batch)
	for _, f := range out.BatchItemFailures {
		i, ok := index[f.ItemIdentifier]
		if !ok || f.ItemIdentifier == "" {
			return 0, fmt.Sprintf("batch item failure %q is not in the batch: the whole batch failed", f.ItemIdentifier)
		}
		first = min(first, i)
	}
	return first, fmt.Sprintf("%d records reported failed", len(out.BatchItemFailures))
}
