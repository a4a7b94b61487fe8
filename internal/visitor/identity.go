package visitor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Identified visitors: the site's backend signs the visitor it knows,
//
//	signature = hex(HMAC-SHA256(identitySecret, userId + "\n" + email + "\n" + ts))
//
// with ts its clock in Unix seconds, and hands the four values to the
// widget (BackchannelWidget.identify). The session route checks the
// signature in constant time and that ts is at most IdentityMaxAge old (and
// not more than IdentityMaxSkew ahead).
const (
	IdentityMaxAge  = 12 * time.Hour
	IdentityMaxSkew = 5 * time.Minute
	MaxUserIDLen    = 128
)

// Identity is what the site signs.
type Identity struct {
	UserID    string `json:"userId"`
	Email     string `json:"email"`
	Name      string `json:"name,omitempty"`
	TS        int64  `json:"ts"`
	Signature string `json:"signature"`
}

// Errors of CheckIdentity.
var (
	ErrIdentitySignature = errors.New("the identity signature does not match")
	ErrIdentityStale     = errors.New("the identity's ts is too old or in the future: sign it again")
	ErrIdentityInvalid   = errors.New("the identity needs a userId (up to 128 characters) and ts")
)

// SignIdentity is the signature of (userID, email, ts) under secret.
func SignIdentity(secret []byte, userID, email string, ts int64) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(userID + "\n" + email + "\n" + strconv.FormatInt(ts, 10)))
	return hex.EncodeToString(m.Sum(nil))
}

// CheckIdentity verifies id under secret at now.
func CheckIdentity(secret []byte, id Identity, now time.Time) error {
	if strings.TrimSpace(id.UserID) == "" || len(id.UserID) > MaxUserIDLen || id.TS <= 0 {
		return ErrIdentityInvalid
	}
	got, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(id.Signature)))
	want, _ := hex.DecodeString(SignIdentity(secret, id.UserID, id.Email, id.TS))
	if err != nil || !hmac.Equal(got, want) {
		return ErrIdentitySignature
	}
	at := time.Unix(id.TS, 0)
	if now.Sub(at) > IdentityMaxAge || at.Sub(now) > IdentityMaxSkew {
		return ErrIdentityStale
	}
	return nil
}

// IdentifiedVisitorID is the stable visitor id of a site's user on one
// widget: "vis_" + 26 base32 characters of an HMAC of the user id, so the
// same user gets the same visitor (and past conversations) on every
// device, and the id reveals nothing of the site's user id.
func (k *Keys) IdentifiedVisitorID(widgetID, userID string) string {
	m := hmac.New(sha256.New, k.IdentitySecret(widgetID, 0))
	m.Write([]byte("visitor-id\n" + userID))
	return VisitorIDPrefix + encodeID(m.Sum(nil))
}
