package fanoutqueue

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

// throttlingPoster answers ErrThrottled to the ids in throttle for their
// first n posts each (n < 0: always), and records every delivery.
type throttlingPoster struct {
	mu        sync.Mutex
	throttle  map[string]int
	delivered map[string]int
	refused   int
}

func newThrottlingPoster(n int, throttled ...string) *throttlingPoster {
	p := &throttlingPoster{throttle: map[string]int{}, delivered: map[string]int{}}
	for _, id := range throttled {
		p.throttle[id] = n
	}
	return p
}

func (p *throttlingPoster) Post(_ context.Context, id string, _ []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if left, ok := p.throttle[id]; ok && left != 0 {
		p.throttle[id] = left - 1
		p.refused++
		return chat.ErrThrottled
	}
	p.delivered[id]++
	return nil
}

func (p *throttlingPoster) counts() (delivered map[string]int, refused int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.delivered))
	for k, v := range p.delivered {
		out[k] = v
	}
	return out, p.refused
}

// noRetries is a fan-out that gives a throttled post up at once, so each
// job's worker meets the throttling afresh.
func noRetries(p chat.Poster) *fanout.Fanout {
	return fanout.New(p, fanout.Config{MaxRetries: -1, Logger: quiet()})
}

func record(t *testing.T, id string, job Job) events.SQSMessage {
	t.Helper()
	body, err := jsonBody(job)
	if err != nil {
		t.Fatal(err)
	}
	return events.SQSMessage{MessageId: id, Body: body}
}

// Recipients the management API still throttles after the fan-out's own
// retries go back on the queue as a delayed job of their own, and the
// next worker delivers them: nobody dropped, nobody posted twice.
func TestWorkerRequeuesThrottledRecipients(t *testing.T) {
	s, c, url := standIn(t)
	all := ids(10)
	poster := newThrottlingPoster(2, all[3], all[7], all[8]) // throttled on two jobs in a row
	w := &Worker{Fanout: noRetries(poster), Logger: quiet(), Requeue: NewQueue(c, url),
		Delay: func(int) time.Duration { return 0 }}
	resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(t, "m1", Split(all, []byte("x"), 10)[0])}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("Handle: %+v, %v", resp, err)
	}
	if waiting, _, _, _ := s.Counts("fanout"); waiting != 1 {
		t.Fatalf("%d jobs re-queued, want 1 (the three throttled recipients)", waiting)
	}
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		localsqs.Poll(ctx, c, localsqs.PollConfig{QueueURL: url, BatchSize: 1, Concurrency: 1}, w.Handle)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if got, _ := poster.counts(); len(got) == len(all) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	stop()
	<-done
	got, refused := poster.counts()
	for _, id := range all {
		if got[id] != 1 {
			t.Errorf("%s delivered %d times, want 1", id, got[id])
		}
	}
	if refused != 6 {
		t.Errorf("%d throttled posts, want 6 (three recipients, twice each)", refused)
	}
}

func TestWorkerRequeuesAtMostMaxRequeuesTimes(t *testing.T) {
	s, c, url := standIn(t)
	all := ids(4)
	poster := newThrottlingPoster(-1, all[1]) // throttled for good
	w := &Worker{Fanout: noRetries(poster), Logger: quiet(), Requeue: NewQueue(c, url), MaxRequeues: 2}
	job := Split(all, []byte("x"), 10)[0]
	for requeues := range 3 {
		job.Requeues = requeues
		resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(t, "m", job)}})
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("Handle: %+v, %v", resp, err)
		}
	}
	// Jobs with 0 and 1 re-queues before them hand the recipient on; the
	// one with 2 (MaxRequeues) drops it.
	if waiting, _, _, _ := s.Counts("fanout"); waiting != 2 {
		t.Errorf("%d jobs re-queued, want 2", waiting)
	}
}

// A re-queue the queue refuses fails the record: SQS delivers the whole
// job again rather than the throttled recipients being lost (the others
// drop the repeat by seq).
func TestWorkerFailsTheRecordWhenTheRequeueIsRefused(t *testing.T) {
	s, c, _ := standIn(t)
	all := ids(3)
	poster := newThrottlingPoster(1, all[0])
	w := &Worker{Fanout: noRetries(poster), Logger: quiet(), Requeue: NewQueue(c, s.QueueURL("missing"))}
	resp, err := w.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{record(t, "m1", Split(all, []byte("x"), 10)[0])}})
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "m1" {
		t.Errorf("resp %+v, err %v; want m1 reported failed", resp, err)
	}
}

func TestRequeueDelayDoublesUpToSQSMaximum(t *testing.T) {
	for requeues, want := range map[int]time.Duration{0: 2 * time.Second, 1: 4 * time.Second, 4: 32 * time.Second, 9: 15 * time.Minute, 60: 15 * time.Minute} {
		if got := RequeueDelay(requeues); got != want {
			t.Errorf("RequeueDelay(%d) = %s, want %s", requeues, got, want)
		}
	}
}

func jsonBody(j Job) (string, error) {
	b, err := json.Marshal(j)
	return string(b), err
}
