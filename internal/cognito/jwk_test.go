package cognito

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"testing"
)

func TestParseJWKSDecodesRSAKeys(t *testing.T) {
	pool, other, _ := testKeys(t)
	padded := publicJWK("padded", &other.PublicKey)
	padded.N += "=="[:(4-len(padded.N)%4)%4]
	body, err := json.Marshal(jwkSet{Keys: []jwk{
		publicJWK("k1", &pool.PublicKey),
		padded,
		{Kty: "EC", Kid: "ec", Alg: "ES256"},
		{Kty: "RSA", Kid: "enc", Use: "enc", N: publicJWK("", &pool.PublicKey).N, E: "AQAB"},
		{Kty: "RSA", Kid: "ps", Alg: "PS256", N: publicJWK("", &pool.PublicKey).N, E: "AQAB"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		t.Fatalf("parseJWKS: %v", err)
	}
	if len(keys) != 2 {
		t.Fatalf("got %d keys, want 2 (k1, padded): %v", len(keys), keys)
	}
	if !keys["k1"].Equal(&pool.PublicKey) {
		t.Error("k1 does not round-trip")
	}
	if !keys["padded"].Equal(&other.PublicKey) {
		t.Error("padded base64url key does not round-trip")
	}
}

func TestParseJWKSRefusesUnusableKeys(t *testing.T) {
	pool, _, _ := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	n := publicJWK("", &pool.PublicKey).N
	for name, k := range map[string]jwk{
		"small modulus":   publicJWK("k", &small.PublicKey),
		"even exponent":   {Kty: "RSA", Kid: "k", N: n, E: base64.RawURLEncoding.EncodeToString([]byte{0x01, 0x00, 0x00})},
		"exponent 1":      {Kty: "RSA", Kid: "k", N: n, E: "AQ"},
		"huge exponent":   {Kty: "RSA", Kid: "k", N: n, E: base64.RawURLEncoding.EncodeToString([]byte{1, 0, 0, 0, 0, 0, 0, 0, 1})},
		"missing n":       {Kty: "RSA", Kid: "k", E: "AQAB"},
		"n not base64url": {Kty: "RSA", Kid: "k", N: "***", E: "AQAB"},
		"no kid":          {Kty: "RSA", N: n, E: "AQAB"},
	} {
		body, _ := json.Marshal(jwkSet{Keys: []jwk{k}})
		if keys, err := parseJWKS(body); err == nil {
			t.Errorf("%s: accepted %v", name, keys)
		}
	}
}
