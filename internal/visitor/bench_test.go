package visitor_test

import (
	"strconv"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/visitor"
)

// BenchmarkProofOfWorkHash is one try of the proof of work (a SHA-256 of
// challenge+nonce and the leading-zero count): at difficulty 18 a visitor
// needs 2^18 ≈ 262k tries on average.
func BenchmarkProofOfWorkHash(b *testing.B) {
	k, _ := visitor.NewKeys(master)
	ch := k.NewChallenge("wid_bench", visitor.DefaultDifficulty, time.Now()).Challenge
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		visitor.LeadingZeroBits(ch, strconv.Itoa(i))
	}
}

// BenchmarkCheckProof is the server's side: verify the challenge's HMAC
// and one hash.
func BenchmarkCheckProof(b *testing.B) {
	k, _ := visitor.NewKeys(master)
	now := time.Now()
	ch := k.NewChallenge("wid_bench", 12, now).Challenge
	nonce := visitor.Solve(ch, 12)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.CheckProof("wid_bench", ch, nonce, now); err != nil {
			b.Fatal(err)
		}
	}
}
