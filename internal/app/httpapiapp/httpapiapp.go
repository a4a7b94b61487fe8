// Package httpapiapp wires the HTTP API function (functions/httpapi): the
// chat service over DynamoDB and the fan-out (a webhook's or a bot's
// message goes through the same send path as a client's, review hook
// included) under internal/httpapi's router, with EventBridge Scheduler
// for a bot's scheduleMessage. No Cognito, no S3.
package httpapiapp

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/reviewapp"
	"github.com/backchannel-chat/backchannel/internal/httpapi"
	"github.com/backchannel-chat/backchannel/internal/scheduled"
)

// Build wires the API from cfg.
func Build(ctx context.Context, cfg app.HTTPAPIConfig, opts ...chatapp.Option) (*httpapi.API, error) {
	s := chatapp.Collect(opts)
	if (cfg.Scheduled.Enabled() && s.Timer == nil) || (cfg.Review.On() && s.Review.Reviewer == nil) {
		awsCfg, err := awsconfig.Load(ctx, s.AWSConfig, s.HTTPClient)
		if err != nil {
			return nil, err
		}
		opts = append(opts[:len(opts):len(opts)], chatapp.WithAWSConfig(awsCfg))
		if cfg.Scheduled.Enabled() && s.Timer == nil {
			opts = append(opts, chatapp.WithScheduleTimer(&scheduled.Timer{Client: scheduler.NewFromConfig(awsCfg),
				Group: cfg.Scheduled.Group, RoleARN: cfg.Scheduled.RoleARN, TargetARN: cfg.Scheduled.TargetARN, DeadLetterARN: cfg.Scheduled.DeadLetterARN}))
		}
		if cfg.Review.On() && s.Review.Reviewer == nil {
			opt, err := reviewapp.Option(awsCfg, cfg.Review)
			if err != nil {
				return nil, err
			}
			opts = append(opts, opt)
		}
	}
	core, err := chatapp.Build(ctx, cfg.ConnectionConfig, opts...)
	if err != nil {
		return nil, err
	}
	return New(core, cfg)
}

// New is the API over a wired service (the in-process chat shares its
// service with the other handlers).
func New(core *chatapp.Core, cfg app.HTTPAPIConfig) (*httpapi.API, error) {
	return httpapi.New(httpapi.Config{Chat: core.Service, Logger: core.Logger, MaxBodyBytes: int(cfg.MaxBodyBytes), VisitorWSURL: cfg.VisitorWSURL})
}
