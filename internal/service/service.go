// Package service holds the chat use cases: every action a client can take,
// authorized from the caller's stored connection (never from the payload),
// persisted through chat.Store and pushed to others through chat.Fanout.
package service

import (
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/outhook"
)

// Defaults of the limits in Config.
const (
	DefaultRatePerWindow  = 30
	DefaultReadsPerWindow = 120
	DefaultRateWindow     = 10 * time.Second
	DefaultTypingInterval = 3 * time.Second
	DefaultConnectionTTL  = 3 * time.Hour
	// DefaultMaxConnections is how many live connections one user may
	// hold (tabs, devices); DefaultConnectsPerWindow how many $connect
	// attempts they may make per RateWindow.
	DefaultMaxConnections    = 10
	DefaultConnectsPerWindow = 20
)

// Config wires the service. Store and Fanout are required; zero limits take
// the defaults above.
type Config struct {
	Store  chat.Store
	Fanout chat.Fanout
	Now    func() time.Time
	Logger *slog.Logger

	// RatePerWindow actions per RateWindow per user (sends, edits,
	// creates…; getState counts as a read; ping, typing and markRead are not counted).
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
	// ConnectGrace: the gone-cleanup (Gone) keeps connections younger than
	// this; zero means the ConnectGrace constant.
	ConnectGrace time.Duration
	// MaxConnections live connections per user (default 10): one more is
	// refused with RateLimited (HTTP 429 on $connect).
	MaxConnections int
	// ConnectsPerWindow $connect attempts per user per RateWindow
	// (default 20), so a reconnect loop cannot hammer the table.
	ConnectsPerWindow int
	// WebhookPerWindow posts per RateWindow per incoming webhook
	// (default DefaultWebhookPerWindow; webhooks.go).
	WebhookPerWindow int

	// Blobs stores shared files (internal/s3blob). Nil turns file sharing
	// off: requestUpload, requestDownload and attachments are refused.
	Blobs chat.BlobStore
	// Files bounds uploads (size, types) and downloads (rate).
	Files media.Limits

	// SystemLines stores a system message in the room's timeline when
	// someone joins, leaves or is invited, and on a rename or a topic
	// change (see systemLine). The app turns it on; off, the timeline holds
	// only what people wrote.
	SystemLines bool
	// People manages the user pool's accounts (the admin console). Nil
	// turns the people actions off (they answer internal).
	People chat.Directory
	// Closer closes connections from the server side (deactivation). Nil:
	// deactivation only forgets the connections, which then fail their
	// next action.
	Closer chat.Closer
	// AuditRetention is how long audit entries are kept (the items' TTL);
	// zero takes DefaultAuditRetention.
	AuditRetention time.Duration

	// Search answers the search action (message search). Nil takes the
	// Store when it implements SearchIndex (internal/dynamo does); with
	// neither, search answers internal.
	Search SearchIndex

	// Erasure queues account erasures (deleteAccount, deleteUser); nil
	// turns account deletion off (it answers internal). ErasurePolicy is
	// the workspace's policy for a deleted person's messages ("" = erase).
	Erasure       chat.ErasureQueue
	ErasurePolicy chat.ErasurePolicy

	// PushKey is the deployment's VAPID public key (base64url), handed to
	// clients in their preferences for PushManager.subscribe; "" when Web
	// Push is off (pushSubscribe then answers Invalid).
	PushKey string

	// Scheduled keeps scheduled messages and reminders; nil takes the
	// Store when it implements chat.ScheduledStore (internal/dynamo does).
	// Timer creates their schedules (EventBridge Scheduler); without it
	// the scheduling actions answer internal.
	Scheduled chat.ScheduledStore
	Timer     chat.ScheduleTimer
	// ExportQueue takes export jobs (export.go); nil turns exports off.
	// Exports keeps the records: nil takes the Store when it implements
	// chat.ExportStore (internal/dynamo does).
	ExportQueue chat.ExportQueue
	Exports     chat.ExportStore
	// ReminderPush sends fired reminders to the owner's devices; optional.
	ReminderPush ReminderPush
	// Gifs is the GIF provider (internal/gifs); nil turns GIFs off
	// (searchGifs and messages with a gif answer Invalid).
	Gifs chat.GifProvider
	// RetentionDays is the workspace's default retention until its admins
	// store one (setWorkspaceSettings): the deploy-time RETENTION_DAYS;
	// 0 keeps messages forever (retention.go).
	RetentionDays int
	// E2EEMaxMembers caps an end-to-end encrypted private channel
	// (E2EE_MAX_MEMBERS; 0: protocol.MaxEncryptedMembers).
	E2EEMaxMembers int

	// TermsVersion is the current version of the terms of service, privacy
	// policy and community guidelines (TERMS_VERSION); "" publishes none
	// and gates nothing (service/terms.go).
	TermsVersion string

	// Review is the message review hook (review.go); its zero value
	// stores messages unreviewed.
	Review ReviewConfig
	// Bots keeps the bot accounts (bots.go); nil takes the Store when it
	// implements chat.BotStore (internal/dynamo does and chattest's).
	Bots chat.BotStore
	// Integrations keeps slash commands and outgoing webhooks; nil takes
	// the Store when it implements chat.IntegrationStore (internal/dynamo
	// does). Hooks calls the commands' URLs (nil: one that refuses private
	// addresses).
	Integrations chat.IntegrationStore
	Hooks        *outhook.Client
	// CommandResponseBase is the HTTP API's URL that a command's
	// responseUrl starts with (".../api/v1/commands/respond/"); empty: the
	// payload carries no responseUrl (integrations_respond.go).
	CommandResponseBase string

	// ICEServers hands out the calls' STUN/TURN servers (internal/iceservers);
	// nil hands out none (host candidates only: enough on one machine).
	// CallMaxSize is how many people a call holds (0: chat.DefaultCallMaxSize).
	// CallPush rings devices for an incoming call (optional).
	ICEServers  chat.ICEServerSource
	CallMaxSize int
	CallPush    CallPush

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
	systemLines    bool
	readsPerWindow int
	rateWindow     time.Duration
	typingInterval time.Duration
	connectionTTL  time.Duration
	connectGrace   time.Duration
	maxConns       int
	connectsPerWin int
	webhookPerWin  int

	blobs chat.BlobStore
	files media.Limits

	people         chat.Directory
	closer         chat.Closer
	search         SearchIndex
	auditRetention time.Duration
	pushKey        string
	gifs           chat.GifProvider
	visibility     *connLimiter
	sched          chat.ScheduledStore
	timer          chat.ScheduleTimer
	reminderPush   ReminderPush
	exportQueue    chat.ExportQueue
	exports        chat.ExportStore
	erasure        chat.ErasureQueue
	erasurePolicy  chat.ErasurePolicy
	retentionDays  int
	e2eeMax        int // encrypted private channels' member cap (e2ee_rooms.go)
	settings       settingsCache
	terms          *termsGate
	hook           *reviewHook
	bots           chat.BotStore
	integ          chat.IntegrationStore
	hooks          *outhook.Client
	cmdRespBase    atomic.Pointer[string] // integrations_respond.go
	widgets        widgetState            // widgets.go (issue #17)
	calls          chat.CallStore         // calls.go; nil: calls answer internal
	ice            chat.ICEServerSource
	callMaxSize    int
	callPush       CallPush

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
	if cfg.RatePerWindow < 0 || cfg.ReadsPerWindow < 0 || cfg.RateWindow < 0 || cfg.TypingInterval < 0 || cfg.ConnectionTTL < 0 || cfg.ConnectGrace < 0 || cfg.MaxConnections < 0 || cfg.ConnectsPerWindow < 0 {
		return nil, errors.New("service: limits must not be negative")
	}
	if err := chat.CheckRetentionDays(cfg.RetentionDays); err != nil {
		return nil, fmt.Errorf("service: RetentionDays: %w", err)
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
		systemLines:    cfg.SystemLines,
		readsPerWindow: orDefault(cfg.ReadsPerWindow, DefaultReadsPerWindow),
		rateWindow:     orDefault(cfg.RateWindow, DefaultRateWindow),
		typingInterval: orDefault(cfg.TypingInterval, DefaultTypingInterval),
		connectionTTL:  orDefault(cfg.ConnectionTTL, DefaultConnectionTTL),
		connectGrace:   orDefault(cfg.ConnectGrace, ConnectGrace),
		maxConns:       orDefault(cfg.MaxConnections, DefaultMaxConnections),
		connectsPerWin: orDefault(cfg.ConnectsPerWindow, DefaultConnectsPerWindow),
		webhookPerWin:  orDefault(cfg.WebhookPerWindow, DefaultWebhookPerWindow),
		blobs:          cfg.Blobs,
		files:          files,
		people:         cfg.People,
		closer:         cfg.Closer,
		search:         cfg.Search,
		auditRetention: orDefault(cfg.AuditRetention, DefaultAuditRetention),
		pushKey:        cfg.PushKey,
		gifs:           cfg.Gifs,
		visibility:     newConnLimiter(VisibilityPerMinute),
		sched:          cfg.Scheduled,
		timer:          cfg.Timer,
		reminderPush:   cfg.ReminderPush,
		exportQueue:    cfg.ExportQueue,
		exports:        cfg.Exports,
		erasure:        cfg.Erasure,
		erasurePolicy:  cfg.ErasurePolicy,
		retentionDays:  cfg.RetentionDays,
		e2eeMax:        cfg.E2EEMaxMembers,
		terms:          newTermsGate(cfg.TermsVersion),
		bots:           cfg.Bots,
		integ:          cfg.Integrations,
		hooks:          cfg.Hooks,
	}
	s.cmdRespBase.Store(&cfg.CommandResponseBase)
	if cfg.CallMaxSize < 0 || cfg.CallMaxSize > chat.MaxCallMaxSize {
		return nil, fmt.Errorf("service: CallMaxSize must be 0..%d", chat.MaxCallMaxSize)
	}
	s.ice, s.callPush = cfg.ICEServers, cfg.CallPush
	s.callMaxSize = orDefault(cfg.CallMaxSize, chat.DefaultCallMaxSize)
	if cs, ok := cfg.Store.(chat.CallStore); ok {
		s.calls = cs
	}
	if bs, ok := cfg.Store.(chat.BotStore); ok && s.bots == nil {
		s.bots = bs
	}
	if is, ok := cfg.Store.(chat.IntegrationStore); ok && s.integ == nil {
		s.integ = is
	}
	if s.hooks == nil {
		s.hooks = &outhook.Client{} // public https URLs only
	}
	if es, ok := cfg.Store.(chat.ExportStore); ok && s.exports == nil {
		s.exports = es
	}
	if s.erasurePolicy == "" {
		s.erasurePolicy = chat.ErasureErase
	}
	if ss, ok := cfg.Store.(chat.ScheduledStore); ok && s.sched == nil {
		s.sched = ss
	}
	if s.now == nil {
		s.now = time.Now
	}
	if si, ok := cfg.Store.(SearchIndex); ok && s.search == nil {
		s.search = si
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.hook, err = newReviewHook(cfg.Review, s.log); err != nil {
		return nil, err
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
