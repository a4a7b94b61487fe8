package app

import (
	"os"
	"strconv"
	"strings"
	"time"
)

// The message review hook (issue 16): the functions that send messages
// (actions, scheduled) invoke REVIEW_HOOK_FUNCTION synchronously before
// storing each message (internal/lambdareview). Unset: no review.
// AWS_ENDPOINT_URL_LAMBDA points the Lambda client elsewhere (make dev:
// internal/local/locallambda).
const (
	// EnvReviewHookFunction is the hook's function name or ARN.
	EnvReviewHookFunction = "REVIEW_HOOK_FUNCTION"
	// EnvReviewHookTimeoutMS is the time budget of one review in
	// milliseconds (default 800, at most 10000).
	EnvReviewHookTimeoutMS = "REVIEW_HOOK_TIMEOUT_MS"
	// EnvReviewHookFailure is what a failed or late review does: "open"
	// (the default: the message goes through, logged and counted) or
	// "closed" (the message is rejected).
	EnvReviewHookFailure = "REVIEW_HOOK_FAILURE"
)

// EnvReviewDenyWords configures the example hook (functions/reviewhook):
// comma-separated words it denies messages for; unset: it only masks.
const EnvReviewDenyWords = "REVIEW_DENY_WORDS"

// ReviewDenyWordsFromEnv reads REVIEW_DENY_WORDS.
func ReviewDenyWordsFromEnv() []string {
	var words []string
	for w := range strings.SplitSeq(os.Getenv(EnvReviewDenyWords), ",") {
		if w = strings.TrimSpace(w); w != "" {
			words = append(words, w)
		}
	}
	return words
}

// MaxReviewHookTimeout bounds REVIEW_HOOK_TIMEOUT_MS: the sender waits.
const MaxReviewHookTimeout = 10 * time.Second

// ReviewSettings configure the review hook; Function "" turns it off.
type ReviewSettings struct {
	Function   string        // REVIEW_HOOK_FUNCTION
	Timeout    time.Duration // REVIEW_HOOK_TIMEOUT_MS (0: the service's default)
	FailClosed bool          // REVIEW_HOOK_FAILURE=closed
}

// On says whether a hook is configured.
func (s ReviewSettings) On() bool { return s.Function != "" }

func (r *reader) review() ReviewSettings {
	s := ReviewSettings{Function: r.get(EnvReviewHookFunction)}
	if v := r.get(EnvReviewHookTimeoutMS); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || time.Duration(n)*time.Millisecond > MaxReviewHookTimeout {
			r.fail(EnvReviewHookTimeoutMS, v, "milliseconds from 1 to 10000")
		}
		s.Timeout = time.Duration(n) * time.Millisecond
	}
	switch v := r.get(EnvReviewHookFailure); v {
	case "", "open":
	case "closed":
		s.FailClosed = true
	default:
		r.fail(EnvReviewHookFailure, v, "open or closed")
	}
	return s
}
