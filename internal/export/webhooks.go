package export

import (
	"archive/zip"
	"context"
	"fmt"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// EntryWebhooks is webhooks.json: the incoming webhooks the person created
// (issue 16), in the rooms they are in or have left: room, name, picture,
// when created, rotated and revoked. Never a secret (only its hash is
// stored).
const EntryWebhooks = "webhooks.json"

// WebhookSource lists a room's webhooks (internal/dynamo's Store); a
// Source without it writes an empty webhooks.json.
type WebhookSource interface {
	ListWebhooks(ctx context.Context, roomID string) ([]chat.Webhook, error)
}

// Webhook is one row of webhooks.json.
type Webhook struct {
	RoomID    string    `json:"roomId"`
	RoomName  string    `json:"roomName"`
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	AvatarURL string    `json:"avatarUrl,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
	RotatedAt time.Time `json:"rotatedAt,omitzero"`
	RevokedAt time.Time `json:"revokedAt,omitzero"`
}

// webhooks writes webhooks.json from the rooms of rooms.json.
func (w *Writer) webhooks(ctx context.Context, zw *zip.Writer, userID string, rooms []Room) error {
	out := []Webhook{}
	if ws, ok := w.Source.(WebhookSource); ok {
		for _, r := range rooms {
			if r.Kind == chat.KindDirect {
				continue // direct rooms have no webhooks
			}
			list, err := ws.ListWebhooks(ctx, r.RoomID)
			if err != nil {
				return fmt.Errorf("webhooks of %s: %w", r.RoomID, err)
			}
			for _, h := range list {
				if h.CreatedBy == userID {
					out = append(out, Webhook{RoomID: r.RoomID, RoomName: r.Name, ID: h.ID, Name: h.Name, AvatarURL: h.AvatarURL,
						CreatedAt: h.CreatedAt, RotatedAt: h.RotatedAt, RevokedAt: h.RevokedAt})
				}
			}
		}
	}
	return writeJSON(zw, EntryWebhooks, out)
}
