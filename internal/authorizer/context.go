package authorizer

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// IdentityFromContext reads back the identity this authorizer put in its
// context, as API Gateway passes it to the $connect integration in
// requestContext.authorizer (alongside principalId and integrationLatency).
// In a Lambda that value decodes as map[string]any; values may arrive as
// strings, JSON numbers (float64 or json.Number) or booleans, so all are
// accepted and turned into strings. A context without userId means the route
// was not behind this authorizer: that is Forbidden.
func IdentityFromContext(m map[string]any) (chat.Identity, error) {
	fields := make(map[string]string, 6)
	for _, key := range []string{ctxUserID, ctxUsername, ctxDisplayName, ctxEmail, ctxGroups, ctxTokenExpires} {
		s, err := contextString(m[key])
		if err != nil {
			return chat.Identity{}, &chat.Error{Code: chat.Internal, Message: "bad authorizer context", Err: fmt.Errorf("%s: %w", key, err)}
		}
		fields[key] = strings.TrimSpace(s)
	}
	id := chat.Identity{
		UserID:      fields[ctxUserID],
		Username:    fields[ctxUsername],
		DisplayName: fields[ctxDisplayName],
		Email:       fields[ctxEmail],
	}
	if id.UserID == "" {
		return chat.Identity{}, chat.Errorf(chat.Forbidden, "no verified identity")
	}
	if id.Username == "" {
		id.Username = id.UserID
	}
	if id.DisplayName == "" {
		id.DisplayName = id.Username
	}
	if s := fields[ctxTokenExpires]; s != "" {
		exp, err := strconv.ParseInt(s, 10, 64)
		if err != nil || exp <= 0 {
			return chat.Identity{}, &chat.Error{Code: chat.Internal, Message: "bad authorizer context", Err: fmt.Errorf("%s: %q is not Unix seconds", ctxTokenExpires, s)}
		}
		id.TokenExpiresAt = time.Unix(exp, 0).UTC()
	}
	for _, g := range strings.Split(fields[ctxGroups], ",") {
		if g = strings.TrimSpace(g); g != "" {
			id.Groups = append(id.Groups, g)
		}
	}
	return id, nil
}

func contextString(v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	case json.Number:
		return v.String(), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(v), nil
	case int64:
		return strconv.FormatInt(v, 10), nil
	case bool:
		return strconv.FormatBool(v), nil
	default:
		return "", fmt.Errorf("unexpected %T", v)
	}
}
