package service_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// fakeReviewer answers with verdict (or err), after delay unless the
// context ends first, and records what it saw.
type fakeReviewer struct {
	mu      sync.Mutex
	verdict func(chat.ReviewRequest) chat.ReviewVerdict
	err     error
	delay   time.Duration
	seen    []chat.ReviewRequest
}

func (f *fakeReviewer) Review(ctx context.Context, r chat.ReviewRequest) (chat.ReviewVerdict, error) {
	f.mu.Lock()
	f.seen = append(f.seen, r)
	f.mu.Unlock()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return chat.ReviewVerdict{}, ctx.Err()
		}
	}
	if f.err != nil {
		return chat.ReviewVerdict{}, f.err
	}
	return f.verdict(r), nil
}

func (f *fakeReviewer) requests() []chat.ReviewRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]chat.ReviewRequest(nil), f.seen...)
}

func verdict(v chat.ReviewVerdict) func(chat.ReviewRequest) chat.ReviewVerdict {
	return func(chat.ReviewRequest) chat.ReviewVerdict { return v }
}

// wantNothingKept: a denied message (or poll) left nothing: nothing stored
// in the room, no push to anyone's connection, no domain event.
func wantNothingKept(t *testing.T, h *harness, roomID string) {
	t.Helper()
	if msgs := h.history(roomID); len(msgs) != 0 {
		t.Fatalf("stored %+v", msgs)
	}
	for _, conn := range []string{"a1", "a2", "b1"} {
		if ds := h.fan.Deliveries(conn); len(ds) != 0 {
			t.Fatalf("%s got %v", conn, h.fan.Types(conn))
		}
	}
	if evs := h.events.All(); len(evs) != 0 {
		t.Fatalf("published %v", h.events.Types())
	}
}

// reviewSetup is a room of alice (sender, on a1 and a2) and bob (b1),
// with the review hook rv.
func reviewSetup(t *testing.T, rv chat.Reviewer, tweak func(*service.ReviewConfig)) (*harness, chat.Connection, chat.Room) {
	t.Helper()
	h := newHarness(t, func(c *service.Config) {
		c.Review = service.ReviewConfig{Reviewer: rv}
		if tweak != nil {
			tweak(&c.Review)
		}
	})
	alice := h.connect("alice", "a1")
	h.connect("alice", "a2")
	bob := h.connect("bob", "b1")
	room := h.channel(alice, "review", false)
	h.join(bob, room.ID)
	h.fan.Reset()
	h.events.Reset()
	return h, alice, room
}

func (h *harness) history(roomID string) []chat.Message {
	h.t.Helper()
	msgs, _, err := h.store.MessagesBefore(h.ctx, roomID, 1<<62, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []chat.Message
	for _, m := range msgs {
		if m.System == nil {
			out = append(out, m)
		}
	}
	return out
}

func TestReviewAllowStoresTheMessageAsSent(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewAllow})}
	h, alice, room := reviewSetup(t, rv, nil)
	msg := h.send(alice, room.ID, "hello @bob")
	if msg.Text != "hello @bob" {
		t.Fatalf("stored %q", msg.Text)
	}
	got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage)
	if got.Message.Text != "hello @bob" {
		t.Fatalf("bob got %q", got.Message.Text)
	}
	reqs := rv.requests()
	if len(reqs) != 1 {
		t.Fatalf("reviewed %d times", len(reqs))
	}
	r := reqs[0]
	if r.Kind != chat.ReviewSend || r.RoomID != room.ID || r.SenderID != "alice" || r.SenderName != "Alice" || r.Text != "hello @bob" || r.ClientID == "" || r.Scheduled {
		t.Fatalf("request = %+v", r)
	}
}

func TestReviewDenyStoresAndPushesNothing(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "  no\nswearing  here "})}
	h, alice, room := reviewSetup(t, rv, nil)
	_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x1", Text: "darn"})
	wantCode(t, err, chat.Rejected)
	if got := chat.ErrorMessage(err); got != "no swearing here" {
		t.Fatalf("reason = %q", got)
	}
	wantNothingKept(t, h, room.ID)
}

func TestReviewDenyWithoutReasonHasAGenericOne(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewDeny})}
	h, alice, room := reviewSetup(t, rv, nil)
	_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x1", Text: "hi"})
	wantCode(t, err, chat.Rejected)
	if chat.ErrorMessage(err) == "" {
		t.Fatal("empty reason")
	}
	long := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: strings.Repeat("é", 600)})}
	h, alice, room = reviewSetup(t, long, nil)
	_, err = h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x1", Text: "hi"})
	if msg := chat.ErrorMessage(err); len(msg) > 504 || !strings.HasSuffix(msg, "…") {
		t.Fatalf("long reason not cut: %d bytes", len(msg))
	}
}

func TestReviewRewriteStoresAndDeliversTheRewrite(t *testing.T) {
	rv := &fakeReviewer{verdict: func(r chat.ReviewRequest) chat.ReviewVerdict {
		return chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: strings.ReplaceAll(r.Text, "ann@example.com", "[email]") + " @bob"}
	}}
	h, alice, room := reviewSetup(t, rv, nil)
	msg := h.send(alice, room.ID, "write to ann@example.com")
	want := "write to [email] @bob"
	if msg.Text != want {
		t.Fatalf("ack has %q", msg.Text)
	}
	if got := decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage); got.Message.Text != want {
		t.Fatalf("bob got %q", got.Message.Text)
	}
	if got := decodeOne[protocol.MessageEvent](t, h.fan, "a2", protocol.EventMessage); got.Message.Text != want {
		t.Fatalf("alice's other tab got %q", got.Message.Text)
	}
	stored := h.history(room.ID)
	if len(stored) != 1 || stored[0].Text != want {
		t.Fatalf("stored %+v", stored)
	}
	// The rewrite's mentions are its own.
	if len(stored[0].Mentions) != 1 || stored[0].Mentions[0] != "bob" {
		t.Fatalf("mentions = %v", stored[0].Mentions)
	}
}

func TestReviewEditIsReviewed(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewAllow})}
	h, alice, room := reviewSetup(t, rv, nil)
	msg := h.send(alice, room.ID, "first")
	rv.mu.Lock()
	rv.verdict = func(r chat.ReviewRequest) chat.ReviewVerdict {
		if r.Text == "bad" {
			return chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "not that"}
		}
		return chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: strings.ToUpper(r.Text)}
	}
	rv.mu.Unlock()
	_, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: msg.Seq, Text: "bad"})
	wantCode(t, err, chat.Rejected)
	if got := h.history(room.ID)[0].Text; got != "first" {
		t.Fatalf("denied edit stored: %q", got)
	}
	ev, err := h.svc.EditMessage(h.ctx, alice, protocol.EditMessageRequest{RoomID: room.ID, Seq: msg.Seq, Text: "second"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Message.Text != "SECOND" || h.history(room.ID)[0].Text != "SECOND" {
		t.Fatalf("edit = %q, stored %q", ev.Message.Text, h.history(room.ID)[0].Text)
	}
	reqs := rv.requests()
	last := reqs[len(reqs)-1]
	if last.Kind != chat.ReviewEdit || last.Seq != msg.Seq {
		t.Fatalf("edit request = %+v", last)
	}
}

func TestReviewThreadReplyIsReviewed(t *testing.T) {
	rv := &fakeReviewer{verdict: func(r chat.ReviewRequest) chat.ReviewVerdict {
		if r.ParentSeq > 0 {
			return chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "no replies"}
		}
		return chat.ReviewVerdict{Action: chat.ReviewAllow}
	}}
	h, alice, room := reviewSetup(t, rv, nil)
	parent := h.send(alice, room.ID, "parent")
	_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "r1", Text: "reply", ParentSeq: parent.Seq})
	wantCode(t, err, chat.Rejected)
	if n := len(h.history(room.ID)); n != 1 {
		t.Fatalf("%d messages stored", n)
	}
}

func TestReviewFailureOpenLetsTheMessageThrough(t *testing.T) {
	for name, rv := range map[string]*fakeReviewer{
		"timeout":   {delay: time.Minute, verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewDeny})},
		"error":     {err: errors.New("function error")},
		"nonsense":  {verdict: verdict(chat.ReviewVerdict{Action: "shrug"})},
		"empty":     {verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: "  "})},
		"too large": {verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: strings.Repeat("x", protocol.MaxTextBytes+1)})},
	} {
		t.Run(name, func(t *testing.T) {
			var metrics bytes.Buffer
			h, alice, room := reviewSetup(t, rv, func(c *service.ReviewConfig) { c.Timeout = 20 * time.Millisecond; c.Metrics = &metrics })
			msg := h.send(alice, room.ID, "unreviewed")
			if msg.Text != "unreviewed" || len(h.history(room.ID)) != 1 {
				t.Fatalf("fail-open stored %q", msg.Text)
			}
			if !strings.Contains(metrics.String(), `"ReviewFailures":1`) || !strings.Contains(metrics.String(), `"Outcome":"open"`) {
				t.Fatalf("metric: %s", metrics.String())
			}
		})
	}
}

func TestReviewFailureClosedRejects(t *testing.T) {
	for name, rv := range map[string]*fakeReviewer{
		"timeout": {delay: time.Minute, verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewAllow})},
		"error":   {err: errors.New("function error")},
	} {
		t.Run(name, func(t *testing.T) {
			var metrics bytes.Buffer
			h, alice, room := reviewSetup(t, rv, func(c *service.ReviewConfig) {
				c.Timeout, c.FailClosed, c.Metrics = 20*time.Millisecond, true, &metrics
			})
			_, err := h.svc.SendMessage(h.ctx, alice, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x1", Text: "hi"})
			wantCode(t, err, chat.Rejected)
			if !strings.Contains(chat.ErrorMessage(err), "review") {
				t.Fatalf("reason %q does not say why", chat.ErrorMessage(err))
			}
			if n := len(h.history(room.ID)); n != 0 || len(h.fan.Deliveries("b1")) != 0 {
				t.Fatalf("fail-closed stored %d, pushed %v", n, h.fan.Types("b1"))
			}
			if !strings.Contains(metrics.String(), `"Outcome":"closed"`) {
				t.Fatalf("metric: %s", metrics.String())
			}
		})
	}
}

// An unauthorized send is refused before the hook sees it.
func TestReviewNotAskedForRefusedSends(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewAllow})}
	h, _, room := reviewSetup(t, rv, nil)
	carol := h.connect("carol", "c1")
	_, err := h.svc.SendMessage(h.ctx, carol, protocol.SendMessageRequest{RoomID: room.ID, ClientID: "x1", Text: "hi"})
	if err == nil {
		t.Fatal("non-member's send stored")
	}
	if n := len(rv.requests()); n != 0 {
		t.Fatalf("hook asked %d times", n)
	}
}

func TestReviewTimeoutMustNotBeNegative(t *testing.T) {
	_, err := service.New(service.Config{Store: newHarness(t).store, Fanout: newHarness(t).fan,
		Review: service.ReviewConfig{Reviewer: &fakeReviewer{}, Timeout: -time.Second}})
	if err == nil {
		t.Fatal("negative timeout accepted")
	}
}

// A scheduled message is reviewed when it fires (Scheduled set): a denial
// fails the item with the hook's reason and sends nothing.
func TestReviewScheduledMessageWhenItFires(t *testing.T) {
	rv := &fakeReviewer{verdict: func(r chat.ReviewRequest) chat.ReviewVerdict {
		if r.Scheduled {
			return chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "not at night"}
		}
		return chat.ReviewVerdict{Action: chat.ReviewAllow}
	}}
	timer := newFakeTimer()
	h := newHarness(t, func(c *service.Config) { c.Timer = timer; c.Review = service.ReviewConfig{Reviewer: rv} })
	alice, bob := h.connect("alice", "a1"), h.connect("bob", "b1")
	room := h.channel(alice, "plans", false)
	h.join(bob, room.ID)
	if _, err := h.svc.ScheduleMessage(h.ctx, alice, protocol.ScheduleMessageRequest{RoomID: room.ID, Text: "later", At: h.clock().Add(time.Hour), ClientID: "s1"}); err != nil {
		t.Fatal(err)
	}
	if n := len(rv.requests()); n != 0 {
		t.Fatalf("reviewed %d times when scheduled", n)
	}
	h.fan.Reset()
	h.advance(time.Hour)
	out, err := h.svc.DeliverScheduled(h.ctx, timer.fires()[0])
	if err != nil || out != service.DeliveryFailed {
		t.Fatalf("DeliverScheduled = %q, %v", out, err)
	}
	failed := decodeOne[protocol.ScheduledEvent](t, h.fan, "a1", protocol.EventScheduled).Item
	if failed.State != chat.ScheduledFailed || failed.Reason != "not at night" {
		t.Fatalf("item = %+v", failed)
	}
	if len(h.fan.OfType("b1", protocol.EventMessage)) != 0 || len(h.history(room.ID)) != 0 {
		t.Fatal("a denied scheduled message was sent")
	}
	if reqs := rv.requests(); len(reqs) != 1 || !reqs[0].Scheduled || reqs[0].SenderID != "alice" {
		t.Fatalf("requests %+v", reqs)
	}
}

// An incoming webhook's post passes the review hook as a person's send
// does: denied, nothing is stored; rewritten, the rewrite is stored.
func TestReviewWebhookPostIsReviewed(t *testing.T) {
	deny := true
	rv := &fakeReviewer{verdict: func(r chat.ReviewRequest) chat.ReviewVerdict {
		if deny {
			return chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "no secrets"}
		}
		return chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: strings.ReplaceAll(r.Text, "4111", "****")}
	}}
	h, alice, room := reviewSetup(t, rv, nil)
	ev, id, secret := createWebhook(t, h, alice, room.ID, "CI")
	_, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "card 4111"})
	wantCode(t, err, chat.Rejected)
	if msgs := h.history(room.ID); len(msgs) != 0 {
		t.Fatalf("stored %+v", msgs)
	}
	deny = false
	res, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "card 4111", Username: "Deploy"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := h.store.GetMessage(h.ctx, room.ID, res.Seq)
	if err != nil || m.Text != "card ****" {
		t.Fatalf("stored %q, %v", m.Text, err)
	}
	reqs := rv.requests()
	if len(reqs) != 2 || reqs[1].Kind != chat.ReviewSend || reqs[1].SenderID != chat.WebhookSenderPrefix+ev.Webhook.ID || reqs[1].SenderName != "Deploy" || reqs[1].ClientID == "" {
		t.Fatalf("requests = %+v", reqs)
	}
}
