// Package app is the configuration of every function: every environment
// variable any Lambda (or the local runner) reads is read here, in this one
// file, into one struct per function. The wiring is in the subpackages,
// one per function, so that each function links only what it uses:
//
//	internal/app/authorizerapp  the $connect authorizer (Cognito only)
//	internal/app/connectionapp  $connect and $disconnect (DynamoDB, fan-out)
//	internal/app/actionsapp     every action (DynamoDB, fan-out, S3)
//	internal/app/thumbnailapp   the thumbnail maker (S3 only)
//	internal/app/streamapp      the table's stream to EventBridge, the file sweeper, the search index, the room purger (no service)
//	internal/app/chatapp        the service core connection and actions share
//	internal/app/inprocess      all of them in one process: make dev, tests
//
// This package itself links only the standard library, since the
// authorizer imports it: no AWS SDK, no service.
//
// Which function reads which variable (req: required, opt: optional):
//
//	variable              authorizer  connection  actions  thumbnail
//	COGNITO_ISSUER        req
//	COGNITO_CLIENT_ID     req
//	COGNITO_JWKS_URL      opt
//	TABLE_NAME                        req         req
//	WS_CALLBACK_URL                   req         req
//	FILES_BUCKET                                  opt      req
//	S3_USE_PATH_STYLE                             opt      opt
//	MAX_UPLOAD_BYTES                              opt      opt
//	ALLOWED_UPLOAD_TYPES                          opt
//	FANOUT_QUEUE_URL                  opt         opt
//	FANOUT_INLINE_LIMIT               opt         opt
//	USER_POOL_ID                                  opt
//	AUDIT_RETENTION_DAYS              opt         opt
//	RETENTION_DAYS                    opt         opt
//	LOG_LEVEL             opt         opt         opt      opt
//
// The fanout function (the big rooms' fan-out worker, functions/fanout)
// reads TABLE_NAME and WS_CALLBACK_URL (req), LOG_LEVEL and
// FANOUT_QUEUE_URL (opt: where throttled recipients go back): see
// FanoutWorkerConfig.
// The stream function reads EVENT_BUS_NAME (req), FILES_BUCKET and
// S3_USE_PATH_STYLE (opt: the file sweeper), TABLE_NAME (opt: the search
// index and the room purger), EVENTS_INCLUDE_TEXT (opt) and LOG_LEVEL
// (opt), PUSH_QUEUE_URL and PUSH_PREVIEWS (opt: the notifier),
// DIGEST_FROM with DIGEST_KEY_SECRET_ARN or DIGEST_KEY (opt: customer
// support's mail): see StreamConfig. Customer support's FAQ bot
// (functions/supportbot) reads the connection function's variables.
// The push sender (functions/pushsender) reads TABLE_NAME, VAPID_SUBJECT
// and one of VAPID_SECRET_ARN and VAPID_KEYS_FILE (req), PUSH_TTL_SECONDS
// and LOG_LEVEL (opt): see PushSenderConfig. The actions function reads
// VAPID_PUBLIC_KEY (opt: Web Push off without it) and the GIF provider's
// GIF_PROVIDER, GIF_API_KEY_SECRET_ARN or GIF_API_KEY, GIF_ENDPOINT_URL
// and GIF_MEDIA_ORIGINS (opt: GIFs off without a key; gifsenv.go). The VAPID key
// generator (functions/vapidkeys, a custom resource) reads LOG_LEVEL.
// The digest function (functions/digest) and the unsubscribe function
// (functions/unsubscribe) read TABLE_NAME, DIGEST_KEY_SECRET_ARN or
// DIGEST_KEY, USER_POOL_ID, DIGEST_SITE_URL, DIGEST_FROM,
// DIGEST_UNSUBSCRIBE_URL, DIGEST_SCHEDULE_GROUP, DIGEST_SCHEDULER_ROLE_ARN,
// DIGEST_TARGET_ARN and LOG_LEVEL: see DigestConfig.
// The actions function reads SCHEDULED_GROUP, SCHEDULED_ROLE_ARN,
// SCHEDULED_TARGET_ARN and SCHEDULED_DEAD_LETTER_ARN (opt: scheduled
// messages and reminders off without the group): see ScheduledConfig. The
// scheduled function (functions/scheduled) reads the actions function's
// chat variables and PUSH_QUEUE_URL, PUSH_PREVIEWS (opt): see
// ScheduledFunctionConfig. The actions and scheduled functions read
// REVIEW_HOOK_FUNCTION, REVIEW_HOOK_TIMEOUT_MS and REVIEW_HOOK_FAILURE
// (opt: the message review hook, reviewenv.go); the example hook
// (functions/reviewhook) reads LOG_LEVEL.
// The AWS region, credentials and endpoint overrides (AWS_REGION,
// AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB …) are read by the SDK itself.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"os"
	"slices"
	"strconv"
	"strings"
)

// The variables.
const (
	EnvCognitoIssuer      = "COGNITO_ISSUER"
	EnvCognitoClientID    = "COGNITO_CLIENT_ID"
	EnvCognitoJWKSURL     = "COGNITO_JWKS_URL"
	EnvTableName          = "TABLE_NAME"
	EnvCallbackURL        = "WS_CALLBACK_URL"
	EnvFilesBucket        = "FILES_BUCKET"
	EnvS3UsePathStyle     = "S3_USE_PATH_STYLE"
	EnvMaxUploadBytes     = "MAX_UPLOAD_BYTES"
	EnvAllowedUploadTypes = "ALLOWED_UPLOAD_TYPES"
	EnvAuditRetentionDays = "AUDIT_RETENTION_DAYS"
	// EnvRetentionDays is the workspace's default message retention in
	// days until its admins store one (0 or unset: forever; issue 15).
	EnvRetentionDays = "RETENTION_DAYS"
	// EnvE2EEMaxMembers caps an end-to-end encrypted private channel
	// (issue #19; unset: protocol.MaxEncryptedMembers).
	EnvE2EEMaxMembers    = "E2EE_MAX_MEMBERS"
	EnvLogLevel          = "LOG_LEVEL"
	EnvEventBusName      = "EVENT_BUS_NAME"
	EnvEventsIncludeText = "EVENTS_INCLUDE_TEXT"
	EnvFanoutQueueURL    = "FANOUT_QUEUE_URL"
	EnvFanoutInlineLimit = "FANOUT_INLINE_LIMIT"
	// EnvUserPoolID is the pool the admin console manages; empty turns
	// the people actions off.
	EnvUserPoolID = "USER_POOL_ID"
	// EnvSignUpDomains: the email domains that may sign up themselves
	// (the PreSignUp trigger, functions/presignup).
	EnvSignUpDomains = "SIGNUP_DOMAINS"

	// Web Push (issue #13).
	// EnvVAPIDPublicKey is the deployment's VAPID public key (base64url),
	// which the actions function hands to clients; empty turns Web Push
	// off (pushSubscribe is refused).
	EnvVAPIDPublicKey = "VAPID_PUBLIC_KEY"
	// EnvTermsVersion is the current version of the terms of service,
	// privacy policy and community guidelines; empty: none, no gate.
	EnvTermsVersion = "TERMS_VERSION"
	// EnvHTTPAPIURL is the HTTP API's base URL (the actions function):
	// slash commands' responseUrl starts with it; empty: no responseUrl.
	EnvHTTPAPIURL = "HTTP_API_URL"
	// EnvPushQueueURL is the push queue the stream function's notifier
	// fills; empty turns the notifier off.
	EnvPushQueueURL = "PUSH_QUEUE_URL"
	// EnvUnfurlQueueURL is the link-preview queue the stream function's
	// enqueuer puts jobs on (internal/unfurl), read by functions/unfurl.
	EnvUnfurlQueueURL = "UNFURL_QUEUE_URL"
	// EnvPushPreviews: "false" leaves text previews out of every push.
	EnvPushPreviews = "PUSH_PREVIEWS"
	// EnvVAPIDSecretARN names the Secrets Manager secret holding the VAPID
	// key pair (JSON {"publicKey","privateKey"}), read by the push sender.
	EnvVAPIDSecretARN = "VAPID_SECRET_ARN"
	// EnvVAPIDKeysFile is the local stand-in for the secret: a JSON file
	// of the same shape (make dev generates it once into the data dir).
	EnvVAPIDKeysFile = "VAPID_KEYS_FILE"
	// EnvVAPIDSubject is the contact in the VAPID JWT's sub (mailto: or
	// https:), which push services may use to reach the operator.
	EnvVAPIDSubject = "VAPID_SUBJECT"
	// EnvPushTTLSeconds is how long a push service keeps an undelivered
	// push (the TTL header); default 86400.
	EnvPushTTLSeconds = "PUSH_TTL_SECONDS"
)

// FanoutSettings route big fan-outs through the fan-out queue: FANOUT_QUEUE_URL
// (empty: every fan-out inline) and FANOUT_INLINE_LIMIT, the most
// recipients fanned out inline (0: fanoutqueue.DefaultThreshold).
type FanoutSettings struct {
	QueueURL    string
	InlineLimit int
}

// CognitoConfig names the user pool and app client tokens must come from.
type CognitoConfig struct {
	Issuer   string // COGNITO_ISSUER
	ClientID string // COGNITO_CLIENT_ID
	JWKSURL  string // COGNITO_JWKS_URL, default Issuer + "/.well-known/jwks.json"
}

// UploadLimits bound uploads: MAX_UPLOAD_BYTES and ALLOWED_UPLOAD_TYPES.
// Zero values take the defaults of internal/media (media.Limits).
type UploadLimits struct {
	MaxBytes     int64
	AllowedTypes []string
}

// AuthorizerConfig is the environment of the authorizer function.
type AuthorizerConfig struct {
	Cognito  CognitoConfig
	LogLevel slog.Level // LOG_LEVEL: debug, info (default), warn, error
	// Visitor is the support widget's visitor key (visitorenv.go): with
	// it, visitor tokens are accepted besides Cognito's.
	Visitor VisitorKeyConfig
}

// ConnectionConfig is the environment of the connection function
// ($connect, $disconnect): the table, and the management API for the
// presence fan-out and the cleanup of gone connections.
type ConnectionConfig struct {
	TableName string // TABLE_NAME
	// CallbackURL is the management API base, WS_CALLBACK_URL:
	// https://{apiId}.execute-api.{region}.amazonaws.com/{stage}.
	CallbackURL string
	LogLevel    slog.Level // LOG_LEVEL
	Fanout      FanoutSettings
	// AuditRetentionDays is AUDIT_RETENTION_DAYS: how long the audit log
	// keeps an entry; 0 takes the service's default (a year).
	AuditRetentionDays int64
	// RetentionDays is RETENTION_DAYS: the workspace's default message
	// retention until its admins store one; 0 keeps messages forever.
	RetentionDays int64
	// E2EEMaxMembers is E2EE_MAX_MEMBERS: the most members of an
	// encrypted private channel (0: protocol.MaxEncryptedMembers).
	E2EEMaxMembers int64
	// Visitor is the support widget's visitor key (visitorenv.go), read
	// by the actions and HTTP API functions; empty: widgets off.
	Visitor VisitorKeyConfig
}

// FanoutWorkerConfig is the environment of the fanout function: the
// management API to post with and the table to clean gone connections
// from. It never queues a fan-out (Fanout is empty): a worker posts its
// job itself, and puts back on the queue only the recipients still
// throttled (RequeueURL).
type FanoutWorkerConfig struct {
	ConnectionConfig
	// RequeueURL is FANOUT_QUEUE_URL (optional): the queue the worker
	// reads, where throttled recipients go back as a delayed job. Empty:
	// they are dropped and recover with resume.
	RequeueURL string
}

// ActionsConfig is the environment of the actions function: the
// connection function's, and the files.
type ActionsConfig struct {
	ConnectionConfig
	// FilesBucket is FILES_BUCKET; empty turns file sharing off.
	FilesBucket    string
	S3UsePathStyle bool // S3_USE_PATH_STYLE: "true" against gofakes3
	Files          UploadLimits
	// UserPoolID is USER_POOL_ID: the pool the admin console manages
	// (internal/cognitoadmin); empty turns the people actions off.
	UserPoolID string
	// PushKey is VAPID_PUBLIC_KEY; empty turns Web Push off.
	PushKey string
	// Scheduled is SCHEDULED_*: the schedules of scheduled messages and
	// reminders (off without SCHEDULED_GROUP).
	Scheduled ScheduledConfig
	// Gifs is the GIF provider (GIF_*, gifsenv.go); off without a key.
	Gifs GifSettings
	// ExportQueueURL is EXPORT_QUEUE_URL (exportenv.go); empty turns data
	// exports off.
	ExportQueueURL string
	// Erasure is ERASURE_* (erasureenv.go): account deletion's queue
	// (off without it) and the policy.
	Erasure ErasureSettings
	// TermsVersion is TERMS_VERSION (empty: no terms to accept).
	TermsVersion string
	// Review is REVIEW_HOOK_* (reviewenv.go): the message review hook.
	Review ReviewSettings
	// HTTPAPIURL is HTTP_API_URL (commands' responseUrl; empty: none).
	HTTPAPIURL string
	// Calls is ICE_SERVERS and the calls' settings (callsenv.go).
	Calls CallSettings
}

// ThumbnailConfig is the environment of the thumbnail function.
type ThumbnailConfig struct {
	Bucket         string // FILES_BUCKET (required)
	UsePathStyle   bool   // S3_USE_PATH_STYLE
	MaxSourceBytes int64  // MAX_UPLOAD_BYTES: the originals it reads are at most this large
	LogLevel       slog.Level
}

// Config is every variable of the chat's functions at once: the local
// runner and the integration tests run them all in one process
// (internal/app/inprocess).
type Config struct {
	TableName string // TABLE_NAME
	// FilesBucket is FILES_BUCKET; empty turns file sharing off.
	FilesBucket    string
	CallbackURL    string // WS_CALLBACK_URL
	Cognito        CognitoConfig
	LogLevel       slog.Level // LOG_LEVEL
	S3UsePathStyle bool       // S3_USE_PATH_STYLE
	Files          UploadLimits
	Fanout         FanoutSettings
	UserPoolID     string // USER_POOL_ID
	// AuditRetentionDays is AUDIT_RETENTION_DAYS (0: the default, a year).
	AuditRetentionDays int64
	// RetentionDays is RETENTION_DAYS (0: messages kept forever).
	RetentionDays int64
	// E2EEMaxMembers is E2EE_MAX_MEMBERS (0: the default, 8).
	E2EEMaxMembers int64
	// PushKey is VAPID_PUBLIC_KEY (empty: Web Push off).
	PushKey string
	// Scheduled is SCHEDULED_*: scheduled messages and reminders.
	Scheduled ScheduledConfig
	// Gifs is the GIF provider (GIF_*; off without a key).
	Gifs GifSettings
	// ExportQueueURL is EXPORT_QUEUE_URL (empty: data exports off).
	ExportQueueURL string
	// Erasure is ERASURE_* (account deletion; off without the queue).
	Erasure ErasureSettings
	// TermsVersion is TERMS_VERSION (empty: no terms to accept).
	TermsVersion string
	// Review is REVIEW_HOOK_* (the message review hook; off without it).
	Review ReviewSettings
	// Visitor is the support widget's visitor key (visitorenv.go).
	Visitor VisitorKeyConfig
	// VisitorWSURL is VISITOR_WS_URL (the session route's wsUrl).
	VisitorWSURL string
}

// Authorizer, Connection, Actions and Thumbnail are the parts of c each
// function reads.
func (c Config) Authorizer() AuthorizerConfig {
	return AuthorizerConfig{Cognito: c.Cognito, LogLevel: c.LogLevel, Visitor: c.Visitor}
}

func (c Config) Connection() ConnectionConfig {
	return ConnectionConfig{TableName: c.TableName, CallbackURL: c.CallbackURL, LogLevel: c.LogLevel, Fanout: c.Fanout, AuditRetentionDays: c.AuditRetentionDays, RetentionDays: c.RetentionDays, E2EEMaxMembers: c.E2EEMaxMembers, Visitor: c.Visitor}
}

// FanoutWorker is the part of c the fanout function reads.
func (c Config) FanoutWorker() FanoutWorkerConfig {
	return FanoutWorkerConfig{ConnectionConfig: ConnectionConfig{TableName: c.TableName, CallbackURL: c.CallbackURL, LogLevel: c.LogLevel}, RequeueURL: c.Fanout.QueueURL}
}

func (c Config) Actions() ActionsConfig {
	return ActionsConfig{ConnectionConfig: c.Connection(), FilesBucket: c.FilesBucket, S3UsePathStyle: c.S3UsePathStyle, Files: c.Files, UserPoolID: c.UserPoolID, PushKey: c.PushKey, Scheduled: c.Scheduled, Gifs: c.Gifs, ExportQueueURL: c.ExportQueueURL, Erasure: c.Erasure, TermsVersion: c.TermsVersion, Review: c.Review}
}

func (c Config) Thumbnail() ThumbnailConfig {
	return ThumbnailConfig{Bucket: c.FilesBucket, UsePathStyle: c.S3UsePathStyle, MaxSourceBytes: c.Files.MaxBytes, LogLevel: c.LogLevel}
}

// Validate checks that everything the in-process chat needs is set.
func (c Config) Validate() error {
	return missing(map[string]string{
		EnvTableName:       c.TableName,
		EnvCallbackURL:     c.CallbackURL,
		EnvCognitoIssuer:   c.Cognito.Issuer,
		EnvCognitoClientID: c.Cognito.ClientID,
	})
}

// Validate checks that everything the authorizer needs is set.
func (c AuthorizerConfig) Validate() error {
	return missing(map[string]string{EnvCognitoIssuer: c.Cognito.Issuer, EnvCognitoClientID: c.Cognito.ClientID})
}

// Validate checks that everything the connection function needs is set.
func (c ConnectionConfig) Validate() error {
	return missing(map[string]string{EnvTableName: c.TableName, EnvCallbackURL: c.CallbackURL})
}

// Validate checks that everything the thumbnail function needs is set.
func (c ThumbnailConfig) Validate() error {
	return missing(map[string]string{EnvFilesBucket: c.Bucket})
}

// ConfigFromEnv reads every variable of the chat (the local runner) and
// fails naming every required variable that is missing.
func ConfigFromEnv() (Config, error) { return readConfig(os.LookupEnv) }

// AuthorizerConfigFromEnv reads the authorizer function's variables.
func AuthorizerConfigFromEnv() (AuthorizerConfig, error) { return readAuthorizer(os.LookupEnv) }

// ConnectionConfigFromEnv reads the connection function's variables.
func ConnectionConfigFromEnv() (ConnectionConfig, error) { return readConnection(os.LookupEnv) }

// FanoutWorkerConfigFromEnv reads the fanout function's variables.
func FanoutWorkerConfigFromEnv() (FanoutWorkerConfig, error) { return readFanoutWorker(os.LookupEnv) }

// ActionsConfigFromEnv reads the actions function's variables.
func ActionsConfigFromEnv() (ActionsConfig, error) { return readActions(os.LookupEnv) }

// ThumbnailConfigFromEnv reads the thumbnail function's variables.
func ThumbnailConfigFromEnv() (ThumbnailConfig, error) { return readThumbnail(os.LookupEnv) }

// LogLevelFromEnv reads LOG_LEVEL alone, for a logger needed before the
// rest of the configuration (the local runner's gateway).
func LogLevelFromEnv() (slog.Level, error) {
	r := reader{lookup: os.LookupEnv}
	return r.logLevel(), r.err()
}

func readConfig(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	cfg := Config{
		TableName:          r.get(EnvTableName),
		FilesBucket:        r.get(EnvFilesBucket),
		CallbackURL:        r.callbackURL(),
		Cognito:            r.cognito(),
		LogLevel:           r.logLevel(),
		S3UsePathStyle:     r.bool(EnvS3UsePathStyle),
		Files:              r.uploadLimits(),
		Fanout:             r.fanout(),
		UserPoolID:         r.get(EnvUserPoolID),
		AuditRetentionDays: r.positive(EnvAuditRetentionDays),
		RetentionDays:      r.positive(EnvRetentionDays),
		E2EEMaxMembers:     r.positive(EnvE2EEMaxMembers),
		PushKey:            r.get(EnvVAPIDPublicKey),
		Scheduled:          r.scheduled(),
		Gifs:               r.gifs(),
		ExportQueueURL:     r.get(EnvExportQueueURL),
		Erasure:            r.erasure(),
		TermsVersion:       r.get(EnvTermsVersion),
		Review:             r.review(),
		Visitor:            r.visitorKey(),
		VisitorWSURL:       r.get(EnvVisitorWSURL),
	}
	return cfg, r.done(errors.Join(cfg.Validate(), cfg.Scheduled.Validate()))
}

func readAuthorizer(lookup func(string) (string, bool)) (AuthorizerConfig, error) {
	r := reader{lookup: lookup}
	cfg := AuthorizerConfig{Cognito: r.cognito(), LogLevel: r.logLevel(), Visitor: r.visitorKey()}
	return cfg, r.done(cfg.Validate())
}

func readConnection(lookup func(string) (string, bool)) (ConnectionConfig, error) {
	r := reader{lookup: lookup}
	cfg := ConnectionConfig{TableName: r.get(EnvTableName), CallbackURL: r.callbackURL(), LogLevel: r.logLevel(), Fanout: r.fanout(), AuditRetentionDays: r.positive(EnvAuditRetentionDays), RetentionDays: r.positive(EnvRetentionDays)}
	return cfg, r.done(cfg.Validate())
}

func readFanoutWorker(lookup func(string) (string, bool)) (FanoutWorkerConfig, error) {
	r := reader{lookup: lookup}
	cfg := FanoutWorkerConfig{ConnectionConfig: ConnectionConfig{TableName: r.get(EnvTableName), CallbackURL: r.callbackURL(), LogLevel: r.logLevel()},
		RequeueURL: r.get(EnvFanoutQueueURL)}
	return cfg, r.done(cfg.Validate())
}

func readActions(lookup func(string) (string, bool)) (ActionsConfig, error) {
	r := reader{lookup: lookup}
	cfg := ActionsConfig{
		ConnectionConfig: ConnectionConfig{TableName: r.get(EnvTableName), CallbackURL: r.callbackURL(), LogLevel: r.logLevel(), Fanout: r.fanout(), AuditRetentionDays: r.positive(EnvAuditRetentionDays), RetentionDays: r.positive(EnvRetentionDays), E2EEMaxMembers: r.positive(EnvE2EEMaxMembers), Visitor: r.visitorKey()},
		FilesBucket:      r.get(EnvFilesBucket),
		S3UsePathStyle:   r.bool(EnvS3UsePathStyle),
		Files:            r.uploadLimits(),
		UserPoolID:       r.get(EnvUserPoolID),
		PushKey:          r.get(EnvVAPIDPublicKey),
		Scheduled:        r.scheduled(),
		Gifs:             r.gifs(),
		ExportQueueURL:   r.get(EnvExportQueueURL),
		Erasure:          r.erasure(),
		TermsVersion:     r.get(EnvTermsVersion),
		Review:           r.review(),
		HTTPAPIURL:       strings.TrimRight(r.get(EnvHTTPAPIURL), "/"),
		Calls:            r.calls(),
	}
	return cfg, r.done(errors.Join(cfg.Validate(), cfg.Scheduled.Validate(), cfg.Calls.Validate()))
}

func readThumbnail(lookup func(string) (string, bool)) (ThumbnailConfig, error) {
	r := reader{lookup: lookup}
	cfg := ThumbnailConfig{
		Bucket:         r.get(EnvFilesBucket),
		UsePathStyle:   r.bool(EnvS3UsePathStyle),
		MaxSourceBytes: r.positive(EnvMaxUploadBytes),
		LogLevel:       r.logLevel(),
	}
	return cfg, r.done(cfg.Validate())
}

// reader reads variables through lookup (os.LookupEnv) and collects the
// malformed ones; unset and blank are the same.
type reader struct {
	lookup func(string) (string, bool)
	errs   []error
}

func (r *reader) get(name string) string {
	v, _ := r.lookup(name)
	return strings.TrimSpace(v)
}

func (r *reader) fail(name, value, want string) {
	r.errs = append(r.errs, fmt.Errorf("app: %s %q: want %s", name, value, want))
}

func (r *reader) err() error { return errors.Join(r.errs...) }

// done joins the malformed values and the missing ones (from validate).
func (r *reader) done(validate error) error { return errors.Join(r.err(), validate) }

func (r *reader) callbackURL() string { return strings.TrimRight(r.get(EnvCallbackURL), "/") }

func (r *reader) cognito() CognitoConfig {
	return CognitoConfig{Issuer: r.get(EnvCognitoIssuer), ClientID: r.get(EnvCognitoClientID), JWKSURL: r.get(EnvCognitoJWKSURL)}
}

func (r *reader) logLevel() slog.Level {
	var l slog.Level
	if v := r.get(EnvLogLevel); v != "" {
		if err := l.UnmarshalText([]byte(v)); err != nil {
			r.fail(EnvLogLevel, v, "debug, info, warn or error")
		}
	}
	return l
}

func (r *reader) bool(name string) bool {
	v := r.get(name)
	if v == "" {
		return false
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		r.fail(name, v, "true or false")
	}
	return b
}

func (r *reader) positive(name string) int64 {
	v := r.get(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		r.fail(name, v, "a positive number of bytes")
	}
	return n
}

// fanout reads FANOUT_QUEUE_URL and FANOUT_INLINE_LIMIT.
func (r *reader) fanout() FanoutSettings {
	f := FanoutSettings{QueueURL: r.get(EnvFanoutQueueURL)}
	if v := r.get(EnvFanoutInlineLimit); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			r.fail(EnvFanoutInlineLimit, v, "a positive number of recipients")
		}
		f.InlineLimit = n
	}
	return f
}

// uploadLimits reads MAX_UPLOAD_BYTES and ALLOWED_UPLOAD_TYPES; unset
// variables leave the zero values, which take the defaults.
func (r *reader) uploadLimits() UploadLimits {
	l := UploadLimits{MaxBytes: r.positive(EnvMaxUploadBytes)}
	v := r.get(EnvAllowedUploadTypes)
	if v == "" {
		return l
	}
	l.AllowedTypes = strings.Split(v, ",")
	n := 0
	for _, t := range l.AllowedTypes {
		if strings.TrimSpace(t) == "" {
			continue
		}
		n++
		// The check media.Limits makes again, here to name the variable.
		if mt, _, err := mime.ParseMediaType(strings.TrimSpace(t)); err != nil || !strings.Contains(mt, "/") {
			r.fail(EnvAllowedUploadTypes, v, "comma-separated media types, such as image/png")
			return l
		}
	}
	if n == 0 {
		r.fail(EnvAllowedUploadTypes, v, "at least one media type")
	}
	return l
}

// missing returns an error naming, in order, the variables with no value.
func missing(vars map[string]string) error {
	var names []string
	for name, value := range vars {
		if strings.TrimSpace(value) == "" {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	return fmt.Errorf("app: missing environment variables: %s", strings.Join(names, ", "))
}

// StreamConfig is the environment of the stream function (functions/stream):
// its wiring (the EventBridge client) is in internal/app/streamapp.
type StreamConfig struct {
	EventBusName string     // EVENT_BUS_NAME: the custom bus chat events go to
	IncludeText  bool       // EVENTS_INCLUDE_TEXT: "true" puts message text in the details
	LogLevel     slog.Level // LOG_LEVEL
	// FilesBucket is FILES_BUCKET: when set, the file sweeper deletes the
	// files of deleted messages from it.
	FilesBucket    string
	S3UsePathStyle bool // S3_USE_PATH_STYLE
	// TableName is TABLE_NAME: when set, the search indexer keeps the
	// message search postings in the table and the room purger
	// (internal/roompurge) removes deleted channels' items from it.
	TableName string
	// PushQueueURL is PUSH_QUEUE_URL: with TableName, the notifier
	// (internal/notify) queues Web Push jobs there.
	PushQueueURL string
	// NoPushPreviews is PUSH_PREVIEWS=false: pushes carry no text.
	NoPushPreviews bool
	// UnfurlQueueURL is UNFURL_QUEUE_URL: messages with links become
	// link-preview jobs there.
	UnfurlQueueURL string
	// RetentionDays is RETENTION_DAYS: with TableName, the re-stamp of a
	// room's messages after its retention changed (internal/retention)
	// uses it as the workspace's default until one is stored.
	RetentionDays int64
	// MailFrom (DIGEST_FROM) with MailKeySecretARN (DIGEST_KEY_SECRET_ARN)
	// or MailKey (DIGEST_KEY, local): with TableName, customer support's
	// mail (internal/supportmail) sends agents' replies in email
	// conversations and transcripts through SES, the reopen links signed
	// with a key derived from the digest's.
	MailFrom, MailKeySecretARN, MailKey string
}

// SupportMail says whether the stream function mails for support.
func (c StreamConfig) SupportMail() bool {
	return c.TableName != "" && c.MailFrom != "" && (c.MailKeySecretARN != "" || c.MailKey != "")
}

// Validate checks that everything the stream function needs is set.
func (c StreamConfig) Validate() error {
	return missing(map[string]string{EnvEventBusName: c.EventBusName})
}

// StreamConfigFromEnv reads the stream function's variables.
func StreamConfigFromEnv() (StreamConfig, error) { return readStream(os.LookupEnv) }

func readStream(lookup func(string) (string, bool)) (StreamConfig, error) {
	r := reader{lookup: lookup}
	cfg := StreamConfig{
		EventBusName:     r.get(EnvEventBusName),
		IncludeText:      r.bool(EnvEventsIncludeText),
		LogLevel:         r.logLevel(),
		FilesBucket:      r.get(EnvFilesBucket),
		S3UsePathStyle:   r.bool(EnvS3UsePathStyle),
		TableName:        r.get(EnvTableName),
		PushQueueURL:     r.get(EnvPushQueueURL),
		NoPushPreviews:   r.get(EnvPushPreviews) != "" && !r.bool(EnvPushPreviews),
		UnfurlQueueURL:   r.get(EnvUnfurlQueueURL),
		RetentionDays:    r.positive(EnvRetentionDays),
		MailFrom:         r.get(EnvDigestFrom),
		MailKeySecretARN: r.get(EnvDigestKeySecretARN),
		MailKey:          r.get(EnvDigestKey),
	}
	return cfg, r.done(cfg.Validate())
}

// UnfurlConfig is the environment of the link-preview worker
// (functions/unfurl): the table and the management API (it stores the
// previews and pushes messageUpdated through the service) and the bucket
// whose linkpreviews/ prefix caches fetched previews. Nothing here lets
// the fetcher reach a private or loopback address: the local stack's
// loopback allowance is a build option of unfurlapp, never a variable.
type UnfurlConfig struct {
	ConnectionConfig
	CacheBucket    string // FILES_BUCKET (optional: no cache without it)
	S3UsePathStyle bool   // S3_USE_PATH_STYLE
}

// UnfurlConfigFromEnv reads the unfurl function's variables.
func UnfurlConfigFromEnv() (UnfurlConfig, error) { return readUnfurl(os.LookupEnv) }

func readUnfurl(lookup func(string) (string, bool)) (UnfurlConfig, error) {
	r := reader{lookup: lookup}
	cfg := UnfurlConfig{
		ConnectionConfig: ConnectionConfig{TableName: r.get(EnvTableName), CallbackURL: r.callbackURL(), LogLevel: r.logLevel()},
		CacheBucket:      r.get(EnvFilesBucket),
		S3UsePathStyle:   r.bool(EnvS3UsePathStyle),
	}
	return cfg, r.done(cfg.Validate())
}

// PushSenderConfig is the environment of the push sender function
// (functions/pushsender): the table (subscriptions), the VAPID keys (the
// secret in AWS, a file locally) and the push headers.
type PushSenderConfig struct {
	TableName  string // TABLE_NAME (required)
	SecretARN  string // VAPID_SECRET_ARN (one of it and KeysFile)
	KeysFile   string // VAPID_KEYS_FILE
	Subject    string // VAPID_SUBJECT (required): mailto: or https:
	TTLSeconds int64  // PUSH_TTL_SECONDS (0: a day)
	LogLevel   slog.Level
}

// Validate checks the push sender's variables.
func (c PushSenderConfig) Validate() error {
	if err := missing(map[string]string{EnvTableName: c.TableName, EnvVAPIDSubject: c.Subject}); err != nil {
		return err
	}
	if (c.SecretARN == "") == (c.KeysFile == "") {
		return fmt.Errorf("app: set exactly one of %s and %s", EnvVAPIDSecretARN, EnvVAPIDKeysFile)
	}
	if !strings.HasPrefix(c.Subject, "mailto:") && !strings.HasPrefix(c.Subject, "https://") {
		return fmt.Errorf("app: %s %q: want a mailto: or https: URL", EnvVAPIDSubject, c.Subject)
	}
	return nil
}

// PushSenderConfigFromEnv reads the push sender's variables.
func PushSenderConfigFromEnv() (PushSenderConfig, error) { return readPushSender(os.LookupEnv) }

func readPushSender(lookup func(string) (string, bool)) (PushSenderConfig, error) {
	r := reader{lookup: lookup}
	cfg := PushSenderConfig{
		TableName: r.get(EnvTableName), SecretARN: r.get(EnvVAPIDSecretARN), KeysFile: r.get(EnvVAPIDKeysFile),
		Subject: r.get(EnvVAPIDSubject), TTLSeconds: r.positive(EnvPushTTLSeconds), LogLevel: r.logLevel(),
	}
	return cfg, r.done(cfg.Validate())
}

// PreSignUpConfig is the environment of the PreSignUp trigger.
type PreSignUpConfig struct {
	Domains  string // SIGNUP_DOMAINS (required): comma-separated
	LogLevel slog.Level
}

// PreSignUpConfigFromEnv reads the PreSignUp trigger's variables.
func PreSignUpConfigFromEnv() (PreSignUpConfig, error) {
	r := reader{lookup: os.LookupEnv}
	cfg := PreSignUpConfig{Domains: r.get(EnvSignUpDomains), LogLevel: r.logLevel()}
	return cfg, r.done(missing(map[string]string{EnvSignUpDomains: cfg.Domains}))
}

// The digest's variables (email for what was missed, internal/digest).
const (
	EnvDigestSiteURL        = "DIGEST_SITE_URL"        // the web client's origin, for the links
	EnvDigestFrom           = "DIGEST_FROM"            // the sender: an address of the SES identity
	EnvDigestUnsubscribeURL = "DIGEST_UNSUBSCRIBE_URL" // the unsubscribe endpoint
	EnvDigestKeySecretARN   = "DIGEST_KEY_SECRET_ARN"  // the HMAC key in Secrets Manager (deployed)
	EnvDigestKey            = "DIGEST_KEY"             // or the key itself (local), at least 32 bytes
	EnvDigestScheduleGroup  = "DIGEST_SCHEDULE_GROUP"  // the EventBridge Scheduler group (default "default")
	EnvDigestSchedulerRole  = "DIGEST_SCHEDULER_ROLE_ARN"
	EnvDigestTargetARN      = "DIGEST_TARGET_ARN" // the digest function (in itself: its own ARN from the invocation)
	EnvDigestMinLead        = "DIGEST_MIN_LEAD_SECONDS"
)

// DigestConfig is the environment of the digest function (functions/digest,
// the schedules' target), of the unsubscribe function
// (functions/unsubscribe), and of the digest's scheduling side where the
// stream's notification consumer calls Missed.
type DigestConfig struct {
	TableName      string // TABLE_NAME
	UserPoolID     string // USER_POOL_ID: where the addresses are
	SiteURL        string
	From           string
	UnsubscribeURL string
	KeySecretARN   string
	Key            string
	ScheduleGroup  string
	SchedulerRole  string
	TargetARN      string
	// MinLeadSeconds: schedules at least this far ahead (0: a minute,
	// EventBridge Scheduler's precision; tests use 1).
	MinLeadSeconds int64
	LogLevel       slog.Level
}

// Validate checks what every part needs: the table.
func (c DigestConfig) Validate() error {
	return missing(map[string]string{EnvTableName: c.TableName})
}

// key is the HMAC key's source, "" when none is given.
func (c DigestConfig) key() string {
	if c.KeySecretARN != "" {
		return c.KeySecretARN
	}
	return c.Key
}

// ValidateSender checks what the digest function needs besides.
func (c DigestConfig) ValidateSender() error {
	return errors.Join(c.Validate(), missing(map[string]string{
		EnvUserPoolID: c.UserPoolID, EnvDigestSiteURL: c.SiteURL, EnvDigestFrom: c.From,
		EnvDigestUnsubscribeURL: c.UnsubscribeURL, EnvDigestSchedulerRole: c.SchedulerRole,
		EnvDigestKeySecretARN + " or " + EnvDigestKey: c.key(),
	}))
}

// ValidateUnsubscribe checks what the unsubscribe function needs besides.
func (c DigestConfig) ValidateUnsubscribe() error {
	return errors.Join(c.Validate(), missing(map[string]string{EnvDigestKeySecretARN + " or " + EnvDigestKey: c.key()}))
}

// ValidateScheduler checks what Missed needs besides (the stream function).
func (c DigestConfig) ValidateScheduler() error {
	return errors.Join(c.Validate(), missing(map[string]string{EnvDigestSchedulerRole: c.SchedulerRole, EnvDigestTargetARN: c.TargetARN}))
}

// DigestConfigFromEnv reads the digest's variables; each function then
// validates the part it uses.
func DigestConfigFromEnv() (DigestConfig, error) { return readDigest(os.LookupEnv) }

func readDigest(lookup func(string) (string, bool)) (DigestConfig, error) {
	r := reader{lookup: lookup}
	cfg := DigestConfig{
		TableName:      r.get(EnvTableName),
		UserPoolID:     r.get(EnvUserPoolID),
		SiteURL:        strings.TrimRight(r.get(EnvDigestSiteURL), "/"),
		From:           r.get(EnvDigestFrom),
		UnsubscribeURL: r.get(EnvDigestUnsubscribeURL),
		KeySecretARN:   r.get(EnvDigestKeySecretARN),
		Key:            r.get(EnvDigestKey),
		ScheduleGroup:  r.get(EnvDigestScheduleGroup),
		SchedulerRole:  r.get(EnvDigestSchedulerRole),
		TargetARN:      r.get(EnvDigestTargetARN),
		MinLeadSeconds: r.positive(EnvDigestMinLead),
		LogLevel:       r.logLevel(),
	}
	if cfg.ScheduleGroup == "" {
		cfg.ScheduleGroup = "default"
	}
	return cfg, r.done(nil)
}

// Scheduled messages and reminders (issue 14). The actions function
// creates and deletes the schedules; the scheduled function
// (functions/scheduled) delivers at their time.
const (
	EnvScheduledGroup      = "SCHEDULED_GROUP"           // the EventBridge Scheduler group of the items' schedules
	EnvScheduledRole       = "SCHEDULED_ROLE_ARN"        // the role Scheduler assumes to invoke the scheduled function
	EnvScheduledTargetARN  = "SCHEDULED_TARGET_ARN"      // the scheduled function
	EnvScheduledDeadLetter = "SCHEDULED_DEAD_LETTER_ARN" // the SQS queue of events Scheduler could not deliver
)

// ScheduledConfig names the schedules' group, role, target and dead-letter
// queue. Empty Group turns scheduled messages and reminders off.
type ScheduledConfig struct {
	Group         string
	RoleARN       string
	TargetARN     string
	DeadLetterARN string
}

// Enabled says whether scheduled messages are configured.
func (c ScheduledConfig) Enabled() bool { return c.Group != "" }

// Validate: with a group, the role and the target are needed.
func (c ScheduledConfig) Validate() error {
	if !c.Enabled() {
		return nil
	}
	return missing(map[string]string{EnvScheduledRole: c.RoleARN, EnvScheduledTargetARN: c.TargetARN})
}

// ScheduledConfigFromEnv reads the SCHEDULED_* variables.
func ScheduledConfigFromEnv() (ScheduledConfig, error) { return readScheduled(os.LookupEnv) }

func readScheduled(lookup func(string) (string, bool)) (ScheduledConfig, error) {
	r := reader{lookup: lookup}
	cfg := r.scheduled()
	return cfg, r.done(cfg.Validate())
}

func (r *reader) scheduled() ScheduledConfig {
	return ScheduledConfig{
		Group:         r.get(EnvScheduledGroup),
		RoleARN:       r.get(EnvScheduledRole),
		TargetARN:     r.get(EnvScheduledTargetARN),
		DeadLetterARN: r.get(EnvScheduledDeadLetter),
	}
}

// ScheduledFunctionConfig is the environment of the scheduled function:
// the actions function's (it sends through the same service: TABLE_NAME,
// WS_CALLBACK_URL, FANOUT_*), the schedules' (it creates none, but the
// service is wired with them), and PUSH_QUEUE_URL / PUSH_PREVIEWS for
// the Web Push of fired reminders (optional).
type ScheduledFunctionConfig struct {
	Actions        ActionsConfig // with Actions.Scheduled
	PushQueueURL   string
	NoPushPreviews bool
}

// ScheduledFunctionConfigFromEnv reads the scheduled function's variables.
func ScheduledFunctionConfigFromEnv() (ScheduledFunctionConfig, error) {
	return readScheduledFunction(os.LookupEnv)
}

func readScheduledFunction(lookup func(string) (string, bool)) (ScheduledFunctionConfig, error) {
	actions, err := readActions(lookup)
	if err != nil {
		return ScheduledFunctionConfig{}, err
	}
	r := reader{lookup: lookup}
	cfg := ScheduledFunctionConfig{Actions: actions,
		PushQueueURL:   r.get(EnvPushQueueURL),
		NoPushPreviews: r.get(EnvPushPreviews) != "" && !r.bool(EnvPushPreviews),
	}
	return cfg, r.done(nil)
}
