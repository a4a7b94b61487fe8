// Command samplebot is the sample bot's Lambda (docs/INTEGRATIONS.md "The
// sample bot"): an EventBridge rule on the chat's bus sends it
// message.created events; it answers over the bot HTTP API. Environment:
// BACKCHANNEL_API_URL (the stack's HttpApiUrl) and BOT_TOKEN (the bot's
// token; keep it in Secrets Manager or SSM and pass it in at deploy).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/samplebot"
)

func main() {
	api, token := os.Getenv("BACKCHANNEL_API_URL"), os.Getenv("BOT_TOKEN")
	if api == "" || token == "" {
		fmt.Fprintln(os.Stderr, "samplebot: set BACKCHANNEL_API_URL and BOT_TOKEN")
		os.Exit(1)
	}
	bot := &samplebot.Bot{API: api, Token: token}
	lambda.Start(bot.Handle)
}
