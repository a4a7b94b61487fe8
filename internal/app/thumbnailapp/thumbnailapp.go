// Package thumbnailapp wires the thumbnail function behind the files
// bucket's object-created notification: S3 and the thumbnail maker only
// (no DynamoDB, no service). The Lambda main and the local runner (whose
// in-process S3 emulates the notification) share it.
package thumbnailapp

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	awsConfig  *aws.Config
	httpClient *http.Client
	logger     *slog.Logger
}

// WithAWSConfig uses cfg instead of loading the default configuration.
func WithAWSConfig(cfg aws.Config) Option { return func(o *options) { o.awsConfig = &cfg } }

// WithHTTPClient sends the S3 requests through c when no AWS config is given.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithLogger replaces the JSON logger on stderr at the configured level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Build wires the thumbnail handler from cfg.
func Build(ctx context.Context, cfg app.ThumbnailConfig, opts ...Option) (*thumbnail.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	logger := o.logger
	if logger == nil {
		logger = app.NewLogger(os.Stderr, cfg.LogLevel)
	}
	awsCfg, err := awsconfig.Load(ctx, o.awsConfig, o.httpClient)
	if err != nil {
		return nil, err
	}
	blobs, err := s3blob.New(awsCfg, s3blob.Config{Bucket: cfg.Bucket, UsePathStyle: cfg.UsePathStyle})
	if err != nil {
		return nil, err
	}
	return thumbnail.NewHandler(blobs, thumbnail.Config{Bucket: cfg.Bucket, MaxSourceBytes: cfg.MaxSourceBytes, Logger: logger})
}
