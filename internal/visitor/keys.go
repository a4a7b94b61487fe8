// Package visitor is the support widget's visitor identity (issue #17):
// the keys derived from the deployment's one HMAC secret (DigestKey) with
// HKDF-SHA256 and a purpose label each, the visitor JWT (HS256,
// golang-jwt/v5), the stateless proof-of-work challenge and the HMAC a
// site's backend signs an identified visitor with. It holds no state and
// calls no AWS service: the store-backed parts (widgets, resume tokens,
// rate limits) are internal/service's, the routes internal/httpapi's.
package visitor

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"strconv"
	"sync"
)

// The HKDF purpose labels (domain separation): a key derived for one
// purpose is useless for another.
const (
	LabelToken          = "backchannel/visitor-token/v1"
	LabelChallenge      = "backchannel/widget-challenge/v1"
	LabelIdentityPrefix = "backchannel/widget-identity/v1/" // + <widgetId>/<version>
)

// MinMasterKeyBytes is the shortest master secret accepted.
const MinMasterKeyBytes = 32

// ErrNoKey: the deployment has no master secret (no DigestKey: the
// widget's routes answer 503 and visitor tokens are refused).
var ErrNoKey = errors.New("visitor: no key configured (DIGEST_KEY_SECRET_ARN or DIGEST_KEY)")

// Keys derives the purpose keys from the master secret.
type Keys struct {
	master    []byte
	token     []byte
	challenge []byte
}

// NewKeys checks the master secret and derives the fixed keys.
func NewKeys(master []byte) (*Keys, error) {
	if len(master) < MinMasterKeyBytes {
		return nil, fmt.Errorf("visitor: the master key has %d bytes, at least %d are needed", len(master), MinMasterKeyBytes)
	}
	k := &Keys{master: append([]byte(nil), master...)}
	var err error
	if k.token, err = k.derive(LabelToken); err != nil {
		return nil, err
	}
	if k.challenge, err = k.derive(LabelChallenge); err != nil {
		return nil, err
	}
	return k, nil
}

func (k *Keys) derive(label string) ([]byte, error) {
	return hkdf.Key(sha256.New, k.master, nil, label, 32)
}

// IdentitySecret is a widget's identity secret of the given version: what
// the site's backend signs identified visitors with. Derived, never
// stored: rotating a widget's secret bumps its version.
func (k *Keys) IdentitySecret(widgetID string, version int) []byte {
	b, err := k.derive(LabelIdentityPrefix + widgetID + "/" + strconv.Itoa(version))
	if err != nil {
		panic(err) // hkdf.Key fails only for a length over 255*32
	}
	return b
}

// Source gives the keys, loading the master secret when first asked.
type Source interface {
	Keys(ctx context.Context) (*Keys, error)
}

// Static is a Source over keys already at hand (nil: ErrNoKey).
type Static struct{ K *Keys }

// Keys returns the keys or ErrNoKey.
func (s Static) Keys(context.Context) (*Keys, error) {
	if s.K == nil {
		return nil, ErrNoKey
	}
	return s.K, nil
}

// Lazy loads the master secret once, on first use (the authorizer reads
// Secrets Manager only when a visitor token arrives), and keeps it; a
// failed load is retried on the next call.
type Lazy struct {
	Load func(ctx context.Context) ([]byte, error)
	mu   sync.Mutex
	keys *Keys
}

// Keys returns the keys, loading them if needed.
func (l *Lazy) Keys(ctx context.Context) (*Keys, error) {
	if l == nil || l.Load == nil {
		return nil, ErrNoKey
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.keys != nil {
		return l.keys, nil
	}
	master, err := l.Load(ctx)
	if err != nil {
		return nil, err
	}
	if l.keys, err = NewKeys(master); err != nil {
		return nil, err
	}
	return l.keys, nil
}

// TokenKey is the visitor token's HS256 key (internal/visitor/vtoken).
func (k *Keys) TokenKey() []byte { return k.token }

// Claims is what a visitor token says (internal/visitor/vtoken signs it).
type Claims struct {
	VisitorID  string
	WidgetID   string
	Origin     string // the embedding site's origin the session was issued to
	Name       string
	Email      string
	Identified bool
}
