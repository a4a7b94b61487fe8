package service

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// Incoming webhooks (issue 16; docs/ARCHITECTURE.md "Incoming webhooks").
// A room's owners and workspace admins create them (the policy's
// createWebhook row); the HTTP API (internal/httpapi) posts with them
// through PostWebhook, which stores and publishes the message exactly as
// SendMessage does (fan-out, push, search, stream events, retention), as
// the named integration.

// DefaultWebhookPerWindow is how many posts one webhook may make per
// RateWindow (10 per 10 s).
const DefaultWebhookPerWindow = 10

// webhookIDPrefix begins a webhook's id (random, URL-safe, no '.').
const webhookIDPrefix = "wh_"

// webhookURLID is the {id} of a webhook's URL: its room's id and its own,
// so the HTTP API finds it with one GetItem in the room's partition.
func webhookURLID(roomID, id string) string { return roomID + "." + id }

// WebhookPath is a webhook's secret path on the HTTP API.
func WebhookPath(roomID, id, secret string) string {
	return "/hooks/" + webhookURLID(roomID, id) + "/" + secret
}

var webhookSecretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`)

// newWebhookSecret returns 32 random bytes, URL-safe, and their SHA-256.
func newWebhookSecret() (string, []byte) {
	var b [chat.WebhookSecretBytes]byte
	_, _ = rand.Read(b[:])
	secret := base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(secret))
	return secret, sum[:]
}

func (s *Chat) webhookStore() (chat.WebhookStore, error) {
	ws, ok := s.store.(chat.WebhookStore)
	if !ok {
		return nil, chat.Errorf(chat.Internal, "the store keeps no webhooks")
	}
	return ws, nil
}

func webhookInfo(ctx context.Context, s *Chat, w chat.Webhook) protocol.WebhookInfo {
	info := protocol.WebhookInfoOf(w)
	if w.CreatedBy != "" && w.CreatedBy != chat.DeletedActor {
		info.CreatedByName = s.profileOrStub(ctx, w.CreatedBy).DisplayName
	}
	return info
}

// CreateWebhook creates a webhook for a channel: the reply carries its
// secret path, this once.
func (s *Chat) CreateWebhook(ctx context.Context, c chat.Connection, r protocol.CreateWebhookRequest) (protocol.WebhookEvent, error) {
	name, err := chat.WebhookName(r.Name)
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	avatar := ""
	if strings.TrimSpace(r.AvatarURL) != "" {
		if avatar, err = chat.CheckWebURL(r.AvatarURL, "avatarUrl", chat.MaxWebhookAvatarURL, true); err != nil {
			return protocol.WebhookEvent{}, err
		}
	}
	ra, err := s.authorize(ctx, c, chat.ActCreateWebhook, r.RoomID, true)
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	if ra.room.Encrypted { // it would post in the clear (e2ee_rooms.go)
		return protocol.WebhookEvent{}, errEncryptedOff("incoming webhooks are")
	}
	ws, err := s.webhookStore()
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	existing, err := ws.ListWebhooks(ctx, ra.room.ID)
	if err != nil {
		return protocol.WebhookEvent{}, storeErr(err, "list webhooks")
	}
	active := 0
	for _, w := range existing {
		if !w.Revoked() {
			active++
		}
	}
	if active >= chat.MaxWebhooksPerRoom {
		return protocol.WebhookEvent{}, chat.Errorf(chat.Conflict, "this room has %d webhooks, the most it can have: revoke one first", chat.MaxWebhooksPerRoom)
	}
	secret, hash := newWebhookSecret()
	w := chat.Webhook{ID: webhookIDPrefix + newID(), RoomID: ra.room.ID, Name: name, AvatarURL: avatar,
		CreatedBy: c.UserID, CreatedAt: s.clock().UTC(), SecretHash: hash}
	if err := ws.CreateWebhook(ctx, w); err != nil {
		return protocol.WebhookEvent{}, storeErr(err, "create webhook")
	}
	s.audit(ctx, c, chat.ActCreateWebhook, w.RoomID, "", 0, "", "webhook "+w.ID+": "+name)
	return protocol.WebhookEvent{Head: protocol.Head{Type: protocol.EventWebhook}, Webhook: webhookInfo(ctx, s, w),
		Path: WebhookPath(w.RoomID, w.ID, secret)}, nil
}

// ListWebhooks lists a room's webhooks (revoked ones too), never their
// secrets.
func (s *Chat) ListWebhooks(ctx context.Context, c chat.Connection, r protocol.ListWebhooksRequest) (protocol.WebhooksEvent, error) {
	ra, err := s.authorize(ctx, c, chat.ActListWebhooks, r.RoomID, true)
	if err != nil {
		return protocol.WebhooksEvent{}, err
	}
	ws, err := s.webhookStore()
	if err != nil {
		return protocol.WebhooksEvent{}, err
	}
	list, err := ws.ListWebhooks(ctx, ra.room.ID)
	if err != nil {
		return protocol.WebhooksEvent{}, storeErr(err, "list webhooks")
	}
	out := protocol.WebhooksEvent{Head: protocol.Head{Type: protocol.EventWebhooks}, RoomID: ra.room.ID, Webhooks: make([]protocol.WebhookInfo, 0, len(list))}
	for _, w := range list {
		out.Webhooks = append(out.Webhooks, webhookInfo(ctx, s, w))
	}
	return out, nil
}

func checkWebhookRef(r protocol.WebhookRef) error {
	if !strings.HasPrefix(r.WebhookID, webhookIDPrefix) || len(r.WebhookID) > 64 || strings.ContainsAny(r.WebhookID, "./#") {
		return chat.Errorf(chat.Invalid, "webhookId is not a webhook's id")
	}
	return nil
}

// RotateWebhookSecret gives the webhook a new secret (the reply's path,
// shown once); the old URL is refused from then on.
func (s *Chat) RotateWebhookSecret(ctx context.Context, c chat.Connection, r protocol.WebhookRef) (protocol.WebhookEvent, error) {
	if err := checkWebhookRef(r); err != nil {
		return protocol.WebhookEvent{}, err
	}
	ra, err := s.authorize(ctx, c, chat.ActRotateWebhookSecret, r.RoomID, true)
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	ws, err := s.webhookStore()
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	secret, hash := newWebhookSecret()
	w, err := ws.RotateWebhookSecret(ctx, ra.room.ID, r.WebhookID, hash, s.clock())
	if err != nil {
		return protocol.WebhookEvent{}, storeErr(err, "rotate webhook secret")
	}
	s.audit(ctx, c, chat.ActRotateWebhookSecret, w.RoomID, "", 0, "", "webhook "+w.ID+": "+w.Name)
	return protocol.WebhookEvent{Head: protocol.Head{Type: protocol.EventWebhook}, Webhook: webhookInfo(ctx, s, w),
		Path: WebhookPath(w.RoomID, w.ID, secret)}, nil
}

// RevokeWebhook revokes the webhook for good: its URL is refused, the
// messages it posted stay.
func (s *Chat) RevokeWebhook(ctx context.Context, c chat.Connection, r protocol.WebhookRef) (protocol.WebhookEvent, error) {
	if err := checkWebhookRef(r); err != nil {
		return protocol.WebhookEvent{}, err
	}
	ra, err := s.authorize(ctx, c, chat.ActRevokeWebhook, r.RoomID, true)
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	ws, err := s.webhookStore()
	if err != nil {
		return protocol.WebhookEvent{}, err
	}
	w, err := ws.RevokeWebhook(ctx, ra.room.ID, r.WebhookID, c.UserID, s.clock())
	if err != nil {
		return protocol.WebhookEvent{}, storeErr(err, "revoke webhook")
	}
	s.audit(ctx, c, chat.ActRevokeWebhook, w.RoomID, "", 0, "", "webhook "+w.ID+": "+w.Name)
	return protocol.WebhookEvent{Head: protocol.Head{Type: protocol.EventWebhook}, Webhook: webhookInfo(ctx, s, w)}, nil
}

// WebhookPost is what a POST to a webhook's URL asks (internal/httpapi
// decodes the JSON body into it).
type WebhookPost struct {
	// Text is Markdown, as a person's message.
	Text string
	// Username, if set, is shown instead of the webhook's name.
	Username string
	// Links are the post's attachments by URL (http or https): each is
	// appended to the text as a line "title: url" (clients link the URL,
	// link previews apply).
	Links []WebhookLink
	// IdempotencyKey, if set, makes a retried post store nothing new (the
	// message's clientId; 1 to 64 of A-Z a-z 0-9 _ -).
	IdempotencyKey string
}

// WebhookLink is one attachment by URL.
type WebhookLink struct {
	URL   string
	Title string
}

// WebhookResult is what the HTTP API answers a post with.
type WebhookResult struct {
	RoomID    string
	Seq       int64
	Duplicate bool
}

// errWebhookGone is the refusal of an unknown webhook; a revoked one says so.
func errWebhookGone(revoked bool) error {
	if revoked {
		return &chat.Error{Code: chat.NotFound, Message: "this webhook was revoked", Err: chat.ErrWebhookRevoked}
	}
	return chat.Errorf(chat.NotFound, "no such webhook")
}

// PostWebhook posts p into the room of the webhook urlID with secret: the
// message is stored and published as any other (fan-out, push, search,
// stream events, retention), from the integration ("hook:<id>", with its
// name and avatar), rate-limited per webhook.
func (s *Chat) PostWebhook(ctx context.Context, urlID, secret string, p WebhookPost) (WebhookResult, error) {
	roomID, id, ok := strings.Cut(urlID, ".")
	if !ok || checkRoomID(roomID) != nil || checkWebhookRef(protocol.WebhookRef{RoomID: roomID, WebhookID: id}) != nil {
		return WebhookResult{}, errWebhookGone(false)
	}
	// A bad body is refused before any read: it costs nothing.
	text, username, clientID, err := webhookMessage(p)
	if err != nil {
		return WebhookResult{}, err
	}
	ws, err := s.webhookStore()
	if err != nil {
		return WebhookResult{}, err
	}
	w, err := ws.GetWebhook(ctx, roomID, id)
	if chat.ErrorCode(err) == chat.NotFound {
		return WebhookResult{}, errWebhookGone(false)
	}
	if err != nil {
		return WebhookResult{}, storeErr(err, "get webhook")
	}
	if w.Revoked() {
		return WebhookResult{}, errWebhookGone(true)
	}
	sum := sha256.Sum256([]byte(secret))
	if !webhookSecretPattern.MatchString(secret) || len(w.SecretHash) != len(sum) || subtle.ConstantTimeCompare(sum[:], w.SecretHash) != 1 {
		return WebhookResult{}, &chat.Error{Code: chat.Forbidden, Message: "wrong secret for this webhook (was it rotated?)", Err: chat.ErrWebhookSecret}
	}
	if err := s.limit(ctx, "hook:"+w.ID, "posts to this webhook", s.webhookPerWin); err != nil {
		return WebhookResult{}, err
	}
	room, err := s.store.GetRoom(ctx, roomID)
	if err != nil {
		return WebhookResult{}, roomLookupErr(err)
	}
	// The integration posts as a member would: the policy refuses an
	// archived channel (and a direct room never has webhooks).
	if err := chat.Authorize(chat.ActSendMessage, chat.Access{Role: chat.RoleMember, Room: room}); err != nil {
		return WebhookResult{}, err
	}
	if room.Encrypted { // never created for one; defence in depth (e2ee_rooms.go)
		return WebhookResult{}, errEncryptedOff("incoming webhooks are")
	}
	mentions, err := s.mentionsIn(ctx, roomID, text)
	if err != nil {
		return WebhookResult{}, err
	}
	name := w.Name
	if username != "" {
		name = username
	}
	sender := chat.WebhookSenderPrefix + w.ID
	// The review hook sees a webhook's post as it sees a person's send
	// (review.go): a denial is refused (nothing stored), a rewrite stored.
	if s.hook != nil {
		reviewed, err := s.review(ctx, chat.ReviewRequest{Kind: chat.ReviewSend, RoomID: roomID, ClientID: clientID,
			SenderID: sender, SenderName: name, Text: text}, false)
		if err != nil {
			return WebhookResult{}, err
		}
		if reviewed != text {
			text = reviewed
			if mentions, err = s.mentionsIn(ctx, roomID, text); err != nil {
				return WebhookResult{}, err
			}
		}
	}
	now := s.clock()
	msg, created, err := s.store.AppendMessage(ctx, chat.Message{
		RoomID: roomID, ClientID: clientID, SenderID: sender, SenderName: name,
		Text: text, Mentions: mentions,
		Integration: &chat.MessageIntegration{Kind: chat.IntegrationWebhook, ID: w.ID, Name: w.Name, AvatarURL: w.AvatarURL},
		CreatedAt:   now, ExpiresAt: s.messageExpiry(ctx, room, now),
	})
	if err != nil {
		return WebhookResult{}, storeErr(err, "store message")
	}
	res := WebhookResult{RoomID: roomID, Seq: msg.Seq, Duplicate: !created}
	if !created {
		return res, nil
	}
	delivered := s.publish(ctx, chat.MessageCreated{Actor: chat.Actor{UserID: sender}, Message: msg})
	s.log.DebugContext(ctx, "webhook posted", slog.String("roomId", roomID), slog.String("webhookId", w.ID),
		slog.Int64("seq", msg.Seq), slog.Int("delivered", delivered))
	return res, nil
}

// webhookMessage validates a post and builds the message's text.
func webhookMessage(p WebhookPost) (text, username, clientID string, err error) {
	if username, err = chat.WebhookUsername(p.Username); err != nil {
		return "", "", "", err
	}
	if len(p.Links) > chat.MaxWebhookAttachments {
		return "", "", "", chat.Errorf(chat.TooLarge, "too many attachments: the limit is %d", chat.MaxWebhookAttachments)
	}
	var b strings.Builder
	b.WriteString(p.Text)
	for i, l := range p.Links {
		u, err := chat.CheckWebURL(l.URL, fmt.Sprintf("attachments[%d].url", i), chat.MaxWebhookAttachURL, false)
		if err != nil {
			return "", "", "", err
		}
		title := strings.Join(strings.Fields(l.Title), " ")
		if len([]rune(title)) > chat.MaxWebhookAttachTitle {
			return "", "", "", chat.Errorf(chat.Invalid, "attachments[%d].title is too long: at most %d characters", i, chat.MaxWebhookAttachTitle)
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		if title != "" {
			b.WriteString(title + ": ")
		}
		b.WriteString(u)
	}
	if text, err = messageText(b.String()); err != nil {
		return "", "", "", err
	}
	if text == "" {
		return "", "", "", chat.Errorf(chat.Invalid, `"text" is required (or at least one attachment)`)
	}
	clientID = p.IdempotencyKey
	if clientID == "" {
		clientID = "hook-" + newID()
	} else if err := checkClientID(clientID); err != nil {
		return "", "", "", chat.Errorf(chat.Invalid, "Idempotency-Key must be 1 to 64 characters of A-Z, a-z, 0-9, '_' and '-'")
	}
	return text, username, clientID, nil
}
