package cognito

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestVerifyAcceptsValidIDToken(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil)

	id, err := v.Verify(context.Background(), sign(t, pool, testKid, idClaims(clock.Now())))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := chat.Identity{
		UserID:      "4a1b2c3d-0000-4000-8000-00000000abcd",
		Username:    "4a1b2c3d-0000-4000-8000-00000000abcd",
		DisplayName: "Ada Lovelace",
		Email:       "ada@example.com",
		Groups:      []string{"moderators", "staff"},
		// The connection lives no longer than the token: exp travels along.
		TokenExpiresAt: time.Unix(clock.Now().Add(time.Hour).Unix(), 0).UTC(),
	}
	if !reflect.DeepEqual(id, want) {
		t.Fatalf("identity = %+v, want %+v", id, want)
	}
}

func TestVerifyToleratesSmallClockSkew(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, func(c *VerifierConfig) { c.Leeway = time.Minute })

	claims := idClaims(clock.Now().Add(30 * time.Second)) // issued "in the future" by a fast clock
	claims["exp"] = clock.Now().Add(-30 * time.Second).Unix()
	if _, err := v.Verify(context.Background(), sign(t, pool, testKid, claims)); err != nil {
		t.Fatalf("Verify within leeway: %v", err)
	}
}

func TestVerifyRefuses(t *testing.T) {
	pool, other, _ := testKeys(t)
	clock := newFakeClock()
	now := clock.Now()
	with := func(mutate func(jwt.MapClaims)) jwt.MapClaims {
		c := idClaims(now)
		mutate(c)
		return c
	}
	valid := func(key *rsa.PrivateKey, kid string) string {
		return sign(t, key, kid, idClaims(now))
	}

	tests := []struct {
		name     string
		token    string
		wantCode chat.Code
		wantMsg  string
	}{
		{"empty", "", chat.Invalid, "missing token"},
		{"malformed", "not-a-token", chat.Invalid, "malformed token"},
		{"bad base64", "a.b.c", chat.Invalid, "malformed token"},
		{"too large", strings.Repeat("a", maxTokenBytes+1), chat.Invalid, "token too large"},
		{"forged with another key", valid(other, testKid), chat.Forbidden, "token signature invalid"},
		{"signature of another token", spliceSignature(valid(pool, testKid), sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["sub"] = "someone-else" }))), chat.Forbidden, "token signature invalid"},
		{"unknown kid", valid(pool, "no-such-kid"), chat.Forbidden, "unknown signing key"},
		{"no kid", valid(pool, ""), chat.Forbidden, "token has no key id"},
		{"expired", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["exp"] = now.Add(-2 * time.Minute).Unix() })), chat.Forbidden, "token expired"},
		{"no exp", sign(t, pool, testKid, with(func(c jwt.MapClaims) { delete(c, "exp") })), chat.Forbidden, "token lacks a required claim"},
		{"nbf in the future", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["nbf"] = now.Add(5 * time.Minute).Unix() })), chat.Forbidden, "token not valid yet"},
		{"iat in the future", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["iat"] = now.Add(5 * time.Minute).Unix() })), chat.Forbidden, "token not valid yet"},
		{"no iat", sign(t, pool, testKid, with(func(c jwt.MapClaims) { delete(c, "iat") })), chat.Forbidden, "token has no issue time"},
		{"auth_time after iat", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["iat"] = now.Add(-10 * time.Minute).Unix() })), chat.Forbidden, "token authentication time after issue time"},
		{"wrong issuer", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other" })), chat.Forbidden, "token issuer mismatch"},
		{"issuer with trailing slash", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["iss"] = testIssuer + "/" })), chat.Forbidden, "token issuer mismatch"},
		{"wrong audience", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["aud"] = "another-client" })), chat.Forbidden, "token audience mismatch"},
		{"extra audience", sign(t, pool, testKid, with(func(c jwt.MapClaims) { c["aud"] = []string{testClientID, "another-client"} })), chat.Forbidden, "token audience mismatch"},
		{"access token", sign(t, pool, testKid, with(func(c jwt.MapClaims) {
			c["token_use"] = "access"
			delete(c, "aud")
			c["client_id"] = testClientID
		})), chat.Forbidden, "token is not an ID token"},
		{"no token_use", sign(t, pool, testKid, with(func(c jwt.MapClaims) { delete(c, "token_use") })), chat.Forbidden, "token is not an ID token"},
		{"missing sub", sign(t, pool, testKid, with(func(c jwt.MapClaims) { delete(c, "sub") })), chat.Forbidden, "token has no subject"},
		{"alg none", noneToken(t, idClaims(now)), chat.Forbidden, "token algorithm not allowed"},
		{"alg none without signature segment", strings.TrimSuffix(noneToken(t, idClaims(now)), "."), chat.Invalid, "malformed token"},
		{"HS256 with the public key PEM as secret", hmacToken(t, publicKeyPEM(t, &pool.PublicKey), idClaims(now)), chat.Forbidden, "token algorithm not allowed"},
		{"HS256 with the modulus as secret", hmacToken(t, pool.PublicKey.N.Bytes(), idClaims(now)), chat.Forbidden, "token algorithm not allowed"},
		{"RS512", rs512Token(t, pool, idClaims(now)), chat.Forbidden, "token algorithm not allowed"},
		{"unknown alg", rewriteHeader(t, valid(pool, testKid), `{"alg":"XYZ","kid":"key-1","typ":"JWT"}`), chat.Forbidden, "token algorithm not allowed"},
		{"no alg", rewriteHeader(t, valid(pool, testKid), `{"kid":"key-1","typ":"JWT"}`), chat.Forbidden, "token algorithm not allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
			v := newTestVerifier(t, srv, clock, nil)
			id, err := v.Verify(context.Background(), tt.token)
			if err == nil {
				t.Fatalf("Verify accepted the token: %+v", id)
			}
			var ce *chat.Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v (%T) is not a *chat.Error", err, err)
			}
			if ce.Code != tt.wantCode || ce.Message != tt.wantMsg {
				t.Fatalf("error = %s %q, want %s %q (cause: %v)", ce.Code, ce.Message, tt.wantCode, tt.wantMsg, ce.Err)
			}
			if !reflect.DeepEqual(id, chat.Identity{}) {
				t.Fatalf("refused token still returned identity %+v", id)
			}
		})
	}
}

func TestVerifyRefusalsNeverFetchForAlgorithmAttacks(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil)
	for _, tok := range []string{
		noneToken(t, idClaims(clock.Now())),
		hmacToken(t, publicKeyPEM(t, &pool.PublicKey), idClaims(clock.Now())),
	} {
		if _, err := v.Verify(context.Background(), tok); err == nil {
			t.Fatal("accepted")
		}
	}
	if n := srv.requests.Load(); n != 0 {
		t.Fatalf("JWKS fetched %d times for tokens refused on their header alone", n)
	}
}

func TestDisplayNameFallbacks(t *testing.T) {
	pool, _, _ := testKeys(t)
	srv := newJWKSServer(t, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(t, srv, clock, nil)

	tests := []struct {
		name   string
		mutate func(jwt.MapClaims)
		want   string
	}{
		{"name", func(jwt.MapClaims) {}, "Ada Lovelace"},
		{"preferred_username", func(c jwt.MapClaims) { delete(c, "name"); c["preferred_username"] = "ada" }, "ada"},
		{"email local part", func(c jwt.MapClaims) { delete(c, "name") }, "ada"},
		{"username", func(c jwt.MapClaims) { delete(c, "name"); delete(c, "email"); c["cognito:username"] = "lovelace" }, "lovelace"},
		{"blank name skipped", func(c jwt.MapClaims) { c["name"] = "  "; c["email"] = "countess@example.com" }, "countess"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := idClaims(clock.Now())
			tt.mutate(c)
			id, err := v.Verify(context.Background(), sign(t, pool, testKid, c))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if id.DisplayName != tt.want {
				t.Fatalf("DisplayName = %q, want %q", id.DisplayName, tt.want)
			}
		})
	}
}

func TestNewVerifierConfig(t *testing.T) {
	for name, cfg := range map[string]VerifierConfig{
		"no issuer":         {ClientID: "c"},
		"issuer not a URL":  {Issuer: "us-east-1_abc", ClientID: "c"},
		"no client id":      {Issuer: testIssuer},
		"bad JWKS URL":      {Issuer: testIssuer, ClientID: "c", JWKSURL: "ftp://x/keys"},
		"negative duration": {Issuer: testIssuer, ClientID: "c", CacheTTL: -time.Second},
	} {
		if _, err := NewVerifier(cfg); err == nil {
			t.Errorf("%s: NewVerifier accepted %+v", name, cfg)
		}
	}

	v, err := NewVerifier(VerifierConfig{Issuer: testIssuer + "/", ClientID: "c"})
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	if got, want := v.keys.url, testIssuer+"/.well-known/jwks.json"; got != want {
		t.Errorf("default JWKS URL = %q, want %q", got, want)
	}
	if v.issuer != testIssuer {
		t.Errorf("issuer = %q, want the trailing slash trimmed", v.issuer)
	}
	if v.keys.ttl != DefaultCacheTTL || v.keys.fetchTimeout != DefaultFetchTimeout || v.keys.minRefetch != DefaultMinRefetchInterval || v.leeway != DefaultLeeway {
		t.Errorf("defaults not applied: %+v leeway %v", v.keys, v.leeway)
	}
}

// noneToken is an unsigned token ("alg":"none") with the pool's kid.
func noneToken(t *testing.T, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodNone, claims)
	tok.Header["kid"] = testKid
	s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatalf("sign none: %v", err)
	}
	return s
}

// hmacToken is the key-confusion attack: HS256 keyed with public material.
func hmacToken(t *testing.T, secret []byte, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = testKid
	s, err := tok.SignedString(secret)
	if err != nil {
		t.Fatalf("sign HS256: %v", err)
	}
	return s
}

func rs512Token(t *testing.T, key *rsa.PrivateKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS512, claims)
	tok.Header["kid"] = testKid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign RS512: %v", err)
	}
	return s
}

func publicKeyPEM(t *testing.T, k *rsa.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// rewriteHeader replaces a token's header, keeping payload and signature.
func rewriteHeader(t *testing.T, token, header string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	parts[0] = base64.RawURLEncoding.EncodeToString([]byte(header))
	return strings.Join(parts, ".")
}

// spliceSignature puts the signature of donor onto token.
func spliceSignature(token, donor string) string {
	return token[:strings.LastIndex(token, ".")] + donor[strings.LastIndex(donor, "."):]
}
