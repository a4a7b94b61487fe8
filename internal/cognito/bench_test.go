package cognito

import (
	"context"
	"crypto/rsa"
	"testing"
)

// BenchmarkVerifyCachedKey is the per-$connect cost once the JWKS is cached:
// one RS256 signature check plus claim decoding.
func BenchmarkVerifyCachedKey(b *testing.B) {
	pool, _, _ := testKeys(b)
	srv := newJWKSServer(b, map[string]*rsa.PublicKey{testKid: &pool.PublicKey})
	clock := newFakeClock()
	v := newTestVerifier(b, srv, clock, nil)
	token := sign(b, pool, testKid, idClaims(clock.Now()))
	ctx := context.Background()
	if _, err := v.Verify(ctx, token); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(ctx, token); err != nil {
			b.Fatal(err)
		}
	}
}
