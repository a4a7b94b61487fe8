package chatapp

import (
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/dynamo"
	"github.com/backchannel-chat/backchannel/internal/media"
	"github.com/backchannel-chat/backchannel/internal/outhook"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Option adjusts how the chat is wired; the Lambda mains use none, the
// local runner and tests use them to inject clients and observe.
type Option func(*Settings)

// Settings are the options collected; the builders of
// internal/app/actionsapp and internal/app/inprocess read them.
type Settings struct {
	AWSConfig    *aws.Config
	HTTPClient   *http.Client
	Logger       *slog.Logger
	Metrics      io.Writer
	Poster       chat.Poster
	StoreOptions []dynamo.Option
	EditService  func(*service.Config)
	Blobs        chat.BlobStore
	Files        media.Limits
	People       chat.Directory
	PushKey      string // the VAPID public key (WithPushKey)
	TermsVersion string // the current terms version (WithTermsVersion)
	// Timer and ReminderPush: scheduled messages and reminders
	// (WithScheduleTimer, WithReminderPush).
	Timer        chat.ScheduleTimer
	ReminderPush service.ReminderPush
	// Gifs is the GIF provider (WithGifs; nil: GIFs off).
	Gifs chat.GifProvider
	// ExportQueue takes data-export jobs (WithExportQueue; nil: off).
	ExportQueue chat.ExportQueue
	// Erasure queues account erasures; ErasurePolicy is the workspace's.
	Erasure       chat.ErasureQueue
	ErasurePolicy chat.ErasurePolicy
	// Review is the message review hook (WithReview; nil Reviewer: off).
	Review service.ReviewConfig
	// Hooks calls slash commands' URLs (WithHooks; nil: the service's
	// default, which reaches public https URLs only).
	Hooks *outhook.Client
	// CommandResponseBase starts slash commands' responseUrl
	// (WithCommandResponseBase; empty: none).
	CommandResponseBase string
	// ICEServers, CallPush and CallMaxSize: calls (WithCalls; nil ICE
	// source: none, host candidates only).
	ICEServers  chat.ICEServerSource
	CallPush    service.CallPush
	CallMaxSize int
}

// Collect applies opts in order.
func Collect(opts []Option) Settings {
	var s Settings
	for _, opt := range opts {
		opt(&s)
	}
	return s
}

// WithAWSConfig uses cfg instead of loading the default configuration
// (region, credentials and endpoints from the environment).
func WithAWSConfig(cfg aws.Config) Option {
	return func(s *Settings) { s.AWSConfig = &cfg }
}

// WithHTTPClient sends the JWKS fetches (in-process), and the AWS requests
// when no AWS config is given, through c.
func WithHTTPClient(c *http.Client) Option {
	return func(s *Settings) { s.HTTPClient = c }
}

// WithLogger replaces the JSON logger on stderr at the configured level.
func WithLogger(l *slog.Logger) Option {
	return func(s *Settings) { s.Logger = l }
}

// WithMetrics sends the fan-out's EMF metric lines to w instead of stdout
// (io.Discard to drop them).
func WithMetrics(w io.Writer) Option {
	return func(s *Settings) { s.Metrics = w }
}

// WithPoster delivers fan-out payloads through p instead of the API Gateway
// management API (benchmarks use a no-op poster).
func WithPoster(p chat.Poster) Option {
	return func(s *Settings) { s.Poster = p }
}

// WithStoreOptions passes options to the DynamoDB store (for example
// dynamo.WithCapacityRecorder).
func WithStoreOptions(opts ...dynamo.Option) Option {
	return func(s *Settings) { s.StoreOptions = append(s.StoreOptions, opts...) }
}

// WithServiceConfig lets edit adjust the service's configuration (limits,
// clock) after the store, fan-out, logger and files are filled in.
func WithServiceConfig(edit func(*service.Config)) Option {
	return func(s *Settings) { s.EditService = edit }
}

// WithPushKey hands clients the deployment's VAPID public key (Web Push
// on); "" leaves it off.
func WithPushKey(key string) Option {
	return func(s *Settings) { s.PushKey = key }
}

// WithTermsVersion sets the version of the terms everybody must accept
// (TERMS_VERSION); "" asks nothing.
func WithTermsVersion(version string) Option {
	return func(s *Settings) { s.TermsVersion = version }
}

// WithFiles turns file sharing on over blobs (nil leaves it off) with the
// given upload limits (internal/app/actionsapp sets it from FILES_BUCKET).
func WithFiles(blobs chat.BlobStore, limits media.Limits) Option {
	return func(s *Settings) { s.Blobs, s.Files = blobs, limits }
}

// WithPeople manages the user pool's accounts through d (the admin
// console); internal/app/actionsapp sets it from USER_POOL_ID.
func WithPeople(d chat.Directory) Option {
	return func(s *Settings) { s.People = d }
}

// WithScheduleTimer creates the schedules of scheduled messages and
// reminders through t (actionsapp sets EventBridge Scheduler's when
// SCHEDULED_GROUP is set).
func WithScheduleTimer(t chat.ScheduleTimer) Option {
	return func(s *Settings) { s.Timer = t }
}

// WithCalls sets the calls' ICE source (nil: none), their ring push
// (nil: none) and size (0: the default).
func WithCalls(ice chat.ICEServerSource, push service.CallPush, maxSize int) Option {
	return func(s *Settings) { s.ICEServers, s.CallPush, s.CallMaxSize = ice, push, maxSize }
}

// WithReminderPush sends fired reminders to people's devices through p.
func WithReminderPush(p service.ReminderPush) Option {
	return func(s *Settings) { s.ReminderPush = p }
}

// WithExportQueue puts data-export jobs on q (actionsapp sets the SQS
// export queue when EXPORT_QUEUE_URL is set).
func WithExportQueue(q chat.ExportQueue) Option {
	return func(s *Settings) { s.ExportQueue = q }
}

// WithGifs sets the GIF provider (nil: GIFs off).
func WithGifs(g chat.GifProvider) Option {
	return func(s *Settings) { s.Gifs = g }
}

// WithErasure turns account deletion on: q takes the erasure jobs, p is
// the workspace's erasure policy.
func WithErasure(q chat.ErasureQueue, p chat.ErasurePolicy) Option {
	return func(s *Settings) { s.Erasure, s.ErasurePolicy = q, p }
}

// WithReview shows every message to the review hook before it is stored
// (actionsapp and scheduledapp set the Lambda adapter when
// REVIEW_HOOK_FUNCTION is set). Its metrics go where the fan-out's do
// unless cfg.Metrics is set.
func WithReview(cfg service.ReviewConfig) Option {
	return func(s *Settings) { s.Review = cfg }
}

// WithHooks sets the client that calls slash commands' URLs: make dev and
// the tests pass one that may reach this machine (AllowPrivate); a
// deployment never does.
func WithHooks(c *outhook.Client) Option {
	return func(s *Settings) { s.Hooks = c }
}

// WithCommandResponseBase sets the URL slash commands' responseUrl starts
// with: the HTTP API's base URL + service.CommandResponsePath.
func WithCommandResponseBase(base string) Option {
	return func(s *Settings) { s.CommandResponseBase = base }
}
