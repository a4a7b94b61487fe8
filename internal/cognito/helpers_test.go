package cognito

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_TestPool"
	testClientID = "3n4b5urk1ft4fl3mg5e62d9ado"
	testKid      = "key-1"
)

// Keys are generated once per test binary: RSA generation is the slow part.
var (
	keysOnce                      sync.Once
	poolKey, otherKey, rotatedKey *rsa.PrivateKey
)

func testKeys(t testing.TB) (pool, other, rotated *rsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		gen := func() *rsa.PrivateKey {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			return k
		}
		poolKey, otherKey, rotatedKey = gen(), gen(), gen()
	})
	return poolKey, otherKey, rotatedKey
}

// fakeClock is a settable clock for TTL and expiry tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 21, 3, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// jwksServer serves a JWKS document that tests can change, and counts
// requests. handler, if set, replaces the normal answer.
type jwksServer struct {
	*httptest.Server
	requests atomic.Int64

	mu      sync.Mutex
	keys    map[string]*rsa.PublicKey
	handler http.HandlerFunc
}

func newJWKSServer(t testing.TB, keys map[string]*rsa.PublicKey) *jwksServer {
	t.Helper()
	s := &jwksServer{keys: keys}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		s.mu.Lock()
		h, body := s.handler, jwksJSON(s.keys)
		s.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKeys(keys map[string]*rsa.PublicKey) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys = keys
}

func (s *jwksServer) setHandler(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = h
}

func jwksJSON(keys map[string]*rsa.PublicKey) []byte {
	set := jwkSet{Keys: []jwk{}}
	for kid, k := range keys {
		set.Keys = append(set.Keys, publicJWK(kid, k))
	}
	b, err := json.Marshal(set)
	if err != nil {
		panic(err)
	}
	return b
}

func publicJWK(kid string, k *rsa.PublicKey) jwk {
	return jwk{
		Kty: "RSA", Kid: kid, Alg: "RS256", Use: "sig",
		N: base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		E: base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
}

// idClaims are the claims of a Cognito ID token issued at now, valid for an
// hour, as Cognito writes them.
func idClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":              "4a1b2c3d-0000-4000-8000-00000000abcd",
		"email_verified":   true,
		"iss":              testIssuer,
		"cognito:username": "4a1b2c3d-0000-4000-8000-00000000abcd",
		"cognito:groups":   []string{"moderators", "staff"},
		"origin_jti":       "a2b1c0",
		"aud":              testClientID,
		"event_id":         "e-1",
		"token_use":        "id",
		"auth_time":        now.Unix(),
		"name":             "Ada Lovelace",
		"exp":              now.Add(time.Hour).Unix(),
		"iat":              now.Unix(),
		"jti":              "j-1",
		"email":            "ada@example.com",
	}
}

// sign makes an RS256 token with the given kid ("" for none).
func sign(t testing.TB, key *rsa.PrivateKey, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

// newTestVerifier returns a verifier of the test pool served by srv, on clock.
func newTestVerifier(t testing.TB, srv *jwksServer, clock *fakeClock, tweak func(*VerifierConfig)) *Verifier {
	t.Helper()
	cfg := VerifierConfig{
		Issuer:     testIssuer,
		ClientID:   testClientID,
		JWKSURL:    srv.URL + "/jwks.json",
		HTTPClient: srv.Client(),
		Now:        clock.Now,
	}
	if tweak != nil {
		tweak(&cfg)
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}
