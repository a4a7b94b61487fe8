package media

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSanitizeFileName(t *testing.T) {
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
		got := SanitizeFileName(tc.in)
		if got != tc.want {
			t.Errorf("SanitizeFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if len(got) > MaxFileNameBytes || !utf8.ValidString(got) || strings.Contains(got, "..") {
			t.Errorf("SanitizeFileName(%q) = %q is not a safe key segment", tc.in, got)
		}
	}
}

func TestContentDisposition(t *testing.T) {
	got := ContentDisposition("attachment", "naïve résumé (1).pdf")
	want := `attachment; filename="na_ve r_sum_ (1).pdf"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9%20%281%29.pdf`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{25 << 20: "25 MB", 1536: "1536 bytes", 2048: "2 KB", 3<<20 + 1<<19: "3.5 MB", 10: "10 bytes"} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
