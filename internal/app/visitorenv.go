package app

// The support widget's visitor keys (issue #17): derived with HKDF from
// the digest's HMAC secret (no secret of their own: each costs 0.40
// USD/month), read from the same variables, DIGEST_KEY_SECRET_ARN
// (deployed) or DIGEST_KEY (local). The authorizer (visitor tokens), the
// HTTP API (sessions) and the actions function (a widget's identity
// secret, shown once) read them; without either the widget is off.
const (
	// EnvVisitorWSURL is the WebSocket URL the session route hands a
	// visitor (wss://…/{stage}).
	EnvVisitorWSURL = "VISITOR_WS_URL"
)

// VisitorKeyConfig names the master secret of the visitor keys.
type VisitorKeyConfig struct {
	SecretARN string // DIGEST_KEY_SECRET_ARN
	Key       string // DIGEST_KEY
}

// Enabled says whether a master secret is configured.
func (c VisitorKeyConfig) Enabled() bool { return c.SecretARN != "" || c.Key != "" }

func (r *reader) visitorKey() VisitorKeyConfig {
	return VisitorKeyConfig{SecretARN: r.get(EnvDigestKeySecretARN), Key: r.get(EnvDigestKey)}
}
