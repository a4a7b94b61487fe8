package chat

import (
	"strings"
	"unicode/utf8"
)

// maxEmojiBytes bounds a reaction's emoji: the longest RGI sequences (a
// family with skin tones, a subdivision flag) take about 35 bytes.
const maxEmojiBytes = 64

// reactionShortcodes maps the shortcodes a client may send instead of the
// emoji (the quick-reaction set's and a few common ones).
var reactionShortcodes = map[string]string{
	":+1:": "👍", ":thumbsup:": "👍", ":-1:": "👎", ":thumbsdown:": "👎",
	":heart:": "❤️", ":joy:": "😂", ":smile:": "😄", ":tada:": "🎉",
	":eyes:": "👀", ":fire:": "🔥", ":pray:": "🙏", ":clap:": "👏",
	":rocket:": "🚀", ":white_check_mark:": "✅", ":100:": "💯", ":thinking:": "🤔",
	":open_mouth:": "😮", ":cry:": "😢", ":wave:": "👋", ":ok_hand:": "👌",
}

// ReactionEmoji checks a reaction's emoji and returns it as stored: one
// emoji (a single grapheme cluster made of emoji: a pictograph with its
// variation selector, skin tone, tag sequence or keycap, ZWJ sequences
// of them, or a flag of two regional indicators), or one of the mapped
// :shortcodes:. Anything else is Invalid.
func ReactionEmoji(s string) (string, error) {
	if e, ok := reactionShortcodes[strings.ToLower(s)]; ok {
		return e, nil
	}
	if s == "" || len(s) > maxEmojiBytes || !utf8.ValidString(s) || !isOneEmoji([]rune(s)) {
		return "", Errorf(Invalid, "a reaction is one emoji")
	}
	return s, nil
}

// isOneEmoji reports whether rs is exactly one emoji grapheme cluster.
func isOneEmoji(rs []rune) bool {
	if len(rs) == 2 && isRegionalIndicator(rs[0]) && isRegionalIndicator(rs[1]) {
		return true
	}
	// Keycap: [0-9#*] FE0F? 20E3.
	if len(rs) >= 2 && (rs[0] >= '0' && rs[0] <= '9' || rs[0] == '#' || rs[0] == '*') {
		rest := rs[1:]
		if rest[0] == 0xFE0F {
			rest = rest[1:]
		}
		return len(rest) == 1 && rest[0] == 0x20E3
	}
	i := 0
	for {
		n := emojiElement(rs[i:])
		if n == 0 {
			return false
		}
		i += n
		if i == len(rs) {
			return true
		}
		if rs[i] != 0x200D || i+1 == len(rs) { // ZWJ joins the next element
			return false
		}
		i++
	}
}

// emojiElement is the length of the emoji element at the start of rs: a
// pictograph, then an optional FE0F or skin-tone modifier, then an
// optional tag sequence; 0 if rs does not start with one.
func emojiElement(rs []rune) int {
	if len(rs) == 0 || !isPictographic(rs[0]) {
		return 0
	}
	i := 1
	if i < len(rs) && (rs[i] == 0xFE0F || isSkinTone(rs[i])) {
		i++
	}
	if i < len(rs) && rs[i] >= 0xE0020 && rs[i] <= 0xE007E {
		for i < len(rs) && rs[i] >= 0xE0020 && rs[i] <= 0xE007E {
			i++
		}
		if i == len(rs) || rs[i] != 0xE007F {
			return 0
		}
		i++
	}
	return i
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
func isSkinTone(r rune) bool          { return r >= 0x1F3FB && r <= 0x1F3FF }

// isPictographic approximates Unicode's Extended_Pictographic property
// (emoji-data.txt) by its blocks: wide enough for every emoji, narrow
// enough that letters, digits, punctuation and CJK are refused.
func isPictographic(r rune) bool {
	switch {
	case r == 0x00A9, r == 0x00AE, r == 0x203C, r == 0x2049, r == 0x2122, r == 0x2139,
		r >= 0x2194 && r <= 0x2199, r == 0x21A9, r == 0x21AA, r == 0x231A, r == 0x231B,
		r == 0x2328, r == 0x23CF, r >= 0x23E9 && r <= 0x23F3, r >= 0x23F8 && r <= 0x23FA,
		r == 0x24C2, r == 0x25AA, r == 0x25AB, r == 0x25B6, r == 0x25C0, r >= 0x25FB && r <= 0x25FE,
		r >= 0x2600 && r <= 0x27BF, r == 0x2934, r == 0x2935, r >= 0x2B05 && r <= 0x2B07,
		r == 0x2B1B, r == 0x2B1C, r == 0x2B50, r == 0x2B55, r == 0x3030, r == 0x303D,
		r == 0x3297, r == 0x3299,
		r >= 0x1F000 && r <= 0x1F0FF, r >= 0x1F10D && r <= 0x1F10F, r == 0x1F12F,
		r >= 0x1F16C && r <= 0x1F171, r == 0x1F17E, r == 0x1F17F, r == 0x1F18E, r >= 0x1F191 && r <= 0x1F19A,
		r >= 0x1F201 && r <= 0x1F202, r == 0x1F21A, r == 0x1F22F, r >= 0x1F232 && r <= 0x1F23A,
		r >= 0x1F250 && r <= 0x1F251,
		r >= 0x1F300 && r <= 0x1F3FA, // the skin tones 1F3FB..1F3FF only follow a base
		r >= 0x1F400 && r <= 0x1F64F, r >= 0x1F680 && r <= 0x1F6FF, r >= 0x1F7E0 && r <= 0x1F7FF,
		r >= 0x1F900 && r <= 0x1F9FF, r >= 0x1FA70 && r <= 0x1FAFF:
		return true
	}
	return false
}
