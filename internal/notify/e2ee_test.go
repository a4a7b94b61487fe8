package notify_test

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/notify"
)

// An end-to-end encrypted message's notification has no preview (issue
// #19), whatever else the message carries.
func TestEncryptedMessagePreview(t *testing.T) {
	m := chat.Message{Encrypted: &chat.EncryptedContent{V: 1, Epoch: 1, CT: "x"}, Attachments: []chat.Attachment{{Name: "encrypted.bin"}}}
	if got := notify.Preview(m); got != "New encrypted message" {
		t.Fatalf("Preview = %q", got)
	}
}
