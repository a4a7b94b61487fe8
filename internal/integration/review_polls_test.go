package integration

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/reviewhook/mask"
)

// TestReviewHookPollsOverTheLocalStack: createPoll goes through the same
// hook (the Lambda stand-in, the real SDK client, the JSON both ways): a
// question the hook denies answers `rejected` with its reason and Bob
// receives nothing; the example's masking reaches the question and the
// options Bob receives and history keeps.
func TestReviewHookPollsOverTheLocalStack(t *testing.T) {
	fn, a, b, roomID, _ := reviewStack(t, false)
	poll := func(clientID, question string, options ...string) map[string]any {
		return map[string]any{"roomId": roomID, "clientId": clientID, "question": question, "options": options}
	}

	f := a.callError(protocol.ActionCreatePoll, poll("pl-1", "Shall we deny lunch?", "Yes", "No"), string(chat.Rejected))
	if f.fields["message"] != "Messages saying deny are not allowed here." {
		t.Fatalf("rejected without the hook's reason: %s", f.raw)
	}
	b.expectNoEvent(protocol.EventMessage, nil)

	ack := decode[protocol.AckEvent](t, a.call(protocol.ActionCreatePoll, poll("pl-2", "Who pays? Mail ann@example.com", "Me", "Card 4111 1111 1111 1111"), protocol.EventAck))
	wantQ, wantOpt := "Who pays? Mail "+mask.EmailMask, "Card "+mask.CardMask
	live := decode[protocol.MessageEvent](t, b.expectEvent(protocol.EventMessage, isMessage(t, roomID, ack.Message.Seq)))
	for who, m := range map[string]chat.Message{"ack": ack.Message, "bob": live.Message} {
		if m.Poll == nil || m.Poll.Question != wantQ || m.Text != wantQ || len(m.Poll.Options) != 2 || m.Poll.Options[0].Text != "Me" || m.Poll.Options[1].Text != wantOpt {
			t.Errorf("%s: %+v %+v", who, m.Text, m.Poll)
		}
	}
	if got := historyTexts(t, b, roomID); len(got) != 1 || got[0] != wantQ {
		t.Errorf("history %q", got)
	}
	if n := fn.Calls(reviewTestFunction); n != 2 {
		t.Errorf("the hook was invoked %d times, want 2", n)
	}
}
