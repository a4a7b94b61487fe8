package app

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/service"
)

// setEnv sets every variable of the wiring contract to vars' values, the
// others to "" (which counts as unset).
func setEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	for _, name := range []string{"TABLE_NAME", "FILES_BUCKET", "WS_CALLBACK_URL", "COGNITO_ISSUER",
		"COGNITO_CLIENT_ID", "COGNITO_JWKS_URL", "LOG_LEVEL", "S3_USE_PATH_STYLE", "MAX_UPLOAD_BYTES", "ALLOWED_UPLOAD_TYPES"} {
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
		Files: service.FileLimits{MaxBytes: 1 << 20},
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
