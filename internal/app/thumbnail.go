package app

import (
	"context"
	"os"

	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

// BuildThumbnail wires the thumbnail maker behind the files bucket's
// object-created notification: the Lambda main and the local runner (whose
// in-process S3 emulates the notification) share it.
func BuildThumbnail(ctx context.Context, cfg thumbnail.FunctionConfig, opts ...Option) (*thumbnail.Handler, error) {
	o := collect(opts)
	logger := o.logger
	if logger == nil {
		logger = NewLogger(os.Stderr, cfg.LogLevel)
	}
	awsCfg, err := loadAWSConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	blobs, err := s3blob.New(awsCfg, s3blob.Config{Bucket: cfg.Bucket, UsePathStyle: cfg.UsePathStyle})
	if err != nil {
		return nil, err
	}
	return thumbnail.NewHandler(blobs, thumbnail.Config{Bucket: cfg.Bucket, MaxSourceBytes: cfg.MaxSourceBytes, Logger: logger})
}
