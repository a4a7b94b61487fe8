package media

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Limits bound what may be uploaded. Zero values take the defaults.
type Limits struct {
	// MaxBytes is the largest upload (MAX_UPLOAD_BYTES), default
	// protocol.DefaultMaxUploadBytes (25 MiB).
	MaxBytes int64
	// AllowedTypes are the media types that may be uploaded
	// (ALLOWED_UPLOAD_TYPES, comma-separated), default DefaultUploadTypes.
	AllowedTypes []string
	// DownloadsPerWindow is each user's budget of requestDownload per
	// rate window, kept apart from the budget of other actions: opening a
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

// DefaultDownloadsPerWindow is the default of Limits.DownloadsPerWindow.
const DefaultDownloadsPerWindow = 200

// Resolve checks the limits and fills in the defaults: the allowed types
// normalized (ParseType) and without repeats.
func (l Limits) Resolve() (Limits, error) {
	if l.MaxBytes < 0 || l.DownloadsPerWindow < 0 {
		return l, errors.New("media: file limits must not be negative")
	}
	if l.MaxBytes == 0 {
		l.MaxBytes = protocol.DefaultMaxUploadBytes
	}
	if l.DownloadsPerWindow == 0 {
		l.DownloadsPerWindow = DefaultDownloadsPerWindow
	}
	src := l.AllowedTypes
	if len(src) == 0 {
		src = DefaultUploadTypes
	}
	types := make([]string, 0, len(src))
	for _, raw := range src {
		if strings.TrimSpace(raw) == "" {
			continue
		}
		t, ok := ParseType(raw)
		if !ok {
			return l, fmt.Errorf("media: allowed upload type %q is not a media type", raw)
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	if len(types) == 0 {
		return l, errors.New("media: no allowed upload types")
	}
	l.AllowedTypes = types
	return l, nil
}

// Allows says whether resolved limits allow uploads of mediaType
// (normalized).
func (l Limits) Allows(mediaType string) bool {
	return slices.Contains(l.AllowedTypes, mediaType)
}

// FormatBytes states a size limit for people: "25 MB" for 25 MiB.
func FormatBytes(n int64) string {
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
