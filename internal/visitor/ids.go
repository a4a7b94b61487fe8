package visitor

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// VisitorIDPrefix starts every visitor's user id: "vis_" + 26 lowercase
// base32 characters (chat.VisitorIDPrefix, chat.IsVisitorID).
const VisitorIDPrefix = "vis_"

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func encodeID(b []byte) string { return b32.EncodeToString(b)[:26] }

// NewVisitorID is a fresh anonymous visitor id.
func NewVisitorID() string {
	b := make([]byte, 17)
	_, _ = rand.Read(b)
	return VisitorIDPrefix + encodeID(b)
}

// IsVisitorID says whether id has a visitor id's shape.
func IsVisitorID(id string) bool {
	rest, ok := strings.CutPrefix(id, VisitorIDPrefix)
	if !ok || len(rest) != 26 {
		return false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

// NewResumeToken is a fresh resume token of a visitor,
// "vrt_<visitorId>.<32 random bytes, base64url>": the visitor id names the
// store partition, the store keeps only the token's SHA-256.
func NewResumeToken(visitorID string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return "vrt_" + visitorID + "." + b64(b)
}

// ResumeTokenVisitor is the visitor id a resume token names ("" if the
// token is malformed).
func ResumeTokenVisitor(token string) string {
	rest, ok := strings.CutPrefix(token, "vrt_")
	if !ok || len(token) > 200 {
		return ""
	}
	id, secret, ok := strings.Cut(rest, ".")
	if !ok || len(secret) < 40 || !IsVisitorID(id) {
		return ""
	}
	return id
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// ResumeTokenHash is what the store keeps of a resume token.
func ResumeTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
