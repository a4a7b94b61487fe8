package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/supportbotapp"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
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
