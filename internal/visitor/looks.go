package visitor

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// KeyID is the JWT header's kid of visitor tokens: with alg HS256 it tells
// a visitor token from a Cognito one (RS256) before any check.
const KeyID = "bcv1"

// LooksLikeToken tells a visitor token from any other JWT by its header
// alone (alg HS256, kid KeyID): the authorizer routes on it, and Verify
// decides.
func LooksLikeToken(token string) bool {
	head, _, ok := strings.Cut(token, ".")
	if !ok || len(head) > 256 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return false
	}
	var h struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if json.Unmarshal(b, &h) != nil {
		return false
	}
	return h.Alg == "HS256" && h.Kid == KeyID
}
