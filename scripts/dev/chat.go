package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/inprocess"
	"github.com/backchannel-chat/backchannel/internal/app/thumbnailapp"
	"github.com/backchannel-chat/backchannel/internal/local/devstack"
	"github.com/backchannel-chat/backchannel/internal/local/localgw"
	"github.com/backchannel-chat/backchannel/internal/outhook"
)

// chatServer is the chat's handlers behind the local API Gateway.
type chatServer struct {
	app      *inprocess.App
	gateway  *localgw.Gateway
	metrics  *os.File
	s3Events *devstack.QueueSubscription // external S3's notifications, for the thumbnails
}

// startChat starts the gateway first (its address is the app's
// WS_CALLBACK_URL), then builds the app exactly as a Lambda would: from the
// environment, which now points at the stack.
func startChat(ctx context.Context, stack *devstack.Stack, logFormat string) (*chatServer, error) {
	var built atomic.Pointer[inprocess.App]
	route := func(pick func(*inprocess.App) localgw.Handler) localgw.Handler {
		return func(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
			a := built.Load()
			if a == nil { // only in the instant between listening and wiring
				return events.APIGatewayProxyResponse{StatusCode: 503}, errors.New("starting")
			}
			return pick(a)(ctx, req)
		}
	}
	connection := route(func(a *inprocess.App) localgw.Handler { return a.Connection.Handle })
	actions := route(func(a *inprocess.App) localgw.Handler { return a.Actions.Handle })
	routes := map[string]localgw.Handler{
		localgw.RouteConnect:    connection,
		localgw.RouteDisconnect: connection,
		localgw.RouteDefault:    actions,
	}

	logLevel, err := app.LogLevelFromEnv()
	if err != nil {
		return nil, err
	}
	logger := app.NewLogger(os.Stderr, logLevel)
	if logFormat != "json" {
		logger = slog.New(newLineHandler(os.Stderr, logLevel))
	}

	gw, err := localgw.New(localgw.Config{
		Routes: routes,
		Authorizer: func(ctx context.Context, req events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
			a := built.Load()
			if a == nil {
				return events.APIGatewayCustomAuthorizerResponse{}, errors.New("Unauthorized")
			}
			return a.Authorizer.Handle(ctx, req)
		},
		RouteResponses: true,
		Region:         stack.Region,
		Logger:         logger,
	})
	if err != nil {
		return nil, err
	}
	if err := gw.Start(); err != nil {
		return nil, err
	}
	s := &chatServer{gateway: gw}

	// VISITOR_WS_URL: where the support widget's visitors connect (the
	// session route's wsUrl).
	for _, kv := range append(stack.AppEnv(), "WS_CALLBACK_URL="+gw.CallbackURL(), app.EnvVisitorWSURL+"="+gw.URL()) {
		name, value, _ := strings.Cut(kv, "=")
		if err := os.Setenv(name, value); err != nil {
			return nil, errors.Join(err, s.Close())
		}
	}
	cfg, err := app.ConfigFromEnv()
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	// CloudWatch turns the EMF lines into metrics; locally they go to a file.
	if err := os.MkdirAll(stack.LogDir, 0o755); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if s.metrics, err = os.Create(filepath.Join(stack.LogDir, "metrics.log")); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	schedOpts, err := scheduledChatOptions(ctx)
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	// Slash commands may reach receivers on this machine (http://localhost:…).
	schedOpts = append(schedOpts, chatapp.WithHooks(&outhook.Client{AllowPrivate: true}))
	a, err := inprocess.Build(ctx, cfg, append([]chatapp.Option{chatapp.WithLogger(logger), chatapp.WithMetrics(s.metrics)}, schedOpts...)...)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("build the app: %w", err), s.Close())
	}
	built.Store(a)
	s.app = a

	// The thumbnail Lambda, fed by the in-process S3's notifications.
	thumbCfg, err := app.ThumbnailConfigFromEnv()
	if err != nil {
		return nil, errors.Join(err, s.Close())
	}
	thumbs, err := thumbnailapp.Build(ctx, thumbCfg, thumbnailapp.WithLogger(logger))
	if err != nil {
		return nil, errors.Join(fmt.Errorf("build the thumbnail handler: %w", err), s.Close())
	}
	switch sqsEndpoint := firstSet(os.Getenv("AWS_ENDPOINT_URL_SQS"), os.Getenv("AWS_ENDPOINT_URL")); {
	case stack.OnObjectCreated(thumbs.Handle):
		// the in-process S3 notifies in-process
	case sqsEndpoint == "":
		fmt.Fprintln(os.Stderr, "dev: thumbnails do not run: S3 is external and no SQS endpoint (AWS_ENDPOINT_URL_SQS) is given for its notifications")
	default:
		sub, err := stack.SubscribeObjectCreated(ctx, sqsEndpoint, thumbs.Handle, os.Stderr)
		if err != nil {
			fmt.Fprintf(os.Stderr, "dev: thumbnails do not run: %v\n", err)
			break
		}
		s.s3Events = sub
	}
	return s, nil
}

// Close closes every WebSocket (running $disconnect) and the listener.
func (s *chatServer) Close() error {
	err := errors.Join(s.s3Events.Close(), s.gateway.Close())
	if s.metrics != nil {
		err = errors.Join(err, s.metrics.Close())
	}
	return err
}
