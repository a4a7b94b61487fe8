package protocol

import (
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Incoming webhooks (issue 16): a room's owners and workspace admins
// create, list, rotate and revoke them; the HTTP API's POST
// /hooks/{id}/{secret} posts with one (internal/httpapi).
const (
	ActionCreateWebhook       = "createWebhook"
	ActionListWebhooks        = "listWebhooks"
	ActionRotateWebhookSecret = "rotateWebhookSecret"
	ActionRevokeWebhook       = "revokeWebhook"
)

// EventWebhook answers createWebhook, rotateWebhookSecret and
// revokeWebhook; EventWebhooks answers listWebhooks.
const (
	EventWebhook  = "webhook"
	EventWebhooks = "webhooks"
)

// CreateWebhookRequest creates a webhook for a room: its name (shown on
// its messages, 1 to 80 characters) and an optional https picture.
type CreateWebhookRequest struct {
	RoomID    string `json:"roomId"`
	Name      string `json:"name"`
	AvatarURL string `json:"avatarUrl,omitempty"`
}

// WebhookRef names one webhook of a room.
type WebhookRef struct {
	RoomID    string `json:"roomId"`
	WebhookID string `json:"webhookId"`
}

// ListWebhooksRequest names the room.
type ListWebhooksRequest struct {
	RoomID string `json:"roomId"`
}

// WebhookInfo is a webhook as its managers see it (never its secret).
type WebhookInfo struct {
	ID            string    `json:"id"`
	RoomID        string    `json:"roomId"`
	Name          string    `json:"name"`
	AvatarURL     string    `json:"avatarUrl,omitempty"`
	CreatedBy     string    `json:"createdBy"`
	CreatedByName string    `json:"createdByName,omitempty"`
	CreatedAt     time.Time `json:"createdAt"`
	RotatedAt     time.Time `json:"rotatedAt,omitzero"`
	RevokedAt     time.Time `json:"revokedAt,omitzero"`
}

// WebhookInfoOf is w without its secret.
func WebhookInfoOf(w chat.Webhook) WebhookInfo {
	return WebhookInfo{ID: w.ID, RoomID: w.RoomID, Name: w.Name, AvatarURL: w.AvatarURL, CreatedBy: w.CreatedBy,
		CreatedAt: w.CreatedAt, RotatedAt: w.RotatedAt, RevokedAt: w.RevokedAt}
}

// WebhookEvent is one webhook; Path, on createWebhook and
// rotateWebhookSecret only, is its secret path "/hooks/{id}/{secret}",
// shown this once (the client prefixes the HTTP API's URL).
type WebhookEvent struct {
	Head
	Webhook WebhookInfo `json:"webhook"`
	Path    string      `json:"path,omitempty"`
}

// WebhooksEvent lists a room's webhooks, oldest first.
type WebhooksEvent struct {
	Head
	RoomID   string        `json:"roomId"`
	Webhooks []WebhookInfo `json:"webhooks"`
}
