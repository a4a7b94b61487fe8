package authorizer

import (
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Where a token came from, for logs.
const (
	sourceQuery       = "query"
	sourceSubprotocol = "subprotocol"
)

// tokenFrom returns the token of a $connect request and where it was found,
// or "" if there is none. The query parameter wins: it is what our client
// sends, and a request carrying both must not get to pick the weaker one.
func tokenFrom(req events.APIGatewayCustomAuthorizerRequestTypeRequest) (token, source string) {
	if t := req.QueryStringParameters["token"]; t != "" {
		return t, sourceQuery
	}
	for _, t := range req.MultiValueQueryStringParameters["token"] {
		if t != "" {
			return t, sourceQuery
		}
	}
	for _, value := range headerValues(req, "Sec-WebSocket-Protocol") {
		for _, proto := range strings.Split(value, ",") {
			if proto = strings.TrimSpace(proto); looksLikeJWT(proto) {
				return proto, sourceSubprotocol
			}
		}
	}
	return "", ""
}

// headerValues looks a header up case-insensitively: API Gateway passes
// header names as the client wrote them.
func headerValues(req events.APIGatewayCustomAuthorizerRequestTypeRequest, name string) []string {
	var values []string
	for k, vs := range req.MultiValueHeaders {
		if strings.EqualFold(k, name) {
			values = append(values, vs...)
		}
	}
	if len(values) > 0 {
		return values
	}
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			values = append(values, v)
		}
	}
	return values
}

// looksLikeJWT tells a compact JWS (three base64url segments, the first two
// non-empty) from an ordinary subprotocol name such as "backchannel".
func looksLikeJWT(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
		return false
	}
	for _, r := range s {
		if !(r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}
