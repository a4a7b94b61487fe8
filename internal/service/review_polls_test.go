package service_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The review hook sees a new poll's question and options (kind poll) and
// allows, denies or rewrites them like a send's text, with the same time
// budget and failure policy.

func reviewedPoll(h *harness, c chat.Connection, roomID, clientID string) (protocol.AckEvent, error) {
	return h.svc.CreatePoll(h.ctx, c, protocol.CreatePollRequest{RoomID: roomID, ClientID: clientID,
		Question: "Lunch at jo@example.com?", Options: []string{"Pizza", "Card 4111 1111 1111 1111", "Tacos"}, Multiple: true})
}

func pollTexts(p *chat.Poll) (string, []string) {
	var opts []string
	for _, o := range p.Options {
		opts = append(opts, o.Text)
	}
	return p.Question, opts
}

func TestReviewPollSeesQuestionAndOptions(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewAllow})}
	h, alice, room := reviewSetup(t, rv, nil)
	ack, err := reviewedPoll(h, alice, room.ID, "p1")
	if err != nil {
		t.Fatal(err)
	}
	reqs := rv.requests()
	if len(reqs) != 1 {
		t.Fatalf("reviewed %d times", len(reqs))
	}
	r := reqs[0]
	if r.Kind != chat.ReviewPoll || r.RoomID != room.ID || r.SenderID != "alice" || r.SenderName != "Alice" || r.ClientID != "p1" ||
		r.Text != "Lunch at jo@example.com?" || !slices.Equal(r.Options, []string{"Pizza", "Card 4111 1111 1111 1111", "Tacos"}) {
		t.Fatalf("request = %+v", r)
	}
	if q, _ := pollTexts(ack.Message.Poll); q != "Lunch at jo@example.com?" || ack.Message.Text != q {
		t.Fatalf("stored %+v", ack.Message)
	}
}

func TestReviewPollDenyStoresAndPushesNothing(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "no polls about\nlunch"})}
	h, alice, room := reviewSetup(t, rv, nil)
	_, err := reviewedPoll(h, alice, room.ID, "p1")
	wantCode(t, err, chat.Rejected)
	if got := chat.ErrorMessage(err); got != "no polls about lunch" {
		t.Fatalf("reason = %q", got)
	}
	wantNothingKept(t, h, room.ID)
}

func TestReviewPollRewriteStoresAndDeliversTheRewrite(t *testing.T) {
	mask := func(s string) string {
		s = strings.ReplaceAll(s, "jo@example.com", "[email hidden]")
		return strings.ReplaceAll(s, "4111 1111 1111 1111", "[card number hidden]")
	}
	rv := &fakeReviewer{verdict: func(r chat.ReviewRequest) chat.ReviewVerdict {
		v := chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: mask(r.Text)}
		for _, o := range r.Options {
			v.Options = append(v.Options, mask(o))
		}
		return v
	}}
	h, alice, room := reviewSetup(t, rv, nil)
	ack, err := reviewedPoll(h, alice, room.ID, "p1")
	if err != nil {
		t.Fatal(err)
	}
	wantQ, wantOpts := "Lunch at [email hidden]?", []string{"Pizza", "Card [card number hidden]", "Tacos"}
	check := func(where string, m chat.Message) {
		t.Helper()
		q, opts := pollTexts(m.Poll)
		if q != wantQ || m.Text != wantQ || !slices.Equal(opts, wantOpts) || !m.Poll.Multiple {
			t.Errorf("%s: %q %q %v", where, m.Text, q, opts)
		}
	}
	check("ack", ack.Message)
	check("history", h.history(room.ID)[0])
	check("bob", decodeOne[protocol.MessageEvent](t, h.fan, "b1", protocol.EventMessage).Message)

	// Only the question rewritten: the options stay as sent.
	rv.verdict = verdict(chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: "Lunch?"})
	ack, err = reviewedPoll(h, alice, room.ID, "p2")
	if q, opts := pollTexts(ack.Message.Poll); err != nil || q != "Lunch?" || !slices.Equal(opts, []string{"Pizza", "Card 4111 1111 1111 1111", "Tacos"}) {
		t.Errorf("question-only rewrite: %q %v, %v", q, opts, err)
	}
	// Only the options rewritten: the question stays.
	rv.verdict = verdict(chat.ReviewVerdict{Action: chat.ReviewRewrite, Options: []string{"A", "B", "C"}})
	ack, err = reviewedPoll(h, alice, room.ID, "p3")
	if q, opts := pollTexts(ack.Message.Poll); err != nil || q != "Lunch at jo@example.com?" || !slices.Equal(opts, []string{"A", "B", "C"}) {
		t.Errorf("options-only rewrite: %q %v, %v", q, opts, err)
	}
}

// A rewrite that is not a valid poll (another number of options, options
// made the same, a question too long) is a failed review: fail open keeps
// the poll as sent, fail closed rejects it.
func TestReviewPollBadRewriteIsAFailedReview(t *testing.T) {
	bad := []chat.ReviewVerdict{
		{Action: chat.ReviewRewrite, Options: []string{"A", "B"}},
		{Action: chat.ReviewRewrite, Options: []string{"A", "a", "B"}},
		{Action: chat.ReviewRewrite, Text: strings.Repeat("q", chat.PollMaxQuestion+1)},
		{Action: "maybe"},
	}
	for _, closed := range []bool{false, true} {
		for i, v := range bad {
			rv := &fakeReviewer{verdict: verdict(v)}
			h, alice, room := reviewSetup(t, rv, func(c *service.ReviewConfig) { c.FailClosed = closed })
			ack, err := reviewedPoll(h, alice, room.ID, "p1")
			if closed {
				wantCode(t, err, chat.Rejected)
				if msgs := h.history(room.ID); len(msgs) != 0 {
					t.Errorf("closed, verdict %d: stored %+v", i, msgs)
				}
				continue
			}
			if err != nil {
				t.Fatalf("open, verdict %d: %v", i, err)
			}
			if q, opts := pollTexts(ack.Message.Poll); q != "Lunch at jo@example.com?" || len(opts) != 3 || opts[1] != "Card 4111 1111 1111 1111" {
				t.Errorf("open, verdict %d: stored %q %v", i, q, opts)
			}
		}
	}
}

func TestReviewPollTimeoutAndErrorFollowTheFailurePolicy(t *testing.T) {
	for _, closed := range []bool{false, true} {
		for _, rv := range []*fakeReviewer{
			{delay: time.Second, verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewDeny})},
			{err: errors.New("hook crashed")},
		} {
			h, alice, room := reviewSetup(t, rv, func(c *service.ReviewConfig) {
				c.Timeout = 30 * time.Millisecond
				c.FailClosed = closed
			})
			start := time.Now()
			ack, err := reviewedPoll(h, alice, room.ID, "p1")
			if took := time.Since(start); took > 900*time.Millisecond {
				t.Errorf("the poll waited %v for a hook with a 30ms budget", took)
			}
			if closed {
				wantCode(t, err, chat.Rejected)
				if msgs := h.history(room.ID); len(msgs) != 0 {
					t.Errorf("closed: stored %+v", msgs)
				}
				continue
			}
			if err != nil || ack.Message.Poll == nil || ack.Message.Poll.Question != "Lunch at jo@example.com?" {
				t.Errorf("open: %+v, %v", ack, err)
			}
		}
	}
}

// A refused createPoll (not a member) never reaches the hook.
func TestReviewPollNotAskedForRefusedPolls(t *testing.T) {
	rv := &fakeReviewer{verdict: verdict(chat.ReviewVerdict{Action: chat.ReviewAllow})}
	h, _, room := reviewSetup(t, rv, nil)
	carol := h.connect("carol", "c1")
	if _, err := reviewedPoll(h, carol, room.ID, "p1"); err == nil {
		t.Fatal("an outsider created a poll")
	}
	if n := len(rv.requests()); n != 0 {
		t.Fatalf("reviewed %d times", n)
	}
}
