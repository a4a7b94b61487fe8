// Package outhookapp wires the outgoing webhooks' delivery function
// (functions/outhooks): the DynamoDB store (the rooms' webhooks, the
// messages) and the signing HTTP client (internal/outhook). No management
// API, no Cognito: it only reads the table and posts to the webhooks.
package outhookapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/outhook"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	aws          *aws.Config
	logger       *slog.Logger
	allowPrivate bool
	backoff      []time.Duration
}

// WithAWSConfig uses cfg instead of the environment's.
func WithAWSConfig(cfg aws.Config) Option { return func(o *options) { o.aws = &cfg } }

// WithLogger logs to l.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithAllowPrivate lets webhooks reach this machine over plain http: make
// dev and the tests; functions/outhooks never passes it.
func WithAllowPrivate() Option { return func(o *options) { o.allowPrivate = true } }

// WithBackoff sets the waits between retries within one invocation.
func WithBackoff(b []time.Duration) Option { return func(o *options) { o.backoff = b } }

// Handler is the function's handler.
type Handler struct {
	Deliverer *outhook.Deliverer
}

// Handle delivers one EventBridge event (the Lambda's input).
func (h *Handler) Handle(ctx context.Context, ev outhook.BusEvent) error {
	return h.Deliverer.Deliver(ctx, ev)
}

// HandleJSON delivers an event given as JSON (the local bus's targets).
func (h *Handler) HandleJSON(ctx context.Context, raw []byte) error {
	var ev outhook.BusEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("outhooks: event: %w", err)
	}
	return h.Handle(ctx, ev)
}

// Build wires the handler from cfg.
func Build(ctx context.Context, cfg app.OutHookConfig, opts ...Option) (*Handler, error) {
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
	awsCfg, err := awsconfig.Load(ctx, o.aws, nil)
	if err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg, dynamo.LocalEndpointOptions), cfg.TableName)
	if err != nil {
		return nil, fmt.Errorf("app: store: %w", err)
	}
	return &Handler{Deliverer: &outhook.Deliverer{Store: store, Client: &outhook.Client{AllowPrivate: o.allowPrivate},
		Backoff: o.backoff, Logger: logger}}, nil
}
