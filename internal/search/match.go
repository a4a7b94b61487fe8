package search

import (
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Filter is a query's operators resolved by the service: From as user
// ids, Me the caller (for is:mention). Rooms (in:) are resolved into the
// set of rooms searched and are not checked here.
type Filter struct {
	From []string
	Me   string
}

// SnippetRunes is the longest snippet returned for a result.
const SnippetRunes = 240

// Match is a message matched against a query: the snippet of its text
// and the highlighted ranges of the snippet, in UTF-16 code units (the
// indexes of a JavaScript string), as [start, end) pairs.
type Match struct {
	Snippet    string
	Highlights [][2]int
	// Score ranks by relevance: matched word occurrences, a phrase bonus,
	// over the message's length.
	Score float64
}

// MatchMessage checks a message against the query and the resolved
// operators, on its current text: the index finds candidates, this
// decides. Deleted messages and system lines never match.
func MatchMessage(q Query, f Filter, m chat.Message) (Match, bool) {
	if m.Deleted || m.System != nil {
		return Match{}, false
	}
	if len(f.From) > 0 && !slices.Contains(f.From, m.SenderID) {
		return Match{}, false
	}
	if !q.After.IsZero() && m.CreatedAt.Before(q.After) {
		return Match{}, false
	}
	if !q.Before.IsZero() && !m.CreatedAt.Before(q.Before) {
		return Match{}, false
	}
	if q.HasFile && len(m.Attachments) == 0 {
		return Match{}, false
	}
	if q.HasImage && !hasImage(m) {
		return Match{}, false
	}
	if q.HasLink && !HasLink(m.Text) {
		return Match{}, false
	}
	if q.IsMention && !slices.Contains(m.Mentions, f.Me) {
		return Match{}, false
	}
	toks := Tokenize(m.Text)
	terms := make([][]string, len(toks))
	for i, t := range toks {
		terms[i] = Terms(t.Word)
	}
	hit := make([]bool, len(toks))
	occurrences := 0
	for _, w := range q.Words {
		found := false
		for i := range toks {
			if meets(terms[i], w.Stems) {
				found, hit[i] = true, true
				occurrences++
			}
		}
		if !found {
			return Match{}, false
		}
	}
	score := 0.0
	for _, p := range q.Phrases {
		found := false
		for i := 0; i+len(p) <= len(toks); i++ {
			ok := true
			for j, w := range p {
				if !meets(terms[i+j], w.Stems) {
					ok = false
					break
				}
			}
			if ok {
				found = true
				score += 2
			}
		}
		if !found {
			return Match{}, false
		}
	}
	if q.Prefix != "" {
		found := false
		for i := range toks {
			for _, t := range terms[i] {
				if strings.HasPrefix(t, q.Prefix) {
					found, hit[i] = true, true
					occurrences++
					break
				}
			}
		}
		if !found {
			return Match{}, false
		}
	}
	if len(toks) > 0 {
		score += float64(occurrences) / (1 + float64(len(toks))/10)
	}
	snippet, hl := snippetOf(m.Text, toks, hit)
	return Match{Snippet: snippet, Highlights: hl, Score: score}, true
}

func meets(a, b []string) bool {
	for _, x := range a {
		if slices.Contains(b, x) {
			return true
		}
	}
	return false
}

func hasImage(m chat.Message) bool {
	for _, a := range m.Attachments {
		if strings.HasPrefix(a.Type, "image/") {
			return true
		}
	}
	return false
}

// snippetOf cuts the text to SnippetRunes around the first highlighted
// word (with … where it is cut) and converts the highlights to UTF-16
// offsets within the snippet.
func snippetOf(text string, toks []Token, hit []bool) (string, [][2]int) {
	first := -1
	for i, h := range hit {
		if h {
			first = i
			break
		}
	}
	start, prefix := 0, ""
	if first >= 0 && len([]rune(text)) > SnippetRunes {
		// Start up to 40 runes before the first hit, at a token start.
		from := toks[first].Start
		for i := first; i >= 0; i-- {
			if len([]rune(text[toks[i].Start:from])) > 40 {
				break
			}
			start = toks[i].Start
		}
		if start > 0 {
			prefix = "…"
		}
	}
	body := truncateRunes(text[start:], SnippetRunes)
	snippet := prefix + body
	if len(body) < len(text)-start {
		snippet += "…"
	}
	end := start + len(body)
	base := utf16Len(prefix)
	var hl [][2]int
	for i, t := range toks {
		if !hit[i] || t.Start < start || t.End > end {
			continue
		}
		s := base + utf16Len(text[start:t.Start])
		hl = append(hl, [2]int{s, s + utf16Len(text[t.Start:t.End])})
	}
	return snippet, hl
}
