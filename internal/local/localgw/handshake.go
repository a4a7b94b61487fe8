package localgw

import (
	"bufio"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"time"
)

// handshake is what the $connect request contributes to the authorizer and
// $connect events.
type handshake struct {
	headers           map[string]string
	multiValueHeaders map[string][]string
	query             map[string]string
	multiValueQuery   map[string][]string
}

// acceptGUID is the RFC 6455 constant mixed into Sec-WebSocket-Accept.
const acceptGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// serveUpgrade runs API Gateway's $connect sequence: authorizer, then the
// $connect route, and only when both succeed completes the upgrade.
func (g *Gateway) serveUpgrade(w http.ResponseWriter, r *http.Request) {
	if status, msg := checkUpgradeRequest(w, r); status != 0 {
		writeMessage(w, status, msg)
		return
	}
	if !g.beginHandshake() {
		writeMessage(w, http.StatusServiceUnavailable, "Service Unavailable")
		return
	}
	defer g.wg.Done() // Close waits for this handler to return

	now := time.Now()
	c := &conn{
		g:           g,
		id:          g.newID(),
		connectedAt: now,
		sourceIP:    hostOnly(r.RemoteAddr),
		userAgent:   r.UserAgent(),
	}
	c.log = g.log.With("connectionId", c.id)
	requestID := newRequestID()
	log := c.log.With("requestId", requestID, "routeKey", RouteConnect)
	hs := handshake{}
	hs.headers, hs.multiValueHeaders = connectHeaders(r, c.sourceIP, g.port(), now)
	hs.query, hs.multiValueQuery = queryParameters(r)

	if g.cfg.Authorizer != nil {
		if !hasIdentitySource(r) {
			log.Info("identity source missing: refused without calling the authorizer", "status", http.StatusUnauthorized)
			writeMessage(w, http.StatusUnauthorized, "Unauthorized")
			return
		}
		authz, status := g.authorize(log, c, hs, requestID)
		if status != 0 {
			writeMessage(w, status, refusalMessage(status))
			return
		}
		c.authorizer = authz
	}

	subprotocol := ""
	if h := g.cfg.Routes[RouteConnect]; h != nil {
		resp, err := g.invoke(log, h, c.connectEvent(hs, requestID), requestID)
		if err != nil {
			log.Error("$connect handler failed", "error", err.Error())
			writeMessage(w, http.StatusInternalServerError, msgInternalError)
			return
		}
		// A zero status is a handler that returned an empty response, which
		// Lambda proxy integrations treat as success.
		if resp.StatusCode != 0 && (resp.StatusCode < 200 || resp.StatusCode > 299) {
			log.Info("$connect handler refused the connection", "status", resp.StatusCode)
			writeRefusal(w, resp.StatusCode, resp.Body)
			return
		}
		subprotocol = responseHeader(resp.Headers, resp.MultiValueHeaders, "Sec-WebSocket-Protocol")
	}

	nc, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		log.Error("cannot take over the HTTP connection", "error", err.Error())
		writeMessage(w, http.StatusInternalServerError, msgInternalError)
		return
	}
	log.Info("connection established", "sourceIp", c.sourceIP, "subprotocol", subprotocol)
	g.establish(c, nc, brw.Reader, r.Header.Get("Sec-WebSocket-Key"), subprotocol)
}

// establish registers the connection and writes the 101 response while
// holding the connection's write lock, so a PostToConnection racing with the
// handshake waits for the 101 instead of failing or corrupting it. A client
// that vanished meanwhile is handled like any dropped connection: $disconnect
// still runs for a connection whose $connect succeeded.
func (g *Gateway) establish(c *conn, nc net.Conn, br *bufio.Reader, key, subprotocol string) {
	_ = nc.SetDeadline(time.Time{}) // clear the HTTP server's deadlines
	var b strings.Builder
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
	b.WriteString(acceptKey(key))
	b.WriteString("\r\n")
	if subprotocol != "" {
		b.WriteString("Sec-WebSocket-Protocol: " + subprotocol + "\r\n")
	}
	b.WriteString("\r\n")

	c.attach(nc, br)
	c.mu.Lock()
	closing := g.register(c)
	_ = c.writeRawLocked([]byte(b.String()))
	c.mu.Unlock()
	c.start()
	if closing {
		c.closeWith(closeGoingAway, "Going away")
	}
}

// checkUpgradeRequest validates an RFC 6455 opening handshake.
func checkUpgradeRequest(w http.ResponseWriter, r *http.Request) (int, string) {
	switch {
	case r.Method != http.MethodGet:
		return http.StatusMethodNotAllowed, "Method Not Allowed"
	case !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket"):
		w.Header().Set("Upgrade", "websocket")
		return http.StatusUpgradeRequired, "Upgrade Required"
	case r.Header.Get("Sec-WebSocket-Version") != "13":
		w.Header().Set("Sec-WebSocket-Version", "13")
		return http.StatusUpgradeRequired, "Unsupported WebSocket version"
	}
	key, err := base64.StdEncoding.DecodeString(r.Header.Get("Sec-WebSocket-Key"))
	if err != nil || len(key) != 16 {
		return http.StatusBadRequest, "Bad Sec-WebSocket-Key"
	}
	return 0, ""
}

func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

func acceptKey(key string) string {
	sum := sha1.Sum([]byte(key + acceptGUID))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// responseHeader finds a header of a Lambda proxy response, ignoring case.
func responseHeader(single map[string]string, multi map[string][]string, name string) string {
	for k, v := range single {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	for k, v := range multi {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[len(v)-1]
		}
	}
	return ""
}

func refusalMessage(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "Unauthorized"
	case http.StatusForbidden:
		return msgForbidden
	default:
		return msgInternalError
	}
}

// writeRefusal answers a handshake refused by the $connect route with the
// route's status and body.
func writeRefusal(w http.ResponseWriter, status int, body string) {
	if status < 100 || status > 599 {
		status, body = http.StatusInternalServerError, ""
	}
	if body == "" {
		writeMessage(w, status, http.StatusText(status))
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

// writeMessage writes API Gateway's {"message": ...} JSON error body.
func writeMessage(w http.ResponseWriter, status int, message string) {
	body, _ := json.Marshal(map[string]string{"message": message})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
