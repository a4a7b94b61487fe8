// Package vtoken is the visitor token (issue #17): a JWT, HS256 under the
// key internal/visitor derives ("backchannel/visitor-token/v1"), made and
// checked with golang-jwt/v5. Only the functions that sign or verify one
// link it: the HTTP API (the session route) and the authorizer.
package vtoken

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// Token settings.
const (
	TTL = time.Hour
	// KeyID is the JWT header's kid of visitor tokens (visitor.KeyID).
	KeyID  = visitor.KeyID
	Issuer = "backchannel/widget"
	// KindVisitor is the kind claim of every visitor token.
	KindVisitor = "visitor"
)

// Errors of Verify.
var (
	ErrExpired = errors.New("visitor token expired")
	ErrInvalid = errors.New("invalid visitor token")
)

// claims is the JWT body: sub = visitor id, wid, origin, kind:"visitor".
type claims struct {
	jwt.RegisteredClaims
	WidgetID   string `json:"wid"`
	Origin     string `json:"origin"`
	Kind       string `json:"kind"`
	Name       string `json:"name,omitempty"`
	Email      string `json:"email,omitempty"`
	Identified bool   `json:"identified,omitempty"`
}

// Issue signs a token for v, valid TTL from now; it returns the token and
// its expiry.
func Issue(k *visitor.Keys, v visitor.Claims, now time.Time) (string, time.Time, error) {
	if v.VisitorID == "" || v.WidgetID == "" || v.Origin == "" {
		return "", time.Time{}, errors.New("vtoken: a token needs a visitor, a widget and an origin")
	}
	exp := now.Add(TTL).Truncate(time.Second)
	c := claims{WidgetID: v.WidgetID, Origin: v.Origin, Kind: KindVisitor, Name: v.Name, Email: v.Email, Identified: v.Identified}
	c.Subject = v.VisitorID
	c.Issuer = Issuer
	c.IssuedAt = jwt.NewNumericDate(now)
	c.NotBefore = jwt.NewNumericDate(now.Add(-time.Minute))
	c.ExpiresAt = jwt.NewNumericDate(exp)
	t := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	t.Header["kid"] = KeyID
	s, err := t.SignedString(k.TokenKey())
	return s, exp, err
}

// Verify checks a visitor token's signature (HS256 only), issuer, expiry
// and kind at now and returns its claims and expiry.
func Verify(k *visitor.Keys, token string, now time.Time) (visitor.Claims, time.Time, error) {
	var c claims
	p := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	_, err := p.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != KeyID {
			return nil, fmt.Errorf("unknown key id %q", kid)
		}
		return k.TokenKey(), nil
	})
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return visitor.Claims{}, time.Time{}, ErrExpired
	case err != nil:
		return visitor.Claims{}, time.Time{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if c.Kind != KindVisitor || c.Subject == "" || c.WidgetID == "" || c.Origin == "" {
		return visitor.Claims{}, time.Time{}, fmt.Errorf("%w: not a visitor token", ErrInvalid)
	}
	return visitor.Claims{VisitorID: c.Subject, WidgetID: c.WidgetID, Origin: c.Origin, Name: c.Name, Email: c.Email, Identified: c.Identified},
		c.ExpiresAt.UTC(), nil
}

// LooksLikeToken is visitor.LooksLikeToken.
func LooksLikeToken(token string) bool { return visitor.LooksLikeToken(token) }

// Verifier checks visitor tokens with the keys of a source: the
// authorizer's (internal/authorizer takes it as an interface, so the
// functions that only read its context link no JWT library).
type Verifier struct {
	Keys visitor.Source
	// Now is the clock (nil: time.Now).
	Now func() time.Time
}

// VerifyVisitor loads the keys and verifies token.
func (v Verifier) VerifyVisitor(ctx context.Context, token string) (visitor.Claims, time.Time, error) {
	if v.Keys == nil {
		return visitor.Claims{}, time.Time{}, visitor.ErrNoKey
	}
	k, err := v.Keys.Keys(ctx)
	if err != nil {
		return visitor.Claims{}, time.Time{}, fmt.Errorf("%w: %v", ErrNoKeys, err)
	}
	now := time.Now()
	if v.Now != nil {
		now = v.Now()
	}
	return Verify(k, token, now)
}

// ErrNoKeys: the keys could not be loaded (not the token's fault).
var ErrNoKeys = errors.New("visitor keys unavailable")
