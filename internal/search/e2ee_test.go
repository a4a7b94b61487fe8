package search

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// End-to-end encrypted messages are never indexed, not even by sender or
// mention (issue #19).
func TestEncryptedMessagesHaveNoTerms(t *testing.T) {
	m := chat.Message{RoomID: "d_x", Seq: 3, SenderID: "ada", Mentions: []string{"bo"}, Attachments: []chat.Attachment{{Name: "encrypted.bin"}},
		Encrypted: &chat.EncryptedContent{V: 1, Epoch: 1, CT: "x"}}
	if terms := MessageTerms(m); len(terms) != 0 {
		t.Fatalf("terms %v, want none", terms)
	}
	if ps := Postings(m); len(ps) != 0 {
		t.Fatalf("postings %v", ps)
	}
}
