package service

import (
	"context"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Mentions: "@" followed by a room member's handle, username or display name,
// case-insensitive. The "@" must start the text or follow a character that
// is not a letter or digit (so "ann@example.com" mentions nobody), and the
// name must end the text or be followed by a character that cannot
// continue a name. Only members of the room can be mentioned.

// mentionsIn resolves the mentions of text against the room's members and
// returns their user ids, deduplicated, in order of first appearance.
//
// Cost: none for text without "@"; otherwise the store's
// MentionCandidates for the name keys after each "@" (in DynamoDB one
// Query of the name index per distinct key and one BatchGetItem of the
// candidates' memberships): a few reads whatever the room's size.
// maxMentionKeys bounds the name-index reads of one message: names after
// the first maxMentionKeys distinct ones are not resolved.
const maxMentionKeys = 20

func (s *Chat) mentionsIn(ctx context.Context, roomID, text string) ([]string, error) {
	starts := mentionStarts(text)
	if len(starts) == 0 {
		return nil, nil
	}
	var keys []string
	for _, at := range starts {
		// A name key is at most a name long: look no further.
		end := min(len(text), at+4*protocol.MaxNameRunes+4)
		if k := chat.NameKey(text[at:end]); k != "" && !slices.Contains(keys, k) && len(keys) < maxMentionKeys {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	ps, err := s.store.MentionCandidates(ctx, roomID, keys)
	if err != nil {
		return nil, storeErr(err, "resolve mentions")
	}
	// Candidates come in no particular order: resolve ties between equally
	// long names the same way every time.
	slices.SortFunc(ps, func(a, b chat.Profile) int { return strings.Compare(a.UserID, b.UserID) })
	return resolveMentions(text, starts, ps), nil
}

// mentionStarts returns the byte offsets just after each "@" that can start
// a mention.
func mentionStarts(text string) []int {
	var out []int
	for i := 0; i < len(text); {
		j := strings.IndexByte(text[i:], '@')
		if j < 0 {
			break
		}
		at := i + j
		prev, _ := utf8.DecodeLastRuneInString(text[:at])
		if at == 0 || !(unicode.IsLetter(prev) || unicode.IsDigit(prev)) {
			out = append(out, at+1)
		}
		i = at + 1
	}
	return out
}

func resolveMentions(text string, starts []int, profiles []chat.Profile) []string {
	lower := strings.ToLower(text)
	// ToLower can change byte lengths for some scripts; fall back to
	// case-sensitive matching on the original when it does.
	if len(lower) != len(text) {
		lower = text
	}
	var out []string
	for _, at := range starts {
		best, bestLen := "", 0
		for _, p := range profiles {
			for _, name := range []string{p.Username, p.DisplayName, p.Handle} {
				n := strings.ToLower(name)
				if n == "" || len(n) <= bestLen || !strings.HasPrefix(lower[at:], n) {
					continue
				}
				next, _ := utf8.DecodeRuneInString(lower[at+len(n):])
				if at+len(n) < len(lower) && continuesName(next) {
					continue
				}
				best, bestLen = p.UserID, len(n)
			}
		}
		if best != "" && !slices.Contains(out, best) {
			out = append(out, best)
		}
	}
	return out
}

// continuesName reports whether r may follow inside a name, so that "@ann"
// does not match inside "@anna".
func continuesName(r rune) bool { return chat.ContinuesName(r) }
