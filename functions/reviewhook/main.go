// Command reviewhook is the example message review hook (issue 16): the
// chat's actions and scheduled functions invoke it synchronously with
// every message before storing it, and it masks e-mail addresses and card
// numbers (internal/reviewhook/mask). It is in the stack only with
// `-c reviewHook=example`; docs/INTEGRATIONS.md says how to write your own.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

func main() {
	lambda.Start(mask.Handle)
}
