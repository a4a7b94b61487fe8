package service_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
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

func TestMaxConnectionsPerUser(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.MaxConnections = 3 })
	for i := range 3 {
		h.connect("ada", fmt.Sprint("c", i))
	}
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "c3", Identity: chat.Identity{UserID: "ada", Username: "ada"}})
	wantCode(t, err, chat.RateLimited)
	// Others are not affected, and a closed one frees a place.
	h.connect("bo", "b0")
	if err := h.svc.Disconnect(h.ctx, "c0"); err != nil {
		t.Fatal(err)
	}
	h.connect("ada", "c4")
}

func TestConnectAttemptsAreLimited(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.ConnectsPerWindow = 2 })
	h.connect("ada", "c1")
	h.connect("ada", "c2")
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "c3", Identity: chat.Identity{UserID: "ada", Username: "ada"}})
	wantCode(t, err, chat.RateLimited)
	h.advance(service.DefaultRateWindow)
	h.connect("ada", "c3")
}

// A client's own reconnects must never lock it out: connections whose
// $disconnect never ran (API Gateway runs it best-effort) still count
// toward the limit until a fan-out's 410 or the TTL (hours) removes them.
// At the limit, $connect probes the user's connections older than
// ConnectGrace and forgets those API Gateway answers gone for.
func TestConnectAtTheLimitForgetsConnectionsThatAreGone(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.MaxConnections = 3 })
	for i := range 3 {
		h.connect("ada", fmt.Sprint("c", i))
		h.fan.SetGone(fmt.Sprint("c", i)) // the socket died, no $disconnect came
	}
	h.advance(service.ConnectGrace + time.Second)
	h.connect("ada", "c3")
	for i := range 3 {
		if _, err := h.svc.Connection(h.ctx, fmt.Sprint("c", i)); chat.ErrorCode(err) != chat.NotFound {
			t.Errorf("gone connection c%d still stored (%v)", i, err)
		}
	}
	// Two more fit now; the limit still holds for live connections, which
	// the probe reaches harmlessly (a pong without requestId).
	h.fan.Reset()
	h.connect("ada", "c4")
	h.connect("ada", "c5")
	h.advance(service.ConnectGrace + time.Second)
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "c6", Identity: chat.Identity{UserID: "ada", Username: "ada"}})
	wantCode(t, err, chat.RateLimited)
	if n := len(h.fan.OfType("c3", protocol.EventPong)); n != 1 {
		t.Errorf("live connection c3 got %d probes, want 1", n)
	}
}

// A connection still inside ConnectGrace is never probed away: a 410 may
// mean its $connect has not returned yet.
func TestConnectAtTheLimitKeepsYoungConnections(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.MaxConnections = 2 })
	h.connect("ada", "c0")
	h.connect("ada", "c1")
	h.fan.SetGone("c0")
	h.fan.SetGone("c1")
	err := h.svc.Connect(h.ctx, chat.Connection{ID: "c2", Identity: chat.Identity{UserID: "ada", Username: "ada"}})
	wantCode(t, err, chat.RateLimited)
	if _, err := h.svc.Connection(h.ctx, "c0"); err != nil {
		t.Errorf("young connection c0 forgotten: %v", err)
	}
}
