package chat

import "strings"

// Profile pictures live under their own top-level prefix,
//
//	avatars/<userId>/<random id>.<ext>
//
// apart from room files: the key says whose picture it is, and the
// thumbnail notification (filtered on "rooms/") never fires for one.
const AvatarsPrefix = "avatars/"

// AvatarPrefix is the folder of one user's pictures.
func AvatarPrefix(userID string) string {
	return AvatarsPrefix + userID + "/"
}

// IsAvatarKeyOf reports whether key is a picture directly in userID's
// folder: one non-empty, non-relative name, no sub-folders.
func IsAvatarKeyOf(userID, key string) bool {
	name, ok := strings.CutPrefix(key, AvatarPrefix(userID))
	return ok && userID != "" && name != "" && name != "." && name != ".." && !strings.Contains(name, "/")
}
