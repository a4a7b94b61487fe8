package app

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Option adjusts how Build wires the App; the Lambda mains use none, the
// local runner and tests use them to inject clients and observe.
type Option func(*options)

type options struct {
	awsConfig    *aws.Config
	httpClient   *http.Client
	logger       *slog.Logger
	metrics      io.Writer
	poster       chat.Poster
	storeOptions []dynamo.Option
	editService  func(*service.Config)
}

// WithAWSConfig uses cfg instead of loading the default configuration
// (region, credentials and endpoints from the environment).
func WithAWSConfig(cfg aws.Config) Option {
	return func(o *options) { o.awsConfig = &cfg }
}

// WithHTTPClient sends the JWKS fetches, and the AWS requests when no AWS
// config is given, through c.
func WithHTTPClient(c *http.Client) Option {
	return func(o *options) { o.httpClient = c }
}

// WithLogger replaces the JSON logger on stderr at the configured level.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) { o.logger = l }
}

// WithMetrics sends the fan-out's EMF metric lines to w instead of stdout
// (io.Discard to drop them).
func WithMetrics(w io.Writer) Option {
	return func(o *options) { o.metrics = w }
}

// WithPoster delivers fan-out payloads through p instead of the API Gateway
// management API (benchmarks use a no-op poster).
func WithPoster(p chat.Poster) Option {
	return func(o *options) { o.poster = p }
}

// WithStoreOptions passes options to the DynamoDB store (for example
// dynamo.WithCapacityRecorder).
func WithStoreOptions(opts ...dynamo.Option) Option {
	return func(o *options) { o.storeOptions = append(o.storeOptions, opts...) }
}

// WithServiceConfig lets edit adjust the service's configuration (limits,
// clock) after Build has filled in the store, fan-out and logger.
func WithServiceConfig(edit func(*service.Config)) Option {
	return func(o *options) { o.editService = edit }
}
