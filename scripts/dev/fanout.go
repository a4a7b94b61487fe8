package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/fanoutapp"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

const (
	// defaultFanoutQueue is the fan-out queue of `make dev`.
	defaultFanoutQueue = "backchannel-fanout"
	// devFanoutWorkers is how many worker invocations run at once, the
	// stack's FanoutWorkerMaxConcurrency (infra/chatstack/fanout.go).
	devFanoutWorkers = 2
)

// fanoutWorkers is the fanout function running locally: the SQS stand-in
// (or AWS_ENDPOINT_URL_SQS when set: ElasticMQ, LocalStack, an account),
// the queue, and a poller invoking the same worker as functions/fanout the
// way Lambda's event source mapping does.
type fanoutWorkers struct {
	sqs      *localsqs.Server // nil when SQS is external
	client   *sqs.Client
	queueURL string
	endpoint string
	cancel   context.CancelFunc
	done     sync.WaitGroup
}

// startFanoutQueue runs before startChat: it sets FANOUT_QUEUE_URL (and
// AWS_ENDPOINT_URL_SQS for the stand-in), which the chat's configuration
// reads.
func startFanoutQueue(ctx context.Context, stack *devstack.Stack) (_ *fanoutWorkers, err error) {
	f := &fanoutWorkers{endpoint: firstSet(os.Getenv("AWS_ENDPOINT_URL_SQS"), os.Getenv("AWS_ENDPOINT_URL"))}
	defer func() {
		if err != nil {
			err = errors.Join(err, f.Close())
		}
	}()
	if f.endpoint == "" {
		if f.sqs, err = localsqs.Start("127.0.0.1:0"); err != nil {
			return nil, err
		}
		f.endpoint = f.sqs.URL()
		if err := os.Setenv("AWS_ENDPOINT_URL_SQS", f.endpoint); err != nil {
			return nil, err
		}
	}
	f.client = sqs.NewFromConfig(stack.AWS, func(o *sqs.Options) { o.BaseEndpoint = aws.String(f.endpoint) })
	out, err := f.client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(firstSet(os.Getenv("FANOUT_QUEUE_NAME"), defaultFanoutQueue)),
		Attributes: map[string]string{"VisibilityTimeout": "180"},
	})
	if err != nil {
		return nil, fmt.Errorf("create the fan-out queue at %s: %w", f.endpoint, err)
	}
	f.queueURL = aws.ToString(out.QueueUrl)
	if err := os.Setenv(app.EnvFanoutQueueURL, f.queueURL); err != nil {
		return nil, err
	}
	return f, nil
}

// startWorkers runs after startChat (WS_CALLBACK_URL is set by then).
func (f *fanoutWorkers) startWorkers(ctx context.Context, metrics io.Writer) error {
	cfg, err := app.FanoutWorkerConfigFromEnv()
	if err != nil {
		return err
	}
	logger := app.NewLogger(os.Stderr, cfg.LogLevel)
	worker, err := fanoutapp.Build(ctx, cfg, chatapp.WithLogger(logger), chatapp.WithMetrics(metrics))
	if err != nil {
		return fmt.Errorf("build the fan-out worker: %w", err)
	}
	ctx, f.cancel = context.WithCancel(context.WithoutCancel(ctx))
	f.done.Go(func() {
		localsqs.Poll(ctx, f.client, localsqs.PollConfig{
			QueueURL: f.queueURL, BatchSize: 1, Concurrency: devFanoutWorkers, Logger: logger,
		}, worker.Handle)
	})
	return nil
}

func (f *fanoutWorkers) Close() error {
	if f.cancel != nil {
		f.cancel()
		f.done.Wait()
	}
	if f.sqs != nil {
		return f.sqs.Close()
	}
	return nil
}
