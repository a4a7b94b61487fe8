// Package fanoutapp wires the fanout function (functions/fanout), the
// worker that posts the big rooms' fan-out jobs from the fan-out queue:
// the inline fan-out through the management API, and the chat service
// over DynamoDB only to clean up connections that answer 410. No S3, no
// Cognito; a queue producer only to put throttled recipients back on the
// fan-out queue (fanoutqueue.Worker.Requeue), never to queue a fan-out.
package fanoutapp

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/fanoutqueue"
)

// Build wires the worker from cfg.
func Build(ctx context.Context, cfg app.FanoutWorkerConfig, opts ...chatapp.Option) (*fanoutqueue.Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conn := cfg.ConnectionConfig
	conn.Fanout = app.FanoutSettings{} // post, never queue
	core, err := chatapp.Build(ctx, conn, opts...)
	if err != nil {
		return nil, err
	}
	w := New(core)
	if cfg.RequeueURL != "" {
		w.Requeue = fanoutqueue.NewQueue(sqs.NewFromConfig(core.AWS), cfg.RequeueURL)
	}
	return w, nil
}

// New is the worker over a wired core.
func New(core *chatapp.Core) *fanoutqueue.Worker {
	return &fanoutqueue.Worker{Fanout: core.Fanout, Logger: core.Logger}
}
