package chat

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Incoming webhooks (issue 16): a room's owners (and workspace admins)
// create a webhook, a secret URL POST /hooks/{id}/{secret} of the HTTP API
// (internal/httpapi) that posts into the room as a named integration. The
// secret is shown once and stored as its SHA-256 only.

// Webhook is one incoming webhook of a room: pk ROOM#<roomId>, sk
// HOOK#<id> (the room's purge takes it with the room).
type Webhook struct {
	ID     string `json:"id"`
	RoomID string `json:"roomId"`
	Name   string `json:"name"`
	// AvatarURL is the integration's picture (https), "" for its initial.
	AvatarURL string `json:"avatarUrl,omitempty"`
	// CreatedBy is who created it (personal data: export lists a person's
	// webhooks, erasure replaces the id with DeletedActor).
	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	RotatedAt time.Time `json:"rotatedAt,omitzero"`
	// RevokedAt is set once the webhook is revoked: its URL is refused from
	// then on; the messages it posted stay.
	RevokedAt time.Time `json:"revokedAt,omitzero"`
	RevokedBy string    `json:"revokedBy,omitempty"`
	// SecretHash is SHA-256 of the secret; never sent to clients.
	SecretHash []byte `json:"-"`
}

// Revoked says whether the webhook was revoked.
func (w Webhook) Revoked() bool { return !w.RevokedAt.IsZero() }

// MessageIntegration marks a message posted by an integration (a webhook, a
// bot): set by the server only, never from a client's payload, so the
// client's "APP" badge cannot be forged by a send.
type MessageIntegration struct {
	// Kind is IntegrationWebhook (or a bot's kind).
	Kind string `json:"kind"`
	// ID is the webhook's (or bot's) id.
	ID string `json:"id"`
	// Name is the integration's name as created; the message's SenderName
	// may be the post's username override.
	Name      string `json:"name"`
	AvatarURL string `json:"avatarUrl,omitempty"`
}

// IntegrationWebhook is the Kind of an incoming webhook's messages.
const IntegrationWebhook = "webhook"

// IntegrationCommand is the Kind of a slash command's room replies (ID the
// registration's, Name the command with its slash).
const IntegrationCommand = "command"

// WebhookSenderPrefix begins the SenderID of a webhook's messages
// ("hook:<webhookId>"): no user id has a colon, so it is nobody's.
const WebhookSenderPrefix = "hook:"

// Limits of webhooks and their posts.
const (
	MaxWebhookNameRunes    = 80
	MaxWebhookUsername     = 80
	MaxWebhookAvatarURL    = 1024
	MaxWebhookAttachments  = 10
	MaxWebhookAttachURL    = 2048
	MaxWebhookAttachTitle  = 200
	MaxWebhooksPerRoom     = 20
	WebhookSecretBytes     = 32
	webhookNameDescription = "1 to 80 characters"
)

// ErrWebhookSecret is the cause of a refused secret: the HTTP API answers
// 401 for it.
var ErrWebhookSecret = errors.New("wrong webhook secret")

// WebhookStore keeps the webhooks (internal/dynamo/webhooks.go).
type WebhookStore interface {
	// CreateWebhook stores w (Conflict if its id is taken; the service
	// holds a room to MaxWebhooksPerRoom webhooks not revoked).
	CreateWebhook(ctx context.Context, w Webhook) error
	// GetWebhook returns one webhook (NotFound: none).
	GetWebhook(ctx context.Context, roomID, id string) (Webhook, error)
	// ListWebhooks returns the room's webhooks, oldest first.
	ListWebhooks(ctx context.Context, roomID string) ([]Webhook, error)
	// RotateWebhookSecret stores a new secret hash unless the webhook is
	// revoked (Conflict) or gone (NotFound).
	RotateWebhookSecret(ctx context.Context, roomID, id string, hash []byte, at time.Time) (Webhook, error)
	// RevokeWebhook marks the webhook revoked and drops its secret hash
	// (idempotent: a revoked webhook is returned as it is).
	RevokeWebhook(ctx context.Context, roomID, id, by string, at time.Time) (Webhook, error)
}

// WebhookName validates and trims a webhook's name.
func WebhookName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" || !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxWebhookNameRunes || strings.ContainsAny(name, "\n\r\t") {
		return "", Errorf(Invalid, "the webhook's name must be %s on one line", webhookNameDescription)
	}
	return name, nil
}

// WebhookUsername validates a post's username override ("" keeps the
// webhook's name).
func WebhookUsername(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", nil
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > MaxWebhookUsername || strings.ContainsAny(name, "\n\r\t") {
		return "", Errorf(Invalid, "username must be 1 to %d characters on one line", MaxWebhookUsername)
	}
	return name, nil
}

// CheckWebURL validates a URL a webhook carries (its avatar, a post's
// attachment): absolute http or https, a host, no credentials, at most max
// bytes. what names it in the error.
func CheckWebURL(raw, what string, max int, httpsOnly bool) (string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > max {
		return "", Errorf(TooLarge, "%s is too long: the limit is %d bytes", what, max)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && (httpsOnly || u.Scheme != "http")) {
		scheme := "http or https"
		if httpsOnly {
			scheme = "https"
		}
		return "", Errorf(Invalid, "%s must be an absolute %s URL", what, scheme)
	}
	if u.User != nil {
		return "", Errorf(Invalid, "%s must not carry credentials", what)
	}
	return u.String(), nil
}

// SortWebhooks orders webhooks oldest first (ties by id).
func SortWebhooks(ws []Webhook) {
	slices.SortFunc(ws, func(a, b Webhook) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// ErrWebhookRevoked is the cause of a post to a revoked webhook.
var ErrWebhookRevoked = errors.New("webhook revoked")
