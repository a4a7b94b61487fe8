// Package webpush sends Web Push messages (RFC 8030) encrypted to the
// subscription's keys (RFC 8291, aes128gcm) and signed with the
// deployment's VAPID key (RFC 8292), through
// github.com/SherClockHolmes/webpush-go. It owns the payload shape the
// service worker reads and the VAPID key pair's format.
package webpush

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	wp "github.com/SherClockHolmes/webpush-go"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

// Keys is the VAPID key pair, as the secret (and the local keys file)
// holds it: base64url, the public key an uncompressed P-256 point (65
// bytes), the private key the scalar (32 bytes).
type Keys struct {
	PublicKey  string `json:"publicKey"`
	PrivateKey string `json:"privateKey"`
}

// GenerateKeys makes a new VAPID key pair.
func GenerateKeys() (Keys, error) {
	priv, pub, err := wp.GenerateVAPIDKeys()
	if err != nil {
		return Keys{}, fmt.Errorf("webpush: generate VAPID keys: %w", err)
	}
	return Keys{PublicKey: pub, PrivateKey: priv}, nil
}

// ParseKeys reads a key pair from its JSON and checks its lengths.
func ParseKeys(doc []byte) (Keys, error) {
	var k Keys
	if err := json.Unmarshal(doc, &k); err != nil {
		return Keys{}, fmt.Errorf("webpush: VAPID keys: %w", err)
	}
	pub, err1 := chat.DecodeB64URL(k.PublicKey)
	priv, err2 := chat.DecodeB64URL(k.PrivateKey)
	if err1 != nil || err2 != nil || len(pub) != 65 || pub[0] != 4 || len(priv) != 32 {
		return Keys{}, errors.New("webpush: VAPID keys: want base64url publicKey (65 bytes) and privateKey (32 bytes)")
	}
	return k, nil
}

// Payload is what a push carries (the service worker's input): small,
// version 1. Preview is left out when previews are off. ParentSeq is set
// for a thread reply (the thread's first message: a click opens the room
// there with the thread beside it); absent otherwise, so older workers
// read it as before.
type Payload struct {
	V         int    `json:"v"`
	RoomID    string `json:"roomId"`
	Seq       int64  `json:"seq"`
	ParentSeq int64  `json:"parentSeq,omitempty"`
	Room      string `json:"room"`
	Sender    string `json:"sender"`
	Preview   string `json:"preview,omitempty"`
	Tag       string `json:"tag"`
}

// Errors Send wraps.
var (
	// ErrGone: the push service answered 404 or 410: the subscription is
	// expired or unsubscribed; delete it.
	ErrGone = errors.New("webpush: subscription gone")
	// ErrRetry: 429 or 5xx or a network error: try again later.
	ErrRetry = errors.New("webpush: push service unavailable")
	// ErrRejected: any other refusal (400, 403, 413…): retrying will not help.
	ErrRejected = errors.New("webpush: push refused")
)

// Config shapes a Sender.
type Config struct {
	Keys Keys
	// Subject is the VAPID JWT's sub: mailto:… or https://….
	Subject string
	// TTL is how long the push service keeps an undelivered push.
	TTL time.Duration
	// Client sends the requests (default: 10 s timeout).
	Client *http.Client
}

// Sender sends pushes.
type Sender struct {
	cfg Config
}

// New checks cfg.
func New(cfg Config) (*Sender, error) {
	if cfg.Keys.PublicKey == "" || cfg.Keys.PrivateKey == "" {
		return nil, errors.New("webpush: VAPID keys are required")
	}
	if !strings.HasPrefix(cfg.Subject, "mailto:") && !strings.HasPrefix(cfg.Subject, "https://") {
		return nil, errors.New("webpush: Subject must be a mailto: or https: URL")
	}
	if cfg.TTL <= 0 {
		cfg.TTL = 24 * time.Hour
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	return &Sender{cfg: cfg}, nil
}

// Urgency values (RFC 8030 §5.3).
const (
	UrgencyNormal = "normal"
	UrgencyHigh   = "high"
)

// recordSize pads every payload to the same length (its size is not a
// hint of the preview's), small enough for a phone's data budget; a
// payload too long for it goes out in one 4 KB record.
const recordSize = 1024

// Send encrypts payload to sub and posts it to the push service, with
// TTL, Urgency and Topic (the room, so a newer push of the room replaces
// an undelivered older one) headers. The error wraps ErrGone, ErrRetry or
// ErrRejected.
func (s *Sender) Send(ctx context.Context, sub chat.PushSubscription, payload []byte, urgency, topic string) (int, error) {
	opts := &wp.Options{
		HTTPClient:      s.cfg.Client,
		RecordSize:      recordSize,
		Subscriber:      strings.TrimPrefix(s.cfg.Subject, "mailto:"), // the library adds mailto: to anything but https:
		TTL:             int(s.cfg.TTL / time.Second),
		Urgency:         wp.Urgency(urgency),
		Topic:           topicOf(topic),
		VAPIDPublicKey:  s.cfg.Keys.PublicKey,
		VAPIDPrivateKey: s.cfg.Keys.PrivateKey,
	}
	if len(payload)+1 > recordSize-16-86 {
		opts.RecordSize = wp.MaxRecordSize
	}
	resp, err := wp.SendNotificationWithContext(ctx, payload, &wp.Subscription{
		Endpoint: sub.Endpoint, Keys: wp.Keys{P256dh: sub.P256dh, Auth: sub.Auth},
	}, opts)
	if err != nil {
		if errors.Is(err, wp.ErrMaxPadExceeded) {
			return 0, fmt.Errorf("%w: %v", ErrRejected, err)
		}
		if ctx.Err() != nil {
			return 0, fmt.Errorf("%w: %v", ErrRetry, err)
		}
		var netErr interface{ Timeout() bool }
		if errors.As(err, &netErr) || strings.Contains(err.Error(), "dial") || strings.Contains(err.Error(), "EOF") {
			return 0, fmt.Errorf("%w: %v", ErrRetry, err)
		}
		return 0, fmt.Errorf("%w: %v", ErrRejected, err) // bad keys and the like
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return code, nil
	case code == http.StatusNotFound || code == http.StatusGone:
		return code, fmt.Errorf("%w: %d", ErrGone, code)
	case code == http.StatusTooManyRequests || code >= 500:
		return code, fmt.Errorf("%w: %d %s", ErrRetry, code, strings.TrimSpace(string(body)))
	default:
		return code, fmt.Errorf("%w: %d %s", ErrRejected, code, strings.TrimSpace(string(body)))
	}
}

// topicOf makes a Topic header value (RFC 8030 §5.4: at most 32 base64url
// characters) from a room id.
func topicOf(roomID string) string {
	var b strings.Builder
	for _, r := range roomID {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		}
		if b.Len() == 32 {
			break
		}
	}
	return b.String()
}
