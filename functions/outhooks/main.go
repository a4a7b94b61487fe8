// Command outhooks is the outgoing webhooks' delivery function: an
// EventBridge rule on the bus's message.created events invokes it
// asynchronously; it posts each message, signed, to the outgoing webhooks
// of its room that it fires (internal/outhook), retrying with backoff. An
// error makes Lambda retry the event twice, then send it to the
// dead-letter queue (infra/chatstack/outhooks.go).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/outhookapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.OutHookConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h, err := outhookapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
