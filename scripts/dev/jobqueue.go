package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

// localJobQueue is one of make dev's worker queues (export, erasure,
// unfurl): a queue on the same SQS as the fan-out queue, its URL handed to
// the function that fills it through an environment variable, and a
// poller invoking the worker as Lambda's event source mapping would.
type localJobQueue struct {
	client   *sqs.Client
	queueURL string
	cancel   context.CancelFunc
	done     sync.WaitGroup
}

// newLocalJobQueue creates queue name (messages invisible for visibility
// seconds once received, as the function's timeout) and sets env to its
// URL; it runs before the function reading env is configured.
func newLocalJobQueue(ctx context.Context, fanout *fanoutWorkers, name string, visibility int, env string) (*localJobQueue, error) {
	q := &localJobQueue{client: fanout.client}
	out, err := q.client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(name),
		Attributes: map[string]string{"VisibilityTimeout": strconv.Itoa(visibility)},
	})
	if err != nil {
		return nil, fmt.Errorf("create the queue %s: %w", name, err)
	}
	q.queueURL = aws.ToString(out.QueueUrl)
	return q, os.Setenv(env, q.queueURL)
}

// poll runs h over the queue (cfg's QueueURL is the queue's) until Close.
func (q *localJobQueue) poll(ctx context.Context, cfg localsqs.PollConfig, h localsqs.Handler) {
	cfg.QueueURL = q.queueURL
	ctx, q.cancel = context.WithCancel(context.WithoutCancel(ctx))
	q.done.Go(func() { localsqs.Poll(ctx, q.client, cfg, h) })
}

// Close stops the poller and waits for it.
func (q *localJobQueue) Close() error {
	if q.cancel != nil {
		q.cancel()
		q.done.Wait()
	}
	return nil
}
