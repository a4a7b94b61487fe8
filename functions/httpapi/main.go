// Command httpapi is the Lambda behind the HTTP API (API Gateway HTTP API,
// payload format 2.0): incoming webhooks (POST /hooks/{id}/{secret}) and
// the bot API (/api/...), routed by internal/httpapi.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/httpapiapp"
)

func main() {
	ctx := context.Background()
	cfg, err := app.HTTPAPIConfigFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	api, err := httpapiapp.Build(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lambda.Start(api.Handle)
}
