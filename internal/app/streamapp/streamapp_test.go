package streamapp

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
)

func TestBuildWiresOnlyTheBus(t *testing.T) {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1")}
	h, err := Build(context.Background(), app.StreamConfig{EventBusName: "chat"}, WithAWSConfig(cfg), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil || h == nil {
		t.Fatalf("Build: %v", err)
	}
	if _, err := Build(context.Background(), app.StreamConfig{}, WithAWSConfig(cfg)); err == nil || !strings.Contains(err.Error(), "EVENT_BUS_NAME") {
		t.Errorf("no bus: %v", err)
	}
}
