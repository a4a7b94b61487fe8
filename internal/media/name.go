package media

import (
	"fmt"
	"path"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of stored file names, in bytes of UTF-8 (S3 keys are limited in
// bytes, and names end up in keys and headers).
const (
	MaxFileNameBytes = 120
	maxExtBytes      = 16
	fallbackFileName = "file"
)

// SanitizeFileName makes a client's file name safe to use as the last
// segment of an object key and in a Content-Disposition header: only the
// base name (no folders, Windows or Unix), no control, quote or reserved
// characters, no "..", no leading dots (hidden files) or trailing dots and spaces,
// at most MaxFileNameBytes with the extension kept, and "file" when
// nothing is left.
func SanitizeFileName(raw string) string {
	name := strings.ToValidUTF8(raw, "_")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r): // tabs and newlines too
			return ' '
		case unicode.IsControl(r), unicode.Is(unicode.Cf, r), r == utf8.RuneError:
			return -1 // invisible: bidi overrides, zero-width characters
		case strings.ContainsRune(`"<>:*?|%#{}^~[]`+"`", r):
			return '_'
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	for strings.Contains(name, "..") { // keys with ".." are refused as relative
		name = strings.ReplaceAll(name, "..", ".")
	}
	name = strings.TrimLeft(name, ". ")
	name = strings.TrimRight(name, ". ")
	if name == "" {
		return fallbackFileName
	}
	return shortenKeepingExt(name, MaxFileNameBytes)
}

// shortenKeepingExt cuts name to max bytes on a rune boundary, keeping a
// short extension.
func shortenKeepingExt(name string, max int) string {
	if len(name) <= max {
		return name
	}
	ext := path.Ext(name)
	if len(ext) > maxExtBytes || len(ext) == len(name) {
		ext = ""
	}
	base := name[:len(name)-len(ext)]
	room := max - len(ext)
	for room > 0 && !utf8.RuneStart(base[room]) {
		room--
	}
	base = strings.TrimRight(base[:room], ". ")
	if base == "" {
		base = fallbackFileName
	}
	return base + ext
}

// ContentDisposition is a Content-Disposition value (RFC 6266) naming the
// file: an ASCII fallback for old clients and the exact UTF-8 name in
// filename*.
func ContentDisposition(kind, name string) string {
	fallback := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' {
			return '_'
		}
		return r
	}, name)
	return kind + `; filename="` + fallback + `"; filename*=UTF-8''` + rfc5987(name)
}

// rfc5987 percent-encodes everything but the attr-chars of RFC 5987.
func rfc5987(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte("!#$&+-.^_`|~", c) >= 0) {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
