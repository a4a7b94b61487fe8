package protocol

import "time"

// Profile pictures travel like files: the client asks for an upload
// ticket (requestAvatarUpload), PUTs the image with it, then sets the
// ticket's key as its profile's avatarKey (updateProfile), which the
// server checks against the stored object. Anyone signed in may ask for
// the URL of anyone's picture (requestAvatarUrl): profiles are visible to
// every user already (listUsers), and so are their pictures.

// Avatar actions.
const (
	ActionRequestAvatarUpload = "requestAvatarUpload"
	ActionRequestAvatarURL    = "requestAvatarUrl"
)

// Avatar events. An upload ticket answers requestAvatarUpload too.
const (
	EventAvatarURL = "avatarUrl"
)

// Avatar limits. Clients resize pictures to AvatarSide×AvatarSide before
// they upload; the server only bounds the size and the type.
const (
	MaxAvatarBytes = 1 << 20
	AvatarSide     = 256
)

// AvatarTypes are the image types a profile picture may have.
var AvatarTypes = []string{"image/png", "image/jpeg", "image/webp"}

// RequestAvatarUploadRequest asks to upload a new profile picture.
type RequestAvatarUploadRequest struct {
	Size int64  `json:"size"` // bytes, exactly what will be uploaded
	Type string `json:"type"` // image/png, image/jpeg or image/webp
	// SHA256 is the base64 SHA-256 of the picture: the upload is pinned to
	// it (the storage refuses other bytes), as requestUpload's.
	SHA256 string `json:"sha256"`
}

// RequestAvatarURLRequest asks for a URL of a user's profile picture.
type RequestAvatarURLRequest struct {
	UserID string `json:"userId"`
}

// AvatarURLEvent is a short-lived URL to GET a user's profile picture.
type AvatarURLEvent struct {
	Head
	UserID    string    `json:"userId"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}
