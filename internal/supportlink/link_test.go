package supportlink

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

var secret = bytes.Repeat([]byte("k"), 32)

func TestReopenToken(t *testing.T) {
	s, err := NewSigner(secret)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)
	r := Reopen{VisitorID: "vis_abc", RoomID: "room_1", WidgetID: "wid_1", Exp: now.Add(ReopenTTL).Unix()}
	tok := s.Token(r)
	got, err := s.Verify(tok, now)
	if err != nil || got != r {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	if _, err := s.Verify(tok, now.Add(ReopenTTL)); err != ErrBadToken {
		t.Fatalf("expired: %v", err)
	}
	p, m, _ := strings.Cut(tok, ".")
	forged := Reopen{VisitorID: "vis_other", RoomID: "room_1", WidgetID: "wid_1", Exp: r.Exp}
	for _, bad := range []string{"", "x", p, p + ".", p + "." + m + "x", s.Token(forged)[:len(p)] + "." + m, strings.Repeat("a", 2000)} {
		if _, err := s.Verify(bad, now); err != ErrBadToken {
			t.Errorf("Verify(%q) = %v", bad, err)
		}
	}
	other, _ := NewSigner(bytes.Repeat([]byte("j"), 32))
	if _, err := other.Verify(tok, now); err != ErrBadToken {
		t.Fatal("another secret verified the token")
	}
	if _, err := NewSigner([]byte("short")); err == nil {
		t.Fatal("a short secret was accepted")
	}
}

func TestDerivedKeysAreSeparatedByLabel(t *testing.T) {
	a, _ := DeriveKey(secret, ReopenLabel)
	b, _ := DeriveKey(secret, "backchannel/visitor-token/v1")
	if len(a) != 32 || bytes.Equal(a, b) || bytes.Equal(a, secret) {
		t.Fatal("labels must give distinct 32-byte keys")
	}
}

func TestReopenLink(t *testing.T) {
	allowed := []string{"https://shop.example", "http://127.0.0.1:8081"}
	cases := []struct{ page, want string }{
		{"https://shop.example/help?x=1#top", "https://shop.example/help?x=1#bc-reopen=T"},
		{"http://127.0.0.1:8081/", "http://127.0.0.1:8081/#bc-reopen=T"},
		{"https://evil.example/phish", "https://shop.example/#bc-reopen=T"},
		{"https://shop.example.evil.example/", "https://shop.example/#bc-reopen=T"},
		{"javascript:alert(1)", "https://shop.example/#bc-reopen=T"},
		{"https://user@shop.example/", "https://shop.example/#bc-reopen=T"},
		{"", "https://shop.example/#bc-reopen=T"},
	}
	for _, c := range cases {
		if got := ReopenLink(c.page, allowed, "T"); got != c.want {
			t.Errorf("ReopenLink(%q) = %q, want %q", c.page, got, c.want)
		}
	}
	if got := ReopenLink("https://shop.example/", nil, "T"); got != "" {
		t.Errorf("no allowed origin: %q", got)
	}
}

func TestSignerWithTheDerivedKey(t *testing.T) {
	k, _ := DeriveKey(secret, ReopenLabel)
	a, _ := NewSigner(secret)
	b, err := NewSignerWithKey(k)
	if err != nil {
		t.Fatal(err)
	}
	r := Reopen{VisitorID: "vis_a", RoomID: "sup_1", WidgetID: "wid_1", Exp: time.Now().Add(time.Hour).Unix()}
	if _, err := b.Verify(a.Token(r), time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := NewSignerWithKey([]byte("short")); err == nil {
		t.Fatal("a short key")
	}
}
