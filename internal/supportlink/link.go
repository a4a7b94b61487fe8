// Package supportlink is the signed link that reopens a support
// conversation in the widget (issue #17): customer support's mail puts it
// in agents' replies and transcripts (internal/supportmail), the widget's
// session route takes it back (service.StartVisitorSession). Small on
// purpose: the session route links it, not the mailer.
//
// Keys: no secret of its own (each costs 0.40 USD a month). The link key
// is derived from the digest's HMAC secret (DIGEST_KEY_SECRET_ARN, or
// DIGEST_KEY locally) with HKDF-SHA256 and the purpose label ReopenLabel,
// so it can sign nothing else and nothing else signs with it.
package supportlink

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
)

// ReopenLabel is the HKDF info (purpose label) of the reopen-link key.
const ReopenLabel = "backchannel/support-reopen/v1"

// ReopenTTL is how long a reopen link works.
const ReopenTTL = 30 * 24 * time.Hour

// ReopenParam is the URL fragment parameter the widget reads
// (https://shop.example/help#bc-reopen=TOKEN). A fragment never reaches
// the site's server (no access log, no Referer).
const ReopenParam = "bc-reopen"

// DeriveKey derives a 32-byte key for label from the digest secret.
func DeriveKey(secret []byte, label string) ([]byte, error) {
	if len(secret) < 32 {
		return nil, errors.New("supportlink: the secret must have at least 32 bytes")
	}
	return hkdf.Key(sha256.New, secret, nil, label, 32)
}

// Reopen is what a reopen link grants: the visitor back into that one
// conversation of that widget, until Exp.
type Reopen struct {
	VisitorID string `json:"v"`
	RoomID    string `json:"r"`
	WidgetID  string `json:"w"`
	Exp       int64  `json:"e"` // unix seconds
}

// Signer signs and verifies reopen tokens.
type Signer struct{ key []byte }

// NewSigner derives the reopen key from the digest secret.
func NewSigner(secret []byte) (*Signer, error) {
	k, err := DeriveKey(secret, ReopenLabel)
	if err != nil {
		return nil, err
	}
	return &Signer{key: k}, nil
}

// NewSignerWithKey uses an already derived key (visitor.Keys.Derive of
// ReopenLabel: the same HKDF of the same secret).
func NewSignerWithKey(key []byte) (*Signer, error) {
	if len(key) < 32 {
		return nil, errors.New("supportlink: the key must have at least 32 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}, nil
}

func (s *Signer) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("reopen:v1:" + payload))
	return h.Sum(nil)
}

// Token signs r: base64url(JSON) "." base64url(HMAC-SHA256).
func (s *Signer) Token(r Reopen) string {
	b, _ := json.Marshal(r) // strings and an int always marshal
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(s.mac(p))
}

// ErrBadToken is a token that is malformed, not signed with the key or
// expired.
var ErrBadToken = errors.New("supportlink: invalid or expired reopen link")

// Verify returns the grant of a valid, unexpired token (compared in
// constant time).
func (s *Signer) Verify(token string, now time.Time) (Reopen, error) {
	p, m, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return Reopen{}, ErrBadToken
	}
	mac, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || !hmac.Equal(mac, s.mac(p)) {
		return Reopen{}, ErrBadToken
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	var r Reopen
	if err != nil || json.Unmarshal(b, &r) != nil || r.VisitorID == "" || r.RoomID == "" || r.WidgetID == "" {
		return Reopen{}, ErrBadToken
	}
	if now.Unix() >= r.Exp {
		return Reopen{}, ErrBadToken
	}
	return r, nil
}

// ReopenLink is pageURL with the token in its fragment, when pageURL is
// an http(s) URL whose origin is one of allowed (the widget's allowed
// origins, exact scheme://host[:port]); otherwise the first allowed
// origin's root; "" when there is none. A visitor-supplied page URL
// therefore never sends the link to another site.
func ReopenLink(pageURL string, allowed []string, token string) string {
	base := ""
	if u, err := url.Parse(pageURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil {
		origin := u.Scheme + "://" + u.Host
		for _, a := range allowed {
			if strings.EqualFold(a, origin) {
				u.Fragment, u.RawFragment = "", ""
				base = u.String()
				break
			}
		}
	}
	if base == "" {
		for _, a := range allowed {
			if u, err := url.Parse(a); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
				base = strings.TrimRight(a, "/") + "/"
				break
			}
		}
	}
	if base == "" {
		return ""
	}
	return base + "#" + ReopenParam + "=" + url.QueryEscape(token)
}
