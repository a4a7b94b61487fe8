// Package erasureapp wires the account erasure worker (functions/erasure):
// the chat service as the actions function has it (the table, the
// management API to close connections, the files bucket, the user pool's
// admin API to delete the account, the schedules), and the erasure queue
// for a pass's continuation.
package erasureapp

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/actionsapp"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/erasure"
)

// Build wires the worker from cfg.
func Build(ctx context.Context, cfg app.ErasureConfig, opts ...chatapp.Option) (*erasure.Worker, error) {
	conn := cfg.ActionsConfig
	conn.Fanout = app.FanoutSettings{} // the signedOut notice goes inline
	core, err := actionsapp.Core(ctx, conn, opts...)
	if err != nil {
		return nil, err
	}
	q := &erasure.Queue{Client: sqs.NewFromConfig(core.AWS), URL: cfg.Erasure.QueueURL}
	return &erasure.Worker{Eraser: core.Service, Queue: q, Logger: core.Logger}, nil
}
