package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/outhookapp"
	"github.com/backchannel-chat/backchannel/internal/eventbus"
	"github.com/backchannel-chat/backchannel/internal/local/localbus"
)

// addOutHookRule runs the outgoing webhooks' delivery function as the
// local EventBridge's rule target, as the stack's rule invokes
// functions/outhooks: asynchronously, on message.created, with Lambda's
// two retries (a minute, then two) and a dead-letter queue (GET
// /dead-letters of the bus, and a log line). Webhooks may reach this
// machine over http.
func addOutHookRule(ctx context.Context, bus *localbus.Server, table, busName string, logger *slog.Logger) error {
	h, err := outhookapp.Build(ctx, app.OutHookConfig{TableName: table}, outhookapp.WithLogger(logger), outhookapp.WithAllowPrivate())
	if err != nil {
		return fmt.Errorf("build the outgoing webhooks' delivery: %w", err)
	}
	return bus.AddRule(localbus.Rule{
		Name: "outhooks", Bus: busName, Sources: []string{eventbus.Source}, DetailTypes: []string{"message.created"},
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
