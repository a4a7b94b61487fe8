package digest

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// A message of files or a GIF only still says what it was in the mail.
func TestPreviewNamesFilesAndGifs(t *testing.T) {
	gif := &chat.Gif{URL: "https://media.tenor.com/a/b.gif", Width: 100, Height: 80}
	for _, c := range []struct {
		name string
		m    chat.Message
		want string
	}{
		{"text", chat.Message{Text: "lunch   at\nnoon"}, "lunch at noon"},
		{"file only", chat.Message{Attachments: []chat.Attachment{{Name: "a.pdf"}}}, "[file]"},
		{"text and file", chat.Message{Text: "see", Attachments: []chat.Attachment{{Name: "a.pdf"}}}, "see [file]"},
		{"GIF only", chat.Message{Gif: gif}, "[GIF]"},
		{"text and GIF", chat.Message{Text: "ha", Gif: gif}, "ha [GIF]"},
	} {
		if got := preview(c.m, "[file]", "[GIF]"); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// An end-to-end encrypted message's entry says so and no more (issue #19).
func TestEncryptedWordInEveryLanguage(t *testing.T) {
	for lang, tx := range texts {
		if tx.encrypted == "" {
			t.Errorf("%s: no word for an encrypted message", lang)
		}
	}
}
