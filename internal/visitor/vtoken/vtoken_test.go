package vtoken_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/visitor"
	"github.com/backchannel-chat/backchannel/internal/visitor/vtoken"
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

func TestTokenRoundTrip(t *testing.T) {
	k := keys(t)
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	_, _, err := vtoken.Issue(k, visitor.Claims{WidgetID: "wid_1", Origin: "https://shop.example", Name: "Ann"}, now)
	if err == nil {
		t.Fatal("a token without subject was issued")
	}
	c := visitor.Claims{WidgetID: "wid_1", Origin: "https://shop.example", Name: "Ann"}
	c.VisitorID = visitor.NewVisitorID()
	tok, exp, err := vtoken.Issue(k, c, now)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(now.Add(time.Hour)) || !vtoken.LooksLikeToken(tok) {
		t.Fatalf("exp %v, looks %v", exp, vtoken.LooksLikeToken(tok))
	}
	got, gotExp, err := vtoken.Verify(k, tok, now.Add(59*time.Minute))
	if err != nil || got != c || !gotExp.Equal(exp) {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if _, _, err := vtoken.Verify(k, tok, now.Add(61*time.Minute)); !errors.Is(err, vtoken.ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	other, _ := visitor.NewKeys(append([]byte("x"), master...))
	if _, _, err := vtoken.Verify(other, tok, now); !errors.Is(err, vtoken.ErrInvalid) {
		t.Fatalf("other key: %v", err)
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	if _, _, err := vtoken.Verify(k, tampered, now); !errors.Is(err, vtoken.ErrInvalid) {
		t.Fatalf("tampered: %v", err)
	}
	if vtoken.LooksLikeToken("eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIiwidHlwIjoiSldUIn0.e30.c2ln") {
		t.Fatal("an RS256 token looks like a visitor token")
	}
}

// BenchmarkVerify is the authorizer's cost per visitor $connect (the keys
// already loaded).
func BenchmarkVerify(b *testing.B) {
	k, _ := visitor.NewKeys(master)
	now := time.Now()
	tok, _, _ := vtoken.Issue(k, visitor.Claims{VisitorID: visitor.NewVisitorID(), WidgetID: "wid_1", Origin: "https://shop.example", Name: "Ann"}, now)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := vtoken.Verify(k, tok, now); err != nil {
			b.Fatal(err)
		}
	}
}
