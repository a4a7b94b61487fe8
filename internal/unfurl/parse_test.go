package unfurl

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestParse(t *testing.T) {
	base, _ := url.Parse("https://www.example.com/news/1")
	cases := []struct {
		file string
		want chat.LinkPreview
	}{
		{"og.html", chat.LinkPreview{Title: "The & Ampersand Article", Description: "A description over two lines with <b>markup</b>.", ImageURL: "https://www.example.com/img/card.png", SiteName: "Example News"}},
		{"twitter.html", chat.LinkPreview{Title: "Tweet-card title", Description: "Card description", ImageURL: "https://cdn.example.org/t.jpg", SiteName: "example.com"}},
		{"plain.html", chat.LinkPreview{Title: "Just a <title> page", Description: "Meta description", SiteName: "example.com"}},
		{"hostile.html", chat.LinkPreview{Title: "<script>alert(1)</script>", Description: "ok", SiteName: "example.com"}},
		{"noheadclose.html", chat.LinkPreview{Title: "No head element", ImageURL: "https://images.example.net/a.png", SiteName: "example.com"}},
		{"empty.html", chat.LinkPreview{SiteName: "example.com"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			if got := Parse(base, body); got != c.want {
				t.Errorf("Parse(%s) =\n %+v\nwant\n %+v", c.file, got, c.want)
			}
		})
	}
}

func TestParseCapsFields(t *testing.T) {
	long := strings.Repeat("é", 1000)
	p := Parse(nil, []byte(`<head><meta property="og:title" content="`+long+`"><meta name="description" content="`+long+`">`))
	if n := len([]rune(p.Title)); n != chat.MaxPreviewTitle {
		t.Errorf("title is %d runes, want %d", n, chat.MaxPreviewTitle)
	}
	if n := len([]rune(p.Description)); n != chat.MaxPreviewDescription {
		t.Errorf("description is %d runes, want %d", n, chat.MaxPreviewDescription)
	}
}

func TestLinks(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"no links here", nil},
		{"see https://example.com/a, and http://b.example.org/x?y=1.", []string{"https://example.com/a", "http://b.example.org/x?y=1"}},
		{"(https://example.com/paren) dup https://example.com/paren", []string{"https://example.com/paren"}},
		{"1 https://a.example/ 2 https://b.example/ 3 https://c.example/ 4 https://d.example/", []string{"https://a.example/", "https://b.example/", "https://c.example/"}},
		{"code `https://skip.example/` then https://keep.example/", []string{"https://keep.example/"}},
		{"ftp://x.example/ javascript:alert(1) HTTPS://UPPER.example/", []string{"HTTPS://UPPER.example/"}},
	}
	for _, c := range cases {
		got := Links(c.text, chat.MaxPreviews)
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("Links(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}
