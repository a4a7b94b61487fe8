package app

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"
)

// setEnv sets every variable of the wiring contract to vars' values, the
// others to "" (which counts as unset).
func setEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, name := range []string{"TABLE_NAME", "FILES_BUCKET", "WS_CALLBACK_URL", "COGNITO_ISSUER",
		"COGNITO_CLIENT_ID", "COGNITO_JWKS_URL", "LOG_LEVEL", "S3_USE_PATH_STYLE", "MAX_UPLOAD_BYTES", "ALLOWED_UPLOAD_TYPES",
		"FANOUT_QUEUE_URL", "FANOUT_INLINE_LIMIT"} {
		t.Setenv(name, vars[name])
	}
}

var fullEnv = map[string]string{
	"TABLE_NAME":        "chat",
	"FILES_BUCKET":      "files",
	"WS_CALLBACK_URL":   "http://127.0.0.1:4510/local/",
	"COGNITO_ISSUER":    "http://127.0.0.1:9229/local_pool",
	"COGNITO_CLIENT_ID": "client",
	"COGNITO_JWKS_URL":  "http://127.0.0.1:9229/local_pool/.well-known/jwks.json",
	"LOG_LEVEL":         "debug",
	"S3_USE_PATH_STYLE": "true",
	"MAX_UPLOAD_BYTES":  "1048576",
}

func TestConfigFromEnvReadsEveryVariable(t *testing.T) {
	setEnv(t, fullEnv)
	cfg, err := ConfigFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		TableName: "chat", FilesBucket: "files", CallbackURL: "http://127.0.0.1:4510/local",
		Cognito: CognitoConfig{
			Issuer: "http://127.0.0.1:9229/local_pool", ClientID: "client",
			JWKSURL: "http://127.0.0.1:9229/local_pool/.well-known/jwks.json",
		},
		LogLevel: slog.LevelDebug, S3UsePathStyle: true,
		Files: UploadLimits{MaxBytes: 1 << 20},
	}
	if !reflect.DeepEqual(cfg, want) {
		t.Fatalf("config = %+v\nwant     %+v", cfg, want)
	}
}

func TestConfigFromEnvNamesEveryMissingVariable(t *testing.T) {
	setEnv(t, map[string]string{"COGNITO_CLIENT_ID": "client"})
	_, err := ConfigFromEnv()
	if err == nil {
		t.Fatal("no error with variables missing")
	}
	const want = "missing environment variables: COGNITO_ISSUER, TABLE_NAME, WS_CALLBACK_URL"
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %q, want it to contain %q", err, want)
	}
}

func TestAuthorizerConfigNeedsOnlyCognito(t *testing.T) {
	setEnv(t, map[string]string{"COGNITO_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc", "COGNITO_CLIENT_ID": "client"})
	if _, err := AuthorizerConfigFromEnv(); err != nil {
		t.Fatalf("authorizer config: %v", err)
	}
	if _, err := ConfigFromEnv(); err == nil {
		t.Fatal("full config accepted without TABLE_NAME")
	}
	setEnv(t, map[string]string{"TABLE_NAME": "chat"})
	if _, err := AuthorizerConfigFromEnv(); err == nil || !strings.Contains(err.Error(), "COGNITO_CLIENT_ID, COGNITO_ISSUER") {
		t.Fatalf("error = %v, want the two Cognito variables named", err)
	}
}

func TestConfigFromEnvRejectsMalformedValues(t *testing.T) {
	for name, value := range map[string]string{"LOG_LEVEL": "loud", "S3_USE_PATH_STYLE": "sometimes", "MAX_UPLOAD_BYTES": "-1"} {
		env := map[string]string{}
		for k, v := range fullEnv {
			env[k] = v
		}
		env[name] = value
		setEnv(t, env)
		if _, err := ConfigFromEnv(); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error = %v, want one naming %s", name, value, err, name)
		}
	}
}

func TestLogLevelDefaultsToInfo(t *testing.T) {
	env := map[string]string{}
	for k, v := range fullEnv {
		env[k] = v
	}
	env["LOG_LEVEL"] = ""
	setEnv(t, env)
	cfg, err := ConfigFromEnv()
	if err != nil || cfg.LogLevel != slog.LevelInfo {
		t.Fatalf("level = %v, %v; want info", cfg.LogLevel, err)
	}
}

// Each function requires exactly the variables it reads: the connection
// and actions functions no Cognito variable, the thumbnail function only
// FILES_BUCKET.
func TestEachFunctionRequiresOnlyItsVariables(t *testing.T) {
	setEnv(t, map[string]string{"TABLE_NAME": "chat", "WS_CALLBACK_URL": "https://api.example/prod"})
	if _, err := ConnectionConfigFromEnv(); err != nil {
		t.Errorf("connection: %v", err)
	}
	if _, err := ActionsConfigFromEnv(); err != nil {
		t.Errorf("actions: %v", err)
	}
	setEnv(t, nil)
	for name, read := range map[string]func() error{
		"connection": func() error { _, err := ConnectionConfigFromEnv(); return err },
		"actions":    func() error { _, err := ActionsConfigFromEnv(); return err },
	} {
		if err := read(); err == nil || !strings.HasSuffix(err.Error(), "missing environment variables: TABLE_NAME, WS_CALLBACK_URL") {
			t.Errorf("%s with nothing set: %v", name, err)
		}
	}
	if _, err := ThumbnailConfigFromEnv(); err == nil || !strings.HasSuffix(err.Error(), "missing environment variables: FILES_BUCKET") {
		t.Errorf("thumbnail with nothing set: %v", err)
	}
	setEnv(t, map[string]string{"FILES_BUCKET": "files"})
	if _, err := ThumbnailConfigFromEnv(); err != nil {
		t.Errorf("thumbnail: %v", err)
	}
}

func TestActionsConfigFromEnvReadsTheFiles(t *testing.T) {
	setEnv(t, fullEnv)
	cfg, err := ActionsConfigFromEnv()
	want := ActionsConfig{
		ConnectionConfig: ConnectionConfig{TableName: "chat", CallbackURL: "http://127.0.0.1:4510/local", LogLevel: slog.LevelDebug},
		FilesBucket:      "files", S3UsePathStyle: true, Files: UploadLimits{MaxBytes: 1 << 20},
	}
	if err != nil || !reflect.DeepEqual(cfg, want) {
		t.Errorf("actions config = %+v, %v", cfg, err)
	}
	full, _ := ConfigFromEnv()
	if !reflect.DeepEqual(full.Actions(), want) {
		t.Errorf("Config.Actions() = %+v", full.Actions())
	}
}

// Moved from internal/thumbnail (FunctionConfigFromEnv).
func TestFunctionConfigFromEnv(t *testing.T) {
	cfg, err := readThumbnail(env(map[string]string{
		"FILES_BUCKET": "files", "S3_USE_PATH_STYLE": "true", "MAX_UPLOAD_BYTES": "1024", "LOG_LEVEL": "debug",
	}))
	want := ThumbnailConfig{Bucket: "files", UsePathStyle: true, MaxSourceBytes: 1024, LogLevel: slog.LevelDebug}
	if err != nil || cfg != want {
		t.Errorf("config = %+v, %v", cfg, err)
	}
	_, err = readThumbnail(env(map[string]string{"S3_USE_PATH_STYLE": "yes please", "MAX_UPLOAD_BYTES": "0", "LOG_LEVEL": "loud"}))
	for _, name := range []string{"FILES_BUCKET", "S3_USE_PATH_STYLE", "MAX_UPLOAD_BYTES", "LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

// Moved from internal/service (FileLimitsFromEnv).
func TestFileLimitsFromEnv(t *testing.T) {
	read := func(vars map[string]string) (UploadLimits, error) {
		r := reader{lookup: env(vars)}
		l := r.uploadLimits()
		return l, r.err()
	}
	l, err := read(map[string]string{"MAX_UPLOAD_BYTES": "1048576", "ALLOWED_UPLOAD_TYPES": "image/png, application/pdf"})
	if err != nil || l.MaxBytes != 1<<20 || len(l.AllowedTypes) != 2 {
		t.Errorf("limits = %+v, %v", l, err)
	}
	if l, err := read(nil); err != nil || l.MaxBytes != 0 || l.AllowedTypes != nil {
		t.Errorf("unset: %+v, %v (zero values take the defaults in New)", l, err)
	}
	for _, bad := range []map[string]string{
		{"MAX_UPLOAD_BYTES": "25MB"},
		{"MAX_UPLOAD_BYTES": "-1"},
		{"ALLOWED_UPLOAD_TYPES": "png"},
		{"ALLOWED_UPLOAD_TYPES": " , "},
	} {
		if _, err := read(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func env(vars map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
}

func TestStreamConfigFromEnv(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	}
	cfg, err := readStream(env(map[string]string{
		"EVENT_BUS_NAME": " chat-events ", "EVENTS_INCLUDE_TEXT": "true", "LOG_LEVEL": "debug",
		"TABLE_NAME": "", // no table: no search indexer; no callback or Cognito either
	}))
	if err != nil || cfg != (StreamConfig{EventBusName: "chat-events", IncludeText: true, LogLevel: slog.LevelDebug}) {
		t.Errorf("read %+v, %v", cfg, err)
	}
	cfg, err = readStream(env(map[string]string{"EVENT_BUS_NAME": "b", "TABLE_NAME": "chat"}))
	if err != nil || cfg.TableName != "chat" {
		t.Errorf("with a table (the search indexer): %+v, %v", cfg, err)
	}
	cfg, err = readStream(env(map[string]string{"EVENT_BUS_NAME": "b"}))
	if err != nil || cfg.IncludeText || cfg.LogLevel != slog.LevelInfo {
		t.Errorf("defaults %+v, %v: want no text, info", cfg, err)
	}
	_, err = readStream(env(map[string]string{"EVENTS_INCLUDE_TEXT": "yes please", "LOG_LEVEL": "loud"}))
	for _, want := range []string{"EVENT_BUS_NAME", "EVENTS_INCLUDE_TEXT", "LOG_LEVEL"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func TestFanoutVariables(t *testing.T) {
	env := func(vars map[string]string) func(string) (string, bool) {
		return func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	}
	base := map[string]string{"TABLE_NAME": "chat", "WS_CALLBACK_URL": "https://x/prod"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	queued := with(map[string]string{"FANOUT_QUEUE_URL": " https://sqs/q ", "FANOUT_INLINE_LIMIT": "500"})
	want := FanoutSettings{QueueURL: "https://sqs/q", InlineLimit: 500}
	if cfg, err := readConnection(env(queued)); err != nil || cfg.Fanout != want {
		t.Errorf("connection %+v, %v", cfg.Fanout, err)
	}
	if cfg, err := readActions(env(queued)); err != nil || cfg.Fanout != want {
		t.Errorf("actions %+v, %v", cfg.Fanout, err)
	}
	if cfg, err := readConfig(env(with(map[string]string{"FANOUT_QUEUE_URL": "q", "COGNITO_ISSUER": "i", "COGNITO_CLIENT_ID": "c"}))); err != nil ||
		cfg.Fanout.QueueURL != "q" || cfg.Connection().Fanout.QueueURL != "q" || cfg.FanoutWorker().Fanout.QueueURL != "" {
		t.Errorf("in-process %+v, %v", cfg.Fanout, err)
	}
	// The worker never queues, whatever the environment says.
	if cfg, err := readFanoutWorker(env(queued)); err != nil || cfg.Fanout != (FanoutSettings{}) || cfg.TableName != "chat" {
		t.Errorf("worker %+v, %v", cfg, err)
	}
	if _, err := readFanoutWorker(env(nil)); err == nil || !strings.Contains(err.Error(), "TABLE_NAME, WS_CALLBACK_URL") {
		t.Errorf("worker without variables: %v", err)
	}
	for _, bad := range []string{"0", "-3", "many"} {
		if _, err := readActions(env(with(map[string]string{"FANOUT_INLINE_LIMIT": bad}))); err == nil || !strings.Contains(err.Error(), "FANOUT_INLINE_LIMIT") {
			t.Errorf("FANOUT_INLINE_LIMIT=%s: %v", bad, err)
		}
	}
}

func TestAuditRetentionFromEnv(t *testing.T) {
	setEnv(t, fullEnv)
	t.Setenv(EnvAuditRetentionDays, "30")
	cfg, err := ActionsConfigFromEnv()
	if err != nil || cfg.AuditRetentionDays != 30 {
		t.Errorf("actions: %d, %v", cfg.AuditRetentionDays, err)
	}
	full, err := ConfigFromEnv()
	if err != nil || full.Connection().AuditRetentionDays != 30 {
		t.Errorf("in process: %d, %v", full.Connection().AuditRetentionDays, err)
	}
	t.Setenv(EnvAuditRetentionDays, "forever")
	if _, err := ActionsConfigFromEnv(); err == nil {
		t.Error("a malformed retention was accepted")
	}
}
