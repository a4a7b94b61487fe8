// Command pushsender is the Lambda on the push queue: each record is one
// person's push job, sent encrypted to every device they subscribed
// (Web Push, VAPID); gone subscriptions are deleted
// (ReportBatchItemFailures for records whose push service was
// unavailable).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/pushsenderapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.PushSenderConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w, err := pushsenderapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(w.Handle)
}
