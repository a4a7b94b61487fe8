// Command unfurl is the Lambda on the link-preview queue: each record is
// one message whose first links it previews (internal/unfurl: an
// SSRF-safe fetch, the OpenGraph/Twitter/meta tags, a cache in S3), then
// stores the previews on the message through the change log and pushes
// messageUpdated to the room (ReportBatchItemFailures for records worth a
// retry).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/unfurlapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.UnfurlConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w, err := unfurlapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(w.Handle)
}
