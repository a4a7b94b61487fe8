package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
	"github.com/backchannel-chat/backchannel/internal/app/supportbotapp"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

// addSupportBotRule runs customer support's FAQ bot as the local
// EventBridge's rule target, as the stack's rule invokes
// functions/supportbot: asynchronously, on message.created (the handler
// answers visitors' messages only, as the stack's pattern on
// detail.senderId keeps them), with Lambda's two retries and a dead-letter
// queue. It uses the connection function's environment (startChat set it).
func addSupportBotRule(ctx context.Context, bus *localbus.Server, busName string, logger *slog.Logger) error {
	cfg, err := app.ConnectionConfigFromEnv()
	if err != nil {
		return fmt.Errorf("support bot: %w", err)
	}
	h, err := supportbotapp.Build(ctx, cfg, chatapp.WithLogger(logger))
	if err != nil {
		return fmt.Errorf("build the support bot: %w", err)
	}
	return bus.AddRule(localbus.Rule{
		Name: "supportbot", Bus: busName, Sources: []string{eventbus.Source}, DetailTypes: []string{"message.created"},
		MaximumRetryAttempts: -1,
		Target: func(ctx context.Context, ev localbus.Event) error {
			raw, err := json.Marshal(ev)
			if err != nil {
				return err
			}
			return h.HandleJSON(ctx, raw)
		},
	})
}

// lateConsumer is a stream consumer set after the stream function is
// built: support's mail needs the SES stand-in and the digest key, which
// startDigest makes after the events started (the web server needs them).
type lateConsumer struct {
	c atomic.Pointer[chat.EventConsumer]
}

func (l *lateConsumer) set(c chat.EventConsumer) { l.c.Store(&c) }

func (l *lateConsumer) Consume(ctx context.Context, evs []chat.Event) error {
	if c := l.c.Load(); c != nil {
		return (*c).Consume(ctx, evs)
	}
	return nil
}

// startSupportMail builds customer support's mail (replies in email
// conversations, transcripts) as the stream function runs it with mail on,
// against the digest's SES (the stand-in) and key, and hands it to late.
func startSupportMail(ctx context.Context, stack *devstack.Stack, d *digestRunner, late *lateConsumer) error {
	awsCfg, err := config.LoadDefaultConfig(ctx) // the SES endpoint startDigest set
	if err != nil {
		return err
	}
	store, err := dynamo.New(stack.DynamoDBClient(), stack.Resources.TableName)
	if err != nil {
		return err
	}
	cfg := app.StreamConfig{TableName: stack.Resources.TableName, MailFrom: d.from, MailKey: d.key}
	m, err := streamapp.SupportMail(ctx, awsCfg, cfg, store, app.NewLogger(os.Stderr, slog.LevelInfo))
	if err != nil {
		return fmt.Errorf("support mail: %w", err)
	}
	late.set(m)
	return nil
}
