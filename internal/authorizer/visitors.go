package authorizer

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// Visitor tokens (issue #17): the support widget's visitors connect with a
// token the HTTP API's session route issued (internal/visitor: HS256, key
// derived from the DigestKey secret, 1 hour). The authorizer tells one from
// a Cognito token by its header (alg HS256, kid visitor.KeyID), verifies
// signature, expiry and kind, and requires the WebSocket request's Origin
// header to equal the origin the token was issued to: a token lifted from
// one site is useless from another page (browsers set Origin; a non-browser
// client can forge it, but then it only reaches the same visitor's own
// conversations). Whether that origin is STILL allowed by the widget is
// checked by the $connect integration, which reads the table (this function
// links no DynamoDB), before it registers the connection.

// Context keys of a visitor connection (besides the identity's).
const (
	ctxWidgetID      = "widgetId"
	ctxVisitorOrigin = "visitorOrigin"
	ctxIdentified    = "identified"
)

// GroupVisitors is the group every visitor identity is in.
const GroupVisitors = chat.GroupVisitors

// DefaultVisitorName is a visitor's display name without a pre-chat name.
const DefaultVisitorName = "Visitor"

// VisitorVerifier verifies visitor tokens (vtoken.Verifier does, loading
// its keys on the first visitor token: a Cognito sign-in never waits for
// Secrets Manager). An interface, so that the functions reading this
// package's context link no JWT library.
type VisitorVerifier interface {
	VerifyVisitor(ctx context.Context, token string) (visitor.Claims, time.Time, error)
}

// WithVisitors lets h accept visitor tokens verified by v; without it
// visitor tokens are refused.
func (h *Handler) WithVisitors(v VisitorVerifier) *Handler {
	h.visitors = v
	return h
}

// visitorReason names a verification failure for the log.
func visitorReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "expired"):
		return "visitor token expired"
	case strings.Contains(msg, "keys unavailable") || errors.Is(err, visitor.ErrNoKey):
		return "cannot load the visitor key"
	}
	return "invalid visitor token"
}

// visitorConnect answers a $connect carrying a visitor token.
func (h *Handler) visitorConnect(ctx context.Context, log *slog.Logger, req events.APIGatewayCustomAuthorizerRequestTypeRequest, resource, token, source string) (events.APIGatewayCustomAuthorizerResponse, error) {
	var none events.APIGatewayCustomAuthorizerResponse
	if h.visitors == nil {
		log.InfoContext(ctx, "authorizer: refusing connect", "reason", "visitor tokens are not enabled", "tokenSource", source)
		return none, ErrUnauthorized
	}
	claims, exp, err := h.visitors.VerifyVisitor(ctx, token)
	if err != nil {
		reason := visitorReason(err)
		if reason == "cannot load the visitor key" {
			log.ErrorContext(ctx, "authorizer: refusing connect", "reason", reason, "error", err)
		} else {
			log.InfoContext(ctx, "authorizer: refusing connect", "reason", reason, "tokenSource", source)
		}
		return none, ErrUnauthorized
	}
	origins := headerValues(req, "Origin")
	if len(origins) != 1 || !sameOrigin(origins[0], claims.Origin) {
		log.WarnContext(ctx, "authorizer: refusing connect", "reason", "origin does not match the visitor token", "widgetId", claims.WidgetID, "origin", strings.Join(origins, ","))
		return none, ErrUnauthorized
	}
	name := strings.TrimSpace(claims.Name)
	if name == "" {
		name = DefaultVisitorName
	}
	authCtx := map[string]any{
		ctxUserID:        claims.VisitorID,
		ctxUsername:      claims.VisitorID,
		ctxDisplayName:   name,
		ctxEmail:         claims.Email,
		ctxGroups:        GroupVisitors,
		ctxTokenExpires:  strconv.FormatInt(exp.Unix(), 10),
		ctxWidgetID:      claims.WidgetID,
		ctxVisitorOrigin: claims.Origin,
		ctxIdentified:    strconv.FormatBool(claims.Identified),
	}
	log.InfoContext(ctx, "authorizer: visitor connect allowed", "visitorId", claims.VisitorID, "widgetId", claims.WidgetID, "tokenSource", source)
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    claims.VisitorID,
		PolicyDocument: allowInvoke(resource),
		Context:        authCtx,
	}, nil
}

// sameOrigin compares two origins as the widget's rules do: scheme and
// host case-insensitively, the port exactly.
func sameOrigin(a, b string) bool {
	a, b = strings.TrimRight(strings.TrimSpace(a), "/"), strings.TrimRight(strings.TrimSpace(b), "/")
	return a != "" && strings.EqualFold(a, b)
}

// Visitor is what the authorizer vouched for about a visitor connection.
type Visitor struct {
	WidgetID   string
	Origin     string
	Identified bool
}

// VisitorFromContext returns the visitor part of the authorizer context,
// if the connection is a visitor's: the $connect integration must then
// check the widget still allows Origin and register the identity with
// its widget.
func VisitorFromContext(m map[string]any) (Visitor, bool) {
	wid, err1 := contextString(m[ctxWidgetID])
	origin, err2 := contextString(m[ctxVisitorOrigin])
	ident, _ := contextString(m[ctxIdentified])
	if err1 != nil || err2 != nil || strings.TrimSpace(wid) == "" || strings.TrimSpace(origin) == "" {
		return Visitor{}, false
	}
	return Visitor{WidgetID: strings.TrimSpace(wid), Origin: strings.TrimSpace(origin), Identified: ident == "true"}, true
}

// isVisitorIdentity: a sign-in identity in the visitors group or with a
// visitor's id prefix (a Cognito user must never pass for a visitor, nor a
// visitor's narrow rights be applied to a person without a widget).
func isVisitorIdentity(id chat.Identity) bool {
	return strings.HasPrefix(id.UserID, chat.VisitorIDPrefix) || id.IsVisitor()
}
