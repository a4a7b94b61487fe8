package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/erasure"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

const defaultErasureQueue = "backchannel-erasure"

// erasurePipeline is account deletion running locally: the erasure queue
// on the same SQS as the fan-out queue (deleteAccount and deleteUser fill
// it) and functions/erasure's worker invoked by a poller as Lambda's event
// source mapping would (one record at a time, as deployed).
type erasurePipeline struct {
	client   *sqs.Client
	queueURL string
	cancel   context.CancelFunc
	done     sync.WaitGroup
}

// startErasureQueue runs before startChat: it sets ERASURE_QUEUE_URL,
// which the actions function's configuration reads.
func startErasureQueue(ctx context.Context, fanout *fanoutWorkers) (*erasurePipeline, error) {
	e := &erasurePipeline{client: fanout.client}
	out, err := e.client.CreateQueue(ctx, &sqs.CreateQueueInput{
		QueueName:  aws.String(defaultErasureQueue),
		Attributes: map[string]string{"VisibilityTimeout": "900"},
	})
	if err != nil {
		return nil, fmt.Errorf("create the erasure queue: %w", err)
	}
	e.queueURL = aws.ToString(out.QueueUrl)
	return e, os.Setenv(app.EnvErasureQueueURL, e.queueURL)
}

// startWorker runs the worker over the in-process chat's service (the same
// wiring erasureapp gives functions/erasure: table, management API, files,
// pool, schedules).
func (e *erasurePipeline) startWorker(ctx context.Context, eraser erasure.Eraser, logger *slog.Logger) {
	worker := &erasure.Worker{Eraser: eraser, Queue: &erasure.Queue{Client: e.client, URL: e.queueURL}, Logger: logger}
	ctx, e.cancel = context.WithCancel(context.WithoutCancel(ctx))
	e.done.Go(func() {
		localsqs.Poll(ctx, e.client, localsqs.PollConfig{QueueURL: e.queueURL, BatchSize: 1, Concurrency: 1, Logger: logger}, worker.Handle)
	})
}

func (e *erasurePipeline) Close() error {
	if e.cancel != nil {
		e.cancel()
		e.done.Wait()
	}
	return nil
}
