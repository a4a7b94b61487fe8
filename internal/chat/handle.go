package chat

import (
	"errors"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Handles: every person has one unique, human handle ("bo.berg", shown as
// "@bo.berg") that tells people of the same display name apart and that
// mentions insert. A handle is NFKC-normalised and lowercased, then must
// be HandleMinLen to HandleMaxLen characters of a-z, 0-9, ".", "_" and
// "-", start and end with a letter or digit (so "@bo." at the end of a
// sentence mentions "bo"), have no two separators in a row, and not be a
// reserved word. The store keeps it unique with a claim item
// (ProfileStore.SetHandle).
const (
	HandleMinLen = 2
	HandleMaxLen = 30
)

// reservedHandles are words a mention or the product gives a meaning of
// their own, or that would impersonate staff.
var reservedHandles = []string{
	"admin", "admins", "administrator", "all", "backchannel", "channel", "everyone",
	"here", "help", "me", "mod", "moderator", "moderators", "null", "owner", "root",
	"support", "system", "undefined", "you",
}

// NormalizeHandle NFKC-normalises and lowercases raw, dropping one leading
// "@" and surrounding spaces; the result still has to pass ValidHandle.
func NormalizeHandle(raw string) string {
	h := strings.TrimSpace(norm.NFKC.String(raw))
	h = strings.TrimPrefix(h, "@")
	return strings.ToLower(h)
}

// ValidHandle checks a normalised handle against the rules above and says
// what is wrong in words a person can act on ("" when it is fine).
func ValidHandle(h string) string {
	n := len([]rune(h))
	switch {
	case n < HandleMinLen:
		return "a handle needs at least 2 characters"
	case n > HandleMaxLen:
		return "a handle has at most 30 characters"
	}
	prevSep := true // no separator first
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			prevSep = false
		case r == '.' || r == '_' || r == '-':
			if prevSep {
				return "a handle starts with a letter or digit and has no two of . _ - in a row"
			}
			prevSep = true
		default:
			return "a handle has only lowercase letters a-z, digits and . _ -"
		}
	}
	if prevSep {
		return "a handle ends with a letter or digit"
	}
	if slices.Contains(reservedHandles, h) {
		return "@" + h + " is reserved"
	}
	return ""
}

// DeriveHandle makes a valid handle from a display name, else from an
// email's local part, else "user": accents dropped, letters outside a-z
// dropped, spaces and other separators become ".", cut to leave room for a
// numeric suffix. A reserved or too short result gets a "1" appended.
func DeriveHandle(displayName, email string) string {
	for _, src := range []string{displayName, strings.SplitN(email, "@", 2)[0]} {
		if h := slug(src); h != "" {
			return h
		}
	}
	return "user"
}

func slug(src string) string {
	var b strings.Builder
	sep := true
	for _, r := range norm.NFKD.String(strings.ToLower(norm.NFKC.String(src))) {
		switch {
		case unicode.Is(unicode.Mn, r): // accents: "é" -> "e"
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
			sep = false
		case r == 'ß':
			b.WriteString("ss")
			sep = false
		case unicode.IsSpace(r) || r == '.' || r == '_' || r == '-' || r == '+':
			if !sep {
				b.WriteByte('.')
				sep = true
			}
		}
	}
	h := strings.Trim(b.String(), ".")
	if len(h) > HandleMaxLen-5 { // room for a suffix
		h = strings.TrimRight(h[:HandleMaxLen-5], ".")
	}
	if h == "" {
		return ""
	}
	if ValidHandle(h) != "" {
		h += "1"
	}
	if ValidHandle(h) != "" {
		return ""
	}
	return h
}

// ErrHandleTaken matches (errors.Is) the cause of the Conflict SetHandle
// returns when another person holds the handle.
var ErrHandleTaken = errors.New("handle taken")

// HandleTaken builds that Conflict.
func HandleTaken(h string) *Error {
	return &Error{Code: Conflict, Message: "@" + h + " is taken: choose another handle", Err: ErrHandleTaken}
}
