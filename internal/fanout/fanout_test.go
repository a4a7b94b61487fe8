package fanout

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

var (
	errGone      = &chat.Error{Code: chat.NotFound, Message: "connection gone", Err: chat.ErrGone}
	errThrottled = &chat.Error{Code: chat.RateLimited, Message: "throttled", Err: chat.ErrThrottled}
	errBroken    = chat.Wrap(errors.New("boom"), "post to connection")
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("conn-%05d", i)
	}
	return out
}

func quietLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// noWait makes retries instant and records the requested delays.
type noWait struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (n *noWait) sleep(ctx context.Context, d time.Duration) bool {
	n.mu.Lock()
	n.delays = append(n.delays, d)
	n.mu.Unlock()
	return ctx.Err() == nil
}

func TestConcurrencyBoundIsReachedAndNeverExceeded(t *testing.T) {
	const bound, recipients = 8, 2000
	// Each post waits until `bound` posts are in flight at once, so the
	// test proves the pool really runs that many in parallel; the recorded
	// maximum proves it never runs more.
	gate := make(chan struct{})
	var (
		once         sync.Once
		gateTimedOut atomic.Bool
		goroutines   atomic.Int64
	)
	baseline := runtime.NumGoroutine()
	p := newFakePoster(nil)
	p.hold = func() {
		if p.inFlight.Load() >= bound {
			once.Do(func() {
				goroutines.Store(int64(runtime.NumGoroutine() - baseline))
				close(gate)
			})
		}
		select {
		case <-gate:
		case <-time.After(10 * time.Second): // safety net only: a broken pool must not hang the suite
			gateTimedOut.Store(true)
		}
	}
	f := New(p, Config{Concurrency: bound, Logger: quietLogger()})

	res := f.Send(context.Background(), ids(recipients), []byte("hi"))

	if gateTimedOut.Load() {
		t.Fatalf("never had %d posts in flight at once", bound)
	}
	if got := p.maxInFlight.Load(); got != bound {
		t.Errorf("max in flight = %d, want exactly %d", got, bound)
	}
	// A worker pool, not a goroutine per recipient.
	if g := goroutines.Load(); g > bound+2 {
		t.Errorf("%d extra goroutines while sending to %d recipients with bound %d", g, recipients, bound)
	}
	want := chat.FanoutResult{Recipients: recipients, Delivered: recipients}
	if res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
}

func TestGoneConnectionsAreReportedOnceAndNotRetried(t *testing.T) {
	goneIDs := map[string]bool{"conn-00001": true, "conn-00007": true, "conn-00042": true}
	p := newFakePoster(func(_ context.Context, id string, _ int) error {
		if goneIDs[id] {
			return errGone
		}
		return nil
	})
	var rec goneRecorder
	f := New(p, Config{Concurrency: 4, OnGone: rec.onGone, Logger: quietLogger()})

	res := f.Send(context.Background(), ids(50), []byte("hi"))

	want := chat.FanoutResult{Recipients: 50, Delivered: 47, Gone: 3}
	if res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	wantCalls := map[string]int{"conn-00001": 1, "conn-00007": 1, "conn-00042": 1}
	if got := rec.snapshot(); !maps.Equal(got, wantCalls) {
		t.Errorf("OnGone calls = %v, want %v", got, wantCalls)
	}
	for id := range goneIDs {
		if n := p.callsFor(id); n != 1 {
			t.Errorf("gone %s posted %d times, want 1", id, n)
		}
	}
}

func TestThrottledPostSucceedsAfterBackoff(t *testing.T) {
	p := newFakePoster(func(_ context.Context, id string, attempt int) error {
		if id == "busy" && attempt <= 3 {
			return errThrottled
		}
		return nil
	})
	f := New(p, Config{BaseBackoff: 10 * time.Millisecond, MaxBackoff: 25 * time.Millisecond, Logger: quietLogger()})
	var w noWait
	f.sleep = w.sleep
	f.jitter = func(ceiling time.Duration) time.Duration { return ceiling } // show the ceilings

	res := f.Send(context.Background(), []string{"busy", "calm"}, []byte("hi"))

	if want := (chat.FanoutResult{Recipients: 2, Delivered: 2}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if n := p.callsFor("busy"); n != 4 {
		t.Errorf("busy posted %d times, want 4", n)
	}
	// Exponential from BaseBackoff, capped at MaxBackoff.
	want := []time.Duration{10 * time.Millisecond, 20 * time.Millisecond, 25 * time.Millisecond}
	if fmt.Sprint(w.delays) != fmt.Sprint(want) {
		t.Errorf("backoff ceilings = %v, want %v", w.delays, want)
	}
}

func TestFullJitterStaysWithinCeiling(t *testing.T) {
	for range 1000 {
		if d := fullJitter(30 * time.Millisecond); d < 0 || d > 30*time.Millisecond {
			t.Fatalf("jitter %v outside [0, 30ms]", d)
		}
	}
	if d := fullJitter(0); d != 0 {
		t.Errorf("jitter(0) = %v", d)
	}
}

func TestThrottlingBeyondMaxRetriesFails(t *testing.T) {
	p := newFakePoster(func(_ context.Context, id string, _ int) error {
		if id == "busy" {
			return errThrottled
		}
		return nil
	})
	var rec goneRecorder
	f := New(p, Config{MaxRetries: 4, OnGone: rec.onGone, Logger: quietLogger()})
	var w noWait
	f.sleep = w.sleep

	res := f.Send(context.Background(), []string{"busy", "calm"}, []byte("hi"))

	if want := (chat.FanoutResult{Recipients: 2, Delivered: 1, Failed: 1}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if n := p.callsFor("busy"); n != 5 {
		t.Errorf("busy posted %d times, want 1 + 4 retries", n)
	}
	if len(rec.snapshot()) != 0 {
		t.Errorf("OnGone called for a throttled connection: %v", rec.snapshot())
	}
}

func TestNegativeMaxRetriesMeansNoRetry(t *testing.T) {
	p := newFakePoster(func(context.Context, string, int) error { return errThrottled })
	f := New(p, Config{MaxRetries: -1, Logger: quietLogger()})
	res := f.Send(context.Background(), []string{"a"}, nil)
	if res.Failed != 1 || p.callsFor("a") != 1 {
		t.Errorf("result %+v after %d posts, want 1 failed after 1 post", res, p.callsFor("a"))
	}
}

func TestPermanentFailureIsLoggedAndCountedWithoutAffectingOthers(t *testing.T) {
	p := newFakePoster(func(_ context.Context, id string, _ int) error {
		if id == "conn-00003" {
			return errBroken
		}
		return nil
	})
	var logs bytes.Buffer
	var rec goneRecorder
	f := New(p, Config{Concurrency: 3, OnGone: rec.onGone,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})

	res := f.Send(context.Background(), ids(20), []byte("hi"))

	if want := (chat.FanoutResult{Recipients: 20, Delivered: 19, Failed: 1}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if n := p.callsFor("conn-00003"); n != 1 {
		t.Errorf("failed post attempted %d times, want 1 (only throttling is retried)", n)
	}
	if len(rec.snapshot()) != 0 {
		t.Errorf("OnGone called for a failed connection: %v", rec.snapshot())
	}
	var entry struct {
		Level        string `json:"level"`
		ConnectionID string `json:"connectionId"`
		Error        string `json:"error"`
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one log line, got %q", logs.String())
	}
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatal(err)
	}
	if entry.Level != "WARN" || entry.ConnectionID != "conn-00003" || !strings.Contains(entry.Error, "boom") {
		t.Errorf("log entry = %+v", entry)
	}
}

func TestCancelStopsNewPostsAndCountsTheRestFailed(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var startedAfterCancel atomic.Int64
	p := newFakePoster(nil)
	p.hold = func() {
		if ctx.Err() != nil {
			startedAfterCancel.Add(1)
		}
		if p.totalCalls() == 10 {
			cancel() // the 10th post completes, nothing after it may start
		}
	}
	// One worker makes "after" well defined.
	f := New(p, Config{Concurrency: 1, Logger: quietLogger()})

	res := f.Send(ctx, ids(100), []byte("hi"))

	if want := (chat.FanoutResult{Recipients: 100, Delivered: 10, Failed: 90}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if n := p.totalCalls(); n != 10 {
		t.Errorf("%d posts, want 10", n)
	}
	if n := startedAfterCancel.Load(); n != 0 {
		t.Errorf("%d posts started after cancel", n)
	}
}

func TestCancelDuringBackoffGivesUp(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := newFakePoster(func(context.Context, string, int) error {
		cancel()
		return errThrottled
	})
	// The real sleep: with an hour-long backoff the test only ends because
	// cancellation interrupts it. One worker, so "b" can only be reached
	// after the cancel: with more, a second worker may already be posting
	// "b" when "a" cancels.
	f := New(p, Config{Concurrency: 1, BaseBackoff: time.Hour, MaxBackoff: time.Hour, Logger: quietLogger()})
	f.jitter = func(ceiling time.Duration) time.Duration { return ceiling }

	res := f.Send(ctx, []string{"a", "b"}, []byte("hi"))

	if want := (chat.FanoutResult{Recipients: 2, Failed: 2}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	if n := p.totalCalls(); n != 1 {
		t.Errorf("%d posts, want 1", n)
	}
}

func TestDuplicateAndEmptyIDsArePostedOnce(t *testing.T) {
	p := newFakePoster(nil)
	f := New(p, Config{Logger: quietLogger()})

	res := f.Send(context.Background(), []string{"a", "b", "a", "", "c", "b", "a"}, []byte("hi"))

	if want := (chat.FanoutResult{Recipients: 3, Delivered: 3}); res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	for _, id := range []string{"a", "b", "c"} {
		if n := p.callsFor(id); n != 1 {
			t.Errorf("%s posted %d times", id, n)
		}
	}
	if n := p.callsFor(""); n != 0 {
		t.Errorf("empty id posted %d times", n)
	}
}

func TestNoRecipientsPostsNothing(t *testing.T) {
	p := newFakePoster(nil)
	res := New(p, Config{Logger: quietLogger()}).Send(context.Background(), nil, []byte("hi"))
	if res != (chat.FanoutResult{}) || p.totalCalls() != 0 {
		t.Errorf("result %+v after %d posts", res, p.totalCalls())
	}
}

func TestSendEmitsOneEMFLine(t *testing.T) {
	p := newFakePoster(func(_ context.Context, id string, attempt int) error {
		switch {
		case id == "conn-00000":
			return errGone
		case id == "conn-00001":
			return errBroken
		case id == "conn-00002" && attempt == 1:
			return errThrottled
		}
		return nil
	})
	var metrics bytes.Buffer
	f := New(p, Config{Concurrency: 2, Metrics: &metrics, Namespace: "Backchannel/Test",
		Dimensions: map[string]string{"Function": "actions"}, Logger: quietLogger()})
	var w noWait
	f.sleep = w.sleep

	f.Send(context.Background(), ids(10), make([]byte, 321))

	lines := strings.Split(strings.TrimSpace(metrics.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want one EMF line, got %d: %q", len(lines), metrics.String())
	}
	var doc struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		Function                                               string
		Recipients, Delivered, Gone, Failed, Retries, Duration float64
		PayloadBytes                                           int `json:"payloadBytes"`
		Concurrency                                            int `json:"concurrency"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.AWS.CloudWatchMetrics) != 1 {
		t.Fatalf("directives = %+v", doc.AWS.CloudWatchMetrics)
	}
	d := doc.AWS.CloudWatchMetrics[0]
	if d.Namespace != "Backchannel/Test" || fmt.Sprint(d.Dimensions) != "[[Function]]" || doc.Function != "actions" {
		t.Errorf("namespace %q dimensions %v function %q", d.Namespace, d.Dimensions, doc.Function)
	}
	units := map[string]string{}
	for _, m := range d.Metrics {
		units[m.Name] = m.Unit
	}
	wantUnits := map[string]string{"Recipients": "Count", "Delivered": "Count", "Gone": "Count",
		"Failed": "Count", "Retries": "Count", "Duration": "Milliseconds"}
	if !maps.Equal(units, wantUnits) {
		t.Errorf("metric units = %v, want %v", units, wantUnits)
	}
	if doc.Recipients != 10 || doc.Delivered != 8 || doc.Gone != 1 || doc.Failed != 1 || doc.Retries != 1 {
		t.Errorf("values: recipients %v delivered %v gone %v failed %v retries %v",
			doc.Recipients, doc.Delivered, doc.Gone, doc.Failed, doc.Retries)
	}
	if doc.Duration < 0 || doc.AWS.Timestamp == 0 {
		t.Errorf("duration %v timestamp %d", doc.Duration, doc.AWS.Timestamp)
	}
	if doc.PayloadBytes != 321 || doc.Concurrency != 2 {
		t.Errorf("properties payloadBytes %d concurrency %d", doc.PayloadBytes, doc.Concurrency)
	}
}

func TestDefaults(t *testing.T) {
	f := New(newFakePoster(nil), Config{})
	c := f.cfg
	if c.Concurrency != DefaultConcurrency || c.MaxRetries != DefaultMaxRetries ||
		c.BaseBackoff != DefaultBaseBackoff || c.MaxBackoff != DefaultMaxBackoff || f.metrics != nil {
		t.Errorf("defaults = %+v", c)
	}
}
