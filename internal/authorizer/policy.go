package authorizer

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Keys of the authorizer context. API Gateway allows only string, number and
// boolean values there, so groups travel comma-joined.
const (
	ctxUserID      = "userId"
	ctxUsername    = "username"
	ctxDisplayName = "displayName"
	ctxEmail       = "email"
	ctxGroups      = "groups"
	// ctxTokenExpires is the token's exp in Unix seconds: the connection
	// lives no longer than the token.
	ctxTokenExpires = "tokenExpiresAt"
)

// connectResource checks that methodArn names a WebSocket $connect route,
// arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/$connect,
// and returns it as the policy's only resource: the allow is no wider than
// the request it answers (hence no IAM wildcards either).
func connectResource(methodArn string) (string, error) {
	if strings.ContainsAny(methodArn, "*?") {
		return "", fmt.Errorf("%q contains a wildcard", methodArn)
	}
	parts := strings.SplitN(methodArn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] != "execute-api" || parts[3] == "" || parts[4] == "" {
		return "", fmt.Errorf("%q is not an execute-api ARN", methodArn)
	}
	path := strings.Split(parts[5], "/")
	if len(path) != 3 || path[0] == "" || path[1] == "" || path[2] != "$connect" {
		return "", fmt.Errorf("%q does not name {apiId}/{stage}/$connect", methodArn)
	}
	return methodArn, nil
}

func allowInvoke(resource string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version: "2012-10-17",
		Statement: []events.IAMPolicyStatement{{
			Action:   []string{"execute-api:Invoke"},
			Effect:   "Allow",
			Resource: []string{resource},
		}},
	}
}

// contextFor flattens an identity into the authorizer context. A group name
// containing a comma cannot survive the comma-joined encoding ("x,admin"
// would read back as two groups, one of them a privilege), so such groups
// are dropped and returned for a warning.
func contextFor(id chat.Identity) (ctx map[string]any, dropped []string) {
	groups := make([]string, 0, len(id.Groups))
	for _, g := range id.Groups {
		if g == "" || strings.Contains(g, ",") {
			dropped = append(dropped, g)
			continue
		}
		groups = append(groups, g)
	}
	ctx = map[string]any{
		ctxUserID:      id.UserID,
		ctxUsername:    id.Username,
		ctxDisplayName: id.DisplayName,
		ctxEmail:       id.Email,
		ctxGroups:      strings.Join(groups, ","),
	}
	if !id.TokenExpiresAt.IsZero() {
		ctx[ctxTokenExpires] = strconv.FormatInt(id.TokenExpiresAt.Unix(), 10)
	}
	return ctx, dropped
}
