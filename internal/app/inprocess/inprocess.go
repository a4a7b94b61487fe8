// Package inprocess wires every handler of the chat in one process, over
// one service: the local runner (scripts/dev) and the integration tests
// run the same builders as the Lambdas, from the same configuration.
package inprocess

import (
	"context"
	"log/slog"
	"os"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/actionsapp"
	"github.com/backchannel-chat/backchannel/internal/app/authorizerapp"
	"github.com/backchannel-chat/backchannel/internal/app/chatapp"
	"github.com/backchannel-chat/backchannel/internal/app/connectionapp"
	"github.com/backchannel-chat/backchannel/internal/app/httpapiapp"
	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/httpapi"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/wsapi"
)

// App is the wired chat: the handlers of the authorizer, connection and
// actions functions over one service.
type App struct {
	Authorizer *authorizer.Handler
	Connection *wsapi.ConnectionHandler
	Actions    *wsapi.ActionHandler
	// HTTP is the HTTP API (webhooks, bots): internal/local/httpgw serves it.
	HTTP    *httpapi.API
	Service *service.Chat
	Logger  *slog.Logger
}

// Build wires every handler from cfg (the thumbnail handler is
// thumbnailapp.Build's).
func Build(ctx context.Context, cfg app.Config, opts ...chatapp.Option) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := chatapp.Collect(opts)
	logger := s.Logger
	if logger == nil {
		logger = app.NewLogger(os.Stderr, cfg.LogLevel)
	}
	auth, err := authorizerapp.Build(ctx, cfg.Authorizer(), authorizerapp.WithHTTPClient(s.HTTPClient), authorizerapp.WithLogger(logger))
	if err != nil {
		return nil, err
	}
	core, err := actionsapp.Core(ctx, cfg.Actions(), append(opts[:len(opts):len(opts)], chatapp.WithLogger(logger))...)
	if err != nil {
		return nil, err
	}
	conn, err := connectionapp.New(core)
	if err != nil {
		return nil, err
	}
	actions, err := actionsapp.New(core)
	if err != nil {
		return nil, err
	}
	httpAPI, err := httpapiapp.New(core, cfg.HTTPAPI())
	if err != nil {
		return nil, err
	}
	return &App{Authorizer: auth, Connection: conn, Actions: actions, HTTP: httpAPI, Service: core.Service, Logger: logger}, nil
}
