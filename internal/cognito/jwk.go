package cognito

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// minRSABits refuses toy keys: a JWKS that publishes one is broken or hostile.
const minRSABits = 2048

// jwk is the subset of RFC 7517 fields an RSA signing key uses.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// parseJWKS returns the RS256 signing keys of a JWKS document by kid. Keys of
// other types or uses are skipped (a set may legitimately hold them); a set
// without a single usable key is an error.
func parseJWKS(body []byte) (map[string]*rsa.PublicKey, error) {
	var set jwkSet
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decode JWKS: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	var errs []error
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Use != "" && k.Use != "sig") || (k.Alg != "" && k.Alg != "RS256") {
			continue
		}
		pub, err := k.rsaPublicKey()
		if err != nil {
			errs = append(errs, fmt.Errorf("key %q: %w", k.Kid, err))
			continue
		}
		keys[k.Kid] = pub
	}
	if len(keys) == 0 {
		if len(errs) > 0 {
			return nil, fmt.Errorf("JWKS has no usable RS256 key: %w", errors.Join(errs...))
		}
		return nil, errors.New("JWKS has no usable RS256 key")
	}
	return keys, nil
}

// rsaPublicKey decodes n and e (base64url big-endian integers, RFC 7518 6.3.1).
func (k jwk) rsaPublicKey() (*rsa.PublicKey, error) {
	n, err := decodeBase64URLInt(k.N)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	e, err := decodeBase64URLInt(k.E)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	if n.BitLen() < minRSABits {
		return nil, fmt.Errorf("modulus of %d bits is too small", n.BitLen())
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 || e.Bit(0) == 0 {
		return nil, errors.New("exponent out of range")
	}
	return &rsa.PublicKey{N: n, E: int(e.Int64())}, nil
}

// decodeBase64URLInt accepts unpadded base64url as the RFC says, and tolerates
// padding since some publishers add it.
func decodeBase64URLInt(s string) (*big.Int, error) {
	if s == "" {
		return nil, errors.New("missing")
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}
