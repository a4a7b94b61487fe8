package media

import (
	"mime"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// FuzzSanitizeFileName: whatever a client names a file, the stored name is
// a valid, short, visible, single key segment that makes a valid original
// key, is stable (sanitizing it again changes nothing), and its
// Content-Disposition header parses back to it.
func FuzzSanitizeFileName(f *testing.F) {
	for _, s := range []string{
		"cat.png", "", "..", "../../etc/passwd", `C:\Users\ada\report.pdf`, " .hidden ", "a\u202egnp.exe",
		"a\x00b", "\xff\xfe", "tab\there", strings.Repeat("é", 100) + ".jpeg", strings.Repeat("x", 200) + ".averyveryverylongext",
		"...", "a..b", `"quoted" <tag>.txt`, "%2e%2e", "名前.txt", "emoji 🙂.png", "\u200b", ". .",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		name := SanitizeFileName(raw)
		switch {
		case name == "":
			t.Fatalf("SanitizeFileName(%q) is empty", raw)
		case !utf8.ValidString(name):
			t.Fatalf("SanitizeFileName(%q) = %q is not UTF-8", raw, name)
		case len(name) > MaxFileNameBytes:
			t.Fatalf("SanitizeFileName(%q) = %q is %d bytes", raw, name, len(name))
		case strings.ContainsAny(name, `/\"<>:*?|%#{}^~[]`+"`"), strings.Contains(name, ".."):
			t.Fatalf("SanitizeFileName(%q) = %q keeps a reserved character", raw, name)
		case strings.HasPrefix(name, ".") || strings.HasPrefix(name, " ") || strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
			t.Fatalf("SanitizeFileName(%q) = %q starts or ends with a dot or space", raw, name)
		}
		for _, r := range name {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ') || r == utf8.RuneError {
				t.Fatalf("SanitizeFileName(%q) = %q keeps %U", raw, name, r)
			}
		}
		if again := SanitizeFileName(name); again != name {
			t.Fatalf("sanitizeFileName is not stable: %q -> %q -> %q", raw, name, again)
		}
		key := chat.FileKey{RoomID: "r1", UserID: "u1", FileID: "f1", Name: name}
		if k, ok := chat.ParseFileKey(key.String()); !ok || k != key {
			t.Fatalf("sanitized name %q does not make a valid file key", name)
		}
		_, params, err := mime.ParseMediaType(ContentDisposition("attachment", name))
		if err != nil {
			t.Fatalf("Content-Disposition for %q does not parse: %v", name, err)
		}
		if params["filename"] != name {
			t.Fatalf("Content-Disposition for %q names %q", name, params["filename"])
		}
	})
}
