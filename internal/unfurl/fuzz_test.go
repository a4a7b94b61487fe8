package unfurl

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// FuzzParse: whatever a page holds, Parse neither panics nor returns
// more than the caps, invalid UTF-8, or an image that is not an absolute
// http(s) URL; Links returns at most max distinct http(s) links.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.html"))
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<meta property="og:image" content="javascript:alert(1)"><meta name=description content="` + strings.Repeat("a ", 500) + `">`))
	base, _ := url.Parse("https://example.com/x/")
	f.Fuzz(func(t *testing.T, body []byte) {
		p := Parse(base, body)
		for _, s := range []string{p.Title, p.Description, p.SiteName, p.ImageURL} {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in %+v", p)
			}
		}
		if utf8.RuneCountInString(p.Title) > chat.MaxPreviewTitle || utf8.RuneCountInString(p.Description) > chat.MaxPreviewDescription ||
			utf8.RuneCountInString(p.SiteName) > chat.MaxPreviewSiteName || len(p.ImageURL) > chat.MaxPreviewURL {
			t.Fatalf("over the caps: %+v", p)
		}
		if p.ImageURL != "" && !strings.HasPrefix(p.ImageURL, "http://") && !strings.HasPrefix(p.ImageURL, "https://") {
			t.Fatalf("image %q", p.ImageURL)
		}
		links := Links(string(body), chat.MaxPreviews)
		if len(links) > chat.MaxPreviews {
			t.Fatalf("%d links", len(links))
		}
		for _, l := range links {
			if !strings.HasPrefix(strings.ToLower(l), "http") {
				t.Fatalf("link %q", l)
			}
		}
	})
}
