// Package actionsapp wires the actions function: the chat service over
// DynamoDB and the fan-out, with the files bucket (S3) when FILES_BUCKET
// is set, and the user pool's admin API (internal/cognitoadmin) when
// USER_POOL_ID is set, for the admin console. Tokens are not verified
// here: actions are authorized from the stored connection.
package actionsapp

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/reviewapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/cognitoadmin"
	"github.com/backchannel-chat/backchannel/internal/erasure"
	"github.com/backchannel-chat/backchannel/internal/export"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/s3blob"
	"github.com/backchannel-chat/backchannel/internal/scheduled"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/wsapi"
)

// Build wires the action handler from cfg.
func Build(ctx context.Context, cfg app.ActionsConfig, opts ...chatapp.Option) (*wsapi.ActionHandler, error) {
	core, err := Core(ctx, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return New(core)
}

// Core wires the service with the files: what the actions function uses,
// and the in-process chat shares between its handlers.
func Core(ctx context.Context, cfg app.ActionsConfig, opts ...chatapp.Option) (*chatapp.Core, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := chatapp.Collect(opts)
	awsCfg, err := awsconfig.Load(ctx, s.AWSConfig, s.HTTPClient)
	if err != nil {
		return nil, err
	}
	var blobs chat.BlobStore
	if cfg.FilesBucket != "" {
		b, err := s3blob.New(awsCfg, s3blob.Config{Bucket: cfg.FilesBucket, UsePathStyle: cfg.S3UsePathStyle})
		if err != nil {
			return nil, fmt.Errorf("app: files: %w", err)
		}
		blobs = b
	}
	limits := media.Limits{MaxBytes: cfg.Files.MaxBytes, AllowedTypes: cfg.Files.AllowedTypes}
	opts = append(opts[:len(opts):len(opts)], chatapp.WithAWSConfig(awsCfg), chatapp.WithFiles(blobs, limits), chatapp.WithPushKey(cfg.PushKey), chatapp.WithTermsVersion(cfg.TermsVersion))
	if cfg.HTTPAPIURL != "" {
		opts = append(opts, chatapp.WithCommandResponseBase(cfg.HTTPAPIURL+service.CommandResponsePath))
	}
	if cfg.Scheduled.Enabled() && s.Timer == nil {
		opts = append(opts, chatapp.WithScheduleTimer(&scheduled.Timer{Client: scheduler.NewFromConfig(awsCfg),
			Group: cfg.Scheduled.Group, RoleARN: cfg.Scheduled.RoleARN, TargetARN: cfg.Scheduled.TargetARN, DeadLetterARN: cfg.Scheduled.DeadLetterARN}))
	}
	if cfg.ExportQueueURL != "" && s.ExportQueue == nil {
		opts = append(opts, chatapp.WithExportQueue(export.NewQueue(sqs.NewFromConfig(awsCfg), cfg.ExportQueueURL)))
	}
	if s.Gifs == nil {
		g, err := GifProvider(ctx, awsCfg, cfg.Gifs, s.Logger)
		if err != nil {
			return nil, err
		}
		if g != nil {
			opts = append(opts, chatapp.WithGifs(g))
		}
	}
	if cfg.Review.On() && s.Review.Reviewer == nil {
		opt, err := reviewapp.Option(awsCfg, cfg.Review)
		if err != nil {
			return nil, err
		}
		opts = append(opts, opt)
	}
	if s.ICEServers == nil && s.CallPush == nil {
		opt, err := callsOption(ctx, awsCfg, cfg.Calls)
		if err != nil {
			return nil, fmt.Errorf("app: calls: %w", err)
		}
		opts = append(opts, opt)
	}
	if cfg.UserPoolID != "" && s.People == nil {
		people, err := cognitoadmin.NewFromConfig(awsCfg, cfg.UserPoolID)
		if err != nil {
			return nil, fmt.Errorf("app: people: %w", err)
		}
		opts = append(opts, chatapp.WithPeople(people))
	}
	if cfg.Erasure.QueueURL != "" && s.Erasure == nil {
		opts = append(opts, chatapp.WithErasure(&erasure.Queue{Client: sqs.NewFromConfig(awsCfg), URL: cfg.Erasure.QueueURL}, cfg.Erasure.Policy))
	} else if s.Erasure == nil {
		opts = append(opts, chatapp.WithErasure(nil, cfg.Erasure.Policy))
	}
	return chatapp.Build(ctx, cfg.ConnectionConfig, opts...)
}

// New is the action handler over a wired service.
func New(core *chatapp.Core) (*wsapi.ActionHandler, error) {
	h, err := wsapi.NewActionHandler(core.Service, core.Logger)
	if err != nil {
		return nil, fmt.Errorf("app: action handler: %w", err)
	}
	return h, nil
}
