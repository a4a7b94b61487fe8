package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/cognito"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/wsapi"
)

// The service is what the handlers call.
var _ wsapi.ChatService = (*service.Chat)(nil)

// App is the wired chat: one value per process, built once outside the
// Lambda handler so clients and caches survive between invocations.
type App struct {
	Authorizer *authorizer.Handler
	Connection *wsapi.ConnectionHandler
	Actions    *wsapi.ActionHandler
	Service    *service.Chat
	Logger     *slog.Logger
}

// Build wires every part of the chat from cfg.
func Build(ctx context.Context, cfg Config, opts ...Option) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := collect(opts)
	logger := o.logger
	if logger == nil {
		logger = NewLogger(os.Stderr, cfg.LogLevel)
	}
	auth, err := buildAuthorizer(cfg, o, logger)
	if err != nil {
		return nil, err
	}
	awsCfg, err := loadAWSConfig(ctx, o)
	if err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg, localDynamoDB), cfg.TableName, o.storeOptions...)
	if err != nil {
		return nil, fmt.Errorf("app: store: %w", err)
	}
	poster := o.poster
	if poster == nil {
		poster = apigw.NewPoster(apigw.NewClient(awsCfg, cfg.CallbackURL))
	}
	metrics := o.metrics
	if metrics == nil {
		metrics = os.Stdout // EMF: CloudWatch Logs turns these lines into metrics
	}
	// The fan-out reports gone connections to the service, which the
	// service itself needs the fan-out to exist for: svc is set below,
	// before any Send can run.
	var svc *service.Chat
	fan := newFanout(poster, metrics, logger, func(ctx context.Context, connID string) {
		if err := svc.Disconnect(ctx, connID); err != nil {
			logger.LogAttrs(ctx, slog.LevelError, "cleanup of gone connection failed",
				slog.String("connectionId", connID), slog.String("error", err.Error()))
		}
	})
	scfg := service.Config{Store: store, Fanout: fan, Logger: logger, Files: cfg.Files, SystemLines: true}
	if cfg.FilesBucket != "" {
		blobs, err := s3blob.New(awsCfg, s3blob.Config{Bucket: cfg.FilesBucket, UsePathStyle: cfg.S3UsePathStyle})
		if err != nil {
			return nil, fmt.Errorf("app: files: %w", err)
		}
		scfg.Blobs = blobs
	}
	if o.editService != nil {
		o.editService(&scfg)
	}
	if svc, err = service.New(scfg); err != nil {
		return nil, fmt.Errorf("app: service: %w", err)
	}
	conn, err := wsapi.NewConnectionHandler(svc, logger)
	if err != nil {
		return nil, fmt.Errorf("app: connection handler: %w", err)
	}
	actions, err := wsapi.NewActionHandler(svc, logger)
	if err != nil {
		return nil, fmt.Errorf("app: action handler: %w", err)
	}
	return &App{Authorizer: auth, Connection: conn, Actions: actions, Service: svc, Logger: logger}, nil
}

// BuildAuthorizer wires only the $connect authorizer, which needs neither
// DynamoDB nor the management API.
func BuildAuthorizer(_ context.Context, cfg Config, opts ...Option) (*authorizer.Handler, error) {
	if err := cfg.ValidateAuthorizer(); err != nil {
		return nil, err
	}
	o := collect(opts)
	logger := o.logger
	if logger == nil {
		logger = NewLogger(os.Stderr, cfg.LogLevel)
	}
	return buildAuthorizer(cfg, o, logger)
}

func collect(opts []Option) options {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	return o
}

func buildAuthorizer(cfg Config, o options, logger *slog.Logger) (*authorizer.Handler, error) {
	verifier, err := cognito.NewVerifier(cognito.VerifierConfig{
		Issuer:     cfg.Cognito.Issuer,
		ClientID:   cfg.Cognito.ClientID,
		JWKSURL:    cfg.Cognito.JWKSURL,
		HTTPClient: o.httpClient,
	})
	if err != nil {
		return nil, fmt.Errorf("app: verifier: %w", err)
	}
	return authorizer.New(verifier, logger), nil
}

func newFanout(poster chat.Poster, metrics io.Writer, logger *slog.Logger, onGone func(context.Context, string)) *fanout.Fanout {
	return fanout.New(poster, fanout.Config{OnGone: onGone, Metrics: metrics, Logger: logger})
}

// loadAWSConfig loads region, credentials and endpoint overrides once.
func loadAWSConfig(ctx context.Context, o options) (aws.Config, error) {
	if o.awsConfig != nil {
		return *o.awsConfig, nil
	}
	var loadOpts []func(*config.LoadOptions) error
	if o.httpClient != nil {
		loadOpts = append(loadOpts, config.WithHTTPClient(o.httpClient))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("app: load AWS config: %w", err)
	}
	return awsCfg, nil
}

// NewLogger is the JSON logger every function writes to stderr (CloudWatch
// Logs keeps the lines; stdout carries the EMF metrics).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}
