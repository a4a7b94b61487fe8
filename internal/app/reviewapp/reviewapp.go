// Package reviewapp wires the message review hook over Lambda
// (internal/lambdareview) from REVIEW_HOOK_*: the functions that send
// messages (actions, scheduled) add its option to the chat they build.
package reviewapp

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/lambdareview"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Option is the chat option that reviews every message through r's
// function, with r's time budget and failure policy.
func Option(awsCfg aws.Config, r app.ReviewSettings) (chatapp.Option, error) {
	rv, err := lambdareview.New(awsCfg, r.Function)
	if err != nil {
		return nil, fmt.Errorf("app: review hook: %w", err)
	}
	return chatapp.WithReview(service.ReviewConfig{Reviewer: rv, Timeout: r.Timeout, FailClosed: r.FailClosed}), nil
}
