package chat

import (
	"context"
	"slices"
)

// Link previews (issue 14): the first links of a message, unfurled by the
// unfurl worker after the message is stored (internal/unfurl), kept on
// the message and replayed through the change log like any change.

// Limits of link previews.
const (
	// MaxPreviews is how many links of a message are previewed: the first
	// ones, in the order they appear.
	MaxPreviews = 3
	// Field caps (runes): a preview is a few hundred bytes on the item.
	MaxPreviewTitle       = 200
	MaxPreviewDescription = 300
	MaxPreviewSiteName    = 100
	MaxPreviewURL         = 2048
)

// LinkPreview is the unfurled summary of one link of a message. URL is
// the link as written in the message (the key a removal names); ImageURL
// an absolute http(s) URL the client loads itself (no referrer).
type LinkPreview struct {
	URL         string `json:"url"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
	ImageURL    string `json:"imageUrl,omitempty"`
	SiteName    string `json:"siteName,omitempty"`
}

// Empty says whether the preview has nothing to show.
func (p LinkPreview) Empty() bool {
	return p.Title == "" && p.Description == "" && p.ImageURL == ""
}

// PreviewUpdate computes a message's previews: from the message as
// stored, the new list and the list of removed links, and whether
// anything changed.
type PreviewUpdate func(m Message) (previews []LinkPreview, removed []string, changed bool)

// LinkPreviewStore keeps the previews on messages.
type LinkPreviewStore interface {
	// UpdateLinkPreviews reads the message (consistently), applies fn and
	// stores its previews and removed links if fn says they changed,
	// atomically with other preview writes (an optimistic lock, retried).
	// It returns the message as stored and whether it changed. NotFound
	// without a message; Conflict on a tombstone.
	UpdateLinkPreviews(ctx context.Context, roomID string, seq int64, fn PreviewUpdate) (Message, bool, error)
}

// SetPreviews is the worker's update: the unfurled previews, without the
// links the sender removed meanwhile. Nothing changes on a deleted
// message or when the previews are the same.
func SetPreviews(ps []LinkPreview) PreviewUpdate {
	return func(m Message) ([]LinkPreview, []string, bool) {
		keep := make([]LinkPreview, 0, len(ps))
		for _, p := range ps {
			if p.Empty() || slices.Contains(m.PreviewsRemoved, p.URL) || slices.Contains(m.PreviewsRemoved, "*") {
				continue
			}
			keep = append(keep, p)
		}
		if m.Deleted || slices.Equal(keep, m.Previews) {
			return m.Previews, m.PreviewsRemoved, false
		}
		return keep, m.PreviewsRemoved, true
	}
}

// RemovePreview is the sender's update: the preview of url (every
// preview when url is ""), remembered as removed so that a worker that
// finishes later does not bring it back.
func RemovePreview(url string) PreviewUpdate {
	return func(m Message) ([]LinkPreview, []string, bool) {
		key := url
		if key == "" {
			key = "*"
		}
		keep := slices.DeleteFunc(slices.Clone(m.Previews), func(p LinkPreview) bool { return url == "" || p.URL == url })
		removed := m.PreviewsRemoved
		if !slices.Contains(removed, key) {
			removed = append(slices.Clone(removed), key)
		}
		changed := len(keep) != len(m.Previews) || len(removed) != len(m.PreviewsRemoved)
		return keep, removed, changed
	}
}
