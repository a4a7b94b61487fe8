package httpapi

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func newTestAPI(t *testing.T, max int) *API {
	t.Helper()
	a, err := New(Config{Logger: slog.New(slog.DiscardHandler), MaxBodyBytes: max})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func req(method, path, ct, body string) events.APIGatewayV2HTTPRequest {
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Body: body, Headers: map[string]string{}}
	ev.RequestContext.HTTP.Method = method
	ev.RequestContext.HTTP.Path = path
	if ct != "" {
		ev.Headers["content-type"] = ct
	}
	return ev
}

func errorOf(t *testing.T, resp events.APIGatewayV2HTTPResponse) ErrorDetail {
	t.Helper()
	if ct := resp.Headers["content-type"]; !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("content-type %q", ct)
	}
	var b ErrorBody
	if err := json.Unmarshal([]byte(resp.Body), &b); err != nil {
		t.Fatalf("error body %q: %v", resp.Body, err)
	}
	return b.Error
}

func TestRouterMatchesMethodAndPattern(t *testing.T) {
	a := newTestAPI(t, 0)
	a.table = nil
	var got string
	a.handle("POST /x/{id}/{secret}", func(_ context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
		got = r.Param("id") + ":" + r.Param("secret") + ":" + string(r.Body)
		return JSON(http.StatusCreated, map[string]bool{"ok": true}), nil
	})
	a.handle("GET /x/list", func(context.Context, *Request) (events.APIGatewayV2HTTPResponse, error) {
		return JSON(http.StatusOK, nil), nil
	})
	ctx := context.Background()

	resp, _ := a.Handle(ctx, req("POST", "/x/abc/s3cr3t", "application/json", "{}"))
	if resp.StatusCode != http.StatusCreated || got != "abc:s3cr3t:{}" {
		t.Fatalf("match: %d %q", resp.StatusCode, got)
	}
	resp, _ = a.Handle(ctx, req("GET", "/x/abc/s3cr3t", "", ""))
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Headers["allow"] != "POST" || errorOf(t, resp).Code != "method_not_allowed" {
		t.Fatalf("wrong method: %d %v %s", resp.StatusCode, resp.Headers, resp.Body)
	}
	resp, _ = a.Handle(ctx, req("POST", "/x/abc/s3cr3t/extra", "", ""))
	if resp.StatusCode != http.StatusNotFound || errorOf(t, resp).Code != "no_route" {
		t.Fatalf("no route: %d %s", resp.StatusCode, resp.Body)
	}
	if strings.Contains(resp.Body, "s3cr3t") {
		t.Fatalf("the 404 echoes the path's secret: %s", resp.Body)
	}
	resp, _ = a.Handle(ctx, req("POST", "/x//s3cr3t", "", ""))
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("empty segment matched: %d", resp.StatusCode)
	}
}

func TestRouterDecodesBase64AndLimitsBodies(t *testing.T) {
	a := newTestAPI(t, 8)
	a.table = nil
	var body string
	a.handle("POST /b", func(_ context.Context, r *Request) (events.APIGatewayV2HTTPResponse, error) {
		body = string(r.Body)
		return JSON(200, nil), nil
	})
	ctx := context.Background()
	ev := req("POST", "/b", "application/octet-stream", base64.StdEncoding.EncodeToString([]byte("\x00hi")))
	ev.IsBase64Encoded = true
	if resp, _ := a.Handle(ctx, ev); resp.StatusCode != 200 || body != "\x00hi" {
		t.Fatalf("base64: %d %q", resp.StatusCode, body)
	}
	for _, b64 := range []bool{false, true} {
		ev := req("POST", "/b", "application/json", "123456789")
		if b64 {
			ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString([]byte(ev.Body)), true
		}
		resp, _ := a.Handle(ctx, ev)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || errorOf(t, resp).Code != string(chat.TooLarge) {
			t.Fatalf("base64=%v: over the limit: %d %s", b64, resp.StatusCode, resp.Body)
		}
	}
	ev = req("POST", "/b", "application/json", "!!notbase64")
	ev.IsBase64Encoded = true
	if resp, _ := a.Handle(ctx, ev); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad base64: %d", resp.StatusCode)
	}
}

func TestErrorResponsesMapDomainCodes(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{chat.Errorf(chat.Invalid, "bad"), 400, "invalid"},
		{chat.Errorf(chat.NotFound, "no"), 404, "not_found"},
		{chat.Errorf(chat.Forbidden, "no"), 403, "forbidden"},
		{chat.Errorf(chat.Conflict, "no"), 409, "conflict"},
		{chat.Errorf(chat.TooLarge, "no"), 413, "too_large"},
		{chat.Errorf(chat.RateLimited, "slow down"), 429, "rate_limited"},
		{chat.Errorf(chat.Rejected, "no card numbers here"), 422, "rejected"},
		{chat.Wrap(context.DeadlineExceeded, "secret detail"), 500, "internal"},
		{Errorf(http.StatusUnauthorized, "unauthorized", "wrong secret"), 401, "unauthorized"},
	} {
		resp := ErrorResponse(tc.err)
		d := errorOf(t, resp)
		if resp.StatusCode != tc.status || d.Code != tc.code || d.Message == "" {
			t.Errorf("%v: %d %+v", tc.err, resp.StatusCode, d)
		}
		if strings.Contains(resp.Body, "secret detail") || strings.Contains(resp.Body, "deadline") {
			t.Errorf("internal cause leaked: %s", resp.Body)
		}
	}
	resp := ErrorResponse(&chat.Error{Code: chat.RateLimited, Message: "slow", Until: time.Now().Add(3 * time.Second)})
	if resp.Headers["retry-after"] == "" || errorOf(t, resp).Until == nil {
		t.Fatalf("rate limit without retry-after/until: %v %s", resp.Headers, resp.Body)
	}
}

func TestDecodeJSONExplainsBadBodies(t *testing.T) {
	type in struct {
		Text string `json:"text"`
	}
	for _, tc := range []struct {
		ct, body, code, says string
	}{
		{"text/plain", `{"text":"x"}`, "unsupported_media_type", "Content-Type"},
		{"", `{"text":"x"}`, "unsupported_media_type", "JSON"},
		{"application/json", ``, "invalid", "empty"},
		{"application/json", `{"text":`, "invalid", "not valid JSON"},
		{"application/json", `{"text":5}`, "invalid", `"text" must be a JSON string`},
		{"application/json", `[1]`, "invalid", "object"},
		{"application/json", `{"text":"a"} {}`, "invalid", "one JSON value"},
	} {
		r := &Request{Event: req("POST", "/", tc.ct, tc.body), Body: []byte(tc.body)}
		var v in
		err := r.DecodeJSON(&v)
		d := errorOf(t, ErrorResponse(err))
		if d.Code != tc.code || !strings.Contains(d.Message, tc.says) {
			t.Errorf("%s %q: %+v", tc.ct, tc.body, d)
		}
	}
	r := &Request{Event: req("POST", "/", "application/json; charset=utf-8", ""), Body: []byte(`{"text":"ok"}`)}
	var v in
	if err := r.DecodeJSON(&v); err != nil || v.Text != "ok" {
		t.Fatalf("good body: %v %+v", err, v)
	}
}
