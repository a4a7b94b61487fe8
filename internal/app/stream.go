package app

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/stream"
)

// BuildStream wires the stream function: the DynamoDB stream handler and
// its consumers, today the EventBridge publisher. It links neither the
// table's store nor the service. WithAWSConfig, WithHTTPClient and
// WithLogger apply; AWS_ENDPOINT_URL_EVENTBRIDGE (or the config's
// BaseEndpoint) points the publisher at a stand-in.
func BuildStream(ctx context.Context, cfg StreamConfig, opts ...Option) (*stream.Handler, error) {
	if cfg.EventBusName == "" {
		return nil, errors.New("app: missing environment variables: EVENT_BUS_NAME")
	}
	o := collect(opts)
	logger := o.logger
	if logger == nil {
		logger = NewLogger(os.Stderr, cfg.LogLevel)
	}
	awsCfg, err := loadAWSConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	bus, err := eventbus.New(eventbridge.NewFromConfig(awsCfg), eventbus.Config{
		BusName: cfg.EventBusName, IncludeText: cfg.IncludeText, Logger: logger,
	})
	if err != nil {
		return nil, fmt.Errorf("app: event bus: %w", err)
	}
	h, err := stream.New(stream.Config{Consumers: []chat.EventConsumer{bus}, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("app: stream handler: %w", err)
	}
	return h, nil
}
