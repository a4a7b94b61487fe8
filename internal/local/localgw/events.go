package localgw

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Event types and the message direction API Gateway puts in requestContext.
const (
	eventConnect    = "CONNECT"
	eventMessage    = "MESSAGE"
	eventDisconnect = "DISCONNECT"
	directionIn     = "IN"
)

// requestTimeLayout is API Gateway's requestTime format, e.g. "20/Jan/2024:11:55:08 +0000".
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// isoMillis is the ISO 8601 form the management API uses for timestamps.
const isoMillis = "2006-01-02T15:04:05.000Z"

func epochMillis(t time.Time) int64 { return t.UnixMilli() }

// baseContext is the requestContext every event of a connection shares.
func (c *conn) baseContext(routeKey, eventType, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequestContext {
	rc := events.APIGatewayWebsocketProxyRequestContext{
		RouteKey:          routeKey,
		EventType:         eventType,
		ExtendedRequestID: requestID,
		RequestTime:       now.UTC().Format(requestTimeLayout),
		MessageDirection:  directionIn,
		Stage:             c.g.cfg.Stage,
		ConnectedAt:       epochMillis(c.connectedAt),
		RequestTimeEpoch:  epochMillis(now),
		Identity: events.APIGatewayRequestIdentity{
			SourceIP:  c.sourceIP,
			UserAgent: c.userAgent,
		},
		RequestID:    requestID,
		DomainName:   c.g.domainName(),
		ConnectionID: c.id,
		APIID:        c.g.cfg.APIID,
	}
	if c.authorizer != nil {
		rc.Authorizer = c.authorizer
	}
	return rc
}

// connectEvent is the $connect event: the only one carrying the client's
// handshake headers and query string.
func (c *conn) connectEvent(hs handshake, requestID string) events.APIGatewayWebsocketProxyRequest {
	return events.APIGatewayWebsocketProxyRequest{
		Headers:                         hs.headers,
		MultiValueHeaders:               hs.multiValueHeaders,
		QueryStringParameters:           hs.query,
		MultiValueQueryStringParameters: hs.multiValueQuery,
		RequestContext:                  c.baseContext(RouteConnect, eventConnect, requestID, c.connectedAt),
	}
}

// messageEvent is the event for one complete inbound message.
func (c *conn) messageEvent(m inbound, routeKey, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := c.baseContext(routeKey, eventMessage, requestID, now)
	rc.MessageID = m.id
	ev := events.APIGatewayWebsocketProxyRequest{RequestContext: rc}
	if m.op == opBinary {
		ev.Body = base64.StdEncoding.EncodeToString(m.data)
		ev.IsBase64Encoded = true
	} else {
		ev.Body = string(m.data)
	}
	return ev
}

// disconnectEvent mirrors what API Gateway sends on $disconnect, including
// the handful of synthetic headers seen in captured events.
func (c *conn) disconnectEvent(info closeInfo, requestID string, now time.Time) events.APIGatewayWebsocketProxyRequest {
	rc := c.baseContext(RouteDisconnect, eventDisconnect, requestID, now)
	rc.DisconnectStatusCode = int64(info.code)
	reason := info.reason
	rc.DisconnectReason = &reason
	host := c.g.domainName()
	return events.APIGatewayWebsocketProxyRequest{
		Headers: map[string]string{
			"Host": host, "x-api-key": "", "X-Forwarded-For": "", "x-restapi": "",
		},
		MultiValueHeaders: map[string][]string{
			"Host": {host}, "x-api-key": {""}, "X-Forwarded-For": {""}, "x-restapi": {""},
		},
		RequestContext: rc,
	}
}

// webSocketHeaderNames restores the spelling browsers send: net/http
// canonicalizes "Sec-WebSocket-Key" to "Sec-Websocket-Key", while API
// Gateway passes header names through as received.
var webSocketHeaderNames = map[string]string{
	"Sec-Websocket-Key":        "Sec-WebSocket-Key",
	"Sec-Websocket-Version":    "Sec-WebSocket-Version",
	"Sec-Websocket-Extensions": "Sec-WebSocket-Extensions",
	"Sec-Websocket-Protocol":   "Sec-WebSocket-Protocol",
}

// connectHeaders builds headers/multiValueHeaders as API Gateway does: the
// client's headers (single-value map keeps the last value) plus Host and the
// X-Forwarded-* and X-Amzn-Trace-Id headers its edge adds.
func connectHeaders(r *http.Request, sourceIP, port string, now time.Time) (map[string]string, map[string][]string) {
	multi := make(map[string][]string, len(r.Header)+5)
	for name, values := range r.Header {
		if fixed, ok := webSocketHeaderNames[name]; ok {
			name = fixed
		}
		multi[name] = append([]string(nil), values...)
	}
	multi["Host"] = []string{r.Host}
	multi["X-Forwarded-For"] = []string{sourceIP}
	multi["X-Forwarded-Port"] = []string{port}
	multi["X-Forwarded-Proto"] = []string{"http"}
	multi["X-Amzn-Trace-Id"] = []string{newTraceID(now)}
	single := make(map[string]string, len(multi))
	for name, values := range multi {
		single[name] = values[len(values)-1]
	}
	return single, multi
}

// queryParameters returns nil maps when there is no query string, as API
// Gateway omits the fields then.
func queryParameters(r *http.Request) (map[string]string, map[string][]string) {
	q := r.URL.Query()
	if len(q) == 0 {
		return nil, nil
	}
	single := make(map[string]string, len(q))
	for name, values := range q {
		single[name] = values[len(values)-1]
	}
	return single, map[string][]string(q)
}

// hostOnly strips the port from a remote address.
func hostOnly(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}

// viaJSON passes a value through JSON as the Lambda runtime does, so the
// handler sees exactly the types it would see in AWS (for example numbers in
// requestContext.authorizer become float64, empty maps stay absent).
func viaJSON[T any](v T) (T, error) {
	var out T
	b, err := json.Marshal(v)
	if err != nil {
		return out, fmt.Errorf("localgw: encode event: %w", err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return out, fmt.Errorf("localgw: decode event: %w", err)
	}
	return out, nil
}
