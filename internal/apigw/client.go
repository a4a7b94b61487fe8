// Package apigw delivers payloads to WebSocket connections through the API
// Gateway management API (@connections): chat.Poster for the fan-out, and
// Disconnect for forced disconnects.
package apigw

import (
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
)

const (
	// PoolSize is how many keep-alive connections the client keeps to the
	// management endpoint. The SDK's default transport keeps only 10 idle
	// connections per host, so a fan-out with 64 workers would close and
	// re-dial (TCP + TLS) most connections after every post. Keep the fan-out
	// concurrency at or below PoolSize.
	PoolSize = 256

	// requestTimeout bounds one HTTP attempt so a stuck post cannot hold a
	// fan-out worker until the Lambda deadline; a post normally takes tens
	// of milliseconds.
	requestTimeout = 5 * time.Second

	// transientAttempts is how often the SDK tries a post that failed with a
	// 5xx or a broken connection. Throttling is deliberately not retried
	// here: internal/fanout retries it with its own backoff, and two layers
	// of retries would multiply the attempts (4 SDK × 5 fan-out) and hide
	// the throttling from the fan-out's metrics.
	transientAttempts = 3
	transientBackoff  = 25 * time.Millisecond
	transientMaxDelay = 250 * time.Millisecond
)

// NewClient returns a management API client for callbackURL, the stage's
// base URL: https://{apiId}.execute-api.{region}.amazonaws.com/{stage} in
// AWS, http://127.0.0.1:{port}/{stage} with the local gateway. Region and
// credentials come from awsCfg (they sign the requests).
func NewClient(awsCfg aws.Config, callbackURL string) *apigatewaymanagementapi.Client {
	awsCfg.HTTPClient = pooledHTTPClient(awsCfg.HTTPClient)
	return apigatewaymanagementapi.NewFromConfig(awsCfg, func(o *apigatewaymanagementapi.Options) {
		o.BaseEndpoint = aws.String(callbackURL)
		o.Retryer = transientOnlyRetryer()
		o.RetryMaxAttempts = 0 // keep AWS_MAX_ATTEMPTS from re-wrapping the retryer
	})
}

// pooledHTTPClient keeps PoolSize idle connections to the endpoint. A
// caller-provided BuildableClient keeps its other settings (proxy, CA
// bundle); any other client type is replaced, since its pool cannot be
// tuned from here.
func pooledHTTPClient(c aws.HTTPClient) *awshttp.BuildableClient {
	buildable, ok := c.(*awshttp.BuildableClient)
	if !ok || buildable == nil {
		buildable = awshttp.NewBuildableClient()
	}
	return buildable.
		WithTransportOptions(func(t *http.Transport) {
			t.MaxIdleConns = PoolSize
			t.MaxIdleConnsPerHost = PoolSize
			t.MaxConnsPerHost = 0 // no cap: the fan-out's worker pool is the bound
		}).
		WithTimeout(requestTimeout)
}

// transientOnlyRetryer retries 5xx responses and broken connections a few
// times with a short full-jitter backoff, never throttling (see
// transientAttempts), and without the SDK's client-side retry quota: a
// 10,000-recipient fan-out would drain that shared bucket in a moment and
// then fail posts with "retry quota exceeded".
func transientOnlyRetryer() aws.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = transientAttempts
		o.RateLimiter = ratelimit.None
		o.Retryables = []retry.IsErrorRetryable{
			retry.NoRetryCanceledError{},
			retry.RetryableError{},
			retry.RetryableConnectionError{},
			retry.RetryableHTTPStatusCode{Codes: retry.DefaultRetryableHTTPStatusCodes},
			retry.RetryableErrorCode{Codes: retry.DefaultRetryableErrorCodes},
		}
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, _ error) (time.Duration, error) {
			ceiling := min(transientBackoff<<attempt, transientMaxDelay)
			return rand.N(ceiling + 1), nil
		})
	})
}
