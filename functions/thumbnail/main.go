// Command thumbnail is the Lambda behind the files bucket's object-created
// notification (prefix rooms/): it writes a JPEG thumbnail of each image
// beside its original, under thumbs/.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/thumbnail"
)

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	cfg, err := thumbnail.FunctionConfigFromEnv(os.LookupEnv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return fmt.Errorf("thumbnail: load AWS config: %w", err)
	}
	blobs, err := s3blob.New(awsCfg, s3blob.Config{Bucket: cfg.Bucket, UsePathStyle: cfg.UsePathStyle})
	if err != nil {
		return err
	}
	h, err := thumbnail.NewHandler(blobs, thumbnail.Config{Bucket: cfg.Bucket, MaxSourceBytes: cfg.MaxSourceBytes, Logger: logger})
	if err != nil {
		return err
	}
	lambda.Start(h.Handle)
	return nil
}
