// Command supportbot is customer support's FAQ bot: an EventBridge rule on
// the chat bus's message.created events of visitors (detail.senderId
// prefix "vis_") invokes it asynchronously; it answers each message in a
// conversation with the bot from the widget's FAQ, or hands over to a
// person (internal/supportbot), through the chat service. An error makes
// Lambda retry the event twice, then send it to the dead-letter queue
// (infra/chatstack/supportbot.go).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/supportbotapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.ConnectionConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h, err := supportbotapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
