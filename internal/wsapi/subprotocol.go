package wsapi

import (
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

const subprotocolHeader = "Sec-WebSocket-Protocol"

// jwtShape matches a compact JWS: three base64url segments. A browser that
// cannot set headers may send its token as one of the offered subprotocols;
// that one must never be echoed back (it would leak into proxies' logs and
// it is not a protocol).
var jwtShape = regexp.MustCompile(`^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$`)

// chooseSubprotocol picks the first subprotocol the client offered that is
// not its token, or "" if it offered none. Browsers fail the handshake when
// they offered subprotocols and the server selects none of them.
func chooseSubprotocol(req events.APIGatewayWebsocketProxyRequest) string {
	for _, p := range offeredSubprotocols(req) {
		if !jwtShape.MatchString(p) {
			return p
		}
	}
	return ""
}

// offeredSubprotocols lists the Sec-WebSocket-Protocol values in order. API
// Gateway passes header names as the client spelled them, so the lookup
// ignores case.
func offeredSubprotocols(req events.APIGatewayWebsocketProxyRequest) []string {
	var lines []string
	for name, values := range req.MultiValueHeaders {
		if strings.EqualFold(name, subprotocolHeader) {
			lines = append(lines, values...)
		}
	}
	if lines == nil {
		for name, value := range req.Headers {
			if strings.EqualFold(name, subprotocolHeader) {
				lines = append(lines, value)
			}
		}
	}
	var offered []string
	for _, line := range lines {
		for _, p := range strings.Split(line, ",") {
			if p = strings.TrimSpace(p); p != "" {
				offered = append(offered, p)
			}
		}
	}
	return offered
}
