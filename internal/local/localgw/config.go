package localgw

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Handler is a WebSocket route integration: the same function a Lambda
// would run behind API Gateway, invoked in-process.
type Handler func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error)

// Authorizer is a Lambda REQUEST authorizer run on $connect.
type Authorizer func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error)

// Route keys reserved by API Gateway.
const (
	RouteConnect    = "$connect"
	RouteDisconnect = "$disconnect"
	RouteDefault    = "$default"
)

// Config configures a Gateway. Zero values take API Gateway's defaults.
type Config struct {
	Addr       string             // listen address, default "127.0.0.1:0"
	Stage      string             // default "local"
	APIID      string             // default a random 10-char lowercase id like API Gateway's
	Routes     map[string]Handler // "$connect", "$disconnect", "$default", and action route keys
	Authorizer Authorizer         // optional REQUEST authorizer run on $connect
	// RouteResponses: when true, a non-empty body returned by a route
	// handler other than $connect/$disconnect is sent back to the calling
	// client as one frame (API Gateway two-way route).
	RouteResponses        bool
	MaxFrameBytes         int           // default 32 KiB
	MaxMessageBytes       int           // default 128 KiB
	IdleTimeout           time.Duration // default 10 min
	MaxConnectionDuration time.Duration // default 2 h
	IntegrationTimeout    time.Duration // default 29 s: the deadline of each handler's context
	Region                string        // used in the authorizer's methodArn, default "us-east-1"
	AccountID             string        // used in the authorizer's methodArn, default "123456789012"
	Logger                *slog.Logger  // default JSON to stderr
}

// API Gateway quotas for WebSocket APIs.
const (
	defaultMaxFrameBytes      = 32 * 1024
	defaultMaxMessageBytes    = 128 * 1024
	defaultIdleTimeout        = 10 * time.Minute
	defaultMaxConnection      = 2 * time.Hour
	defaultIntegrationTimeout = 29 * time.Second
)

var stagePattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,128}$`)

// withDefaults fills zero values and rejects impossible settings.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.Stage == "" {
		cfg.Stage = "local"
	}
	if !stagePattern.MatchString(cfg.Stage) {
		return cfg, fmt.Errorf("localgw: invalid stage name %q", cfg.Stage)
	}
	if cfg.APIID == "" {
		cfg.APIID = newAPIID()
	}
	if cfg.MaxFrameBytes == 0 {
		cfg.MaxFrameBytes = defaultMaxFrameBytes
	}
	if cfg.MaxMessageBytes == 0 {
		cfg.MaxMessageBytes = defaultMaxMessageBytes
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = defaultIdleTimeout
	}
	if cfg.MaxConnectionDuration == 0 {
		cfg.MaxConnectionDuration = defaultMaxConnection
	}
	if cfg.IntegrationTimeout == 0 {
		cfg.IntegrationTimeout = defaultIntegrationTimeout
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.AccountID == "" {
		cfg.AccountID = "123456789012"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	switch {
	case cfg.MaxFrameBytes < 0 || cfg.MaxMessageBytes < 0:
		return cfg, fmt.Errorf("localgw: negative size limit")
	case cfg.MaxFrameBytes > cfg.MaxMessageBytes:
		return cfg, fmt.Errorf("localgw: MaxFrameBytes %d exceeds MaxMessageBytes %d", cfg.MaxFrameBytes, cfg.MaxMessageBytes)
	case cfg.IdleTimeout < 0 || cfg.MaxConnectionDuration < 0 || cfg.IntegrationTimeout < 0:
		return cfg, fmt.Errorf("localgw: negative duration")
	}
	routes := make(map[string]Handler, len(cfg.Routes))
	for key, h := range cfg.Routes {
		if key == "" || h == nil {
			return cfg, fmt.Errorf("localgw: route %q has no handler or an empty key", key)
		}
		routes[key] = h
	}
	cfg.Routes = routes // a private copy: callers may not mutate it under us
	return cfg, nil
}
