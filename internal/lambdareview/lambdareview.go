// Package lambdareview is the message review hook over AWS Lambda
// (chat.Reviewer): each review is one synchronous Invoke (RequestResponse)
// of the deployment's function with the chat.ReviewRequest as the event,
// and the function's JSON reply is the chat.ReviewVerdict. A function
// error (the X-Amz-Function-Error header: the handler failed or timed
// out) and a reply that is not a verdict are errors; the service applies
// the failure policy (fail open or closed) to them.
package lambdareview

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Invoker is the part of the Lambda client the hook uses.
type Invoker interface {
	Invoke(ctx context.Context, in *lambda.InvokeInput, opts ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// Reviewer invokes Function (a name, ARN or partial ARN, with an optional
// alias or version) for every review.
type Reviewer struct {
	Client   Invoker
	Function string
}

// New is a Reviewer over the Lambda client of cfg (AWS_ENDPOINT_URL_LAMBDA
// points it at internal/local/locallambda locally). The client does not
// retry: the review has a time budget of its own, and a retried
// invocation would only spend it.
func New(cfg aws.Config, function string) (*Reviewer, error) {
	if function == "" {
		return nil, errors.New("lambdareview: no function")
	}
	client := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.RetryMaxAttempts = 1 })
	return &Reviewer{Client: client, Function: function}, nil
}

// Review invokes the function with r and decodes its verdict.
func (rv *Reviewer) Review(ctx context.Context, r chat.ReviewRequest) (chat.ReviewVerdict, error) {
	payload, err := json.Marshal(r)
	if err != nil {
		return chat.ReviewVerdict{}, err
	}
	out, err := rv.Client.Invoke(ctx, &lambda.InvokeInput{
		FunctionName:   aws.String(rv.Function),
		InvocationType: types.InvocationTypeRequestResponse,
		Payload:        payload,
	})
	if err != nil {
		return chat.ReviewVerdict{}, fmt.Errorf("lambdareview: invoke %s: %w", rv.Function, err)
	}
	if out.FunctionError != nil {
		return chat.ReviewVerdict{}, fmt.Errorf("lambdareview: %s failed (%s): %s", rv.Function, aws.ToString(out.FunctionError), truncate(out.Payload, 300))
	}
	var v chat.ReviewVerdict
	if err := json.Unmarshal(out.Payload, &v); err != nil {
		return chat.ReviewVerdict{}, fmt.Errorf("lambdareview: %s answered no verdict: %w: %s", rv.Function, err, truncate(out.Payload, 300))
	}
	switch v.Action {
	case chat.ReviewAllow, chat.ReviewDeny, chat.ReviewRewrite:
		return v, nil
	}
	return chat.ReviewVerdict{}, fmt.Errorf("lambdareview: %s answered action %q: want allow, deny or rewrite", rv.Function, v.Action)
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
