package service

import (
	"errors"
	"fmt"
	"mime"
	"slices"
	"strconv"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// FileLimits bound what may be uploaded. Zero values take the defaults.
type FileLimits struct {
	// MaxBytes is the largest upload (MAX_UPLOAD_BYTES), default
	// protocol.DefaultMaxUploadBytes (25 MiB).
	MaxBytes int64
	// AllowedTypes are the media types that may be uploaded
	// (ALLOWED_UPLOAD_TYPES, comma-separated), default DefaultUploadTypes.
	AllowedTypes []string
	// DownloadsPerWindow is each user's budget of requestDownload per
	// RateWindow, kept apart from the budget of other actions: opening a
	// room with many images asks for one URL per image at once.
	DownloadsPerWindow int
}

// DefaultUploadTypes are the types allowed unless configured: images the
// browser shows, documents and archives. Not HTML or SVG, which a browser
// would run as pages (downloads are served as attachments anyway).
var DefaultUploadTypes = []string{
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"application/pdf", "text/plain", "text/csv", "text/markdown", "application/json",
	"application/zip", "application/gzip", "application/x-tar",
	"application/msword",
	"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel",
	"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.ms-powerpoint",
	"application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text",
	"application/vnd.oasis.opendocument.spreadsheet",
	"application/vnd.oasis.opendocument.presentation",
	"audio/mpeg", "audio/ogg", "video/mp4", "video/webm",
}

// DefaultDownloadsPerWindow is the default of FileLimits.DownloadsPerWindow.
const DefaultDownloadsPerWindow = 200

// Environment variables of FileLimitsFromEnv.
const (
	EnvMaxUploadBytes     = "MAX_UPLOAD_BYTES"
	EnvAllowedUploadTypes = "ALLOWED_UPLOAD_TYPES"
)

// FileLimitsFromEnv reads MAX_UPLOAD_BYTES and ALLOWED_UPLOAD_TYPES; unset
// variables leave the defaults.
func FileLimitsFromEnv(lookup func(string) (string, bool)) (FileLimits, error) {
	var l FileLimits
	if v, ok := lookup(EnvMaxUploadBytes); ok && strings.TrimSpace(v) != "" {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			return l, fmt.Errorf("service: %s %q: want a positive number of bytes", EnvMaxUploadBytes, v)
		}
		l.MaxBytes = n
	}
	if v, ok := lookup(EnvAllowedUploadTypes); ok && strings.TrimSpace(v) != "" {
		l.AllowedTypes = strings.Split(v, ",")
	}
	_, err := l.resolve()
	return l, err
}

// resolve checks the limits and fills in the defaults.
func (l FileLimits) resolve() (FileLimits, error) {
	if l.MaxBytes < 0 || l.DownloadsPerWindow < 0 {
		return l, errors.New("service: file limits must not be negative")
	}
	l.MaxBytes = orDefault(l.MaxBytes, protocol.DefaultMaxUploadBytes)
	l.DownloadsPerWindow = orDefault(l.DownloadsPerWindow, DefaultDownloadsPerWindow)
	src := l.AllowedTypes
	if len(src) == 0 {
		src = DefaultUploadTypes
	}
	types := make([]string, 0, len(src))
	for _, raw := range src {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		t, ok := mediaType(raw)
		if !ok {
			return l, fmt.Errorf("service: allowed upload type %q is not a media type", raw)
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return l, errors.New("service: no allowed upload types")
	}
	l.AllowedTypes = types
	return l, nil
}

func (l FileLimits) allows(mediaType string) bool {
	return slices.Contains(l.AllowedTypes, mediaType)
}

// mediaType normalizes a Content-Type to its lowercase type/subtype,
// without parameters: "Text/Plain; charset=utf-8" is "text/plain".
func mediaType(raw string) (string, bool) {
	t, _, err := mime.ParseMediaType(strings.TrimSpace(raw))
	if err != nil || !strings.Contains(t, "/") {
		return "", false
	}
	return t, true
}

// formatBytes states a size limit for people: "25 MB" for 25 MiB.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// limits tells clients this deployment's limits (in the state event).
func (s *Chat) limits() protocol.Limits {
	l := protocol.Limits{MaxTextBytes: protocol.MaxTextBytes, Files: s.blobs != nil}
	if l.Files {
		l.MaxUploadBytes = s.files.MaxBytes
		l.AllowedUploadTypes = slices.Clone(s.files.AllowedTypes)
	}
	return l
}
