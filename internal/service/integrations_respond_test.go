package service_test

import (
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// A command's payload carries a responseUrl that takes up to five delayed
// room answers within 30 minutes; a tampered, expired or voided (the
// command deleted) URL is refused, and so is an ephemeral answer.
func TestCommandResponseURL(t *testing.T) {
	h := newHarness(t, func(c *service.Config) {
		c.Hooks = testHooks
		c.CommandResponseBase = "https://api.example.com" + service.CommandResponsePath
	})
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "ops", false)
	recv := newReceiver(t, `{"text":"on it","visibility":"ephemeral"}`)
	reg, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "build", URL: recv.URL})
	if err != nil {
		t.Fatal(err)
	}
	recv.setSecret(reg.Secret)
	run := func(cid string) string {
		t.Helper()
		if _, err := h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "build", ClientID: cid}); err != nil {
			t.Fatal(err)
		}
		recv.mu.Lock()
		defer recv.mu.Unlock()
		u := recv.got[len(recv.got)-1].ResponseURL
		if !strings.HasPrefix(u, "https://api.example.com/api/v1/commands/respond/") {
			t.Fatalf("responseUrl %q", u)
		}
		return strings.TrimPrefix(u, "https://api.example.com/api/v1/commands/respond/")
	}
	token := run("c1")
	room1 := service.CommandReply{Text: "build 42 passed", Visibility: protocol.VisibilityRoom}

	if _, err := h.svc.RespondToCommand(h.ctx, token, service.CommandReply{Text: "x", Visibility: protocol.VisibilityEphemeral}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("an ephemeral delayed answer: %v, want invalid", err)
	}
	part, sig, _ := strings.Cut(token, ".")
	for _, bad := range []string{"", "nonsense", part + ".AAAA", part[:len(part)-2] + "." + sig, token + "x"} {
		if _, err := h.svc.RespondToCommand(h.ctx, bad, room1); chat.ErrorCode(err) != chat.Forbidden {
			t.Errorf("token %q: %v, want forbidden", bad, err)
		}
	}
	for i := range service.CommandResponseUses {
		res, err := h.svc.RespondToCommand(h.ctx, token, room1)
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		if res.RoomID != room.ID || res.Seq == 0 {
			t.Fatalf("answer %d: %+v", i+1, res)
		}
		h.advance(5 * time.Minute)
	}
	if _, err := h.svc.RespondToCommand(h.ctx, token, room1); chat.ErrorCode(err) != chat.RateLimited {
		t.Errorf("a sixth answer: %v, want rate_limited", err)
	}
	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range hist.Messages {
		if m.Text == "build 42 passed" {
			n++
			if m.SenderName != "/build" || !strings.HasPrefix(m.SenderID, service.IntegrationSenderPrefix) {
				t.Errorf("a delayed answer's sender: %+v", m)
			}
		}
	}
	if n != service.CommandResponseUses {
		t.Errorf("%d delayed answers in the room, want %d", n, service.CommandResponseUses)
	}

	// Another run's URL: good until 30 minutes have passed.
	token2 := run("c2")
	h.advance(service.CommandResponseTTL - time.Second)
	if _, err := h.svc.RespondToCommand(h.ctx, token2, room1); err != nil {
		t.Fatalf("just in time: %v", err)
	}
	h.advance(time.Second)
	if _, err := h.svc.RespondToCommand(h.ctx, token2, room1); chat.ErrorCode(err) != chat.SessionExpired {
		t.Errorf("after 30 minutes: %v, want session_expired", err)
	}

	// Deleting the command voids its URLs.
	token3 := run("c3")
	if _, err := h.svc.DeleteCommand(h.ctx, alice, protocol.DeleteIntegrationRequest{RoomID: room.ID, ID: reg.Integration.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RespondToCommand(h.ctx, token3, room1); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("after the delete: %v, want forbidden", err)
	}
}

// Without a CommandResponseBase the payload has no responseUrl.
func TestCommandWithoutResponseBase(t *testing.T) {
	h, alice, room := newHooksHarness(t)
	recv := newReceiver(t, ``)
	reg, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "x", URL: recv.URL})
	if err != nil {
		t.Fatal(err)
	}
	recv.setSecret(reg.Secret)
	if _, err := h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "x", ClientID: "c1"}); err != nil {
		t.Fatal(err)
	}
	if u := recv.got[0].ResponseURL; u != "" {
		t.Errorf("responseUrl %q without a base", u)
	}
}
