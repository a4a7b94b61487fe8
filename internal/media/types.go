package media

import (
	"mime"
	"slices"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// The type tables. Types are normalized (see ParseType) before lookup.

// decoderFormats maps the image types the standard library decodes to
// image.DecodeConfig's format names: the types whose dimensions are read
// by decoding and of which thumbnails are made. WebP has no decoder in the
// standard library: its dimensions come from its header, and browsers show
// WebP originals well enough.
var decoderFormats = map[string]string{
	"image/png":  "png",
	"image/jpeg": "jpeg",
	"image/gif":  "gif",
}

// inlineTypes are shown inside the page; every other type, SVG and HTML
// first (they can run script), is downloaded as an attachment.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
}

// avatarExtensions name the stored picture after its type, so a key says
// what it holds: one per type of protocol.AvatarTypes.
var avatarExtensions = map[string]string{"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}

// ParseType normalizes a Content-Type to its lowercase type/subtype,
// without parameters: "Text/Plain; charset=utf-8" is "text/plain".
func ParseType(raw string) (string, bool) {
	t, _, err := mime.ParseMediaType(strings.TrimSpace(raw))
	if err != nil || !strings.Contains(t, "/") {
		return "", false
	}
	return t, true
}

// DecoderFormat is image.DecodeConfig's name of the format of mediaType
// (png, jpeg, gif), or "" when the standard library does not decode it.
// Thumbnails are made of exactly these types.
func DecoderFormat(mediaType string) string { return decoderFormats[mediaType] }

// Inline says whether files of mediaType are shown inside the page (the
// images a browser shows without running anything) rather than downloaded
// as attachments.
func Inline(mediaType string) bool { return inlineTypes[mediaType] }

// IsAvatarType says whether mediaType may be a profile picture:
// protocol.AvatarTypes is the one list.
func IsAvatarType(mediaType string) bool { return slices.Contains(protocol.AvatarTypes, mediaType) }

// AvatarExtension is the key extension of a profile picture of mediaType
// ("png", "jpg", "webp"), "" for a type that is no picture type.
func AvatarExtension(mediaType string) string { return avatarExtensions[mediaType] }
