package protocol

// Link previews (issue 14): the unfurl worker stores them on a message
// and the room gets messageUpdated; the sender may remove them.
const ActionRemovePreview = "removePreview"

// RemovePreviewRequest removes the preview of URL from the caller's
// message (every preview when URL is empty); the worker will not add it
// back.
type RemovePreviewRequest struct {
	RoomID string `json:"roomId"`
	Seq    int64  `json:"seq"`
	URL    string `json:"url,omitempty"`
}
