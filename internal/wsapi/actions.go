package wsapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// ActionHandler answers every client frame (the $default route, which
// every action arrives on). Its response body is the reply event, which API Gateway's
// route response sends back to the caller as one frame; errors are replies
// too (an error event, status 200), so the connection stays open.
type ActionHandler struct {
	service *service.Chat
	logger  *slog.Logger
	// actions are the rows of protocol.ActionTable bound to the generated
	// invokers of their service methods (actions.gen.go), by action name.
	actions map[string]*action
	// called, when set (by tests), sees every call of a service method.
	called func(method string, c chat.Connection, request any)
	// pings counts keepalives per user (pinglimit.go): ping is answered
	// without the store, so its limit is kept in memory.
	pings *pingLimiter
}

// NewActionHandler returns the action handler over s, logging to logger.
// It fails when a row of protocol.ActionTable has no generated invoker, or
// one written for another version of the row (actions.gen.go is stale).
func NewActionHandler(s *service.Chat, logger *slog.Logger) (*ActionHandler, error) {
	if s == nil {
		return nil, errors.New("wsapi: nil chat service")
	}
	if logger == nil {
		return nil, errors.New("wsapi: nil logger")
	}
	actions, err := bind(protocol.ActionTable, invokers())
	if err != nil {
		return nil, err
	}
	return &ActionHandler{service: s, logger: logger, actions: actions, pings: newPingLimiter()}, nil
}

// Handle runs one client frame: it decodes it (once), loads the caller's
// connection unless the action needs none, charges the action's rate
// budget and calls its service method.
func (h *ActionHandler) Handle(ctx context.Context, req events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
	rc := req.RequestContext
	body, err := readBody(req)
	if err != nil {
		return h.fail(ctx, rc, frame{}, err), nil
	}
	// API Gateway chose the route by the frame's "action": decode the frame
	// as that action's. A frame that reached another route (only $default,
	// in practice) is decoded again as the action it names, if known.
	a := h.actions[rc.RouteKey]
	f, err := decodeFrame(body, a)
	if err == nil && (a == nil || a.spec.Name != f.action) {
		if a = h.actions[f.action]; a != nil {
			f, err = decodeFrame(body, a)
		}
	}
	if err != nil {
		return h.fail(ctx, rc, f, err), nil
	}
	if a == nil {
		return h.fail(ctx, rc, f, chat.Errorf(chat.Invalid, "unknown action %q", f.action)), nil
	}
	var conn chat.Connection
	if !a.spec.NoConnection {
		conn, err = h.service.Connection(ctx, rc.ConnectionID)
		if chat.ErrorCode(err) == chat.NotFound {
			err = chat.Errorf(chat.Forbidden, "connection not registered")
		}
		if err != nil {
			return h.fail(ctx, rc, f, err), nil
		}
	}
	if f.requestErr != nil {
		return h.fail(ctx, rc, f, f.requestErr), nil
	}
	if !a.spec.NoConnection && !a.spec.BeforeTerms {
		if err := h.service.RequireTerms(ctx, conn); err != nil {
			return h.fail(ctx, rc, f, err), nil
		}
	}
	if a.spec.Name == protocol.ActionPing {
		if err := h.pings.allow(rc.Authorizer, rc.ConnectionID); err != nil {
			return h.fail(ctx, rc, f, err), nil
		}
	}
	ev, err := h.chargeAndInvoke(ctx, conn, a, f)
	if err != nil {
		return h.fail(ctx, rc, f, err), nil
	}
	if ev == nil {
		return events.APIGatewayProxyResponse{StatusCode: http.StatusOK}, nil
	}
	setRequestID(ev, f.requestID)
	return h.reply(ctx, rc, f, ev), nil
}

// chargeAndInvoke charges the caller's rate budget and runs the action's
// service method: the step every transport (a WebSocket frame, Call)
// shares once the request is decoded and the terms gate passed. The
// budget is charged before the method runs, or, for the methods that wait
// for it before their first write (service.OverlapsCharge), while their
// reads run.
func (h *ActionHandler) chargeAndInvoke(ctx context.Context, conn chat.Connection, a *action, f frame) (any, error) {
	var admission *service.Admission
	if a.spec.Budget != protocol.BudgetNone && h.service.OverlapsCharge(a.spec.Name) {
		admission = h.service.StartCharge(ctx, conn.UserID, a.spec.Budget)
		ctx = service.WithAdmission(ctx, admission)
	} else if err := h.service.ChargeN(ctx, conn.UserID, a.spec.Budget, a.spec.Units()); err != nil {
		return nil, err
	}
	if h.called != nil {
		var r any
		if f.request.IsValid() {
			r = f.request.Interface()
		}
		h.called(a.name, conn, r)
	}
	ev, err := a.invoke(h.service, ctx, conn, f.request)
	if admission != nil {
		// A refused charge answers rate_limited, as when it ran first.
		if cerr := admission.Wait(); cerr != nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, err
	}
	return ev, nil
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
	if until := chat.ErrorUntil(err); !until.IsZero() {
		ev.Until = &until
	}
	b, _ := json.Marshal(ev) // strings, a string code and a time only: cannot fail
	return events.APIGatewayProxyResponse{StatusCode: http.StatusOK, Body: string(b)}
}
