// Command unsubscribe is the Lambda behind the digest mails' one-click
// unsubscribe link (a Lambda function URL): it verifies the signed link
// and turns email off for that person.
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
		err = cfg.ValidateUnsubscribe()
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
	lambda.Start(a.HandleURL)
}
