// Command reviewhook is the example message review hook (issue 16): the
// chat's actions and scheduled functions invoke it synchronously with
// every message before storing it, and it masks e-mail addresses and card
// numbers (internal/reviewhook/mask), and denies messages with one of the
// words of REVIEW_DENY_WORDS (none by default). It is in the stack only with
// `-c reviewHook=example`; docs/INTEGRATIONS.md says how to write your own.
package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

func main() {
	level, err := app.LogLevelFromEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	slog.SetDefault(app.NewLogger(os.Stderr, level)) // the hook logs its verdicts at debug
	lambda.Start(mask.Policy{DenyWords: app.ReviewDenyWordsFromEnv()}.Handle)
}
