// Package connectionapp wires the connection function ($connect and
// $disconnect): the chat service over DynamoDB and the fan-out, without
// files (no S3) and without Cognito (the authorizer verified the token).
package connectionapp

import (
	"context"
	"fmt"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/wsapi"
)

// Build wires the connection handler from cfg.
func Build(ctx context.Context, cfg app.ConnectionConfig, opts ...chatapp.Option) (*wsapi.ConnectionHandler, error) {
	core, err := chatapp.Build(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return New(core)
}

// New is the connection handler over a wired service.
func New(core *chatapp.Core) (*wsapi.ConnectionHandler, error) {
	h, err := wsapi.NewConnectionHandler(core.Service, core.Logger)
	if err != nil {
		return nil, fmt.Errorf("app: connection handler: %w", err)
	}
	return h, nil
}
