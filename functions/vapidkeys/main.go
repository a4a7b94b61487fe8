// Command vapidkeys generates the deployment's VAPID key pair at deploy
// time: the handler of a custom resource (answering CloudFormation's
// response URL, cfn.LambdaWrap), which stores the pair in its Secrets
// Manager secret once and returns the public key.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-lambda-go/cfn"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/vapidkeysapp"
)

func main() {
	level, err := app.LogLevelFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	h := &vapidkeysapp.Handler{
		Secrets: secretsmanager.NewFromConfig(cfg),
		Logger:  app.NewLogger(os.Stderr, level),
	}
	lambda.Start(cfn.LambdaWrap(h.Handle))
}
