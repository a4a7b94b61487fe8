// Package unfurlapp wires the link-preview worker (functions/unfurl): the
// chat service over DynamoDB and the management API (it records the
// change, stores the previews and pushes messageUpdated), the SSRF-safe
// fetcher (internal/unfurl) and the S3 cache under linkpreviews/ in the
// files bucket. No Cognito, no queue producer.
package unfurlapp

import (
	"context"
	"fmt"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/unfurl"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	chat          []chatapp.Option
	loopbackPorts []int
	fetch         unfurl.Config
}

// WithChatOptions passes options to the chat service's wiring (AWS
// config, logger, poster, metrics).
func WithChatOptions(opts ...chatapp.Option) Option {
	return func(o *options) { o.chat = append(o.chat, opts...) }
}

// WithLoopbackPorts lets the fetcher reach loopback addresses on these
// ports: for the local stack (scripts/dev) and tests, so a page served on
// this machine can be previewed. functions/unfurl never passes it.
func WithLoopbackPorts(ports ...int) Option {
	return func(o *options) { o.loopbackPorts = append(o.loopbackPorts, ports...) }
}

// Build wires the worker from cfg.
func Build(ctx context.Context, cfg app.UnfurlConfig, opts ...Option) (*unfurl.Worker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	conn := cfg.ConnectionConfig
	conn.Fanout = app.FanoutSettings{} // a preview goes to the room inline
	core, err := chatapp.Build(ctx, conn, o.chat...)
	if err != nil {
		return nil, err
	}
	fc := o.fetch
	fc.AllowLoopbackPorts = o.loopbackPorts
	u := &unfurl.Unfurler{Fetcher: unfurl.New(fc), Logger: core.Logger}
	if cfg.CacheBucket != "" {
		blobs, err := s3blob.New(core.AWS, s3blob.Config{Bucket: cfg.CacheBucket, UsePathStyle: cfg.S3UsePathStyle})
		if err != nil {
			return nil, fmt.Errorf("app: preview cache: %w", err)
		}
		u.Cache = blobs
	}
	return &unfurl.Worker{Messages: core.Service, Previews: core.Service, Previewer: u, Logger: core.Logger}, nil
}
