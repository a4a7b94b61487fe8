package wsapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/authorizer"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// Route keys of the connection handler.
const (
	routeConnect    = "$connect"
	routeDisconnect = "$disconnect"
)

// ConnectionHandler answers $connect and $disconnect. The authorizer has
// already verified the token on $connect; this handler stores the identity
// it passed on, which every later action is authorized from.
type ConnectionHandler struct {
	service *service.Chat
	logger  *slog.Logger
	now     func() time.Time
}

// NewConnectionHandler returns the connection handler over s.
func NewConnectionHandler(s *service.Chat, logger *slog.Logger) (*ConnectionHandler, error) {
	if s == nil {
		return nil, errors.New("wsapi: nil chat service")
	}
	if logger == nil {
		return nil, errors.New("wsapi: nil logger")
	}
	return &ConnectionHandler{service: s, logger: logger, now: time.Now}, nil
}

// Handle runs $connect or $disconnect.
func (h *ConnectionHandler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	switch {
	case req.RequestContext.RouteKey == routeConnect || (req.RequestContext.RouteKey == "" && req.RequestContext.EventType == "CONNECT"):
		return h.connect(ctx, req), nil
	case req.RequestContext.RouteKey == routeDisconnect || (req.RequestContext.RouteKey == "" && req.RequestContext.EventType == "DISCONNECT"):
		return h.disconnect(ctx, req), nil
	}
	h.log(ctx, req.RequestContext, slog.LevelError, "unexpected route", errors.New("route key "+req.RequestContext.RouteKey))
	return events.APIGatewayProxyResponse{StatusCode: http.StatusBadRequest}, nil
}

// connect registers the connection under the identity the authorizer
// passed in the request context. Any non-2xx status refuses the upgrade.
func (h *ConnectionHandler) connect(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) events.APIGatewayProxyResponse {
	rc := req.RequestContext
	authCtx, _ := rc.Authorizer.(map[string]any)
	identity, err := authorizer.IdentityFromContext(authCtx)
	if hash, ok := authorizer.BotTokenHashFromContext(authCtx); ok {
		// A bot token: the authorizer passed its hash on (issue #16).
		identity, err = h.service.BotIdentityByHash(ctx, hash)
		if err != nil {
			if chat.ErrorCode(err) == chat.Internal {
				h.log(ctx, rc, slog.LevelError, "bot token lookup failed", err)
				return events.APIGatewayProxyResponse{StatusCode: http.StatusInternalServerError}
			}
			return events.APIGatewayProxyResponse{StatusCode: http.StatusUnauthorized, Body: chat.ErrorMessage(err)}
		}
	}
	if authCtx == nil || err != nil {
		// Without the authorizer's context nobody vouched for this caller:
		// the route is misconfigured or the request did not come through it.
		h.log(ctx, rc, slog.LevelWarn, "connect without authorizer identity", err)
		return events.APIGatewayProxyResponse{StatusCode: http.StatusUnauthorized}
	}
	if v, ok := authorizer.VisitorFromContext(authCtx); ok {
		// A support widget's visitor (visitors.go).
		var refused *events.APIGatewayProxyResponse
		if identity, refused = h.visitorConnect(ctx, rc, v, identity); refused != nil {
			return *refused
		}
	}
	connectedAt := h.now()
	if rc.ConnectedAt > 0 {
		connectedAt = time.UnixMilli(rc.ConnectedAt)
	}
	err = h.service.Connect(ctx, chat.Connection{ID: rc.ConnectionID, Identity: identity, ConnectedAt: connectedAt})
	if err != nil {
		if chat.ErrorCode(err) == chat.Internal {
			h.log(ctx, rc, slog.LevelError, "connect failed", err)
		}
		return events.APIGatewayProxyResponse{StatusCode: httpStatus(chat.ErrorCode(err)), Body: chat.ErrorMessage(err)}
	}
	resp := events.APIGatewayProxyResponse{StatusCode: http.StatusOK}
	if p := chooseSubprotocol(req); p != "" {
		resp.Headers = map[string]string{subprotocolHeader: p}
	}
	return resp
}

// disconnect forgets the connection. API Gateway ignores the response, and
// the service's cleanup is idempotent, so it always answers 200.
func (h *ConnectionHandler) disconnect(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) events.APIGatewayProxyResponse {
	if err := h.service.Disconnect(ctx, req.RequestContext.ConnectionID); err != nil {
		h.log(ctx, req.RequestContext, slog.LevelError, "disconnect failed", err)
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}
}

func (h *ConnectionHandler) log(ctx context.Context, rc events.APIGatewayWebsocketProxyRequestContext, level slog.Level, msg string, err error) {
	attrs := []slog.Attr{
		slog.String("requestId", rc.RequestID),
		slog.String("connectionId", rc.ConnectionID),
		slog.String("route", rc.RouteKey),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.logger.LogAttrs(ctx, level, msg, attrs...)
}

// httpStatus is the $connect status for an error code.
func httpStatus(code chat.Code) int {
	switch code {
	case chat.Invalid:
		return http.StatusBadRequest
	case chat.NotFound:
		return http.StatusNotFound
	case chat.Forbidden:
		return http.StatusForbidden
	case chat.Conflict:
		return http.StatusConflict
	case chat.TooLarge:
		return http.StatusRequestEntityTooLarge
	case chat.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
