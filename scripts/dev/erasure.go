package main

import (
	"context"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/erasure"
	"github.com/backchannel-chat/backchannel/internal/local/localsqs"
)

const defaultErasureQueue = "backchannel-erasure"

// erasurePipeline is account deletion running locally: the erasure queue
// on the same SQS as the fan-out queue (deleteAccount and deleteUser fill
// it) and functions/erasure's worker invoked by a poller as Lambda's event
// source mapping would (one record at a time, as deployed).
type erasurePipeline struct{ *localJobQueue }

// startErasureQueue runs before startChat: it sets ERASURE_QUEUE_URL,
// which the actions function's configuration reads.
func startErasureQueue(ctx context.Context, fanout *fanoutWorkers) (*erasurePipeline, error) {
	q, err := newLocalJobQueue(ctx, fanout, defaultErasureQueue, 900, app.EnvErasureQueueURL)
	if err != nil {
		return nil, err
	}
	return &erasurePipeline{q}, nil
}

// startWorker runs the worker over the in-process chat's service (the same
// wiring erasureapp gives functions/erasure: table, management API, files,
// pool, schedules).
func (e *erasurePipeline) startWorker(ctx context.Context, eraser erasure.Eraser, logger *slog.Logger) {
	worker := &erasure.Worker{Eraser: eraser, Queue: &erasure.Queue{Client: e.client, URL: e.queueURL}, Logger: logger}
	e.poll(ctx, localsqs.PollConfig{BatchSize: 1, Concurrency: 1, Logger: logger}, worker.Handle)
}
