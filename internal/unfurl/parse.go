package unfurl

import (
	"bytes"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Parse reads a page's preview: og:title, twitter:title or <title>;
// og:description, twitter:description or <meta name=description>;
// og:image (og:image:secure_url, og:image:url), twitter:image or
// twitter:image:src, made absolute against the page's URL and kept only
// if http(s); og:site_name, else the host. Text is unescaped by the
// tokenizer, whitespace collapsed, trimmed and capped (the client
// escapes it). It stops at </head> or <body> (metadata lives in the head).
// The preview's URL is left for the caller.
func Parse(base *url.URL, body []byte) chat.LinkPreview {
	z := html.NewTokenizer(bytes.NewReader(body))
	meta := map[string]string{}
	var title strings.Builder
	inTitle := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return build(base, meta, title.String())
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch atom.Lookup(name) {
			case atom.Body:
				return build(base, meta, title.String())
			case atom.Title:
				inTitle = tt == html.StartTagToken && title.Len() == 0
			case atom.Meta:
				if !hasAttr {
					continue
				}
				var key, content string
				for {
					k, v, more := z.TagAttr()
					switch strings.ToLower(string(k)) {
					case "property", "name":
						if key == "" {
							key = strings.ToLower(strings.TrimSpace(string(v)))
						}
					case "content":
						content = string(v)
					}
					if !more {
						break
					}
				}
				if key != "" {
					if _, seen := meta[key]; !seen {
						meta[key] = content
					}
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch atom.Lookup(name) {
			case atom.Title:
				inTitle = false
			case atom.Head:
				return build(base, meta, title.String())
			}
		case html.TextToken:
			if inTitle && title.Len() < 4*chat.MaxPreviewTitle {
				title.Write(z.Text())
			}
		}
	}
}

func build(base *url.URL, meta map[string]string, title string) chat.LinkPreview {
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := clean(meta[k]); v != "" {
				return v
			}
		}
		return ""
	}
	p := chat.LinkPreview{
		Title:       capRunes(first("og:title", "twitter:title"), chat.MaxPreviewTitle),
		Description: capRunes(first("og:description", "twitter:description", "description"), chat.MaxPreviewDescription),
		SiteName:    capRunes(first("og:site_name", "application-name"), chat.MaxPreviewSiteName),
	}
	if p.Title == "" {
		p.Title = capRunes(clean(title), chat.MaxPreviewTitle)
	}
	for _, k := range []string{"og:image:secure_url", "og:image", "og:image:url", "twitter:image", "twitter:image:src"} {
		if img := absHTTP(base, clean(meta[k])); img != "" {
			p.ImageURL = img
			break
		}
	}
	if p.SiteName == "" && base != nil {
		p.SiteName = strings.TrimPrefix(base.Hostname(), "www.")
	}
	return p
}

// clean collapses whitespace, drops control characters and trims.
func clean(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
		case unicode.IsControl(r) || r == utf8.RuneError:
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

func capRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// absHTTP resolves ref against base and keeps it only if it is an http(s)
// URL without user info, at most MaxPreviewURL long.
func absHTTP(base *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || ref == "" {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	if len(s) > chat.MaxPreviewURL {
		return ""
	}
	return s
}
