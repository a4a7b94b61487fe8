package digest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Signer signs and verifies unsubscribe tokens: HMAC-SHA256 under a key
// kept in Secrets Manager (the deployment) or generated locally.
//
// A token is base64url(userId) "." issued-unix "." base64url(mac), the MAC
// over "unsubscribe:v1:" userId ":" issued. It does not expire: a link in
// an old mail must still work (RFC 8058 asks for a lasting one-click
// opt-out); it can do one thing only, turn that person's email off.
type Signer struct{ key []byte }

// MinKeyBytes is the shortest key NewSigner accepts.
const MinKeyBytes = 32

// NewSigner uses key (at least MinKeyBytes).
func NewSigner(key []byte) (*Signer, error) {
	if len(key) < MinKeyBytes {
		return nil, errors.New("digest: the unsubscribe key must have at least 32 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

func (s *Signer) mac(userID string, issued int64) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("unsubscribe:v1:" + userID + ":" + strconv.FormatInt(issued, 10)))
	return h.Sum(nil)
}

// Token signs an unsubscribe token for userID.
func (s *Signer) Token(userID string, now time.Time) string {
	issued := now.Unix()
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(userID)) + "." + strconv.FormatInt(issued, 10) + "." + enc.EncodeToString(s.mac(userID, issued))
}

// ErrBadToken is a token that is malformed or not signed with the key.
var ErrBadToken = errors.New("digest: invalid unsubscribe token")

// Verify returns the user id of a valid token.
func (s *Signer) Verify(token string) (string, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(token) > 512 {
		return "", ErrBadToken
	}
	enc := base64.RawURLEncoding
	user, err1 := enc.DecodeString(parts[0])
	issued, err2 := strconv.ParseInt(parts[1], 10, 64)
	mac, err3 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || len(user) == 0 {
		return "", ErrBadToken
	}
	if !hmac.Equal(mac, s.mac(string(user), issued)) {
		return "", ErrBadToken
	}
	return string(user), nil
}
