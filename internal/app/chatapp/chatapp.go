// Package chatapp wires the chat service the connection and actions
// functions share: the DynamoDB store, the fan-out through the API Gateway
// management API and the service. It does not link S3 (actionsapp adds
// the files) nor Cognito (authorizerapp).
package chatapp

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/app/visitorapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/fanout"
	"github.com/backchannel-chat/backchannel/internal/fanoutqueue"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Core is the wired service: one per process, built once outside the
// Lambda handler so clients and caches survive between invocations.
type Core struct {
	Service *service.Chat
	Logger  *slog.Logger
	AWS     aws.Config
	// Fanout posts inline, never queues: the fanout function's worker
	// posts its jobs with it. The service's fan-out is a
	// fanoutqueue.Router over it when cfg.Fanout.QueueURL is set.
	Fanout *fanout.Fanout
	// Store is the service's store (the export worker reads the archive
	// from it).
	Store *dynamo.Store
}

// Build wires the service from cfg.
func Build(ctx context.Context, cfg app.ConnectionConfig, opts ...Option) (*Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := Collect(opts)
	logger := s.Logger
	if logger == nil {
		logger = app.NewLogger(os.Stderr, cfg.LogLevel)
	}
	awsCfg, err := awsconfig.Load(ctx, s.AWSConfig, s.HTTPClient)
	if err != nil {
		return nil, err
	}
	store, err := dynamo.New(dynamodb.NewFromConfig(awsCfg, dynamo.LocalEndpointOptions), cfg.TableName, s.StoreOptions...)
	if err != nil {
		return nil, fmt.Errorf("app: store: %w", err)
	}
	poster := s.Poster
	if poster == nil {
		p, err := apigw.NewPoster(awsCfg, cfg.CallbackURL)
		if err != nil {
			return nil, fmt.Errorf("app: management API: %w", err)
		}
		poster = p
	}
	metrics := s.Metrics
	if metrics == nil {
		metrics = os.Stdout // EMF: CloudWatch Logs turns these lines into metrics
	}
	// The fan-out reports gone connections to the service, which the
	// service itself needs the fan-out to exist for: svc is set below,
	// before any Send can run.
	var svc *service.Chat
	fan := fanout.New(poster, fanout.Config{Metrics: metrics, Logger: logger, OnGone: func(ctx context.Context, connID string) {
		// Gone, not Disconnect: a 410 may come from a connection whose
		// $connect is still running (service.Gone keeps young ones).
		if err := svc.Gone(ctx, connID); err != nil {
			logger.LogAttrs(ctx, slog.LevelError, "cleanup of gone connection failed",
				slog.String("connectionId", connID), slog.String("error", err.Error()))
		}
	}})
	var svcFan chat.Fanout = fan
	if cfg.Fanout.QueueURL != "" {
		queue := fanoutqueue.NewQueue(sqs.NewFromConfig(awsCfg), cfg.Fanout.QueueURL)
		svcFan = &fanoutqueue.Router{Inline: fan, Queue: queue, Threshold: cfg.Fanout.InlineLimit, Logger: logger}
	}
	scfg := service.Config{Store: store, Fanout: svcFan, Logger: logger, Blobs: s.Blobs, Files: s.Files, SystemLines: true, People: s.People,
		AuditRetention: time.Duration(cfg.AuditRetentionDays) * 24 * time.Hour, PushKey: s.PushKey,
		RetentionDays: int(cfg.RetentionDays), E2EEMaxMembers: int(cfg.E2EEMaxMembers),
		Timer: s.Timer, ReminderPush: s.ReminderPush, Gifs: s.Gifs, ExportQueue: s.ExportQueue, Erasure: s.Erasure, ErasurePolicy: s.ErasurePolicy,
		TermsVersion: s.TermsVersion, Review: s.Review, Hooks: s.Hooks, CommandResponseBase: s.CommandResponseBase,
		ICEServers: s.ICEServers, CallPush: s.CallPush, CallMaxSize: s.CallMaxSize}
	if scfg.Review.Reviewer != nil && scfg.Review.Metrics == nil {
		scfg.Review.Metrics = metrics
	}
	if closer, ok := poster.(chat.Closer); ok {
		scfg.Closer = closer // @connections DELETE, for deactivation
	}
	if s.EditService != nil {
		s.EditService(&scfg)
	}
	if svc, err = service.New(scfg); err != nil {
		return nil, fmt.Errorf("app: service: %w", err)
	}
	if src := visitorapp.Source(cfg.Visitor, &awsCfg, nil); src != nil {
		svc.SetVisitorKeys(src) // support widgets (issue #17)
	}
	return &Core{Service: svc, Logger: logger, AWS: awsCfg, Fanout: fan, Store: store}, nil
}
