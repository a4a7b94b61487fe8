// Package mask is the example message review hook (functions/reviewhook):
// it masks e-mail addresses and payment card numbers in a message's text,
// denies messages with a configured word (REVIEW_DENY_WORDS; none by
// default) and allows everything else. A card number is 13 to 19 digits, optionally
// grouped by single spaces or dashes, that passes the Luhn check, so that
// order numbers and phone numbers mostly stay as they are.
//
// It is the starting point for a deployment's own hook: the event is a
// chat.ReviewRequest, the reply a chat.ReviewVerdict (docs/INTEGRATIONS.md,
// "Message review hook").
package mask

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// What masked text reads.
const (
	EmailMask = "[email hidden]"
	CardMask  = "[card number hidden]"
)

var (
	// email is deliberately loose (RFC 5322 allows more, people write less).
	email = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}`)
	// digitRun is a run of digits with single space or dash separators
	// (greedy: the longest run); maskCards checks its ends and length.
	digitRun = regexp.MustCompile(`\d(?:[ \-]?\d)*`)
)

// Text masks the e-mail addresses and card numbers in s and says whether
// it changed anything.
func Text(s string) (string, bool) {
	out := email.ReplaceAllString(s, EmailMask)
	out = maskCards(out)
	return out, out != s
}

func maskCards(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range digitRun.FindAllStringIndex(s, -1) {
		start, end := m[0], m[1]
		if glued(s, start, end) || !luhn(s[start:end]) {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(CardMask)
		last = end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// glued says whether the run s[start:end] touches a letter or an
// underscore (a word, an identifier: not a number on its own).
func glued(s string, start, end int) bool {
	if start > 0 {
		r, _ := utf8.DecodeLastRuneInString(s[:start])
		if unicode.IsLetter(r) || r == '_' {
			return true
		}
	}
	if end < len(s) {
		r, _ := utf8.DecodeRuneInString(s[end:])
		if unicode.IsLetter(r) || r == '_' {
			return true
		}
	}
	return false
}

// luhn reports whether the digits of s (separators ignored) are 13 to 19
// long and pass the Luhn checksum.
func luhn(s string) bool {
	var digits []int
	for _, r := range s {
		if r >= '0' && r <= '9' {
			digits = append(digits, int(r-'0'))
		}
	}
	if len(digits) < 13 || len(digits) > 19 {
		return false
	}
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := digits[i]
		if (len(digits)-1-i)%2 == 1 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}

// Policy is the example hook's configuration: DenyWords are words (case
// does not matter, whole words only) a message must not contain; one
// that does is denied with a reason naming the word. Empty: it never
// denies, only masks.
type Policy struct {
	DenyWords []string
}

// Handle is the hook with no words denied: a rewrite when something was
// masked, allow otherwise.
func Handle(ctx context.Context, r chat.ReviewRequest) (chat.ReviewVerdict, error) {
	return Policy{}.Handle(ctx, r)
}

// Handle denies a message (a poll: its question or an option) with one of
// p's words, else masks it (a rewrite when something was masked, with all
// of a poll's options, allow otherwise). It logs each
// verdict at debug level, without the text.
func (p Policy) Handle(ctx context.Context, r chat.ReviewRequest) (chat.ReviewVerdict, error) {
	v := chat.ReviewVerdict{Action: chat.ReviewAllow}
	w := p.deniedWord(r.Text)
	for _, o := range r.Options { // a poll's options (kind poll)
		if w == "" {
			w = p.deniedWord(o)
		}
	}
	if w != "" {
		return p.logged(ctx, r, chat.ReviewVerdict{Action: chat.ReviewDeny, Reason: fmt.Sprintf("Messages with the word “%s” are not allowed in this workspace.", w)}), nil
	}
	masked, changed := Text(r.Text)
	var opts []string
	for _, o := range r.Options {
		m, ch := Text(o)
		opts, changed = append(opts, m), changed || ch
	}
	if changed {
		v = chat.ReviewVerdict{Action: chat.ReviewRewrite, Text: masked, Options: opts}
	}
	return p.logged(ctx, r, v), nil
}

func (p Policy) logged(ctx context.Context, r chat.ReviewRequest, v chat.ReviewVerdict) chat.ReviewVerdict {
	slog.DebugContext(ctx, "reviewed", slog.String("kind", string(r.Kind)), slog.String("roomId", r.RoomID), slog.String("action", string(v.Action)), slog.Int("bytes", len(r.Text)))
	return v
}

// deniedWord is the first of p.DenyWords that text contains as a word.
func (p Policy) deniedWord(text string) string {
	if len(p.DenyWords) == 0 {
		return ""
	}
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-' && r != '_' })
	for _, deny := range p.DenyWords {
		if d := strings.ToLower(strings.TrimSpace(deny)); d != "" && slices.Contains(words, d) {
			return deny
		}
	}
	return ""
}
