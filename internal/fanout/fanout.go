// Package fanout delivers one payload to many connections over a
// chat.Poster: a fixed pool of workers bounds the concurrency, a gone
// connection is reported once and never retried, throttling is retried
// with exponential backoff and full jitter, and one failed recipient never
// fails the others or the sender.
package fanout

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/emf"
)

// Defaults for zero Config fields.
const (
	DefaultConcurrency = 64
	DefaultMaxRetries  = 4
	DefaultBaseBackoff = 50 * time.Millisecond
	DefaultMaxBackoff  = 2 * time.Second
	DefaultNamespace   = "Backchannel"
)

// Config tunes a Fanout. Zero values take the defaults above.
type Config struct {
	// Concurrency is the number of posts in flight per Send. Keep it at or
	// below apigw.PoolSize so every worker reuses a kept-alive connection.
	Concurrency int
	// MaxRetries is how often a throttled post is retried; negative means
	// never.
	MaxRetries int
	// BaseBackoff and MaxBackoff shape the retry delay: a uniformly random
	// duration in [0, min(MaxBackoff, BaseBackoff × 2^retry)].
	BaseBackoff, MaxBackoff time.Duration
	// OnGone is called once per connection that no longer exists, with that
	// connection's id, so the caller deletes exactly that connection. It is
	// called from the workers and must be safe for concurrent use.
	OnGone func(ctx context.Context, connectionID string)
	// Metrics receives one CloudWatch EMF line per Send (stdout in Lambda);
	// nil turns metrics off.
	Metrics io.Writer
	// Namespace of the metrics; DefaultNamespace when empty.
	Namespace string
	// Dimensions of the metrics, e.g. {"Function": "actions"}. Keep them
	// few and low-cardinality: every distinct set is a billed metric.
	Dimensions map[string]string
	// Logger receives a warning per failed recipient; slog.Default() when nil.
	Logger *slog.Logger
}

// Fanout implements chat.Fanout. It is safe for concurrent use.
type Fanout struct {
	poster  chat.Poster
	cfg     Config
	metrics *emf.Writer
	log     *slog.Logger

	// Seams for tests: waiting between retries and drawing the jitter.
	sleep  func(ctx context.Context, d time.Duration) bool
	jitter func(ceiling time.Duration) time.Duration
}

var _ chat.Fanout = (*Fanout)(nil)

// preparer is a poster that does per-message work once (apigw.Poster
// hashes the payload for its signature once per Send, not per recipient).
type preparer interface {
	PreparePost(payload []byte) func(ctx context.Context, connectionID string) error
}

// New returns a Fanout posting through p. An invalid metrics namespace
// (over 255 characters) turns metrics off and is logged as an error.
func New(p chat.Poster, cfg Config) *Fanout {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = DefaultMaxRetries
	} else if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.BaseBackoff <= 0 {
		cfg.BaseBackoff = DefaultBaseBackoff
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = DefaultMaxBackoff
	}
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultNamespace
	}
	f := &Fanout{poster: p, cfg: cfg, log: cfg.Logger, sleep: sleepCtx, jitter: fullJitter}
	if f.log == nil {
		f.log = slog.Default()
	}
	if cfg.Metrics != nil {
		w, err := emf.New(cfg.Metrics, cfg.Namespace)
		if err != nil {
			f.log.Error("fanout metrics disabled", "error", err)
		} else {
			f.metrics = w
		}
	}
	return f
}

// outcome of delivering to one recipient.
type outcome int

const (
	delivered outcome = iota
	gone
	failed
	throttled // still throttled after MaxRetries: failed, but worth another try later
)

// Send posts payload to every distinct id in connectionIDs. It never
// fails: what happened is counted in the result. When ctx ends, no new
// post starts and every recipient not delivered counts as failed.
func (f *Fanout) Send(ctx context.Context, connectionIDs []string, payload []byte) chat.FanoutResult {
	res, _ := f.SendReportingThrottled(ctx, connectionIDs, payload)
	return res
}

// SendReportingThrottled is Send, and also lists the recipients that were
// still throttled after MaxRetries (counted as failed in the result): a
// queued job's worker hands them to a later job instead of dropping them
// (internal/fanoutqueue). Recipients never attempted because ctx ended are
// listed too: they were not refused, only not tried.
func (f *Fanout) SendReportingThrottled(ctx context.Context, connectionIDs []string, payload []byte) (chat.FanoutResult, []string) {
	start := time.Now()
	ids := chat.DistinctConnectionIDs(connectionIDs)
	post := func(ctx context.Context, id string) error { return f.poster.Post(ctx, id, payload) }
	if p, ok := f.poster.(preparer); ok && len(ids) > 0 {
		post = p.PreparePost(payload)
	}

	var (
		next                    atomic.Int64 // index of the next id to claim
		nDelivered, nGone, nTry atomic.Int64
		retries                 atomic.Int64
		wg                      sync.WaitGroup
		mu                      sync.Mutex
		again                   []string
	)
	// A fixed pool: a goroutine per recipient would mean 10,000 goroutines
	// (and 10,000 stacks) for a large room, for no gain past the bound.
	for range min(f.cfg.Concurrency, len(ids)) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if i >= int64(len(ids)) {
					return
				}
				nTry.Add(1)
				result, retried := f.deliver(ctx, ids[i], post)
				retries.Add(int64(retried))
				switch result {
				case delivered:
					nDelivered.Add(1)
				case gone:
					nGone.Add(1)
				case throttled:
					mu.Lock()
					again = append(again, ids[i])
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()

	res := chat.FanoutResult{
		Recipients: len(ids),
		Delivered:  int(nDelivered.Load()),
		Gone:       int(nGone.Load()),
	}
	res.Failed = res.Recipients - res.Delivered - res.Gone
	if skipped := len(ids) - int(nTry.Load()); skipped > 0 {
		f.log.WarnContext(ctx, "fanout stopped early", "error", ctx.Err(),
			"recipients", res.Recipients, "notAttempted", skipped)
		again = append(again, ids[int(nTry.Load()):]...)
	}
	f.emit(res, retries.Load(), time.Since(start), len(payload))
	return res, again
}

// deliver posts to one connection, retrying throttling, and reports the
// outcome and how many retries it took.
func (f *Fanout) deliver(ctx context.Context, id string, post func(context.Context, string) error) (outcome, int) {
	for retry := 0; ; retry++ {
		err := post(ctx, id)
		switch {
		case err == nil:
			return delivered, retry
		case errors.Is(err, chat.ErrGone):
			if f.cfg.OnGone != nil {
				f.cfg.OnGone(ctx, id)
			}
			return gone, retry
		case errors.Is(err, chat.ErrThrottled) && retry < f.cfg.MaxRetries:
			if !f.sleep(ctx, f.backoff(retry)) {
				f.log.WarnContext(ctx, "fanout post abandoned while backing off",
					"connectionId", id, "attempts", retry+1, "error", ctx.Err())
				return throttled, retry
			}
		case errors.Is(err, chat.ErrThrottled):
			f.log.WarnContext(ctx, "fanout post still throttled after its retries",
				"connectionId", id, "attempts", retry+1, "error", err)
			return throttled, retry
		default:
			f.log.WarnContext(ctx, "fanout post failed",
				"connectionId", id, "attempts", retry+1, "error", err)
			return failed, retry
		}
	}
}

// backoff is the delay before retry number retry+1: full jitter over an
// exponentially growing, capped ceiling (spreads retries of many workers
// throttled at the same moment).
func (f *Fanout) backoff(retry int) time.Duration {
	ceiling := f.cfg.MaxBackoff
	if retry < 30 { // beyond that the shift overflows; the cap applies anyway
		ceiling = min(ceiling, f.cfg.BaseBackoff<<retry)
	}
	return f.jitter(ceiling)
}

func (f *Fanout) emit(res chat.FanoutResult, retries int64, took time.Duration, payloadBytes int) {
	if f.metrics == nil {
		return
	}
	err := f.metrics.Emit(f.cfg.Dimensions, []emf.Metric{
		{Name: "Recipients", Unit: emf.Count, Value: float64(res.Recipients)},
		{Name: "Delivered", Unit: emf.Count, Value: float64(res.Delivered)},
		{Name: "Gone", Unit: emf.Count, Value: float64(res.Gone)},
		{Name: "Failed", Unit: emf.Count, Value: float64(res.Failed)},
		{Name: "Retries", Unit: emf.Count, Value: float64(retries)},
		{Name: "Duration", Unit: emf.Milliseconds, Value: float64(took.Microseconds()) / 1000},
	}, map[string]any{
		"concurrency":  f.cfg.Concurrency,
		"payloadBytes": payloadBytes,
	})
	if err != nil {
		f.log.Error("fanout metrics not written", "error", err)
	}
}

func fullJitter(ceiling time.Duration) time.Duration {
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// sleepCtx waits d, or less if ctx ends first; false when ctx ended.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
