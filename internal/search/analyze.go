// Package search is the message search domain: the analyzer (tokens,
// case and accent folding, English and German stems), the query language
// (words, "phrases", the last word as a prefix, from:/in:/before:/after:/
// on:/has:/is: operators), matching and highlighting a message against a
// query, and the index consumer that keeps the postings of the table's
// stream. It has no AWS imports: the postings are stored by
// internal/dynamo behind the PostingStore port.
//
// Language: the server does not know a sender's language, and language
// detection on chat-sized texts (a few words) is unreliable. So every word
// is indexed under its folded surface form and under its English and its
// German Snowball stem, deduplicated: for most words two or all three are
// the same, so the extra postings are few (measured in docs/ARCHITECTURE.md).
// A query word matches a message word when their stem sets meet.
package search

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/german"
	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxTermBytes is the longest folded word indexed; longer tokens (hashes,
// pasted blobs) are skipped by the index and matched only by the text
// check of a candidate.
const MaxTermBytes = 48

// MaxTerms caps the distinct word terms indexed per message (the longest
// messages): the first MaxTerms in text order are kept.
const MaxTerms = 200

// Token is one word of a text: Word is its folded surface form; Start and
// End are byte offsets into the original text.
type Token struct {
	Word       string
	Start, End int
}

// Tokenize splits s into words: maximal runs of letters, digits and
// combining marks, folded (Fold).
func Tokenize(s string) []Token {
	var out []Token
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		if inWord && start < 0 {
			start = i
		}
		if !inWord && start >= 0 {
			out = appendToken(out, s, start, i)
			start = -1
		}
	}
	if start >= 0 {
		out = appendToken(out, s, start, len(s))
	}
	return out
}

func appendToken(out []Token, s string, start, end int) []Token {
	if w := Fold(s[start:end]); w != "" {
		out = append(out, Token{Word: w, Start: start, End: end})
	}
	return out
}

var caseFold = cases.Fold()

// Fold case-folds s (ß becomes ss) and removes accents: NFKD, then every
// nonspacing mark is dropped (é→e, ü→u, ﬁ→fi).
func Fold(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return caseFold.String(out)
}

// Stems are the distinct stems of one word: its English Snowball stem of
// the folded word, and its German stem (stemmed before folding, since the
// German stemmer knows umlauts and ß; its result folded). The first is
// always the English stem.
func Stems(word string) []string {
	folded := Fold(word)
	env := snowballstem.NewEnv(folded)
	english.Stem(env)
	en := env.Current()
	env.SetCurrent(strings.ToLower(word))
	german.Stem(env)
	de := Fold(env.Current())
	if de == en {
		return []string{en}
	}
	return []string{en, de}
}

// Terms are the index terms of one word: its folded surface form (for
// prefix search as one types) and its stems, deduplicated.
func Terms(word string) []string {
	folded := Fold(word)
	out := []string{folded}
	for _, s := range Stems(word) {
		if s != folded && s != "" {
			out = append(out, s)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s]+`)

// HasLink reports whether text contains a link (http://, https:// or www.).
func HasLink(text string) bool { return linkRE.MatchString(text) }

// utf16Len is the length of s in UTF-16 code units (the unit of a
// JavaScript string's indexes, which highlights are given in).
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
