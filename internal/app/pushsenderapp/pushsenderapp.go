// Package pushsenderapp wires the push sender (functions/pushsender): the
// table's store (subscriptions), the VAPID keys (Secrets Manager in AWS,
// a file locally) and the Web Push adapter. No service, no fan-out, no S3.
package pushsenderapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/pushsend"
	"github.com/backchannel-chat/backchannel/internal/webpush"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	awsConfig  *aws.Config
	pushClient *http.Client
	logger     *slog.Logger
}

// WithAWSConfig uses cfg instead of loading the default configuration.
func WithAWSConfig(cfg aws.Config) Option { return func(o *options) { o.awsConfig = &cfg } }

// WithPushClient sends the pushes through c (the local stand-in's client,
// which trusts its certificate).
func WithPushClient(c *http.Client) Option { return func(o *options) { o.pushClient = c } }

// WithLogger replaces the JSON logger on stderr.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Build wires the worker from cfg.
func Build(ctx context.Context, cfg app.PushSenderConfig, opts ...Option) (*pushsend.Worker, error) {
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
	awsCfg, err := awsconfig.Load(ctx, o.awsConfig, nil)
	if err != nil {
		return nil, err
	}
	keys, err := loadKeys(ctx, awsCfg, cfg)
	if err != nil {
		return nil, err
	}
	sender, err := webpush.New(webpush.Config{
		Keys: keys, Subject: cfg.Subject, TTL: time.Duration(cfg.TTLSeconds) * time.Second, Client: o.pushClient,
	})
	if err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg, dynamo.LocalEndpointOptions), cfg.TableName)
	if err != nil {
		return nil, fmt.Errorf("app: store: %w", err)
	}
	return &pushsend.Worker{Store: store, Sender: sender, Logger: logger}, nil
}

// loadKeys reads the VAPID key pair: GetSecretValue in AWS (once per cold
// start), the file locally.
func loadKeys(ctx context.Context, awsCfg aws.Config, cfg app.PushSenderConfig) (webpush.Keys, error) {
	if cfg.KeysFile != "" {
		doc, err := os.ReadFile(cfg.KeysFile)
		if err != nil {
			return webpush.Keys{}, fmt.Errorf("app: VAPID keys file: %w", err)
		}
		return webpush.ParseKeys(doc)
	}
	out, err := secretsmanager.NewFromConfig(awsCfg).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(cfg.SecretARN)})
	if err != nil {
		return webpush.Keys{}, fmt.Errorf("app: VAPID secret: %w", err)
	}
	return webpush.ParseKeys([]byte(aws.ToString(out.SecretString)))
}
