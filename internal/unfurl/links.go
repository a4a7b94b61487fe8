package unfurl

import (
	"net/url"
	"regexp"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// linkRE finds links as the web client links them (web/src/ui/messages/
// format.ts): http(s)://, up to whitespace or <>"`, not ending in
// punctuation.
var linkRE = regexp.MustCompile("(?i)\\bhttps?://[^\\s<>\"`]*[^\\s<>\"`.,:;!?'\")\\]}]")

// Links returns the first max distinct http(s) links of a message's text,
// in order. Links inside code spans (`…`) and blocks are left out.
func Links(text string, max int) []string {
	var out []string
	for i, part := range strings.Split(text, "`") {
		if i%2 == 1 { // inside a code span or block
			continue
		}
		for _, l := range linkRE.FindAllString(part, -1) {
			if len(l) > chat.MaxPreviewURL {
				continue
			}
			u, err := url.Parse(l)
			if err != nil || u.Host == "" {
				continue
			}
			dup := false
			for _, o := range out {
				dup = dup || o == l
			}
			if !dup {
				out = append(out, l)
			}
			if len(out) == max {
				return out
			}
		}
	}
	return out
}
