// Package service holds the chat use cases: every action a client can take,
// authorized from the caller's stored connection (never from the payload),
// persisted through chat.Store and pushed to others through chat.Fanout.
package service

import (
	"errors"
	"log/slog"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/media"
)

// Defaults of the limits in Config.
const (
	DefaultRatePerWindow  = 30
	DefaultReadsPerWindow = 120
	DefaultRateWindow     = 10 * time.Second
	DefaultTypingInterval = 3 * time.Second
	DefaultConnectionTTL  = 3 * time.Hour
)

// Config wires the service. Store and Fanout are required; zero limits take
// the defaults above.
type Config struct {
	Store  chat.Store
	Fanout chat.Fanout
	Now    func() time.Time
	Logger *slog.Logger

	// RatePerWindow actions per RateWindow per user (sends, edits,
	// creates…; ping, typing, getState and markRead are not counted).
	RatePerWindow int
	RateWindow    time.Duration
	// ReadsPerWindow reads per RateWindow per user (history, resume and the
	// listings), counted apart from RatePerWindow so that a reconnect's
	// resume right after a burst of sends is not refused.
	ReadsPerWindow int
	// TypingInterval: at most one typing event per user per room per interval.
	TypingInterval time.Duration
	// ConnectionTTL is how long a connection item outlives a missed
	// $disconnect; past API Gateway's 2-hour maximum.
	ConnectionTTL time.Duration

	// Blobs stores shared files (internal/s3blob). Nil turns file sharing
	// off: requestUpload, requestDownload and attachments are refused.
	Blobs chat.BlobStore
	// Files bounds uploads (size, types) and downloads (rate).
	Files media.Limits

	// AuditRetention is how long audit entries are kept (the items' TTL);
	// zero takes DefaultAuditRetention.
	AuditRetention time.Duration

	// Subscribers receive the domain events the use cases publish, after
	// the WebSocket push (which New builds from Store and Fanout), in
	// process and before each use case answers. Optional.
	Subscribers []chat.EventSubscriber
}

// Chat is the chat service. It is safe for concurrent use.
type Chat struct {
	store  chat.Store
	fanout chat.Fanout
	now    func() time.Time
	log    *slog.Logger

	ratePerWindow  int
	readsPerWindow int
	rateWindow     time.Duration
	typingInterval time.Duration
	connectionTTL  time.Duration

	blobs chat.BlobStore
	files media.Limits

	auditRetention time.Duration

	// push is the WebSocket push: the first of subscribers, and the way
	// ephemeral signals (typing, presence, receipts…) go out directly.
	push        *Push
	subscribers []chat.EventSubscriber
}

// New checks cfg and fills in defaults.
func New(cfg Config) (*Chat, error) {
	if cfg.Store == nil {
		return nil, errors.New("service: Config.Store is required")
	}
	if cfg.Fanout == nil {
		return nil, errors.New("service: Config.Fanout is required")
	}
	if cfg.RatePerWindow < 0 || cfg.ReadsPerWindow < 0 || cfg.RateWindow < 0 || cfg.TypingInterval < 0 || cfg.ConnectionTTL < 0 {
		return nil, errors.New("service: limits must not be negative")
	}
	files, err := cfg.Files.Resolve()
	if err != nil {
		return nil, err
	}
	s := &Chat{
		store:          cfg.Store,
		fanout:         cfg.Fanout,
		now:            cfg.Now,
		log:            cfg.Logger,
		ratePerWindow:  orDefault(cfg.RatePerWindow, DefaultRatePerWindow),
		readsPerWindow: orDefault(cfg.ReadsPerWindow, DefaultReadsPerWindow),
		rateWindow:     orDefault(cfg.RateWindow, DefaultRateWindow),
		typingInterval: orDefault(cfg.TypingInterval, DefaultTypingInterval),
		connectionTTL:  orDefault(cfg.ConnectionTTL, DefaultConnectionTTL),
		blobs:          cfg.Blobs,
		files:          files,
		auditRetention: orDefault(cfg.AuditRetention, DefaultAuditRetention),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.push = NewPush(cfg.Store, cfg.Fanout, s.log)
	s.subscribers = append([]chat.EventSubscriber{s.push}, cfg.Subscribers...)
	return s, nil
}

func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// clock returns the current time in UTC, truncated to milliseconds: the
// precision the wire and the store keep, so values round-trip unchanged.
func (s *Chat) clock() time.Time {
	return s.now().UTC().Truncate(time.Millisecond)
}
