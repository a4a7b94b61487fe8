package httpgw_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/local/httpgw"
)

func TestGatewayBuildsPayloadV2AndWritesTheResponse(t *testing.T) {
	var got events.APIGatewayV2HTTPRequest
	srv := httptest.NewServer(httpgw.New(func(_ context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		got = ev
		return events.APIGatewayV2HTTPResponse{
			StatusCode:        201,
			Headers:           map[string]string{"content-type": "text/plain", "x-one": "1"},
			MultiValueHeaders: map[string][]string{"x-many": {"a", "b"}},
			Cookies:           []string{"k=v; Path=/"},
			Body:              base64.StdEncoding.EncodeToString([]byte("bin\x00ary")),
			IsBase64Encoded:   true,
		}, nil
	}, nil))
	defer srv.Close()

	r, _ := http.NewRequest("POST", srv.URL+"/hooks/a%2Fb/c?x=1&x=2&y=3", strings.NewReader(`{"text":"hi"}`))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Add("X-Multi", "one")
	r.Header.Add("X-Multi", "two")
	r.Header.Set("Cookie", "a=1; b=2")
	r.Header.Set("User-Agent", "test-agent")
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	if got.Version != "2.0" || got.RawPath != "/hooks/a%2Fb/c" || got.RawQueryString != "x=1&x=2&y=3" {
		t.Errorf("path/query: %q %q %q", got.Version, got.RawPath, got.RawQueryString)
	}
	if got.QueryStringParameters["x"] != "1,2" || got.QueryStringParameters["y"] != "3" {
		t.Errorf("query params: %v", got.QueryStringParameters)
	}
	if got.Headers["content-type"] != "application/json" || got.Headers["x-multi"] != "one,two" || got.Headers["cookie"] != "" {
		t.Errorf("headers: %v", got.Headers)
	}
	if len(got.Cookies) != 2 || got.Cookies[0] != "a=1" || got.Cookies[1] != "b=2" {
		t.Errorf("cookies: %v", got.Cookies)
	}
	h := got.RequestContext.HTTP
	if h.Method != "POST" || h.Path != "/hooks/a/b/c" || h.SourceIP != "127.0.0.1" || h.UserAgent != "test-agent" {
		t.Errorf("http: %+v", h)
	}
	if got.RouteKey != "ANY /hooks/{proxy+}" || got.RequestContext.Stage != "$default" || got.RequestContext.RequestID == "" || got.RequestContext.TimeEpoch == 0 {
		t.Errorf("context: %q %+v", got.RouteKey, got.RequestContext)
	}
	if got.IsBase64Encoded || got.Body != `{"text":"hi"}` {
		t.Errorf("a JSON body is passed as text: %v %q", got.IsBase64Encoded, got.Body)
	}

	if resp.StatusCode != 201 || string(body) != "bin\x00ary" || resp.Header.Get("X-One") != "1" {
		t.Errorf("response: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if m := resp.Header.Values("X-Many"); len(m) != 2 || resp.Header.Get("Set-Cookie") != "k=v; Path=/" {
		t.Errorf("multi-value headers/cookies: %v", resp.Header)
	}
}

func TestGatewayBase64EncodesBinaryBodies(t *testing.T) {
	g := httpgw.New(nil, nil)
	payload := []byte{0, 1, 2, 0xff}
	r := httptest.NewRequest("PUT", "/api/x", bytes.NewReader(payload))
	r.Header.Set("Content-Type", "image/png")
	ev, err := g.Request(r)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.IsBase64Encoded || ev.Body != base64.StdEncoding.EncodeToString(payload) {
		t.Fatalf("binary body: %v %q", ev.IsBase64Encoded, ev.Body)
	}
	r = httptest.NewRequest("POST", "/api/x", strings.NewReader("a=b"))
	ev, _ = g.Request(r) // no content type: API Gateway passes it base64
	if !ev.IsBase64Encoded {
		t.Fatal("untyped body not base64")
	}
}

func TestGatewayAnswersHandlerErrorsAsAPIGatewayDoes(t *testing.T) {
	g := httpgw.New(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{}, errors.New("boom")
	}, nil)
	w := httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("GET", "/api/x", nil))
	if w.Code != 500 || !strings.Contains(w.Body.String(), "Internal Server Error") {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("POST", "/api/x", bytes.NewReader(make([]byte, httpgw.MaxBodyBytes+1))))
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("over 10 MB: %d", w.Code)
	}
	// No status: 200.
	g = httpgw.New(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		return events.APIGatewayV2HTTPResponse{Body: "{}"}, nil
	}, nil)
	w = httptest.NewRecorder()
	g.ServeHTTP(w, httptest.NewRequest("GET", "/api/x", nil))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("default status: %d %v", w.Code, w.Header())
	}
}
