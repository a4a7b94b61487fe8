package localgw

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// hasIdentitySource reports whether the $connect request carries the
// authorizer's identity source: the "token" query parameter or the
// Sec-WebSocket-Protocol header (browsers cannot set Authorization on a
// WebSocket). API Gateway answers 401 without calling the authorizer when
// the identity source is missing.
func hasIdentitySource(r *http.Request) bool {
	return r.URL.Query().Get("token") != "" || r.Header.Get("Sec-WebSocket-Protocol") != ""
}

// methodArn is the ARN API Gateway passes to a WebSocket REQUEST authorizer.
func (g *Gateway) methodArn() string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/$connect", g.cfg.Region, g.cfg.AccountID, g.cfg.APIID, g.cfg.Stage)
}

// authorizerEvent builds the REQUEST authorizer input for a $connect.
func (g *Gateway) authorizerEvent(c *conn, hs handshake, requestID string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:                            "REQUEST",
		MethodArn:                       g.methodArn(),
		Headers:                         hs.headers,
		MultiValueHeaders:               hs.multiValueHeaders,
		QueryStringParameters:           hs.query,
		MultiValueQueryStringParameters: hs.multiValueQuery,
		StageVariables:                  map[string]string{},
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Stage:     g.cfg.Stage,
			RequestID: requestID,
			Identity:  events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: c.sourceIP},
			APIID:     g.cfg.APIID,
		},
	}
}

// authorize runs the REQUEST authorizer. It returns the value of
// requestContext.authorizer for the connection's events, or the HTTP status
// that refuses the handshake.
func (g *Gateway) authorize(log *slog.Logger, c *conn, hs handshake, requestID string) (map[string]any, int) {
	resp, err := g.invokeAuthorizer(log, g.authorizerEvent(c, hs, requestID))
	switch {
	case err != nil && err.Error() == "Unauthorized":
		log.Info("authorizer refused the connection", "status", http.StatusUnauthorized)
		return nil, http.StatusUnauthorized
	case err != nil:
		log.Error("authorizer failed", "error", err.Error())
		return nil, http.StatusInternalServerError
	}
	for key, value := range resp.Context {
		switch value.(type) {
		case string, float64, bool:
		default: // API Gateway accepts only scalar context values
			log.Error("authorizer context value is not a string, number or boolean", "key", key)
			return nil, http.StatusInternalServerError
		}
	}
	if !policyAllows(resp.PolicyDocument, g.methodArn()) {
		log.Info("authorizer policy denies the connection", "principalId", resp.PrincipalID, "status", http.StatusForbidden)
		return nil, http.StatusForbidden
	}
	authz := make(map[string]any, len(resp.Context)+1)
	for key, value := range resp.Context {
		authz[key] = value
	}
	authz["principalId"] = resp.PrincipalID
	return authz, 0
}

// policyAllows evaluates the authorizer's IAM policy for execute-api:Invoke
// on arn: an explicit Deny wins, otherwise a matching Allow is required.
func policyAllows(doc events.APIGatewayCustomAuthorizerPolicy, arn string) bool {
	allowed := false
	for _, st := range doc.Statement {
		if !anyMatches(st.Action, "execute-api:Invoke", true) || !anyMatches(st.Resource, arn, false) {
			continue
		}
		switch strings.ToLower(st.Effect) {
		case "deny":
			return false
		case "allow":
			allowed = true
		}
	}
	return allowed
}

func anyMatches(patterns []string, value string, foldCase bool) bool {
	for _, p := range patterns {
		if foldCase {
			p, value = strings.ToLower(p), strings.ToLower(value)
		}
		if wildcardMatch(p, value) {
			return true
		}
	}
	return false
}

// wildcardMatch matches IAM-style patterns where '*' is any run of
// characters and '?' is one character.
func wildcardMatch(pattern, s string) bool {
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}
