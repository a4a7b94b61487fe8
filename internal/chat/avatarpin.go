package chat

import "context"

// AvatarVersionStore records the object version of a profile picture
// checked when it was set (pinned avatars, issue 15): requestAvatarUrl
// then serves that version, whatever was written to the key since.
type AvatarVersionStore interface {
	// SetAvatarVersion records version for key on userID's profile, only
	// while key is still their picture (otherwise nothing changes).
	SetAvatarVersion(ctx context.Context, userID, key, version string) error
}
