// Command stream is the Lambda on the table's DynamoDB stream: it decodes
// each record into chat domain events and publishes them to the
// EventBridge bus EVENT_BUS_NAME (ReportBatchItemFailures).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/streamapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.StreamConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	opts := []streamapp.Option{streamapp.WithAnalyticsMetrics(os.Stdout)}
	digestCfg, err := app.DigestConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if digestCfg.TargetARN != "" { // mail is on: missed DMs and mentions are scheduled for a digest
		opts = append(opts, streamapp.WithDigestScheduling(digestCfg))
	}
	h, err := streamapp.Build(ctx, cfg, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(h.Handle)
}
