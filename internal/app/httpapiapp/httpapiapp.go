// Package httpapiapp wires the HTTP API function (functions/httpapi): the
// chat service over DynamoDB and the fan-out (a webhook's message goes
// through the same send path as a client's) under internal/httpapi's
// router. No Cognito, no S3.
package httpapiapp

import (
	"context"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/httpapi"
)

// Build wires the API from cfg.
func Build(ctx context.Context, cfg app.HTTPAPIConfig, opts ...chatapp.Option) (*httpapi.API, error) {
	core, err := chatapp.Build(ctx, cfg.ConnectionConfig, opts...)
	if err != nil {
		return nil, err
	}
	return New(core, cfg)
}

// New is the API over a wired service (the in-process chat shares its
// service with the other handlers).
func New(core *chatapp.Core, cfg app.HTTPAPIConfig) (*httpapi.API, error) {
	return httpapi.New(httpapi.Config{Chat: core.Service, Logger: core.Logger, MaxBodyBytes: int(cfg.MaxBodyBytes)})
}
