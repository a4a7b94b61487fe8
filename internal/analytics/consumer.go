package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/emf"
)

// AppliedError is the store's answer when a run starting at First was
// applied already (a redelivered batch): it was applied up to Last.
type AppliedError struct{ First, Last string }

func (e *AppliedError) Error() string {
	return fmt.Sprintf("analytics: records %s..%s were applied already", e.First, e.Last)
}

// Store keeps the aggregates.
type Store interface {
	// ApplyAnalytics adds d to the aggregates and records that the run of
	// stream records first..last (sequence numbers of one shard) is
	// applied, in one transaction that fails with *AppliedError when a
	// run starting at first was applied before.
	ApplyAnalytics(ctx context.Context, first, last string, d Delta) error
	// RoomMemberCounts is the member count of each room (missing: 0).
	RoomMemberCounts(ctx context.Context, roomIDs []string) (map[string]int64, error)
}

// Decoder turns a stream record into the activity it shows (ok false:
// none).
type Decoder func(events.DynamoDBEventRecord) (f Fact, ok bool, err error)

// MetricsNamespace is the CloudWatch namespace of the EMF metrics (the
// stack's, infra/chatstack MetricsNamespace).
const MetricsNamespace = "Backchannel"

// MaxItems is how many aggregate items one transaction updates at most
// (TransactWriteItems takes 100 actions; one is the run's marker).
const MaxItems = 99

var maxItems = MaxItems // tests make runs shorter

// Consumer is the stream consumer of the aggregates.
type Consumer struct {
	Store   Store
	Decode  Decoder
	Logger  *slog.Logger
	Metrics *emf.Writer // nil: no EMF

	mu   sync.Mutex
	seen map[string]map[string]bool // day -> pseudonyms this instance counted (for EMF only)
}

// ConsumeRecords applies records in order and returns how many are done
// (all of them, or the index of the first that is not, with the error).
//
// Idempotency: the records are cut into runs of at most MaxItems items to
// update; each run is one transaction that also puts two markers, keyed
// by the run's first and by its last sequence number, each holding both.
// internal/stream hands this consumer only records every other consumer
// took, and retries start at the first record not done, so a redelivered
// batch starts at a run's first record (a retry after a timeout) or, cut
// in two by BisectBatchOnFunctionError, ends at a run's last: a marker
// refuses the transaction, the records up to the run's last are skipped,
// and the rest is cut again from there (the same cuts as before, the cut
// being greedy from a run's start). Not covered: a half of a half (a
// bisected batch timing out again after it was counted), which could count
// its records twice.
func (c *Consumer) ConsumeRecords(ctx context.Context, recs []events.DynamoDBEventRecord) (int, error) {
	logger := c.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	facts := make([][]Fact, len(recs)) // per record: 0 or 1 facts
	end := len(recs)
	var decodeErr error
	for i, rec := range recs {
		f, ok, err := c.Decode(rec)
		if err != nil {
			end, decodeErr = i, err
			break
		}
		if ok {
			facts[i] = []Fact{f}
		}
	}
	sizes, err := c.roomSizes(ctx, facts[:end])
	if err != nil {
		return 0, err
	}
	for i := 0; i < end; {
		j := cut(facts, i, end)
		var run []Fact
		for _, fs := range facts[i:j] {
			run = append(run, fs...)
		}
		if len(run) == 0 { // nothing to count: no write
			i = j
			continue
		}
		d := Aggregate(run, sizes)
		first, last := recs[i].Change.SequenceNumber, recs[j-1].Change.SequenceNumber
		err := c.Store.ApplyAnalytics(ctx, first, last, d)
		var applied *AppliedError
		switch {
		case errors.As(err, &applied):
			k := i
			for k < end && !seqLess(applied.Last, recs[k].Change.SequenceNumber) {
				k++
			}
			logger.LogAttrs(ctx, slog.LevelInfo, "analytics: redelivered records skipped",
				slog.String("first", first), slog.String("appliedTo", applied.Last), slog.Int("skipped", k-i))
			i = max(k, i+1)
			continue
		case err != nil:
			return i, err
		}
		c.emit(d)
		i = j
	}
	return end, decodeErr
}

// cut is the end of the run starting at i: greedy, as many records as
// touch at most MaxItems aggregate items.
func cut(facts [][]Fact, i, end int) int {
	var run []Fact
	for j := i; j < end; j++ {
		next := append(run, facts[j]...)
		if j > i && Aggregate(next, nil).Items() > maxItems {
			return j
		}
		run = next
	}
	return end
}

// roomSizes reads the member counts of the rooms messages went to.
func (c *Consumer) roomSizes(ctx context.Context, facts [][]Fact) (RoomSizer, error) {
	seen := map[string]bool{}
	var ids []string
	for _, fs := range facts {
		for _, f := range fs {
			if f.Kind == Message && !seen[f.RoomID] {
				seen[f.RoomID] = true
				ids = append(ids, f.RoomID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	counts, err := c.Store.RoomMemberCounts(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("analytics: room sizes: %w", err)
	}
	return func(id string) int64 { return counts[id] }, nil
}

// emit publishes the run's headline figures as EMF metrics (summed by
// CloudWatch per period; active people are the day's distinct people seen
// by this run, an upper bound of nothing: the exact daily figure is the
// dashboard's).
func (c *Consumer) emit(d Delta) {
	if c.Metrics == nil {
		return
	}
	var msgs, files, bytes int64
	var cost float64
	for _, r := range d.Rooms {
		msgs += r.Messages
		files += r.Files
		bytes += r.FileBytes
		cost += r.Cost()
	}
	var conns, secs int64
	for _, t := range d.Days {
		conns += t.Connections
		secs += t.ConnSeconds
	}
	cost += float64(secs) / 60 * USDPerConnMinute
	active := c.activeSeen(d)
	_ = c.Metrics.Emit(map[string]string{"Service": "analytics"}, []emf.Metric{
		{Name: "AnalyticsActivePeople", Unit: emf.Count, Value: float64(active)},
		{Name: "AnalyticsMessages", Unit: emf.Count, Value: float64(msgs)},
		{Name: "AnalyticsFiles", Unit: emf.Count, Value: float64(files)},
		{Name: "AnalyticsFileBytes", Unit: emf.Bytes, Value: float64(bytes)},
		{Name: "AnalyticsConnections", Unit: emf.Count, Value: float64(conns)},
		{Name: "AnalyticsEstimatedCostMicroUSD", Unit: emf.None, Value: cost * 1e6},
	}, nil)
}

// activeSeen adds the delta's people to this instance's set of its latest
// days and returns the size of the latest one with people in the run: the EMF gauge AnalyticsActivePeople,
// whose daily Maximum is the day's active people as far as one function
// instance saw them (one per stream shard; an instance recycled mid-day
// starts again). The exact figure is getAnalytics's.
func (c *Consumer) activeSeen(d Delta) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.seen == nil {
		c.seen = map[string]map[string]bool{}
	}
	latest := ""
	add := func(day string, ps []string) {
		if len(ps) > 0 && day > latest {
			latest = day
		}
		if c.seen[day] == nil {
			c.seen[day] = map[string]bool{}
		}
		for _, p := range ps {
			c.seen[day][p] = true
		}
	}
	for _, r := range d.Rooms {
		add(r.Day, r.Senders)
	}
	for _, t := range d.Days {
		add(t.Day, t.People)
	}
	days := make([]string, 0, len(c.seen))
	for day := range c.seen {
		days = append(days, day)
	}
	sort.Strings(days)
	for _, old := range days[:max(0, len(days)-2)] { // keep two days
		delete(c.seen, old)
	}
	return len(c.seen[latest]) // the latest day this run saw someone on
}

// seqLess orders two sequence numbers of one shard (decimal strings).
func seqLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}
