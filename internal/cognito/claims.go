package cognito

import (
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// idTokenClaims are the claims of a Cognito ID token that we read. The
// registered ones (iss, sub, aud, exp, nbf, iat) come from RegisteredClaims.
type idTokenClaims struct {
	jwt.RegisteredClaims
	TokenUse          string           `json:"token_use"`
	AuthTime          *jwt.NumericDate `json:"auth_time,omitempty"`
	Username          string           `json:"cognito:username"`
	Groups            []string         `json:"cognito:groups"`
	Name              string           `json:"name"`
	PreferredUsername string           `json:"preferred_username"`
	Email             string           `json:"email"`
}

// identity maps verified claims to the chat identity.
func (c *idTokenClaims) identity() chat.Identity {
	username := c.Username
	if username == "" {
		username = c.Subject // Cognito always sets cognito:username; never leave it blank
	}
	return chat.Identity{
		UserID:      c.Subject,
		Username:    username,
		DisplayName: displayName(c.Name, c.PreferredUsername, c.Email, username),
		Email:       c.Email,
		Groups:      c.Groups,
		// exp is required by the parser, so ExpiresAt is never nil here.
		TokenExpiresAt: c.ExpiresAt.UTC(),
	}
}

// displayName picks the friendliest name the token offers: the name
// attribute, then preferred_username, then the local part of the email, and
// last the username (in pools that sign in by email that is a UUID).
func displayName(name, preferred, email, username string) string {
	if s := strings.TrimSpace(name); s != "" {
		return s
	}
	if s := strings.TrimSpace(preferred); s != "" {
		return s
	}
	if local, _, ok := strings.Cut(email, "@"); ok && strings.TrimSpace(local) != "" {
		return strings.TrimSpace(local)
	}
	return username
}
