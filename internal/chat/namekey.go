package chat

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// NameKey is the key under which a user's name is indexed for mentions
// (ProfileStore.MentionCandidates): the name lowercased, up to its first
// character that cannot continue a name (ContinuesName), or its first
// character when it starts with such a character. A mention "@<name>…"
// and the name it mentions have the same key: the name is a prefix of the
// text after "@" (case-insensitively, rune by rune), and a mention only
// matches where the name ends at a character that cannot continue it.
// "" for an empty name.
func NameKey(name string) string {
	s := strings.ToLower(name)
	for i, r := range s {
		if !ContinuesName(r) {
			if i == 0 {
				_, n := utf8.DecodeRuneInString(s)
				return s[:n]
			}
			return s[:i]
		}
	}
	return s
}

// NameKeys are the distinct non-empty keys of a user's names (username,
// display name, handle).
func NameKeys(names ...string) []string {
	var keys []string
	for _, n := range names {
		if k := NameKey(n); k != "" && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// ContinuesName reports whether r may follow inside a name, so that "@ann"
// does not match inside "@anna".
func ContinuesName(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-'
}
