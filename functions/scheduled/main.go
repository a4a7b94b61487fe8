// Command scheduled is the Lambda that EventBridge Scheduler invokes at a
// scheduled message's or reminder's time (internal/app/scheduledapp).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/scheduledapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.ScheduledFunctionConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a, err := scheduledapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(a.Handle)
}
