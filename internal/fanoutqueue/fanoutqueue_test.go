package fanoutqueue

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

func quiet() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("conn%06d=", i)
	}
	return out
}

// recorder is an inline fan-out that records every post.
type recorder struct {
	mu    sync.Mutex
	got   map[string]int
	sends atomic.Int64
}

func (r *recorder) Send(_ context.Context, ids []string, payload []byte) chat.FanoutResult {
	r.sends.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.got == nil {
		r.got = map[string]int{}
	}
	for _, id := range ids {
		r.got[id+"|"+string(payload)]++
	}
	return chat.FanoutResult{Recipients: len(ids), Delivered: len(ids)}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// standIn is the local SQS stand-in with a queue, and the real SDK client.
func standIn(t testing.TB) (*localsqs.Server, *sqs.Client, string) {
	t.Helper()
	s, err := localsqs.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.URL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")})
	q, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String("fanout")})
	if err != nil {
		t.Fatal(err)
	}
	return s, c, *q.QueueUrl
}

func TestSplitAndDecodeRoundTrip(t *testing.T) {
	jobs := Split(ids(2500), []byte(`{"type":"message"}`), 1000)
	if len(jobs) != 3 || len(jobs[0].ConnectionIDs) != 1000 || len(jobs[2].ConnectionIDs) != 500 {
		t.Fatalf("split into %d jobs", len(jobs))
	}
	for _, bad := range []string{"", "{", `{"v":2,"p":"x","c":["a"]}`, `{"v":1,"p":"","c":["a"]}`, `{"v":1,"p":"x","c":[]}`} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

func TestRouterSendsSmallFanoutsInline(t *testing.T) {
	_, c, url := standIn(t)
	inline := &recorder{}
	r := &Router{Inline: inline, Queue: NewQueue(c, url), Threshold: 10, Logger: quiet()}
	res := r.Send(context.Background(), ids(10), []byte("x"))
	if res.Delivered != 10 || res.Queued != 0 || inline.sends.Load() != 1 {
		t.Errorf("result %+v, inline sends %d", res, inline.sends.Load())
	}
}

// Above the threshold: jobs on the queue, the sender answered at once
// (Queued), and the worker, driven by the poller as an event source
// mapping drives it, delivers every recipient exactly once.
func TestRouterQueuesBigFanoutsAndWorkersDeliverThem(t *testing.T) {
	s, c, url := standIn(t)
	inline := &recorder{}
	r := &Router{Inline: inline, Queue: NewQueue(c, url), Threshold: 100, JobSize: 40, Logger: quiet()}
	recipients := append(ids(250), "conn000001=", "") // a repeat and an empty id
	res := r.Send(context.Background(), recipients, []byte(`{"type":"message"}`))
	if res.Recipients != 250 || res.Queued != 250 || res.Delivered != 0 || inline.sends.Load() != 0 {
		t.Fatalf("result %+v, inline sends %d", res, inline.sends.Load())
	}
	if waiting, _, _, _ := s.Counts("fanout"); waiting != 7 {
		t.Errorf("%d jobs queued, want 7 (250 / 40)", waiting)
	}
	worker := &Worker{Fanout: inline, Logger: quiet()}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		localsqs.Poll(ctx, c, localsqs.PollConfig{QueueURL: url, BatchSize: 2, Concurrency: 3}, worker.Handle)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for inline.count() < 250 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	if n := inline.count(); n != 250 {
		t.Fatalf("workers delivered to %d distinct recipients, want 250", n)
	}
	for k, n := range inline.got {
		if n != 1 {
			t.Errorf("%s delivered %d times", k, n)
		}
	}
}

// A queue that refuses the jobs (here: it does not exist) costs the sender
// time, not recipients: the router delivers inline.
func TestRouterFallsBackInlineWhenTheQueueRefuses(t *testing.T) {
	s, c, _ := standIn(t)
	inline := &recorder{}
	r := &Router{Inline: inline, Queue: NewQueue(c, s.QueueURL("missing")), Threshold: 10, JobSize: 10, Logger: quiet()}
	res := r.Send(context.Background(), ids(35), []byte("x"))
	if res.Delivered != 35 || res.Queued != 0 || inline.count() != 35 {
		t.Errorf("result %+v, inline delivered %d", res, inline.count())
	}
}

func TestPutKeepsBatchesUnderTheSizeLimit(t *testing.T) {
	s, c, url := standIn(t)
	big := strings.Repeat("x", 100*1024) // three of these exceed 256 KiB
	jobs := Split(ids(25), []byte(big), 1)
	if notQueued, err := NewQueue(c, url).Put(context.Background(), jobs); err != nil || len(notQueued) != 0 {
		t.Fatalf("Put: %v (%d not queued)", err, len(notQueued))
	}
	if waiting, _, _, _ := s.Counts("fanout"); waiting != 25 {
		t.Errorf("%d jobs queued, want 25", waiting)
	}
}

func TestWorkerReportsRecordsThatAreNotJobs(t *testing.T) {
	inline := &recorder{}
	w := &Worker{Fanout: inline, Logger: quiet()}
	good := Split([]string{"a", "b"}, []byte("x"), 10)[0]
	body := fmt.Sprintf(`{"v":1,"p":%q,"c":["a","b"]}`, good.Payload)
	resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "m1", Body: body},
		{MessageId: "m2", Body: "not a job"},
	}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m2" {
		t.Errorf("resp %+v, err %v", resp, err)
	}
	if inline.count() != 2 {
		t.Errorf("delivered %d, want 2", inline.count())
	}
}
