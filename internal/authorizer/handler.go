// Package authorizer is the Lambda REQUEST authorizer of the WebSocket API's
// $connect route: the one place a connection gets its identity.
//
// It takes the Cognito ID token from the `token` query string parameter (what
// the web client sends) or, failing that, from the Sec-WebSocket-Protocol
// header (browsers cannot set Authorization on a WebSocket, so some clients
// pass the token as a subprotocol: "backchannel, <jwt>"). The token is
// verified (see package cognito); on success the answer allows
// execute-api:Invoke on exactly the $connect ARN of this API and stage, and
// carries the identity as context, which API Gateway hands to the $connect
// integration (see IdentityFromContext). On any failure it returns the error
// "Unauthorized", which API Gateway turns into HTTP 401; tokens are never
// logged.
//
// Caching: API Gateway can cache an authorizer's policy by identity source.
// We deploy with caching off (TTL 0): the policy names one stage's $connect
// only and the identity comes from the token, so caching would save little,
// and with the query string as identity source a cached answer would outlive
// an expired token for the cache's TTL.
package authorizer

import (
	"context"
	"errors"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// ErrUnauthorized is the error API Gateway maps to 401: it matches this
// exact text, hence the capital letter.
var ErrUnauthorized = errors.New("Unauthorized") //nolint:staticcheck // ST1005: the text is API Gateway's contract

// Verifier checks a token and says whom it names (cognito.Verifier does).
type Verifier interface {
	Verify(ctx context.Context, token string) (chat.Identity, error)
}

// Handler answers $connect authorizer requests.
type Handler struct {
	verifier Verifier
	log      *slog.Logger
	visitors VisitorVerifier // visitors.go; nil: visitor tokens refused
}

// New returns a handler; logger nil means slog.Default().
func New(v Verifier, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.Default()
	}
	return &Handler{verifier: v, log: logger}
}

// Handle allows the connection with the verified identity as context, or
// returns ErrUnauthorized.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	log := h.log.With(
		"requestId", req.RequestContext.RequestID,
		"apiId", req.RequestContext.APIID,
		"stage", req.RequestContext.Stage,
		"sourceIp", req.RequestContext.Identity.SourceIP,
	)
	var none events.APIGatewayCustomAuthorizerResponse

	resource, err := connectResource(req.MethodArn)
	if err != nil {
		// Not the client's fault: the authorizer is wired to the wrong route.
		log.ErrorContext(ctx, "authorizer: refusing connect", "reason", "bad methodArn", "methodArn", req.MethodArn, "error", err)
		return none, ErrUnauthorized
	}
	token, source := tokenFrom(req)
	if token == "" {
		log.InfoContext(ctx, "authorizer: refusing connect", "reason", "missing token")
		return none, ErrUnauthorized
	}
	if chat.IsBotToken(token) {
		// Verified by the $connect integration from its hash (bots.go).
		log.InfoContext(ctx, "authorizer: bot token passed on for verification", "tokenSource", source)
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    "bot",
			PolicyDocument: allowInvoke(resource),
			Context:        botContext(token),
		}, nil
	}
	if visitor.LooksLikeToken(token) {
		// A support widget's visitor (visitors.go).
		return h.visitorConnect(ctx, log, req, resource, token, source)
	}
	id, err := h.verifier.Verify(ctx, token)
	if err != nil {
		if chat.ErrorCode(err) == chat.Internal {
			log.ErrorContext(ctx, "authorizer: refusing connect", "reason", "cannot verify tokens", "tokenSource", source, "error", err)
		} else {
			log.InfoContext(ctx, "authorizer: refusing connect", "reason", chat.ErrorMessage(err), "tokenSource", source)
		}
		return none, ErrUnauthorized
	}
	if isVisitorIdentity(id) {
		// Only a visitor token names a visitor; a sign-in token never does.
		log.WarnContext(ctx, "authorizer: refusing connect", "reason", "a sign-in token naming a visitor", "tokenSource", source)
		return none, ErrUnauthorized
	}
	if chat.IsBotID(id.UserID) || id.IsBot() {
		// Only a bot token names a bot; a sign-in token never does.
		log.WarnContext(ctx, "authorizer: refusing connect", "reason", "a sign-in token naming a bot", "tokenSource", source)
		return none, ErrUnauthorized
	}
	authCtx, dropped := contextFor(id)
	if len(dropped) > 0 {
		log.WarnContext(ctx, "authorizer: dropped groups whose names contain a comma", "userId", id.UserID, "groups", dropped)
	}
	log.InfoContext(ctx, "authorizer: connect allowed", "userId", id.UserID, "tokenSource", source)
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    id.UserID,
		PolicyDocument: allowInvoke(resource),
		Context:        authCtx,
	}, nil
}
