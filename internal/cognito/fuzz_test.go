package cognito

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// FuzzParseJWKS: any JWKS document either fails or yields only usable
// RS256 keys (2048 bits or more, a sane odd exponent) under non-empty kids.
func FuzzParseJWKS(f *testing.F) {
	pool, other, _ := testKeys(f)
	f.Add(jwksJSON(map[string]*rsa.PublicKey{testKid: &pool.PublicKey}))
	f.Add(jwksJSON(map[string]*rsa.PublicKey{testKid: &pool.PublicKey, "k2": &other.PublicKey}))
	small := publicJWK("small", &pool.PublicKey)
	small.N = base64.RawURLEncoding.EncodeToString(big.NewInt(3233).Bytes())
	b, _ := json.Marshal(jwkSet{Keys: []jwk{small, {Kty: "EC", Kid: "ec"}, {Kty: "RSA", Kid: "enc", Use: "enc"}}})
	f.Add(b)
	even := publicJWK("even", &pool.PublicKey)
	even.E = "AAE="
	b, _ = json.Marshal(jwkSet{Keys: []jwk{even}})
	f.Add(b)
	f.Add([]byte(`{"keys":null}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","kid":"x","n":"!!","e":"AQAB"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		keys, err := parseJWKS(body)
		if err != nil {
			if keys != nil {
				t.Fatal("keys returned with an error")
			}
			return
		}
		if len(keys) == 0 {
			t.Fatal("no keys and no error")
		}
		for kid, k := range keys {
			if kid == "" || k == nil || k.N.BitLen() < minRSABits || k.E < 3 || k.E%2 == 0 {
				t.Fatalf("unusable key accepted: kid %q, %d bits, e=%d", kid, k.N.BitLen(), k.E)
			}
		}
	})
}

// FuzzVerifyToken: arbitrary token strings never panic the verifier, fail
// with a client error (Invalid or Forbidden), and succeed only for a token
// the pool's key signed.
func FuzzVerifyToken(f *testing.F) {
	pool, other, _ := testKeys(f)
	clock := newFakeClock()
	good := sign(f, pool, testKid, idClaims(clock.Now()))
	f.Add(good)
	f.Add(sign(f, other, testKid, idClaims(clock.Now())))
	f.Add(sign(f, pool, "", idClaims(clock.Now())))
	f.Add(sign(f, pool, "unknown", idClaims(clock.Now())))
	none := jwt.NewWithClaims(jwt.SigningMethodNone, idClaims(clock.Now()))
	s, _ := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	f.Add(s)
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, idClaims(clock.Now()))
	hs.Header["kid"] = testKid
	s, _ = hs.SignedString(pool.PublicKey.N.Bytes())
	f.Add(s)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJSUzI1NiJ9..")
	srv := newJWKSServer(f, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	v := newTestVerifier(f, srv, clock, nil)
	f.Fuzz(func(t *testing.T, token string) {
		id, err := v.Verify(context.Background(), token)
		if err != nil {
			if c := chat.ErrorCode(err); c != chat.Invalid && c != chat.Forbidden {
				t.Fatalf("Verify(%q): %v, want invalid or forbidden", token, err)
			}
			return
		}
		if id.UserID == "" {
			t.Fatalf("Verify(%q) accepted a token without a user", token)
		}
		// Only the pool's key can have signed it.
		if _, err := jwt.Parse(token, func(*jwt.Token) (any, error) { return &pool.PublicKey, nil },
			jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()); err != nil {
			t.Fatalf("Verify(%q) accepted a token the pool did not sign: %v", token, err)
		}
	})
}

// FuzzVerifyClaims signs arbitrary headers and claims with the pool's key:
// the verifier accepts only ID tokens of this pool and app client, unexpired,
// with a subject, exactly as VerifierConfig says.
func FuzzVerifyClaims(f *testing.F) {
	pool, _, _ := testKeys(f)
	clock := newFakeClock()
	now := clock.Now()
	claims := func(edit func(jwt.MapClaims)) []byte {
		c := idClaims(now)
		edit(c)
		b, _ := json.Marshal(c)
		return b
	}
	hdr := []byte(`{"alg":"RS256","kid":"key-1","typ":"JWT"}`)
	f.Add(hdr, claims(func(jwt.MapClaims) {}))
	f.Add(hdr, claims(func(c jwt.MapClaims) { c["token_use"] = "access" }))
	f.Add(hdr, claims(func(c jwt.MapClaims) { c["aud"] = []string{testClientID, "x"} }))
	f.Add(hdr, claims(func(c jwt.MapClaims) { c["iss"] = testIssuer + "/" }))
	f.Add(hdr, claims(func(c jwt.MapClaims) { delete(c, "exp") }))
	f.Add(hdr, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Hour).Unix() }))
	f.Add(hdr, claims(func(c jwt.MapClaims) { c["sub"] = "" }))
	f.Add(hdr, claims(func(c jwt.MapClaims) { c["nbf"] = "soon" }))
	f.Add([]byte(`{"alg":"none","kid":"key-1"}`), claims(func(jwt.MapClaims) {}))
	f.Add([]byte(`{"alg":"RS256","kid":["key-1"]}`), claims(func(jwt.MapClaims) {}))
	srv := newJWKSServer(f, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	v := newTestVerifier(f, srv, clock, nil)
	enc := base64.RawURLEncoding
	f.Fuzz(func(t *testing.T, header, payload []byte) {
		signingInput := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
		sig, err := jwt.SigningMethodRS256.Sign(signingInput, pool)
		if err != nil {
			t.Fatal(err)
		}
		token := signingInput + "." + enc.EncodeToString(sig)
		id, err := v.Verify(context.Background(), token)
		if err != nil {
			if c := chat.ErrorCode(err); c != chat.Invalid && c != chat.Forbidden {
				t.Fatalf("Verify: %v, want invalid or forbidden", err)
			}
			return
		}
		var h struct {
			Alg string `json:"alg"`
			Kid string `json:"kid"`
		}
		var c idTokenClaims
		if json.Unmarshal(header, &h) != nil || json.Unmarshal(payload, &c) != nil {
			t.Fatalf("accepted a token whose header or claims do not decode: %s / %s", header, payload)
		}
		switch {
		case h.Alg != "RS256" || h.Kid != testKid:
			t.Fatalf("accepted header %s", header)
		case c.Issuer != testIssuer, c.TokenUse != "id", len(c.Audience) != 1 || c.Audience[0] != testClientID:
			t.Fatalf("accepted claims of another pool, client or use: %s", payload)
		case c.Subject == "" || id.UserID == "":
			t.Fatalf("accepted a token without a subject: %s", payload)
		case c.ExpiresAt == nil || !c.ExpiresAt.After(now.Add(-DefaultLeeway)):
			t.Fatalf("accepted an expired token or one without exp: %s", payload)
		case c.IssuedAt == nil:
			t.Fatalf("accepted a token without iat: %s", payload)
		}
	})
}
