// Package scheduledapp wires the scheduled function (functions/scheduled):
// EventBridge Scheduler invokes it at a scheduled message's or reminder's
// time with the schedule's input (service.ScheduledFire), and it runs
// service.DeliverScheduled over the chat service the connection and
// actions functions share (chatapp: DynamoDB and the fan-out; no S3, no
// Cognito), with the Web Push queue for fired reminders when
// PUSH_QUEUE_URL is set. The Lambda main and the local runner share it.
package scheduledapp

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/awsconfig"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/reviewapp"
	"github.com/backchannel-chat/backchannel/internal/notify"
	"github.com/backchannel-chat/backchannel/internal/scheduled"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// App is the wired delivery.
type App struct {
	Service *service.Chat
	Logger  *slog.Logger
}

// Build wires the scheduled function from cfg.
func Build(ctx context.Context, cfg app.ScheduledFunctionConfig, opts ...chatapp.Option) (*App, error) {
	s := chatapp.Collect(opts)
	if cfg.PushQueueURL != "" && s.ReminderPush == nil {
		awsCfg, err := awsconfig.Load(ctx, s.AWSConfig, s.HTTPClient)
		if err != nil {
			return nil, err
		}
		queue := notify.NewSQSQueue(sqs.NewFromConfig(awsCfg), cfg.PushQueueURL)
		opts = append(opts[:len(opts):len(opts)], chatapp.WithAWSConfig(awsCfg),
			chatapp.WithReminderPush(&scheduled.QueuePush{Queue: queue, Previews: !cfg.NoPushPreviews}))
	}
	if cfg.Actions.Review.On() && s.Review.Reviewer == nil {
		// A scheduled message is reviewed when it fires, as if sent then.
		awsCfg, err := awsconfig.Load(ctx, s.AWSConfig, s.HTTPClient)
		if err != nil {
			return nil, err
		}
		opt, err := reviewapp.Option(awsCfg, cfg.Actions.Review)
		if err != nil {
			return nil, err
		}
		opts = append(opts[:len(opts):len(opts)], chatapp.WithAWSConfig(awsCfg), opt)
	}
	core, err := chatapp.Build(ctx, cfg.Actions.ConnectionConfig, opts...)
	if err != nil {
		return nil, fmt.Errorf("scheduledapp: %w", err)
	}
	return New(core.Service, core.Logger), nil
}

// New is the delivery over a wired service (make dev and the tests run it
// over the in-process chat's).
func New(svc *service.Chat, logger *slog.Logger) *App {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &App{Service: svc, Logger: logger}
}

// Handle is the function's handler: the schedule's input is its event. An
// error makes Lambda retry the (asynchronous) invocation, twice, then the
// event goes to the function's dead-letter queue; the delivery is
// idempotent (service.DeliverScheduled).
func (a *App) Handle(ctx context.Context, raw json.RawMessage) error {
	var f service.ScheduledFire
	if err := json.Unmarshal(raw, &f); err != nil || f.UserID == "" || f.ID == "" || f.At.IsZero() {
		// Not retryable: log and drop.
		a.Logger.ErrorContext(ctx, "scheduled: malformed event", slog.String("event", string(raw)), slog.Any("error", err))
		return nil
	}
	out, err := a.Service.DeliverScheduled(ctx, f)
	if err != nil {
		a.Logger.ErrorContext(ctx, "scheduled: delivery failed", slog.String("userId", f.UserID), slog.String("id", f.ID), slog.Any("error", err))
		return err
	}
	a.Logger.InfoContext(ctx, "scheduled: delivered", slog.String("id", f.ID), slog.String("outcome", out))
	return nil
}
