package service_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// A slash command's room reply and its delayed answer (responseUrl) pass
// the review hook as a person's send does: denied, the caller (or the
// receiver) gets rejected and nothing is stored; rewritten, the rewrite is
// stored. An ephemeral reply is never stored, so it is not reviewed.
func TestReviewCommandRepliesAreReviewed(t *testing.T) {
	deny := true
	rv := &fakeReviewer{verdict: func(r chat.ReviewRequest) chat.ReviewVerdict {
		if deny {
			return chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "no card numbers"}
		}
		return chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: strings.ReplaceAll(r.Text, "4111", "****")}
	}}
	h := newHarness(t, func(c *service.Config) {
		c.Hooks = testHooks
		c.Review = service.ReviewConfig{Reviewer: rv}
		c.CommandResponseBase = "https://api.example.com" + service.CommandResponsePath
	})
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "ops", false)
	recv := newReceiver(t, `{"text":"card 4111","visibility":"ephemeral"}`)
	reg, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "pay", URL: recv.URL})
	if err != nil {
		t.Fatal(err)
	}
	recv.setSecret(reg.Secret)
	stored := func() []chat.Message {
		t.Helper()
		var out []chat.Message
		for _, m := range h.history(room.ID) {
			if strings.HasPrefix(m.SenderID, service.IntegrationSenderPrefix) {
				out = append(out, m)
			}
		}
		return out
	}

	// Ephemeral: shown to the caller only, never stored: not reviewed.
	if res, err := h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "pay", ClientID: "c0"}); err != nil || res.Text != "card 4111" {
		t.Fatalf("ephemeral: %+v, %v", res, err)
	}
	if n := len(rv.requests()); n != 0 {
		t.Fatalf("an ephemeral reply was reviewed %d times", n)
	}

	recv.mu.Lock()
	recv.reply = `{"text":"card 4111","visibility":"room"}`
	recv.mu.Unlock()
	_, err = h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "pay", ClientID: "c1"})
	wantCode(t, err, chat.Rejected)
	if msgs := stored(); len(msgs) != 0 {
		t.Fatalf("a denied room reply was stored: %+v", msgs)
	}
	token := func() string {
		recv.mu.Lock()
		defer recv.mu.Unlock()
		return strings.TrimPrefix(recv.got[len(recv.got)-1].ResponseURL, "https://api.example.com"+service.CommandResponsePath)
	}()
	_, err = h.svc.RespondToCommand(h.ctx, token, service.CommandReply{Text: "card 4111", Visibility: protocol.VisibilityRoom})
	wantCode(t, err, chat.Rejected)
	if msgs := stored(); len(msgs) != 0 {
		t.Fatalf("a denied delayed answer was stored: %+v", msgs)
	}

	deny = false
	res, err := h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "pay", ClientID: "c2"})
	if err != nil || res.Message == nil || res.Message.Text != "card ****" || res.Text != "card ****" {
		t.Fatalf("rewritten room reply: %+v, %v", res, err)
	}
	if _, err := h.svc.RespondToCommand(h.ctx, token, service.CommandReply{Text: "later 4111", Visibility: protocol.VisibilityRoom}); err != nil {
		t.Fatal(err)
	}
	msgs := stored()
	slices.SortFunc(msgs, func(a, b chat.Message) int { return int(a.Seq - b.Seq) })
	if len(msgs) != 2 || msgs[0].Text != "card ****" || msgs[1].Text != "later ****" {
		t.Fatalf("stored %+v", msgs)
	}
	for _, m := range msgs {
		if m.Integration == nil || m.Integration.Kind != chat.IntegrationCommand || m.Integration.Name != "/pay" {
			t.Errorf("message %d's integration marker %+v", m.Seq, m.Integration)
		}
	}
	for _, r := range rv.requests() {
		if r.Kind != chat.ReviewSend || r.SenderName != "/pay" || !strings.HasPrefix(r.SenderID, service.IntegrationSenderPrefix) || r.ClientID == "" {
			t.Errorf("review request %+v", r)
		}
	}
}
