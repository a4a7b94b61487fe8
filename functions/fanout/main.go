// Command fanout is the Lambda on the fan-out queue: each record is a job
// of up to 1,000 connection ids of a big room and one payload, posted
// concurrently through the API Gateway management API
// (ReportBatchItemFailures for records that are not jobs).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/fanoutapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.FanoutWorkerConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w, err := fanoutapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(w.Handle)
}
