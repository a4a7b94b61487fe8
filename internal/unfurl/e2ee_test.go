package unfurl

import (
	"context"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// An end-to-end encrypted message is never unfurled (issue #19), even if a
// client put a link in its (refused) clear text.
func TestEnqueuerSkipsEncryptedMessages(t *testing.T) {
	q := &fakeQueue{}
	e := &Enqueuer{Queue: q}
	enc := &chat.EncryptedContent{V: 1, Epoch: 1, CT: "x"}
	err := e.Consume(context.Background(), []chat.Event{
		chat.MessageCreated{Message: chat.Message{RoomID: "r", Seq: 1, Text: "https://example.com/", Encrypted: enc}},
		chat.MessageEdited{Message: chat.Message{RoomID: "r", Seq: 1, Text: "https://example.org/", Encrypted: enc}, Previous: chat.Message{Text: "x"}},
	})
	if err != nil || len(q.jobs) != 0 {
		t.Fatalf("jobs %+v, %v", q.jobs, err)
	}
}
