package integration

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	awslambda "github.com/aws/aws-lambda-go/lambda"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/local/locallambda"
	"github.com/backchannel-chat/backchannel/internal/local/testenv"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

const reviewTestFunction = "chat-review"

// reviewHandler is the hook of the tests: "deny" in the text denies with a
// reason, "slow" in it answers after two seconds (past the budget), and
// everything else goes to the example hook (masking).
func reviewHandler(ctx context.Context, r chat.ReviewRequest) (chat.ReviewVerdict, error) {
	switch {
	case strings.Contains(r.Text, "deny"):
		return chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: "Messages saying deny are not allowed here."}, nil
	case strings.Contains(r.Text, "slow"):
		select {
		case <-time.After(2 * time.Second):
		case <-ctx.Done():
		}
		return chat.ReviewVerdict{Action: chat.ReviewAllow}, nil
	}
	return mask.Handle(ctx, r)
}

// reviewStack is a stack whose review hook is reviewHandler in the Lambda
// stand-in, called by the real SDK client over a loopback socket, with a
// 300 ms budget and the failure policy given; Ann and Bob share a room.
func reviewStack(t *testing.T, failClosed bool) (*locallambda.Server, *client, *client, string, *stack) {
	t.Helper()
	fn := testenv.NewLambda(t) // before the stack loads its AWS config
	fn.Register(reviewTestFunction, locallambda.Function{Handler: awslambda.NewHandler(reviewHandler), Timeout: 5 * time.Second})
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) {
		c.Review = app.ReviewSettings{Function: "arn:aws:lambda:us-east-1:000000000000:function:" + reviewTestFunction, Timeout: 300 * time.Millisecond, FailClosed: failClosed}
	})
	ann, bob := s.newUser("ann", "Ann Archer"), s.newUser("bob", "Bob Baker")
	a, _ := s.online(ann)
	b, _ := s.online(bob)
	roomID := decode[protocol.RoomEvent](t, a.call(protocol.ActionCreateChannel, map[string]any{"name": "reviewed"}, protocol.EventRoom)).Room.ID
	b.call(protocol.ActionJoinChannel, room(roomID), protocol.EventRoom)
	a.drain()
	b.drain()
	return fn, a, b, roomID, s
}

func historyTexts(t *testing.T, c *client, roomID string) []string {
	t.Helper()
	h := decode[protocol.HistoryEvent](t, c.call(protocol.ActionHistory, room(roomID), protocol.EventHistory))
	var texts []string // oldest first
	for _, m := range slices.Backward(h.Messages) {
		if m.System == nil {
			texts = append(texts, m.Text)
		}
	}
	return texts
}

// TestReviewHookOverTheLocalStack (fail open): an allowed message is
// stored and delivered as sent; a denied one answers Ann `rejected` with
// the hook's reason, and Bob receives nothing and history has nothing; a
// rewritten one reaches Bob masked; a review past the budget lets the
// message through unreviewed.
func TestReviewHookOverTheLocalStack(t *testing.T) {
	fn, a, b, roomID, _ := reviewStack(t, false)

	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, message(roomID, "rv-1", "hello Bob"), protocol.EventAck))
	live := decode[protocol.MessageEvent](t, b.expectEvent(protocol.EventMessage, isMessage(t, roomID, ack.Message.Seq)))
	if live.Message.Text != "hello Bob" || ack.Message.Text != "hello Bob" {
		t.Fatalf("allowed: ack %q, bob got %q", ack.Message.Text, live.Message.Text)
	}

	f := a.callError(protocol.ActionSendMessage, message(roomID, "rv-2", "please deny this"), string(chat.Rejected))
	if f.fields["message"] != "Messages saying deny are not allowed here." {
		t.Fatalf("rejected without the hook's reason: %s", f.raw)
	}
	b.expectNoEvent(protocol.EventMessage, nil)

	ack = decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, message(roomID, "rv-3", "card 4111 1111 1111 1111, mail ann@example.com"), protocol.EventAck))
	want := "card " + mask.CardMask + ", mail " + mask.EmailMask
	live = decode[protocol.MessageEvent](t, b.expectEvent(protocol.EventMessage, isMessage(t, roomID, ack.Message.Seq)))
	if ack.Message.Text != want || live.Message.Text != want {
		t.Fatalf("rewrite: ack %q, bob got %q, want %q", ack.Message.Text, live.Message.Text, want)
	}

	// Past the budget, fail open: through as sent.
	ack = decode[protocol.AckEvent](t, a.call(protocol.ActionSendMessage, message(roomID, "rv-4", "slow but fine"), protocol.EventAck))
	live = decode[protocol.MessageEvent](t, b.expectEvent(protocol.EventMessage, isMessage(t, roomID, ack.Message.Seq)))
	if live.Message.Text != "slow but fine" {
		t.Fatalf("fail open: bob got %q", live.Message.Text)
	}

	// An edit is reviewed too.
	a.callError(protocol.ActionEditMessage, map[string]any{"roomId": roomID, "seq": ack.Message.Seq, "text": "deny me"}, string(chat.Rejected))

	got := historyTexts(t, b, roomID)
	if strings.Join(got, "|") != strings.Join([]string{"hello Bob", want, "slow but fine"}, "|") {
		t.Fatalf("history %q", got)
	}
	if n := fn.Calls(reviewTestFunction); n != 5 {
		t.Errorf("the hook was invoked %d times, want 5", n)
	}
}

// TestReviewHookFailClosedOverTheLocalStack: a review past the budget
// rejects the message with a reason that says so; nothing is stored.
func TestReviewHookFailClosedOverTheLocalStack(t *testing.T) {
	_, a, b, roomID, _ := reviewStack(t, true)
	f := a.callError(protocol.ActionSendMessage, message(roomID, "rv-1", "slow one"), string(chat.Rejected))
	if msg, _ := f.fields["message"].(string); !strings.Contains(msg, "review") {
		t.Fatalf("fail closed: reason %q does not say why", msg)
	}
	b.expectNoEvent(protocol.EventMessage, nil)
	if got := historyTexts(t, b, roomID); len(got) != 0 {
		t.Fatalf("history %q", got)
	}
	// The hook answering in time still lets messages through.
	a.call(protocol.ActionSendMessage, message(roomID, "rv-2", "quick one"), protocol.EventAck)
}
