package localgw

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

var (
	errHandlerPanic       = errors.New("localgw: handler panicked")
	errIntegrationTimeout = errors.New("localgw: integration timed out")
)

// Messages API Gateway sends to the client when a route fails.
const (
	msgInternalError = "Internal server error"
	msgTimedOut      = "Endpoint request timed out"
	msgForbidden     = "Forbidden"
)

// selectRoute evaluates the route selection expression $request.body.action:
// the top-level "action" string of a JSON object names a configured route;
// anything else goes to $default.
func (g *Gateway) selectRoute(m inbound) string {
	if m.op != opText {
		return RouteDefault
	}
	var body map[string]json.RawMessage
	if json.Unmarshal(m.data, &body) != nil {
		return RouteDefault
	}
	var action string
	if json.Unmarshal(body["action"], &action) != nil {
		return RouteDefault
	}
	if action == RouteConnect || action == RouteDisconnect {
		return RouteDefault
	}
	if _, ok := g.cfg.Routes[action]; ok {
		return action
	}
	return RouteDefault
}

// dispatch runs the route of one inbound message and sends the route
// response or API Gateway's error frame back to the client.
func (c *conn) dispatch(m inbound) {
	requestID := newRequestID()
	routeKey := c.g.selectRoute(m)
	log := c.log.With("requestId", requestID, "routeKey", routeKey, "messageId", m.id)
	h := c.g.cfg.Routes[routeKey]
	if h == nil {
		log.Warn("no route for message and no $default route")
		c.sendError(msgForbidden, requestID)
		return
	}
	start := time.Now()
	resp, err := c.g.invoke(log, h, c.messageEvent(m, routeKey, requestID, m.at), requestID)
	if err != nil {
		msg := msgInternalError
		if errors.Is(err, errIntegrationTimeout) {
			msg = msgTimedOut
		}
		log.Error("route handler failed", "error", err.Error(), "durationMs", time.Since(start).Milliseconds())
		c.sendError(msg, requestID)
		return
	}
	log.Info("message handled", "status", resp.StatusCode, "durationMs", time.Since(start).Milliseconds())
	if c.g.cfg.RouteResponses && resp.Body != "" {
		c.sendRouteResponse(log, resp)
	}
}

// sendRouteResponse delivers a two-way route's response body as one frame.
func (c *conn) sendRouteResponse(log *slog.Logger, resp events.APIGatewayProxyResponse) {
	op, payload := opText, []byte(resp.Body)
	if resp.IsBase64Encoded {
		decoded, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			log.Error("route response is not valid base64", "error", err.Error())
			return
		}
		op, payload = opBinary, decoded
	}
	if err := c.sendData(op, payload); err != nil {
		log.Info("route response not delivered: connection closed")
	}
}

// sendError sends the JSON error frame API Gateway sends, e.g.
// {"message": "Internal server error", "connectionId": "...", "requestId": "..."}.
func (c *conn) sendError(message, requestID string) {
	frame, _ := json.Marshal(struct {
		Message      string `json:"message"`
		ConnectionID string `json:"connectionId"`
		RequestID    string `json:"requestId"`
	}{message, c.id, requestID})
	_ = c.sendData(opText, frame)
}

// disconnect runs the $disconnect route once the connection is gone.
func (c *conn) disconnect() {
	info := c.closeReason()
	requestID := newRequestID()
	log := c.log.With("requestId", requestID, "routeKey", RouteDisconnect)
	log.Info("connection closed", "closeCode", info.code, "reason", info.reason)
	h := c.g.cfg.Routes[RouteDisconnect]
	if h == nil {
		return
	}
	if _, err := c.g.invoke(log, h, c.disconnectEvent(info, requestID, time.Now()), requestID); err != nil {
		log.Error("$disconnect handler failed", "error", err.Error())
	}
}

// invoke calls a route handler as Lambda would: the event passes through
// JSON, the context carries the integration deadline and a LambdaContext,
// and a panic becomes an error instead of killing the gateway.
func (g *Gateway) invoke(log *slog.Logger, h Handler, ev events.APIGatewayWebsocketProxyRequest, requestID string) (resp events.APIGatewayProxyResponse, err error) {
	ev, err = viaJSON(ev)
	if err != nil {
		return resp, err
	}
	ctx, cancel := g.integrationContext()
	defer cancel()
	defer recoverHandler(log, &err)
	resp, err = h(ctx, ev)
	return resp, integrationError(ctx, err)
}

// invokeAuthorizer is invoke for the REQUEST authorizer.
func (g *Gateway) invokeAuthorizer(log *slog.Logger, ev events.APIGatewayCustomAuthorizerRequestTypeRequest) (resp events.APIGatewayCustomAuthorizerResponse, err error) {
	ev, err = viaJSON(ev)
	if err != nil {
		return resp, err
	}
	ctx, cancel := g.integrationContext()
	defer cancel()
	defer recoverHandler(log, &err)
	resp, err = g.cfg.Authorizer(ctx, ev)
	if err = integrationError(ctx, err); err != nil {
		return resp, err
	}
	return viaJSON(resp) // API Gateway reads the authorizer's output as JSON
}

func (g *Gateway) integrationContext() (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), g.cfg.IntegrationTimeout)
	return lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: newUUID()}), cancel
}

// integrationError marks a handler that outlived its deadline, as API
// Gateway stops waiting after the integration timeout.
func integrationError(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w after %v (handler error: %v)", errIntegrationTimeout, context.Cause(ctx), err)
	}
	return err
}

func recoverHandler(log *slog.Logger, err *error) {
	if r := recover(); r != nil {
		log.Error("handler panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		*err = fmt.Errorf("%w: %v", errHandlerPanic, r)
	}
}
