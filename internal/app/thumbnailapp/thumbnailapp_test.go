package thumbnailapp

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/backchannel-chat/backchannel/internal/app"
)

func TestBuildNeedsOnlyTheBucket(t *testing.T) {
	offline := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")}
	h, err := Build(context.Background(), app.ThumbnailConfig{Bucket: "files"}, WithAWSConfig(offline), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil || h == nil {
		t.Fatalf("Build = %v, %v", h, err)
	}
	if _, err := Build(context.Background(), app.ThumbnailConfig{}, WithAWSConfig(offline)); err == nil || !strings.Contains(err.Error(), "FILES_BUCKET") {
		t.Fatalf("error = %v, want FILES_BUCKET named", err)
	}
}
