// Package apigw delivers payloads to WebSocket connections through the API
// Gateway management API (@connections): chat.Poster for the fan-out, and
// Disconnect for forced disconnects. Requests are built here and signed
// with the SDK's SigV4 signer (signed.go); the SDK's own client, kept as
// the baseline the contract tests and benchmarks compare against, is in
// internal/apigw/sdkposter and linked by no function.
package apigw

import (
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
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

	// TransientAttempts is how often the SDK tries a post that failed with a
	// 5xx or a broken connection. Throttling is deliberately not retried
	// here: internal/fanout retries it with its own backoff, and two layers
	// of retries would multiply the attempts (4 SDK × 5 fan-out) and hide
	// the throttling from the fan-out's metrics.
	TransientAttempts = 3
	TransientBackoff  = 25 * time.Millisecond
	TransientMaxDelay = 250 * time.Millisecond
)

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

// HTTPClient is pooledHTTPClient for the SDK baseline (sdkposter).
func HTTPClient(c aws.HTTPClient) *awshttp.BuildableClient { return pooledHTTPClient(c) }
