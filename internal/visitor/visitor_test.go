package visitor_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/visitor"
)

var master = []byte("0123456789abcdef0123456789abcdef-test-master")

func keys(t *testing.T) *visitor.Keys {
	t.Helper()
	k, err := visitor.NewKeys(master)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestKeysNeedAMasterOf32Bytes(t *testing.T) {
	if _, err := visitor.NewKeys([]byte("short")); err == nil {
		t.Fatal("a 5-byte master key was accepted")
	}
	if _, err := (visitor.Static{}).Keys(context.Background()); !errors.Is(err, visitor.ErrNoKey) {
		t.Fatalf("Static{} = %v, want ErrNoKey", err)
	}
	calls := 0
	l := &visitor.Lazy{Load: func(context.Context) ([]byte, error) {
		calls++
		if calls == 1 {
			return nil, errors.New("throttled")
		}
		return master, nil
	}}
	if _, err := l.Keys(context.Background()); err == nil {
		t.Fatal("the failed load was not reported")
	}
	for range 3 {
		if _, err := l.Keys(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if calls != 2 {
		t.Fatalf("loaded %d times, want 2 (a failure is retried, a success kept)", calls)
	}
}

func TestIdentitySecretsAreSeparatedByWidgetAndVersion(t *testing.T) {
	k := keys(t)
	a, b, c := k.IdentitySecret("wid_a", 1), k.IdentitySecret("wid_a", 2), k.IdentitySecret("wid_b", 1)
	if bytes.Equal(a, b) || bytes.Equal(a, c) || len(a) != 32 {
		t.Fatal("identity secrets are not separated")
	}
	if !bytes.Equal(a, k.IdentitySecret("wid_a", 1)) {
		t.Fatal("identity secret not deterministic")
	}
}

func TestProofOfWork(t *testing.T) {
	k := keys(t)
	now := time.Now()
	ch := k.NewChallenge("wid_1", 10, now)
	if ch.Difficulty != 10 || !ch.ExpiresAt.After(now) {
		t.Fatalf("challenge %+v", ch)
	}
	nonce := visitor.Solve(ch.Challenge, 10)
	if _, err := k.CheckProof("wid_1", ch.Challenge, nonce, now); err != nil {
		t.Fatalf("solved: %v", err)
	}
	bad := "x"
	for visitor.LeadingZeroBits(ch.Challenge, bad) >= 10 {
		bad += "x"
	}
	if _, err := k.CheckProof("wid_1", ch.Challenge, bad, now); !errors.Is(err, visitor.ErrWeakProof) {
		t.Fatalf("short proof: %v", err)
	}
	if _, err := k.CheckProof("wid_2", ch.Challenge, nonce, now); !errors.Is(err, visitor.ErrBadChallenge) {
		t.Fatalf("other widget: %v", err)
	}
	easier := strings.Replace(ch.Challenge, ".10.", ".1.", 1)
	if _, err := k.CheckProof("wid_1", easier, "a", now); !errors.Is(err, visitor.ErrBadChallenge) {
		t.Fatalf("altered difficulty: %v", err)
	}
	if _, err := k.CheckProof("wid_1", ch.Challenge, nonce, now.Add(visitor.ChallengeTTL+time.Second)); !errors.Is(err, visitor.ErrChallengeExpired) {
		t.Fatalf("expired: %v", err)
	}
}

func TestIdentitySignature(t *testing.T) {
	k := keys(t)
	secret := k.IdentitySecret("wid_1", 1)
	now := time.Unix(1_800_000_000, 0)
	id := visitor.Identity{UserID: "u-42", Email: "ann@shop.example", TS: now.Unix()}
	id.Signature = visitor.SignIdentity(secret, id.UserID, id.Email, id.TS)
	if err := visitor.CheckIdentity(secret, id, now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	bad := id
	bad.Email = "eve@shop.example"
	if err := visitor.CheckIdentity(secret, bad, now); !errors.Is(err, visitor.ErrIdentitySignature) {
		t.Fatalf("altered email: %v", err)
	}
	if err := visitor.CheckIdentity(k.IdentitySecret("wid_1", 2), id, now); !errors.Is(err, visitor.ErrIdentitySignature) {
		t.Fatalf("rotated secret: %v", err)
	}
	if err := visitor.CheckIdentity(secret, id, now.Add(visitor.IdentityMaxAge+time.Second)); !errors.Is(err, visitor.ErrIdentityStale) {
		t.Fatalf("stale: %v", err)
	}
	a, b := k.IdentifiedVisitorID("wid_1", "u-42"), k.IdentifiedVisitorID("wid_1", "u-42")
	if a != b || !visitor.IsVisitorID(a) || a == k.IdentifiedVisitorID("wid_2", "u-42") {
		t.Fatalf("identified visitor ids %q %q", a, b)
	}
	if !visitor.IsVisitorID(visitor.NewVisitorID()) || visitor.IsVisitorID("vis_short") {
		t.Fatal("IsVisitorID")
	}
}
