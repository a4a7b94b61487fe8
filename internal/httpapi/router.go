// Package httpapi is the chat's HTTP API: incoming webhooks (webhooks.go)
// and the bot API (bots.go). One Lambda (functions/httpapi) answers every
// route of one API Gateway HTTP API (payload format 2.0); locally the same
// handler runs behind internal/local/httpgw.
//
// The router is net/http-free: it matches events.APIGatewayV2HTTPRequest
// by method and path pattern and returns events.APIGatewayV2HTTPResponse.
// Handlers return an error to refuse a request: a *chat.Error (the domain's
// coded errors) or a *StatusError (HTTP-only refusals: 401, 415, ...). Both
// become a JSON body {"error":{"code","message"}} with the matching status.
//
// Adding routes from another file (bots.go):
//
//	func (a *API) botRoutes() {
//		a.handle("POST /api/v1/messages", a.postMessage)
//	}
//
// and one line in (*API).routes below. Patterns are "METHOD /path" where a
// segment "{name}" matches one non-empty segment (r.Param("name")); the
// first registered match wins.
package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// DefaultMaxBodyBytes is the largest request body a route reads unless
// Config says otherwise (API Gateway's own limit is 10 MB).
const DefaultMaxBodyBytes = 64 << 10

// Config is what the API needs.
type Config struct {
	// Chat is the service every route calls (webhooks post through its
	// send path, bots act through it).
	Chat   *service.Chat
	Logger *slog.Logger
	// MaxBodyBytes caps a request body (decoded); 0 is DefaultMaxBodyBytes.
	MaxBodyBytes int
	// VisitorWSURL is the WebSocket URL a widget's visitor connects to
	// (the session route's wsUrl; widget.go).
	VisitorWSURL string
}

// API routes the HTTP API's requests.
type API struct {
	chat    *service.Chat
	log     *slog.Logger
	maxBody int
	table   []route
	bots    botState // bots.go
	// visitorWSURL is Config.VisitorWSURL (widget.go).
	visitorWSURL string
}

// HandlerFunc answers one matched request.
type HandlerFunc func(ctx context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error)

type route struct {
	method   string
	segments []string
	pattern  string
	h        HandlerFunc
}

// New builds the API with every route registered.
func New(cfg Config) (*API, error) {
	if cfg.Logger == nil {
		return nil, errors.New("httpapi: nil logger")
	}
	a := &API{chat: cfg.Chat, log: cfg.Logger, maxBody: cfg.MaxBodyBytes, visitorWSURL: cfg.VisitorWSURL}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBodyBytes
	}
	a.routes()
	return a, nil
}

// routes registers every route: one line per feature file.
func (a *API) routes() {
	a.webhookRoutes() // webhooks.go: POST /hooks/{id}/{secret}
	a.botRoutes()     // bots.go: /api/v1/...
	a.commandRoutes() // commands.go: POST /api/v1/commands/respond/{token}
	a.widgetRoutes()  // widget.go: /widget/v1/{widgetId}/... (issue #17)
}

// handle registers h for pattern "METHOD /a/{b}/c". It panics on a
// malformed pattern (a programming error, caught by any test of New).
func (a *API) handle(pattern string, h HandlerFunc) {
	method, p, ok := strings.Cut(pattern, " ")
	if !ok || method == "" || !strings.HasPrefix(p, "/") || h == nil {
		panic(fmt.Sprintf("httpapi: bad route pattern %q", pattern))
	}
	a.table = append(a.table, route{method: strings.ToUpper(method), segments: splitPath(p), pattern: pattern, h: h})
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// match returns the params of path under r, or false.
func (r route) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(r.segments) {
		return nil, false
	}
	var params map[string]string
	for i, s := range r.segments {
		if strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") {
			if segs[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-1]] = segs[i]
			continue
		}
		if s != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// Request is a matched request with its body decoded.
type Request struct {
	Event  events.APIGatewayV2HTTPRequest
	Method string
	Path   string
	Body   []byte
	params map[string]string
	// Pattern is the route that matched ("POST /hooks/{id}/{secret}").
	Pattern string
}

// Param is the path segment the route named {name}.
func (r *Request) Param(name string) string { return r.params[name] }

// Header is a request header (API Gateway lower-cases their names).
func (r *Request) Header(name string) string {
	name = strings.ToLower(name)
	if v, ok := r.Event.Headers[name]; ok {
		return v
	}
	for k, v := range r.Event.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// SourceIP is the caller's address as API Gateway saw it.
func (r *Request) SourceIP() string { return r.Event.RequestContext.HTTP.SourceIP }

// DecodeJSON decodes the body into v: the content type must be
// application/json (415 otherwise) and the body one JSON value (400 with
// the reason otherwise).
func (r *Request) DecodeJSON(v any) error {
	ct := r.Header("content-type")
	mt, _, err := mime.ParseMediaType(ct)
	if ct == "" || err != nil || mt != "application/json" {
		return Errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "the body must be JSON (Content-Type: application/json), not %q", ct)
	}
	if len(r.Body) == 0 {
		return chat.Errorf(chat.Invalid, "the body is empty; send a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(string(r.Body)))
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return chat.Errorf(chat.Invalid, "the body is not valid JSON (at byte %d): %v", syn.Offset, err)
		case errors.As(err, &typ):
			if typ.Field != "" {
				return chat.Errorf(chat.Invalid, "field %q must be a JSON %s, not %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
			}
			return chat.Errorf(chat.Invalid, "the body must be a JSON object, not %s", typ.Value)
		default:
			return chat.Errorf(chat.Invalid, "the body is not valid JSON: %v", err)
		}
	}
	if dec.More() {
		return chat.Errorf(chat.Invalid, "the body must hold one JSON value")
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	case "bool":
		return "boolean"
	default:
		return "number"
	}
}

// StatusError is an HTTP-only refusal (the domain's codes have no 401 or
// 415): its status, a machine code and a message safe to show.
type StatusError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// Errorf builds a StatusError.
func Errorf(status int, code, format string, args ...any) *StatusError {
	return &StatusError{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// statusOf maps a domain code to its HTTP status.
func statusOf(code chat.Code) int {
	switch code {
	case chat.Invalid:
		return http.StatusBadRequest
	case chat.NotFound:
		return http.StatusNotFound
	case chat.Forbidden, chat.TermsRequired:
		return http.StatusForbidden
	case chat.Conflict:
		return http.StatusConflict
	case chat.TooLarge:
		return http.StatusRequestEntityTooLarge
	case chat.RateLimited:
		return http.StatusTooManyRequests
	case chat.Rejected: // the review hook denied the message: the caller's content, not the server
		return http.StatusUnprocessableEntity
	case chat.SessionExpired:
		return http.StatusUnauthorized
	default:
		return http.StatusInternalServerError
	}
}

// ErrorBody is the JSON body of every refusal.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the refusal: a machine code and a message for people.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Until, on rate_limited, is when the caller may try again.
	Until *time.Time `json:"until,omitempty"`
}

// ErrorResponse is the response for err.
func ErrorResponse(err error) events.APIGatewayV2HTTPResponse {
	var se *StatusError
	if errors.As(err, &se) {
		resp := JSON(se.Status, ErrorBody{Error: ErrorDetail{Code: se.Code, Message: se.Message}})
		if se.RetryAfter > 0 {
			resp.Headers["retry-after"] = strconv.Itoa(int((se.RetryAfter + time.Second - 1) / time.Second))
		}
		return resp
	}
	code := chat.ErrorCode(err)
	d := ErrorDetail{Code: string(code), Message: chat.ErrorMessage(err)}
	if code == chat.Internal {
		d.Code = string(chat.Internal)
	}
	resp := JSON(statusOf(code), ErrorBody{Error: d})
	if until := chat.ErrorUntil(err); !until.IsZero() {
		d.Until = &until
		resp = JSON(statusOf(code), ErrorBody{Error: d})
		if wait := time.Until(until); wait > 0 {
			resp.Headers["retry-after"] = strconv.Itoa(int((wait + time.Second - 1) / time.Second))
		}
	} else if code == chat.RateLimited {
		resp.Headers["retry-after"] = "1"
	}
	return resp
}

// JSON is a response with v as its JSON body.
func JSON(status int, v any) events.APIGatewayV2HTTPResponse {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers: map[string]string{
			"content-type":           "application/json; charset=utf-8",
			"cache-control":          "no-store",
			"x-content-type-options": "nosniff",
		},
		Body: string(body),
	}
}

// Handle answers one request: the Lambda handler.
func (a *API) Handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	method := strings.ToUpper(ev.RequestContext.HTTP.Method)
	path := ev.RawPath
	if path == "" {
		path = ev.RequestContext.HTTP.Path
	}
	segs := splitPath(path)
	var allowed []string
	for _, rt := range a.table {
		params, ok := rt.match(segs)
		if !ok {
			continue
		}
		if rt.method != method {
			allowed = append(allowed, rt.method)
			continue
		}
		req := &Request{Event: ev, Method: method, Path: path, params: params, Pattern: rt.pattern}
		body, err := a.body(ev)
		if err != nil {
			return a.fail(ctx, req, err), nil
		}
		req.Body = body
		resp, err := rt.h(ctx, req)
		if err != nil {
			return a.fail(ctx, req, err), nil
		}
		return resp, nil
	}
	if len(allowed) > 0 {
		resp := ErrorResponse(Errorf(http.StatusMethodNotAllowed, "method_not_allowed", "%s is not allowed here; use %s", method, strings.Join(allowed, ", ")))
		resp.Headers["allow"] = strings.Join(allowed, ", ")
		return resp, nil
	}
	return ErrorResponse(Errorf(http.StatusNotFound, "no_route", "no route for %s %s", method, redact(path))), nil
}

// body decodes the request body and holds it to the size limit.
func (a *API) body(ev events.APIGatewayV2HTTPRequest) ([]byte, error) {
	raw := ev.Body
	if !ev.IsBase64Encoded {
		if len(raw) > a.maxBody {
			return nil, chat.Errorf(chat.TooLarge, "the body is %d bytes; the limit is %d", len(raw), a.maxBody)
		}
		return []byte(raw), nil
	}
	if base64.StdEncoding.DecodedLen(len(raw)) > a.maxBody+3 {
		return nil, chat.Errorf(chat.TooLarge, "the body is over the limit of %d bytes", a.maxBody)
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, chat.Errorf(chat.Invalid, "the body is marked base64 but is not")
	}
	if len(b) > a.maxBody {
		return nil, chat.Errorf(chat.TooLarge, "the body is %d bytes; the limit is %d", len(b), a.maxBody)
	}
	return b, nil
}

// fail turns err into its response, logging internal errors (never the
// path: a webhook's path holds its secret).
func (a *API) fail(ctx context.Context, r *Request, err error) events.APIGatewayV2HTTPResponse {
	var se *StatusError
	if !errors.As(err, &se) && chat.ErrorCode(err) == chat.Internal {
		a.log.LogAttrs(ctx, slog.LevelError, "http api request failed",
			slog.String("route", r.Pattern), slog.String("requestId", r.Event.RequestContext.RequestID), slog.String("error", err.Error()))
	}
	return ErrorResponse(err)
}

// redact keeps the first two segments of a path for an error message:
// a mistyped webhook URL must not echo its secret.
func redact(p string) string {
	segs := splitPath(p)
	if len(segs) > 2 {
		return "/" + strings.Join(segs[:2], "/") + "/…"
	}
	return p
}
