package app

import "os"

// The HTTP API (issue 16): incoming webhooks and the bot API, one Lambda
// (functions/httpapi) behind one API Gateway HTTP API.
const (
	// EnvHTTPAPIMaxBodyBytes caps a request body (0 or unset: 64 KiB).
	EnvHTTPAPIMaxBodyBytes = "HTTP_API_MAX_BODY_BYTES"
)

// HTTPAPIConfig is the environment of the HTTP API function: the
// connection function's (the table, the management API and the fan-out
// queue: a webhook's message is sent as any other), and the body limit.
type HTTPAPIConfig struct {
	ConnectionConfig
	MaxBodyBytes int64 // HTTP_API_MAX_BODY_BYTES
	// Scheduled is SCHEDULED_*: a bot's scheduleMessage over the bot API
	// (off without SCHEDULED_GROUP).
	Scheduled ScheduledConfig
	// Review is REVIEW_HOOK_*: webhook and bot posts are reviewed like
	// any other message (off without it).
	Review ReviewSettings
	// VisitorWSURL is VISITOR_WS_URL: the support widget's session
	// route hands it to visitors (the key is ConnectionConfig.Visitor).
	VisitorWSURL string
}

// HTTPAPIConfigFromEnv reads the httpapi function's variables.
func HTTPAPIConfigFromEnv() (HTTPAPIConfig, error) { return readHTTPAPI(os.LookupEnv) }

func readHTTPAPI(lookup func(string) (string, bool)) (HTTPAPIConfig, error) {
	r := reader{lookup: lookup}
	cfg := HTTPAPIConfig{
		ConnectionConfig: ConnectionConfig{TableName: r.get(EnvTableName), CallbackURL: r.callbackURL(), LogLevel: r.logLevel(), Fanout: r.fanout(), AuditRetentionDays: r.positive(EnvAuditRetentionDays), RetentionDays: r.positive(EnvRetentionDays), E2EEMaxMembers: r.positive(EnvE2EEMaxMembers), Visitor: r.visitorKey()},
		MaxBodyBytes:     r.positive(EnvHTTPAPIMaxBodyBytes),
		VisitorWSURL:     r.get(EnvVisitorWSURL),
		Scheduled:        r.scheduled(),
		Review:           r.review(),
	}
	return cfg, r.done(cfg.Validate())
}

// HTTPAPI is the part of c the HTTP API reads (the local runner and the
// integration tests serve it in-process).
func (c Config) HTTPAPI() HTTPAPIConfig {
	return HTTPAPIConfig{ConnectionConfig: c.Connection(), VisitorWSURL: c.VisitorWSURL}
}
