// Command digest is the Lambda that EventBridge Scheduler invokes at a
// person's digest time (internal/digest: email for what was missed).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/digestapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.DigestConfigFromEnv()
	if err == nil {
		err = cfg.ValidateSender()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	a, err := digestapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(a.HandleSchedule)
}
