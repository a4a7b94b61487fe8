package chat

import "strings"

// The layout of the files bucket. Originals live under
//
//	rooms/<roomId>/<userId>/<fileId>/<file name>
//
// so a key says which room it belongs to and who uploaded it, and a
// message can only reference its sender's files in its own room. Each
// upload has its own random fileId folder, so names never collide.
// Thumbnails live under a separate top-level prefix,
//
//	thumbs/rooms/<roomId>/<userId>/<fileId>/thumb.jpg
//
// so the bucket notification that makes them (filtered on "rooms/") can
// never fire for a thumbnail, and no uploaded file name can clash with one.
const (
	FilesPrefix  = "rooms/"
	ThumbsPrefix = "thumbs/"
	thumbName    = "thumb.jpg"
)

// FileKey is the parsed key of an uploaded original.
type FileKey struct {
	RoomID string
	UserID string
	FileID string
	Name   string
}

// String is the object key.
func (k FileKey) String() string {
	return FilesPrefix + k.RoomID + "/" + k.UserID + "/" + k.FileID + "/" + k.Name
}

// ThumbKey is the key of the original's thumbnail.
func (k FileKey) ThumbKey() string {
	return ThumbsPrefix + FilesPrefix + k.RoomID + "/" + k.UserID + "/" + k.FileID + "/" + thumbName
}

// ParseFileKey parses the key of an original. It refuses anything else:
// thumbnails, other prefixes, empty or relative segments.
func ParseFileKey(key string) (FileKey, bool) {
	rest, ok := strings.CutPrefix(key, FilesPrefix)
	if !ok {
		return FileKey{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 {
		return FileKey{}, false
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return FileKey{}, false
		}
	}
	return FileKey{RoomID: parts[0], UserID: parts[1], FileID: parts[2], Name: parts[3]}, true
}
