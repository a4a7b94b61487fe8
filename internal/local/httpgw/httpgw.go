// Package httpgw serves an API Gateway HTTP API handler (payload format
// 2.0) over net/http, for the local stack (scripts/dev mounts it under
// /hooks/ and /api/) and the integration tests: it turns each request
// into the events.APIGatewayV2HTTPRequest API Gateway would send the
// Lambda and writes the handler's events.APIGatewayV2HTTPResponse back.
//
// What it does as API Gateway does: rawPath as sent (percent-encoded),
// rawQueryString, header names lower-cased and repeated values joined
// with commas, the Cookie header moved to cookies, queryStringParameters
// joined with commas, requestContext.http (method, path, protocol,
// sourceIp, userAgent), a request id and time, and the body base64-encoded
// (isBase64Encoded) unless its type is text. A body over 10 MB is refused
// with 413 and a handler's error answered with 500 {"message":"Internal
// Server Error"}, as API Gateway does.
package httpgw

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// MaxBodyBytes is API Gateway's payload limit.
const MaxBodyBytes = 10 << 20

// Handler is the Lambda handler the gateway invokes.
type Handler func(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Gateway is the net/http face of an HTTP API.
type Gateway struct {
	handler Handler
	// Stage is requestContext.stage ("$default").
	Stage string
	// APIID is requestContext.apiId ("local").
	APIID  string
	Logger *slog.Logger
	now    func() time.Time
}

// New serves h.
func New(h Handler, logger *slog.Logger) *Gateway {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Gateway{handler: h, Stage: "$default", APIID: "local", Logger: logger, now: time.Now}
}

// ServeHTTP converts, invokes and writes the response.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ev, err := g.Request(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large")
			return
		}
		writeMessage(w, http.StatusBadRequest, "Bad Request")
		return
	}
	resp, err := g.handler(r.Context(), ev)
	if err != nil {
		g.Logger.LogAttrs(r.Context(), slog.LevelError, "http api handler failed", slog.String("requestId", ev.RequestContext.RequestID), slog.String("error", err.Error()))
		writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
		return
	}
	if err := Write(w, resp); err != nil {
		g.Logger.LogAttrs(r.Context(), slog.LevelError, "http api response not written", slog.String("requestId", ev.RequestContext.RequestID), slog.String("error", err.Error()))
	}
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"message":"`+msg+`"}`)
}

// Request is the payload 2.0 event for r.
func (g *Gateway) Request(r *http.Request) (events.APIGatewayV2HTTPRequest, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, MaxBodyBytes))
	if err != nil {
		return events.APIGatewayV2HTTPRequest{}, err
	}
	now := g.now()
	headers := map[string]string{}
	for name, vals := range r.Header {
		n := strings.ToLower(name)
		if n == "cookie" {
			continue
		}
		headers[n] = strings.Join(vals, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	var cookies []string
	for _, line := range r.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				cookies = append(cookies, c)
			}
		}
	}
	var query map[string]string
	if r.URL.RawQuery != "" {
		query = map[string]string{}
		for k, vs := range r.URL.Query() {
			query[k] = strings.Join(vs, ",")
		}
	}
	ip := r.RemoteAddr
	if host, _, err := net.SplitHostPort(ip); err == nil {
		ip = host
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey(r.URL.Path),
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey(r.URL.Path),
			AccountID:    "000000000000",
			Stage:        g.Stage,
			RequestID:    requestID(),
			APIID:        g.APIID,
			DomainName:   r.Host,
			DomainPrefix: strings.Split(r.Host, ".")[0],
			Time:         now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: r.Method, Path: r.URL.Path, Protocol: r.Proto, SourceIP: ip, UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return ev, nil
}

// routeKey is the stack's route the path falls under: "ANY /hooks/{proxy+}"
// for /hooks/..., as infra/chatstack/httpapi.go declares them.
func routeKey(p string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	if first == "" {
		return "$default"
	}
	return "ANY /" + first + "/{proxy+}"
}

// isText: API Gateway passes these bodies as text; the rest base64.
func isText(ct string) bool {
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	if strings.HasPrefix(mt, "text/") {
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded", "application/graphql":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+xml")
}

func requestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Write writes resp to w as API Gateway would: headers, multi-value
// headers, cookies as Set-Cookie, the body decoded from base64 when so
// marked, 200 when no status is set.
func Write(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) error {
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			writeMessage(w, http.StatusInternalServerError, "Internal Server Error")
			return err
		}
		body = b
	}
	if h.Get("Content-Type") == "" && len(body) > 0 {
		h.Set("Content-Type", "application/json")
	}
	status := resp.StatusCode
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, err := w.Write(body)
	return err
}
