package search

import (
	"slices"
	"strings"
)

// MaxNameWords caps the words a person or channel is indexed and matched
// by (the first ones of their names).
const MaxNameWords = 12

// NameWords are the distinct folded words of names (a display name, a
// handle, a channel's name and topic): people and channels are found by a
// prefix of any of them ("zoë ång" finds "Zoë Ångström"; "berg" finds
// "@bo.berg"), case- and accent-insensitively, as messages are. Words
// longer than MaxTermBytes are left out.
func NameWords(names ...string) []string {
	var out []string
	for _, n := range names {
		for _, t := range Tokenize(n) {
			if len(out) == MaxNameWords {
				return out
			}
			if len(t.Word) <= MaxTermBytes && !slices.Contains(out, t.Word) {
				out = append(out, t.Word)
			}
		}
	}
	return out
}

// NameQuery is the words of a people or channel query, folded ("@Bo.B"
// gives bo, b), and the one to ask an index for: the longest, which
// narrows most.
func NameQuery(q string) (words []string, lookup string) {
	for _, t := range Tokenize(q) {
		if len(words) == MaxNameWords {
			break
		}
		words = append(words, t.Word)
		if len(t.Word) > len(lookup) {
			lookup = t.Word
		}
	}
	return words, lookup
}

// MatchNameQuery reports whether every query word begins some name word.
func MatchNameQuery(query, words []string) bool {
	for _, q := range query {
		if !slices.ContainsFunc(words, func(w string) bool { return strings.HasPrefix(w, q) }) {
			return false
		}
	}
	return true
}
