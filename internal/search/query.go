package search

import (
	"strings"
	"time"
	"unicode"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// MaxQueryBytes is the longest query accepted.
const MaxQueryBytes = 500

// MaxQueryWords caps the words and phrase words of one query.
const MaxQueryWords = 8

// MinPrefixBytes is the shortest last word matched as a prefix: a single
// letter would match nearly every message.
const MinPrefixBytes = 2

// Word is one query word: its folded form and its stems (Stems).
type Word struct {
	Text  string
	Stems []string
}

// Query is a parsed search query.
type Query struct {
	// Words must all occur in a message (by stem). Phrase words are here
	// too, so the index can be asked for them.
	Words []Word
	// Phrases must occur as consecutive words (each by stem).
	Phrases [][]Word
	// Prefix, when set, must begin some word of the message: the last
	// word as typed (folded), when the query does not end in a space.
	Prefix string
	// From are handles (without @): the sender is one of them.
	From []string
	// In are rooms as written: "#name" (a channel, by name) or "@handle"
	// (the DM with that person): the message is in one of them.
	In []string
	// After and Before bound createdAt: After <= createdAt < Before (UTC
	// days). Zero means unbounded.
	After, Before              time.Time
	HasFile, HasImage, HasLink bool
	// IsMention: the message mentions the caller.
	IsMention bool
}

// HasText reports whether the query names any word, phrase or prefix.
func (q Query) HasText() bool { return len(q.Words) > 0 || q.Prefix != "" }

// Empty reports whether the query asks for nothing at all.
func (q Query) Empty() bool {
	return !q.HasText() && len(q.From) == 0 && len(q.In) == 0 && q.After.IsZero() && q.Before.IsZero() &&
		!q.HasFile && !q.HasImage && !q.HasLink && !q.IsMention
}

const dateLayout = "2006-01-02"

// Parse parses a query. Errors are chat.Invalid and name the problem.
func Parse(s string) (Query, error) {
	var q Query
	if len(s) > MaxQueryBytes {
		return q, chat.Errorf(chat.Invalid, "search query is longer than %d bytes", MaxQueryBytes)
	}
	if strings.Count(s, `"`)%2 == 1 {
		return q, chat.Errorf(chat.Invalid, "search query has an unterminated quote")
	}
	endsInSpace := s == "" || unicode.IsSpace(rune(s[len(s)-1])) || strings.HasSuffix(s, `"`)
	var (
		lastBare  string // the last item when it was a bare word
		afterSet  bool
		beforeSet bool
	)
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			break
		}
		if rest[0] == '"' {
			end := strings.IndexByte(rest[1:], '"')
			phrase := rest[1 : 1+end]
			rest = rest[2+end:]
			lastBare = ""
			var words []Word
			for _, t := range Tokenize(phrase) {
				words = append(words, Word{Text: t.Word, Stems: Stems(t.Word)})
			}
			if len(words) == 0 {
				continue // "" or "!!" asks for nothing
			}
			q.Words = append(q.Words, words...)
			if len(words) > 1 {
				q.Phrases = append(q.Phrases, words)
			}
			continue
		}
		end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(rest)
		}
		item := rest[:end]
		rest = rest[end:]
		lastBare = ""
		if key, val, ok := strings.Cut(item, ":"); ok && isOperator(strings.ToLower(key)) {
			if err := q.operator(strings.ToLower(key), val, &afterSet, &beforeSet); err != nil {
				return Query{}, err
			}
			continue
		}
		toks := Tokenize(item)
		for _, t := range toks {
			q.Words = append(q.Words, Word{Text: t.Word, Stems: Stems(t.Word)})
		}
		if len(toks) > 0 {
			lastBare = toks[len(toks)-1].Word
		}
	}
	// The last word as typed is a prefix (unless the query ends in a
	// space, or the word is too short to narrow anything: then it is a
	// whole word).
	if !endsInSpace && lastBare != "" && len(q.Words) > 0 && len(lastBare) >= MinPrefixBytes {
		q.Words = q.Words[:len(q.Words)-1]
		q.Prefix = lastBare
	}
	if len(q.Words) > MaxQueryWords {
		return Query{}, chat.Errorf(chat.Invalid, "search query has more than %d words", MaxQueryWords)
	}
	if !q.After.IsZero() && !q.Before.IsZero() && !q.After.Before(q.Before) {
		return Query{}, chat.Errorf(chat.Invalid, "search query: after: %s is not before before: %s",
			q.After.Format(dateLayout), q.Before.AddDate(0, 0, -1).Format(dateLayout))
	}
	if q.Empty() {
		return Query{}, chat.Errorf(chat.Invalid, "search query is empty: give a word or an operator")
	}
	return q, nil
}

func isOperator(key string) bool {
	switch key {
	case "from", "in", "before", "after", "on", "has", "is":
		return true
	}
	return false
}

func (q *Query) operator(key, val string, afterSet, beforeSet *bool) error {
	if val == "" {
		return chat.Errorf(chat.Invalid, "search operator %s: needs a value", key)
	}
	switch key {
	case "from":
		h := strings.TrimPrefix(val, "@")
		if h == "" || strings.ContainsAny(h, "@#") {
			return chat.Errorf(chat.Invalid, "search operator from: takes a @handle, not %q", val)
		}
		q.From = append(q.From, strings.ToLower(h))
	case "in":
		switch {
		case len(val) > 1 && (val[0] == '#' || val[0] == '@'):
			q.In = append(q.In, strings.ToLower(val))
		case !strings.ContainsAny(val, "@#"):
			q.In = append(q.In, "#"+strings.ToLower(val))
		default:
			return chat.Errorf(chat.Invalid, "search operator in: takes a #channel or a @handle, not %q", val)
		}
	case "before", "after", "on":
		d, err := time.Parse(dateLayout, val)
		if err != nil {
			return chat.Errorf(chat.Invalid, "search operator %s: takes a date as YYYY-MM-DD, not %q", key, val)
		}
		switch key {
		case "before":
			if *beforeSet {
				return chat.Errorf(chat.Invalid, "search operator before: given twice")
			}
			*beforeSet, q.Before = true, d
		case "after":
			if *afterSet {
				return chat.Errorf(chat.Invalid, "search operator after: given twice")
			}
			// after:D means from the day after D on.
			*afterSet, q.After = true, d.AddDate(0, 0, 1)
		case "on":
			if *afterSet || *beforeSet {
				return chat.Errorf(chat.Invalid, "search operator on: cannot be combined with before:, after: or another on:")
			}
			*afterSet, *beforeSet = true, true
			q.After, q.Before = d, d.AddDate(0, 0, 1)
		}
	case "has":
		switch strings.ToLower(val) {
		case "file":
			q.HasFile = true
		case "image":
			q.HasImage = true
		case "link":
			q.HasLink = true
		default:
			return chat.Errorf(chat.Invalid, "search operator has: takes file, image or link, not %q", val)
		}
	case "is":
		if strings.ToLower(val) != "mention" {
			return chat.Errorf(chat.Invalid, "search operator is: takes mention, not %q", val)
		}
		q.IsMention = true
	}
	return nil
}
