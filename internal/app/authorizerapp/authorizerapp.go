// Package authorizerapp wires the $connect authorizer function: the Cognito
// token verifier and the handler, nothing else (no AWS SDK, no DynamoDB, no
// service), so the function's cold start stays small.
package authorizerapp

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/visitorapp"
	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/cognito"
	"github.com/backchannel-chat/backchannel/internal/visitor/vtoken"
)

// Option adjusts the wiring (tests and the local runner).
type Option func(*options)

type options struct {
	httpClient *http.Client
	logger     *slog.Logger
}

// WithHTTPClient fetches the JWKS through c.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithLogger replaces the JSON logger on stderr at the configured level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Build wires the authorizer from cfg.
func Build(_ context.Context, cfg app.AuthorizerConfig, opts ...Option) (*authorizer.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	logger := o.logger
	if logger == nil {
		logger = app.NewLogger(os.Stderr, cfg.LogLevel)
	}
	verifier, err := cognito.NewVerifier(cognito.VerifierConfig{
		Issuer:     cfg.Cognito.Issuer,
		ClientID:   cfg.Cognito.ClientID,
		JWKSURL:    cfg.Cognito.JWKSURL,
		HTTPClient: o.httpClient,
	})
	if err != nil {
		return nil, fmt.Errorf("app: verifier: %w", err)
	}
	h := authorizer.New(verifier, logger)
	if src := visitorapp.Source(cfg.Visitor, nil, o.httpClient); src != nil {
		h.WithVisitors(vtoken.Verifier{Keys: src}) // support widget visitors (issue #17)
	}
	return h, nil
}
