// Package app wires the chat from configuration: AWS clients, the DynamoDB
// store, the API Gateway fan-out, the Cognito verifier, the service and the
// Lambda handlers. The Lambda mains, the local runner and the integration
// tests all build the same App here.
package app

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/backchannel-chat/backchannel/internal/service"
)

// Config is the environment of every function (see the wiring contract).
// The AWS region, credentials and endpoint overrides (AWS_REGION,
// AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_DYNAMODB …) are read by the SDK itself.
type Config struct {
	TableName string // TABLE_NAME
	// FilesBucket is FILES_BUCKET; empty turns file sharing off.
	FilesBucket string
	// CallbackURL is the management API base, WS_CALLBACK_URL:
	// https://{apiId}.execute-api.{region}.amazonaws.com/{stage}.
	CallbackURL    string
	Cognito        CognitoConfig
	LogLevel       slog.Level // LOG_LEVEL: debug, info (default), warn, error
	S3UsePathStyle bool       // S3_USE_PATH_STYLE: "true" against gofakes3
	// Files are the upload limits: MAX_UPLOAD_BYTES, ALLOWED_UPLOAD_TYPES.
	Files service.FileLimits
}

// CognitoConfig names the user pool and app client tokens must come from.
type CognitoConfig struct {
	Issuer   string // COGNITO_ISSUER
	ClientID string // COGNITO_CLIENT_ID
	JWKSURL  string // COGNITO_JWKS_URL, default Issuer + "/.well-known/jwks.json"
}

// ConfigFromEnv reads the configuration of the connection and actions
// functions and fails naming every required variable that is missing.
func ConfigFromEnv() (Config, error) {
	cfg, err := readConfig(os.LookupEnv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.Validate()
}

// AuthorizerConfigFromEnv reads the configuration of the authorizer
// function, which needs only the Cognito variables.
func AuthorizerConfigFromEnv() (Config, error) {
	cfg, err := readConfig(os.LookupEnv)
	if err != nil {
		return cfg, err
	}
	return cfg, cfg.ValidateAuthorizer()
}

// Validate checks that everything Build needs is set.
func (c Config) Validate() error {
	return missing(map[string]string{
		"TABLE_NAME":        c.TableName,
		"WS_CALLBACK_URL":   c.CallbackURL,
		"COGNITO_ISSUER":    c.Cognito.Issuer,
		"COGNITO_CLIENT_ID": c.Cognito.ClientID,
	})
}

// ValidateAuthorizer checks that everything BuildAuthorizer needs is set.
func (c Config) ValidateAuthorizer() error {
	return missing(map[string]string{
		"COGNITO_ISSUER":    c.Cognito.Issuer,
		"COGNITO_CLIENT_ID": c.Cognito.ClientID,
	})
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

// readConfig reads every variable; only malformed values are errors here.
func readConfig(lookup func(string) (string, bool)) (Config, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	cfg := Config{
		TableName:   get("TABLE_NAME"),
		FilesBucket: get("FILES_BUCKET"),
		CallbackURL: strings.TrimRight(get("WS_CALLBACK_URL"), "/"),
		Cognito: CognitoConfig{
			Issuer:   get("COGNITO_ISSUER"),
			ClientID: get("COGNITO_CLIENT_ID"),
			JWKSURL:  get("COGNITO_JWKS_URL"),
		},
	}
	var errs []error
	files, err := service.FileLimitsFromEnv(lookup)
	if err != nil {
		errs = append(errs, fmt.Errorf("app: %w", err))
	}
	cfg.Files = files
	if v := get("LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("app: LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	if v := get("S3_USE_PATH_STYLE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("app: S3_USE_PATH_STYLE %q: want true or false", v))
		}
		cfg.S3UsePathStyle = b
	}
	return cfg, errors.Join(errs...)
}

// StreamConfig is the environment of the stream function (functions/stream):
// EVENT_BUS_NAME (required), EVENTS_INCLUDE_TEXT, LOG_LEVEL.
type StreamConfig struct {
	EventBusName string     // EVENT_BUS_NAME: the custom bus chat events go to
	IncludeText  bool       // EVENTS_INCLUDE_TEXT: "true" puts message text in the details
	LogLevel     slog.Level // LOG_LEVEL
}

// StreamConfigFromEnv reads and checks the stream function's configuration.
func StreamConfigFromEnv() (StreamConfig, error) { return readStreamConfig(os.LookupEnv) }

func readStreamConfig(lookup func(string) (string, bool)) (StreamConfig, error) {
	get := func(name string) string {
		v, _ := lookup(name)
		return strings.TrimSpace(v)
	}
	cfg := StreamConfig{EventBusName: get("EVENT_BUS_NAME")}
	var errs []error
	if err := missing(map[string]string{"EVENT_BUS_NAME": cfg.EventBusName}); err != nil {
		errs = append(errs, err)
	}
	if v := get("EVENTS_INCLUDE_TEXT"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("app: EVENTS_INCLUDE_TEXT %q: want true or false", v))
		}
		cfg.IncludeText = b
	}
	if v := get("LOG_LEVEL"); v != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("app: LOG_LEVEL %q: want debug, info, warn or error", v))
		}
	}
	return cfg, errors.Join(errs...)
}
