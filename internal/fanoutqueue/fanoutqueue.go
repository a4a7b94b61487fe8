// Package fanoutqueue is the sharded fan-out for big rooms: above a
// threshold of recipients the sending function splits the recipients into
// jobs of about JobSize connection ids, puts them on an SQS queue and
// returns at once; worker invocations (functions/fanout) each post one job
// concurrently through internal/fanout. See docs/FANOUT.md.
//
//	Router   chat.Fanout for the sending functions: inline below the
//	         threshold, queued above it (inline again if the queue refuses)
//	Queue    the producer: SendMessageBatch of up to 10 jobs per call
//	Worker   the SQS handler of functions/fanout (ReportBatchItemFailures)
package fanoutqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

const (
	// DefaultThreshold is the number of recipients above which a fan-out
	// is queued: one job's worth. Below it the inline fan-out answers the
	// sender within about 0.3 s (1,000 × 20 ms / 64 workers) and a queue
	// round trip would add more than it saves. docs/FANOUT.md has the
	// measurement.
	DefaultThreshold = 1000
	// JobSize is how many connection ids one job carries: about 25 KB of
	// ids, one worker's 0.3 s of posting at concurrency 64.
	JobSize = 1000
	// maxBatchBytes keeps a SendMessageBatch under SQS's 1 MiB total
	// (256 KiB before 2025: jobs over it go one per call).
	maxBatchBytes = 256 * 1024
	batchEntries  = 10
	jobVersion    = 1
	// DefaultMaxRequeues bounds how often a worker hands recipients that
	// are still throttled on to a later job (Worker.MaxRequeues).
	DefaultMaxRequeues = 5
	// requeueBaseDelay is the first re-queued job's DelaySeconds; each
	// further re-queue doubles it (2, 4, 8, 16, 32 s: about a minute in
	// all, far under SQS's 900 s maximum delay).
	requeueBaseDelay = 2 * time.Second
)

// Job is one queued piece of a fan-out: one payload to at most JobSize
// connections. The payload is the protocol event, JSON text.
type Job struct {
	Version       int      `json:"v"`
	Payload       string   `json:"p"`
	ConnectionIDs []string `json:"c"`
	// Requeues is how often these recipients were handed on already
	// because the management API throttled them (0 for a first job).
	Requeues int `json:"r,omitempty"`
}

// Split cuts ids into jobs of at most size ids, all with payload.
func Split(ids []string, payload []byte, size int) []Job {
	if size <= 0 {
		size = JobSize
	}
	var jobs []Job
	for start := 0; start < len(ids); start += size {
		jobs = append(jobs, Job{Version: jobVersion, Payload: string(payload), ConnectionIDs: ids[start:min(start+size, len(ids))]})
	}
	return jobs
}

// Decode reads a job from a queue message body.
func Decode(body string) (Job, error) {
	var j Job
	if err := json.Unmarshal([]byte(body), &j); err != nil {
		return Job{}, fmt.Errorf("fanoutqueue: job: %w", err)
	}
	if j.Version != jobVersion {
		return Job{}, fmt.Errorf("fanoutqueue: job version %d, want %d", j.Version, jobVersion)
	}
	if j.Payload == "" || len(j.ConnectionIDs) == 0 {
		return Job{}, errors.New("fanoutqueue: job without payload or connections")
	}
	return j, nil
}

// SQSAPI is the part of the SQS client the producer uses.
type SQSAPI interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Queue puts jobs on the fan-out queue.
type Queue struct {
	client SQSAPI
	url    string
}

// NewQueue is a producer for the queue at url.
func NewQueue(client SQSAPI, url string) *Queue { return &Queue{client: client, url: url} }

// Put sends jobs in batches of up to 10 (and under maxBatchBytes), the
// batches concurrently, and returns the jobs SQS did not take.
func (q *Queue) Put(ctx context.Context, jobs []Job) (notQueued []Job, err error) {
	return q.PutDelayed(ctx, jobs, 0)
}

// PutDelayed is Put with the jobs invisible for delay (whole seconds, at
// most SQS's 15 minutes).
func (q *Queue) PutDelayed(ctx context.Context, jobs []Job, delay time.Duration) (notQueued []Job, err error) {
	delaySeconds := int32(min(delay, 15*time.Minute) / time.Second)
	type batch struct {
		jobs    []Job
		entries []types.SendMessageBatchRequestEntry
	}
	var (
		batches []batch
		cur     batch
		size    int
	)
	for _, j := range jobs {
		body, err := json.Marshal(j)
		if err != nil {
			return jobs, fmt.Errorf("fanoutqueue: encode job: %w", err)
		}
		if len(cur.jobs) == batchEntries || (len(cur.jobs) > 0 && size+len(body) > maxBatchBytes) {
			batches, cur, size = append(batches, cur), batch{}, 0
		}
		cur.entries = append(cur.entries, types.SendMessageBatchRequestEntry{
			Id: aws.String(strconv.Itoa(len(cur.jobs))), MessageBody: aws.String(string(body)), DelaySeconds: delaySeconds,
		})
		cur.jobs = append(cur.jobs, j)
		size += len(body)
	}
	if len(cur.jobs) > 0 {
		batches = append(batches, cur)
	}
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	for _, b := range batches {
		wg.Go(func() {
			out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.url), Entries: b.entries})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				notQueued = append(notQueued, b.jobs...)
				errs = append(errs, err)
				return
			}
			for _, f := range out.Failed {
				i, _ := strconv.Atoi(aws.ToString(f.Id))
				if i >= 0 && i < len(b.jobs) {
					notQueued = append(notQueued, b.jobs[i])
				}
				errs = append(errs, fmt.Errorf("%s: %s", aws.ToString(f.Code), aws.ToString(f.Message)))
			}
		})
	}
	wg.Wait()
	if len(errs) > 0 {
		return notQueued, fmt.Errorf("fanoutqueue: %d of %d jobs not queued: %w", len(notQueued), len(jobs), errors.Join(errs...))
	}
	return nil, nil
}

// Router is the chat.Fanout of the sending functions.
type Router struct {
	Inline    chat.Fanout
	Queue     *Queue // nil: always inline
	Threshold int    // queue above this many recipients; DefaultThreshold when 0
	JobSize   int    // JobSize when 0
	Logger    *slog.Logger
}

var _ chat.Fanout = (*Router)(nil)

// Send delivers inline up to the threshold; above it, queues the jobs and
// counts their recipients as Queued. Jobs the queue refuses are delivered
// inline, so a queue outage slows the sender down but loses nothing.
func (r *Router) Send(ctx context.Context, connectionIDs []string, payload []byte) chat.FanoutResult {
	threshold := r.Threshold
	if threshold <= 0 {
		threshold = DefaultThreshold
	}
	if r.Queue == nil || len(connectionIDs) <= threshold {
		return r.Inline.Send(ctx, connectionIDs, payload)
	}
	ids := chat.DistinctConnectionIDs(connectionIDs)
	jobs := Split(ids, payload, r.JobSize)
	notQueued, err := r.Queue.Put(ctx, jobs)
	res := chat.FanoutResult{Recipients: len(ids)}
	if err != nil {
		r.logger().ErrorContext(ctx, "fanout jobs not queued: delivering them inline", "error", err, "jobs", len(notQueued))
	}
	for _, j := range notQueued {
		inline := r.Inline.Send(ctx, j.ConnectionIDs, payload)
		res.Delivered += inline.Delivered
		res.Gone += inline.Gone
		res.Failed += inline.Failed
	}
	res.Queued = res.Recipients - res.Delivered - res.Gone - res.Failed
	return res
}

func (r *Router) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.Default()
	}
	return r.Logger
}

// Worker is the SQS handler of functions/fanout: each record is one job,
// posted through Fanout (an inline fanout.Fanout, never a Router: a worker
// does not queue a fan-out of its own); the records of one batch run
// concurrently.
type Worker struct {
	Fanout chat.Fanout
	Logger *slog.Logger
	// Requeue is the fan-out queue: the recipients of a job that the
	// management API still throttles after the fan-out's own retries go
	// back on it as a smaller, delayed job (requeueBaseDelay doubling per
	// re-queue), at most MaxRequeues times. Nil: they are dropped, counted
	// as failed, and recover with resume.
	Requeue *Queue
	// MaxRequeues is DefaultMaxRequeues when 0; negative never re-queues.
	MaxRequeues int
	// Delay is the delay of the re-queue that follows requeues earlier
	// ones; RequeueDelay when nil.
	Delay func(requeues int) time.Duration
}

// throttleReporter is a fan-out that names the recipients still throttled
// after its retries (fanout.Fanout).
type throttleReporter interface {
	SendReportingThrottled(ctx context.Context, connectionIDs []string, payload []byte) (chat.FanoutResult, []string)
}

// Handle posts every job of the batch, the jobs concurrently. A record
// that is not a job is reported as a batch item failure, so after the
// queue's maxReceiveCount it lands in the dead-letter queue (and the
// alarm) instead of being dropped silently. Recipients still throttled
// after the fan-out's retries go back on the queue as a delayed job of
// their own (see Requeue), so a throttling burst delays them instead of
// dropping them; the job itself is not retried, which would post again to
// everyone it reached. Only when that re-queue fails is the record
// reported as failed: SQS then delivers the whole job again, and the
// recipients it had reached drop the repeat by seq (docs/PROTOCOL.md §7).
// Recipients that fail otherwise are counted in the fan-out's metrics and
// recover with resume.
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	log := w.Logger
	if log == nil {
		log = slog.Default()
	}
	var (
		resp events.SQSEventResponse
		mu   sync.Mutex
		wg   sync.WaitGroup
	)
	fail := func(id string) {
		mu.Lock()
		resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: id})
		mu.Unlock()
	}
	for _, rec := range ev.Records {
		job, err := Decode(rec.Body)
		if err != nil {
			log.ErrorContext(ctx, "fanout job rejected", "messageId", rec.MessageId, "error", err)
			fail(rec.MessageId)
			continue
		}
		wg.Go(func() {
			payload := []byte(job.Payload)
			var (
				res   chat.FanoutResult
				again []string
			)
			if r, ok := w.Fanout.(throttleReporter); ok {
				res, again = r.SendReportingThrottled(ctx, job.ConnectionIDs, payload)
			} else {
				res = w.Fanout.Send(ctx, job.ConnectionIDs, payload)
			}
			log.InfoContext(ctx, "fanout job done", "messageId", rec.MessageId, "recipients", res.Recipients,
				"delivered", res.Delivered, "gone", res.Gone, "failed", res.Failed, "throttled", len(again), "requeues", job.Requeues)
			if len(again) > 0 && !w.requeue(ctx, log, rec.MessageId, job, again) {
				fail(rec.MessageId)
			}
		})
	}
	wg.Wait()
	return resp, nil
}

// requeue hands the throttled recipients of job on to a delayed job, and
// reports false only when the queue refused it.
func (w *Worker) requeue(ctx context.Context, log *slog.Logger, messageID string, job Job, ids []string) bool {
	limit := w.MaxRequeues
	if limit == 0 {
		limit = DefaultMaxRequeues
	}
	if w.Requeue == nil || limit < 0 || job.Requeues >= limit {
		log.WarnContext(ctx, "fanout recipients dropped: still throttled", "messageId", messageID,
			"recipients", len(ids), "requeues", job.Requeues)
		return true
	}
	next := Job{Version: jobVersion, Payload: job.Payload, ConnectionIDs: ids, Requeues: job.Requeues + 1}
	delay := RequeueDelay(job.Requeues)
	if w.Delay != nil {
		delay = w.Delay(job.Requeues)
	}
	if _, err := w.Requeue.PutDelayed(ctx, []Job{next}, delay); err != nil {
		log.ErrorContext(ctx, "fanout throttled recipients not re-queued: the job is retried whole", "messageId", messageID,
			"recipients", len(ids), "error", err)
		return false
	}
	log.InfoContext(ctx, "fanout throttled recipients re-queued", "messageId", messageID,
		"recipients", len(ids), "requeues", next.Requeues, "delay", delay.String())
	return true
}

// RequeueDelay is the delay of the re-queue that follows requeues earlier
// ones: requeueBaseDelay doubling, capped at SQS's 15 minutes.
func RequeueDelay(requeues int) time.Duration {
	if requeues > 8 {
		return 15 * time.Minute
	}
	return min(requeueBaseDelay<<requeues, 15*time.Minute)
}
