package service

import (
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Sanitized names are safe as the last segment of a file key (the
// sanitizing itself is tested in internal/media, with these inputs).
func TestSanitizedFileNamesAreValidKeys(t *testing.T) {
	long := strings.Repeat("a", 200)
	cases := []struct{ in, want string }{
		{"report.pdf", "report.pdf"},
		{"Q3 report (final).pdf", "Q3 report (final).pdf"},
		{"../../etc/passwd", "passwd"},
		{`C:\Users\me\Desktop\cat.png`, "cat.png"},
		{"folder/", "file"},
		{".bashrc", "bashrc"},
		{"...hidden.txt", "hidden.txt"},
		{".", "file"},
		{"..", "file"},
		{"", "file"},
		{"   ", "file"},
		{"name.", "name"},
		{"trailing .txt  ", "trailing .txt"},
		{"a..b.txt", "a.b.txt"},
		{"a....b", "a.b"},
		{"tab\tand\nnewline.txt", "tab and newline.txt"},
		{"nul\x00byte.txt", "nulbyte.txt"},
		{"bell\x07.txt", "bell.txt"},
		{"bidi\u202egnp.exe", "bidignp.exe"}, // right-to-left override dropped
		{"zero\u200bwidth.txt", "zerowidth.txt"},
		{`quote"s.txt`, "quote_s.txt"},
		{"what?*<>|:.txt", "what______.txt"},
		{"100%#{}.txt", "100____.txt"},
		{"bad\xffutf8.txt", "bad_utf8.txt"},
		{"été 🎉.png", "été 🎉.png"},
		{"many    spaces.txt", "many spaces.txt"},
		{long + ".jpeg", strings.Repeat("a", 115) + ".jpeg"},
		{long, strings.Repeat("a", 120)},
		{long + ".averyveryverylongextension", (long + ".averyveryverylongextension")[:120]},
		{strings.Repeat("é", 100) + ".png", strings.Repeat("é", 58) + ".png"}, // 116 bytes + 4
	}
	for _, tc := range cases {
		got := media.SanitizeFileName(tc.in)
		if checkObjectKey("rooms/r/u/f/"+got, true) != nil {
			t.Errorf("media.SanitizeFileName(%q) = %q is not a safe key segment", tc.in, got)
		}
	}
}

func TestAttachmentLimitIsTheWireLimit(t *testing.T) {
	if maxAttachments != protocol.MaxAttachments {
		t.Errorf("service allows %d attachments, the protocol says %d", maxAttachments, protocol.MaxAttachments)
	}
}
