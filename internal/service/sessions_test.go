package service_test

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// A connection lives no longer than the token that opened it: past the
// token's exp every action (which loads the connection first) is refused
// with SessionExpired, which makes the client reconnect with a fresh token.
func TestConnectionRefusedPastTokenExpiry(t *testing.T) {
	h := newHarness(t)
	exp := h.clock().Add(10 * time.Minute)
	id := chat.Identity{UserID: "ada", Username: "ada", DisplayName: "Ada", TokenExpiresAt: exp}
	if err := h.svc.Connect(h.ctx, chat.Connection{ID: "c1", Identity: id}); err != nil {
		t.Fatalf("Connect: %v", err)
	}
	c, err := h.svc.Connection(h.ctx, "c1")
	if err != nil {
		t.Fatalf("Connection before exp: %v", err)
	}
	if !c.TokenExpiresAt.Equal(exp) {
		t.Fatalf("stored TokenExpiresAt = %v, want %v", c.TokenExpiresAt, exp)
	}
	h.advance(10*time.Minute - time.Second)
	if _, err := h.svc.Connection(h.ctx, "c1"); err != nil {
		t.Fatalf("Connection a second before exp: %v", err)
	}
	h.advance(time.Second)
	_, err = h.svc.Connection(h.ctx, "c1")
	wantCode(t, err, chat.SessionExpired)
}

// A connection without a known expiry (older items) keeps the 2-hour rule.
func TestConnectionWithoutTokenExpiryLivesUntilItsTTL(t *testing.T) {
	h := newHarness(t)
	h.connect("ada", "c1")
	h.advance(time.Hour)
	if _, err := h.svc.Connection(h.ctx, "c1"); err != nil {
		t.Fatalf("Connection after an hour: %v", err)
	}
}
