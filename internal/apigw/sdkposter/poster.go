// Package sdkposter is the management API poster built on the SDK's
// apigatewaymanagementapi client: the baseline the hand-signed
// apigw.Poster is measured and contract-tested against. No function links
// it.
package sdkposter

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/backchannel-chat/backchannel/internal/apigw"
	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Poster posts to connections with the management API.
type Poster struct {
	client *apigatewaymanagementapi.Client
}

var _ chat.Poster = (*Poster)(nil)

// NewPoster wraps a client made by NewClient.
func NewPoster(client *apigatewaymanagementapi.Client) *Poster {
	return &Poster{client: client}
}

// Post sends payload to one connection as one text frame. Errors wrap
// chat.ErrGone (410: the connection no longer exists) or chat.ErrThrottled
// (429 or a throttling code: back off and retry), are TooLarge for a
// payload over the 128 KB message limit, and Internal otherwise.
func (p *Poster) Post(ctx context.Context, connectionID string, payload []byte) error {
	_, err := p.client.PostToConnection(ctx, &apigatewaymanagementapi.PostToConnectionInput{
		ConnectionId: aws.String(connectionID),
		Data:         payload,
	})
	if err != nil {
		return classify(err, "post to connection")
	}
	return nil
}

// Disconnect closes a connection from the server side (forced disconnect,
// ban). A connection that is already gone counts as disconnected.
func (p *Poster) Disconnect(ctx context.Context, connectionID string) error {
	_, err := p.client.DeleteConnection(ctx, &apigatewaymanagementapi.DeleteConnectionInput{
		ConnectionId: aws.String(connectionID),
	})
	if err == nil || errors.Is(classify(err, ""), chat.ErrGone) {
		return nil
	}
	return classify(err, "disconnect connection")
}

var throttleCodes = retry.IsErrorThrottles(retry.DefaultThrottles)

// classify maps an SDK error onto the domain's codes and sentinels. The
// SDK error stays in the chain for logs.
func classify(err error, what string) error {
	var (
		gone     *types.GoneException
		limit    *types.LimitExceededException
		tooLarge *types.PayloadTooLargeException
		httpErr  *smithyhttp.ResponseError
	)
	switch {
	case errors.As(err, &gone),
		errors.As(err, &httpErr) && httpErr.HTTPStatusCode() == 410:
		return &chat.Error{Code: chat.NotFound, Message: "connection gone", Err: fmt.Errorf("%w: %w", chat.ErrGone, err)}
	case errors.As(err, &limit),
		errors.As(err, &httpErr) && httpErr.HTTPStatusCode() == 429,
		throttleCodes.IsErrorThrottle(err) == aws.TrueTernary:
		return &chat.Error{Code: chat.RateLimited, Message: "throttled", Err: fmt.Errorf("%w: %w", chat.ErrThrottled, err)}
	case errors.As(err, &tooLarge):
		return &chat.Error{Code: chat.TooLarge, Message: "message too large", Err: err}
	default:
		return chat.Wrap(err, "%s", what)
	}
}

// NewClient returns a management API client for callbackURL, the stage's
// base URL: https://{apiId}.execute-api.{region}.amazonaws.com/{stage} in
// AWS, http://127.0.0.1:{port}/{stage} with the local gateway. Region and
// credentials come from awsCfg (they sign the requests).
func NewClient(awsCfg aws.Config, callbackURL string) *apigatewaymanagementapi.Client {
	awsCfg.HTTPClient = apigw.HTTPClient(awsCfg.HTTPClient)
	return apigatewaymanagementapi.NewFromConfig(awsCfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(callbackURL)
		o.Retryer = transientOnlyRetryer()
		o.RetryMaxAttempts = 0 // keep AWS_MAX_ATTEMPTS from re-wrapping the retryer
	})
}

// transientOnlyRetryer retries 5xx responses and broken connections a few
// times with a short full-jitter backoff, never throttling (see
// apigw.TransientAttempts), and without the SDK's client-side retry quota: a
// 10,000-recipient fan-out would drain that shared bucket in a moment and
// then fail posts with "retry quota exceeded".
func transientOnlyRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = apigw.TransientAttempts
		o.RateLimiter = ratelimit.None
		o.Retryables = []retry.IsErrorRetryable{
			retry.NoRetryCanceledError{},
			retry.RetryableError{},
			retry.RetryableConnectionError{},
			retry.RetryableHTTPStatusCode{Codes: retry.DefaultRetryableHTTPStatusCodes},
			retry.RetryableErrorCode{Codes: retry.DefaultRetryableErrorCodes},
		}
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
			ceiling := min(apigw.TransientBackoff<<attempt, apigw.TransientMaxDelay)
			return rand.N(ceiling + 1), nil
		})
	})
}
