// Command erasure is the Lambda on the account erasure queue: each record
// is one deleted account (its user id) whose data it erases, a pass at a
// time (internal/erasure: the pool account, connections, schedules,
// files, then every table item holding the id), queueing a continuation
// when a pass nears the deadline (ReportBatchItemFailures on failure).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/erasureapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.ErasureConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w, err := erasureapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(w.Handle)
}
