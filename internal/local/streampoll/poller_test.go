package streampoll_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	st "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"

	"github.com/backchannel-chat/backchannel/internal/local/streampoll"
)

const arn = "arn:aws:dynamodb:ddblocal:000000000000:table/t/stream/2026-11-29T00:00:00.000"

// fakeStream is a stream of shards in memory, served like DynamoDB Streams.
type fakeStream struct {
	mu     sync.Mutex
	order  []string
	shards map[string]*fakeShard
	seq    int
}

type fakeShard struct {
	parent  string
	records []st.Record
	closed  bool
}

func newFake() *fakeStream { return &fakeStream{shards: map[string]*fakeShard{}} }

func (f *fakeStream) addShard(id, parent string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.order = append(f.order, id)
	f.shards[id] = &fakeShard{parent: parent}
}

// put appends n records to shard; their sequence numbers increase across
// the stream and their pk is "k<seq>".
func (f *fakeStream) put(shard string, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.seq++
		seq := fmt.Sprintf("%021d", f.seq)
		now := time.Unix(1795994700, 0)
		f.shards[shard].records = append(f.shards[shard].records, st.Record{
			AwsRegion: aws.String("ddblocal"), EventID: aws.String("e" + strconv.Itoa(f.seq)),
			EventName: st.OperationTypeInsert, EventSource: aws.String("aws:dynamodb"), EventVersion: aws.String("1.1"),
			Dynamodb: &st.StreamRecord{
				ApproximateCreationDateTime: &now,
				Keys:                        map[string]st.AttributeValue{"pk": &st.AttributeValueMemberS{Value: "k" + strconv.Itoa(f.seq)}},
				NewImage: map[string]st.AttributeValue{
					"pk": &st.AttributeValueMemberS{Value: "k" + strconv.Itoa(f.seq)},
					"n":  &st.AttributeValueMemberN{Value: "1"},
					"l":  &st.AttributeValueMemberL{Value: []st.AttributeValue{&st.AttributeValueMemberBOOL{Value: true}}},
				},
				SequenceNumber: aws.String(seq), SizeBytes: aws.Int64(40), StreamViewType: st.StreamViewTypeNewAndOldImages,
			},
		})
	}
}

func (f *fakeStream) close(shard string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.shards[shard].closed = true
}

func (f *fakeStream) DescribeStream(_ context.Context, in *dynamodbstreams.DescribeStreamInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.DescribeStreamOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := &st.StreamDescription{StreamArn: in.StreamArn}
	for _, id := range f.order {
		s := f.shards[id]
		sh := st.Shard{ShardId: aws.String(id), SequenceNumberRange: &st.SequenceNumberRange{StartingSequenceNumber: aws.String("0")}}
		if s.parent != "" {
			sh.ParentShardId = aws.String(s.parent)
		}
		if s.closed {
			sh.SequenceNumberRange.EndingSequenceNumber = aws.String("9")
		}
		d.Shards = append(d.Shards, sh)
	}
	return &dynamodbstreams.DescribeStreamOutput{StreamDescription: d}, nil
}

func (f *fakeStream) GetShardIterator(_ context.Context, in *dynamodbstreams.GetShardIteratorInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetShardIteratorOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.shards[*in.ShardId]
	pos := 0
	switch in.ShardIteratorType {
	case st.ShardIteratorTypeLatest:
		pos = len(s.records)
	case st.ShardIteratorTypeAfterSequenceNumber:
		for i, r := range s.records {
			if *r.Dynamodb.SequenceNumber == *in.SequenceNumber {
				pos = i + 1
			}
		}
	}
	return &dynamodbstreams.GetShardIteratorOutput{ShardIterator: aws.String(fmt.Sprintf("%s|%d", *in.ShardId, pos))}, nil
}

func (f *fakeStream) GetRecords(_ context.Context, in *dynamodbstreams.GetRecordsInput, _ ...func(*dynamodbstreams.Options)) (*dynamodbstreams.GetRecordsOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, p, _ := strings.Cut(*in.ShardIterator, "|")
	pos, _ := strconv.Atoi(p)
	s := f.shards[id]
	end := min(len(s.records), pos+int(aws.ToInt32(in.Limit)))
	out := &dynamodbstreams.GetRecordsOutput{Records: slices.Clone(s.records[pos:end])}
	if !(s.closed && end == len(s.records)) {
		out.NextShardIterator = aws.String(fmt.Sprintf("%s|%d", id, end))
	}
	return out, nil
}

// recorder is a handler that records batches and answers as told.
type recorder struct {
	mu      sync.Mutex
	batches [][]string // sequence numbers per invocation
	raw     []events.DynamoDBEvent
	answer  func(call int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error)
}

func (r *recorder) handle(_ context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
	r.mu.Lock()
	var seqs []string
	for _, rec := range ev.Records {
		seqs = append(seqs, rec.Change.SequenceNumber)
	}
	r.batches = append(r.batches, seqs)
	r.raw = append(r.raw, ev)
	call := len(r.batches)
	r.mu.Unlock()
	if r.answer != nil {
		return r.answer(call, ev)
	}
	return events.DynamoDBEventResponse{}, nil
}

func (r *recorder) snapshot() [][]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.batches)
}

// delivered is every sequence number handed over, in order (repeats kept).
func (r *recorder) delivered() []string {
	var out []string
	for _, b := range r.snapshot() {
		out = append(out, b...)
	}
	return out
}

func seqs(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("%021d", i))
	}
	return out
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func start(t *testing.T, f *fakeStream, h streampoll.Handler, cfg streampoll.Config) *streampoll.Poller {
	t.Helper()
	cfg.Client, cfg.StreamARN, cfg.Handler = f, arn, h
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 5 * time.Millisecond
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = time.Millisecond
	}
	p, err := streampoll.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// TestBatchesAndRollover: records come in batches of BatchSize, parents'
// records before their children's, in the JSON shape Lambda delivers.
func TestBatchesAndRollover(t *testing.T) {
	f := newFake()
	f.addShard("s1", "")
	f.put("s1", 150)
	f.close("s1")
	f.addShard("s2", "s1")
	f.put("s2", 30)
	r := &recorder{}
	start(t, f, r.handle, streampoll.Config{StartingPosition: streampoll.TrimHorizon, BatchSize: 100})
	waitUntil(t, "180 records", func() bool { return len(r.delivered()) == 180 })
	if got := r.delivered(); !slices.Equal(got, seqs(1, 180)) {
		t.Errorf("delivered out of order: %v", got)
	}
	b := r.snapshot()
	if len(b[0]) != 100 || len(b[1]) != 50 {
		t.Errorf("batch sizes %d, %d: want 100 then the rest of the closed parent", len(b[0]), len(b[1]))
	}
	// A rollover later: a new child of s2.
	f.close("s2")
	f.addShard("s3", "s2")
	f.put("s3", 5)
	waitUntil(t, "the new shard's records", func() bool { return len(r.delivered()) == 185 })

	rec := r.raw[0].Records[0]
	if rec.EventSourceArn != arn || rec.EventName != "INSERT" || rec.AWSRegion != "ddblocal" || rec.EventSource != "aws:dynamodb" ||
		rec.Change.Keys["pk"].String() != "k1" || rec.Change.NewImage["l"].List()[0].Boolean() != true ||
		rec.Change.ApproximateCreationDateTime.Unix() != 1795994700 || rec.Change.StreamViewType != "NEW_AND_OLD_IMAGES" {
		t.Errorf("record %+v", rec)
	}
	b2, _ := json.Marshal(rec)
	for _, field := range []string{`"eventSourceARN":"arn:`, `"dynamodb":{`, `"ApproximateCreationDateTime":1795994700`, `"SequenceNumber":"`, `"NewImage":{`} {
		if !strings.Contains(string(b2), field) {
			t.Errorf("record JSON lacks %s: %s", field, b2)
		}
	}
}

// TestLatestSkipsOldRecords: LATEST reads only what is written after start.
func TestLatestSkipsOldRecords(t *testing.T) {
	f := newFake()
	f.addShard("s1", "")
	f.put("s1", 10)
	r := &recorder{}
	start(t, f, r.handle, streampoll.Config{})
	f.put("s1", 2)
	waitUntil(t, "new records", func() bool { return len(r.delivered()) == 2 })
	if got := r.delivered(); !slices.Equal(got, seqs(11, 12)) {
		t.Errorf("delivered %v", got)
	}
}

// TestPartialFailureRetriesFromReportedRecord: the next invocation starts
// at the lowest reported sequence number; records before it are not sent
// again.
func TestPartialFailureRetriesFromReportedRecord(t *testing.T) {
	f := newFake()
	f.addShard("s1", "")
	f.put("s1", 10)
	r := &recorder{answer: func(call int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		if call == 1 { // records 4..10 failed, reported out of order
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{
				{ItemIdentifier: seqs(7, 7)[0]}, {ItemIdentifier: seqs(4, 4)[0]},
			}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	start(t, f, r.handle, streampoll.Config{StartingPosition: streampoll.TrimHorizon})
	waitUntil(t, "the retry", func() bool { return len(r.snapshot()) >= 2 })
	b := r.snapshot()
	if !slices.Equal(b[0], seqs(1, 10)) || !slices.Equal(b[1], seqs(4, 10)) {
		t.Errorf("batches %v", b)
	}
}

// TestExhaustedRetriesGoToOnFailure: a record that keeps failing is
// retried MaxRetryAttempts times, handed to OnFailure with the rest of its
// batch, and the poller moves on.
func TestExhaustedRetriesGoToOnFailure(t *testing.T) {
	f := newFake()
	f.addShard("s1", "")
	f.put("s1", 6)
	poison := seqs(3, 3)[0]
	r := &recorder{answer: func(_ int, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		failing := false
		for _, rec := range ev.Records {
			failing = failing || rec.Change.SequenceNumber == poison
			if failing {
				resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			}
		}
		return resp, nil
	}}
	var (
		mu       sync.Mutex
		failures []streampoll.Failure
	)
	start(t, f, r.handle, streampoll.Config{
		StartingPosition: streampoll.TrimHorizon, MaxRetryAttempts: 2,
		OnFailure: func(_ context.Context, fl streampoll.Failure) {
			mu.Lock()
			failures = append(failures, fl)
			mu.Unlock()
		},
	})
	waitUntil(t, "the on-failure destination", func() bool { mu.Lock(); defer mu.Unlock(); return len(failures) == 1 })
	f.put("s1", 1) // the poller goes on with new records
	waitUntil(t, "the next record", func() bool { return slices.Contains(r.delivered(), seqs(7, 7)[0]) })
	b := r.snapshot()
	// 1 first try + 2 retries from the poison record, then the new record.
	want := [][]string{seqs(1, 6), seqs(3, 6), seqs(3, 6), seqs(7, 7)}
	if fmt.Sprint(b) != fmt.Sprint(want) {
		t.Errorf("batches %v, want %v", b, want)
	}
	fl := failures[0]
	if fl.StartSequenceNumber != poison || fl.EndSequenceNumber != seqs(6, 6)[0] || fl.BatchSize != 4 ||
		fl.ShardID != "s1" || fl.StreamARN != arn || fl.Condition != "RetryAttemptsExhausted" || fl.ApproximateInvokeCount != 3 {
		t.Errorf("failure %+v", fl)
	}
}

// TestFunctionErrorOrUnknownIdentifierFailsWholeBatch.
func TestFunctionErrorOrUnknownIdentifierFailsWholeBatch(t *testing.T) {
	f := newFake()
	f.addShard("s1", "")
	f.put("s1", 3)
	r := &recorder{answer: func(call int, _ events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		switch call {
		case 1:
			return events.DynamoDBEventResponse{}, fmt.Errorf("boom")
		case 2:
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: "bogus"}}}, nil
		}
		return events.DynamoDBEventResponse{}, nil
	}}
	start(t, f, r.handle, streampoll.Config{StartingPosition: streampoll.TrimHorizon})
	waitUntil(t, "three invocations", func() bool { return len(r.snapshot()) >= 3 })
	b := r.snapshot()
	for i := range 3 {
		if !slices.Equal(b[i], seqs(1, 3)) {
			t.Errorf("invocation %d: %v, want the whole batch", i, b[i])
		}
	}
}

// TestBatchWindowGathersRecords: with a window, records written apart
// arrive in one invocation.
func TestBatchWindowGathersRecords(t *testing.T) {
	f := newFake()
	f.addShard("s1", "")
	r := &recorder{}
	start(t, f, r.handle, streampoll.Config{BatchWindow: 300 * time.Millisecond})
	time.Sleep(20 * time.Millisecond)
	f.put("s1", 1)
	time.Sleep(50 * time.Millisecond)
	f.put("s1", 2)
	waitUntil(t, "the batch", func() bool { return len(r.delivered()) == 3 })
	if b := r.snapshot(); len(b) != 1 {
		t.Errorf("batches %v, want one", b)
	}
}
