package protocol

import "time"

// Files never travel through the socket. A client asks for an upload
// ticket, PUTs the file straight to storage with it, then sends a message
// whose attachments name the ticket's key; the server checks the stored
// object before it accepts the message. Downloads and thumbnails are
// fetched with presigned URLs asked for one file at a time.

// File actions.
const (
	ActionRequestUpload   = "requestUpload"
	ActionRequestDownload = "requestDownload"
)

// File events.
const (
	EventUploadTicket = "uploadTicket"
	EventDownloadURL  = "downloadUrl"
)

// File limits. The upload size limit is the deployment's (MAX_UPLOAD_BYTES);
// DefaultMaxUploadBytes is what it is unless configured.
const (
	MaxAttachments        = 10
	DefaultMaxUploadBytes = 25 << 20
	ThumbnailMaxSide      = 320 // thumbnails fit in a square of this side
)

// RequestUploadRequest asks to upload one file to a room.
type RequestUploadRequest struct {
	RoomID string `json:"roomId"`
	Name   string `json:"name"`
	Size   int64  `json:"size"` // bytes, exactly what will be uploaded
	Type   string `json:"type"` // media type, e.g. image/png
	// SHA256 is the base64 of the file's SHA-256 (44 characters): the
	// upload URL is signed with it as x-amz-checksum-sha256, so storage
	// refuses any other bytes. Required.
	SHA256 string `json:"sha256"`
}

// RequestDownloadRequest asks for a URL of a file in a room, or of its
// thumbnail. A thumbnail appears a moment after its image is uploaded:
// until then (or for files that have none) the answer is not_found, and
// the client shows the original instead.
type RequestDownloadRequest struct {
	RoomID string `json:"roomId"`
	// Seq is the message the file is attached to: a file is served only
	// while that message is (not deleted, not past its room's retention).
	Seq   int64  `json:"seq"`
	Key   string `json:"key"`
	Thumb bool   `json:"thumb,omitempty"`
	// VersionID is the attachment's versionId from its message: the
	// version checked at send is served, whatever was written to the key
	// since. Omitted: the current version.
	VersionID string `json:"versionId,omitempty"`
}

// UploadTicketEvent says how to upload the file. Method is "PUT": send the
// file as the body to URL with every header in Headers (the browser sets
// Content-Length itself from the body; it must equal the declared size).
// Fields is for a form POST and is not used today. Key goes in the
// message's attachment once the upload succeeded.
type UploadTicketEvent struct {
	Head
	Key       string            `json:"key"`
	URL       string            `json:"url"`
	Method    string            `json:"method"`
	Fields    map[string]string `json:"fields,omitempty"`
	Headers   map[string]string `json:"headers,omitempty"`
	ExpiresAt time.Time         `json:"expiresAt"`
}

// DownloadURLEvent is a short-lived URL to GET a file (or its thumbnail).
type DownloadURLEvent struct {
	Head
	Key       string    `json:"key"`
	Thumb     bool      `json:"thumb,omitempty"`
	URL       string    `json:"url"`
	ExpiresAt time.Time `json:"expiresAt"`
}
