package wsapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// ActionHandler answers every client frame (the action routes and
// $default). Its response body is the reply event, which API Gateway's
// route response sends back to the caller as one frame; errors are replies
// too (an error event, status 200), so the connection stays open.
type ActionHandler struct {
	service ChatService
	logger  *slog.Logger
	now     func() time.Time
}

// NewActionHandler returns the action handler over s, logging to logger.
func NewActionHandler(s ChatService, logger *slog.Logger) (*ActionHandler, error) {
	if s == nil {
		return nil, errors.New("wsapi: nil chat service")
	}
	if logger == nil {
		return nil, errors.New("wsapi: nil logger")
	}
	return &ActionHandler{service: s, logger: logger, now: time.Now}, nil
}

// Handle runs one client frame.
func (h *ActionHandler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	body, err := readBody(req)
	var f frame
	if err == nil {
		f, err = decodeEnvelope(body)
	}
	if err != nil {
		return h.fail(ctx, rc, f, err), nil
	}
	if f.action == protocol.ActionPing {
		// Keepalive: answered without touching the store so it stays cheap.
		pong := protocol.PongEvent{Head: protocol.Head{Type: protocol.EventPong, RequestID: f.requestID}, Time: h.now().UnixMilli()}
		return h.reply(ctx, rc, f, &pong), nil
	}
	run, ok := routes[f.action]
	if !ok {
		return h.fail(ctx, rc, f, chat.Errorf(chat.Invalid, "unknown action %q", f.action)), nil
	}
	conn, err := h.service.Connection(ctx, rc.ConnectionID)
	if chat.ErrorCode(err) == chat.NotFound {
		err = chat.Errorf(chat.Forbidden, "connection not registered")
	}
	if err != nil {
		return h.fail(ctx, rc, f, err), nil
	}
	ev, err := run(ctx, h.service, conn, f.body)
	if err != nil {
		return h.fail(ctx, rc, f, err), nil
	}
	if ev == nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	}
	setRequestID(ev, f.requestID)
	return h.reply(ctx, rc, f, ev), nil
}

// reply encodes ev as the response body.
func (h *ActionHandler) reply(ctx context.Context, rc events.APIGatewayWebsocketProxyRequestContext, f frame, ev any) events.APIGatewayProxyResponse {
	b, err := json.Marshal(ev)
	if err != nil {
		return h.fail(ctx, rc, f, chat.Wrap(err, "encode reply"))
	}
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: string(b)}
}

// fail answers with the error event for err, logging it only if it is
// Internal: the other codes are the client's doing and say so in the reply.
func (h *ActionHandler) fail(ctx context.Context, rc events.APIGatewayWebsocketProxyRequestContext, f frame, err error) events.APIGatewayProxyResponse {
	code := chat.ErrorCode(err)
	if code == chat.Internal {
		h.logger.LogAttrs(ctx, slog.LevelError, "action failed",
			slog.String("requestId", rc.RequestID),
			slog.String("connectionId", rc.ConnectionID),
			slog.String("action", f.action),
			slog.String("clientRequestId", f.requestID),
			slog.String("error", err.Error()))
	}
	ev := protocol.ErrorEvent{
		Head:    protocol.Head{Type: protocol.EventError, RequestID: f.requestID},
		Code:    code,
		Message: chat.ErrorMessage(err),
		Action:  f.action,
		TraceID: rc.RequestID,
	}
	b, _ := json.Marshal(ev) // strings and a string code only: cannot fail
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: string(b)}
}
