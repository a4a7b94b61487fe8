package main

import (
	"fmt"
	"io"
	"os"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/local/locallambda"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

// EnvDevReviewHook turns make dev's message review hook on:
// REVIEW_HOOK=example runs the example hook (functions/reviewhook: it
// masks e-mail addresses and card numbers, and denies messages with the
// words of REVIEW_DENY_WORDS) in the Lambda stand-in
// (internal/local/locallambda) that the chat's real Lambda client calls.
// Off by default, as in a deployment. REVIEW_HOOK_FUNCTION with
// AWS_ENDPOINT_URL_LAMBDA (or real AWS credentials) calls another
// function instead; REVIEW_HOOK_TIMEOUT_MS and REVIEW_HOOK_FAILURE apply
// either way.
const EnvDevReviewHook = "REVIEW_HOOK"

// devReviewFunction is the example hook's name in the stand-in.
const devReviewFunction = "backchannel-reviewhook"

type reviewRunner struct {
	srv *locallambda.Server
}

// startReview runs before startChat: it sets REVIEW_HOOK_FUNCTION and
// AWS_ENDPOINT_URL_LAMBDA for the actions' config.
func startReview(out io.Writer) (*reviewRunner, error) {
	switch v := os.Getenv(EnvDevReviewHook); v {
	case "", "off":
		if fn := os.Getenv(app.EnvReviewHookFunction); fn != "" {
			fmt.Fprintf(out, "review hook: %s (REVIEW_HOOK_FUNCTION)\n", fn)
		}
		return &reviewRunner{}, nil
	case "example":
	default:
		return nil, fmt.Errorf("%s=%q: want example or off", EnvDevReviewHook, v)
	}
	srv, err := locallambda.Start("127.0.0.1:0", nil)
	if err != nil {
		return nil, err
	}
	// The deployed example has 3 s; the chat's budget ends a review sooner.
	policy := mask.Policy{DenyWords: app.ReviewDenyWordsFromEnv()} // REVIEW_DENY_WORDS, as the deployed example reads it
	srv.Register(devReviewFunction, locallambda.Function{Handler: awslambda.NewHandler(policy.Handle), Timeout: 3 * time.Second})
	for k, v := range map[string]string{app.EnvReviewHookFunction: devReviewFunction, "AWS_ENDPOINT_URL_LAMBDA": srv.URL()} {
		if err := os.Setenv(k, v); err != nil {
			_ = srv.Close()
			return nil, err
		}
	}
	fmt.Fprintf(out, "review hook: the example (masks e-mail addresses and card numbers; denies %q) as %s in the Lambda stand-in at %s\n", policy.DenyWords, devReviewFunction, srv.URL())
	return &reviewRunner{srv: srv}, nil
}

// URL is the Lambda stand-in's address ("" when off or external).
func (r *reviewRunner) URL() string {
	if r == nil || r.srv == nil {
		return ""
	}
	return r.srv.URL()
}

func (r *reviewRunner) Close() error {
	if r == nil || r.srv == nil {
		return nil
	}
	return r.srv.Close()
}
