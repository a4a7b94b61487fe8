package httpapi_test

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/httpapi"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
	"github.com/backchannel-chat/backchannel/internal/visitor"
	"github.com/backchannel-chat/backchannel/internal/visitor/vtoken"
)

const shopOrigin = "https://shop.example.com"

type widgetWorld struct {
	t      *testing.T
	api    *httpapi.API
	svc    *service.Chat
	keys   *visitor.Keys
	widget chat.Widget
	secret []byte
}

func newWidgetWorld(t *testing.T, limits service.VisitorLimits) *widgetWorld {
	t.Helper()
	ctx := context.Background()
	store := chattest.NewStore()
	svc, err := service.New(service.Config{Store: store, Fanout: chattest.NewFanout(), RatePerWindow: 1000})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := visitor.NewKeys([]byte("widget-route-test-master-key-0123456789"))
	if err != nil {
		t.Fatal(err)
	}
	svc.SetVisitorKeys(visitor.Static{K: keys})
	if limits.Difficulty == 0 {
		limits.Difficulty = visitor.MinDifficulty
	}
	svc.SetVisitorLimits(limits)
	admin := chat.Connection{ID: "c-admin", Identity: chat.Identity{UserID: "admin", Username: "admin", DisplayName: "Admin", Groups: []string{chat.GroupAdmins}}}
	if err := svc.Connect(ctx, admin); err != nil {
		t.Fatal(err)
	}
	ev, err := svc.CreateWidget(ctx, admin, protocol.WidgetRequest{Widget: chat.Widget{Name: "Shop", AllowedOrigins: []string{"https://Shop.Example.com/"},
		Languages: []string{"en", "de"}, PreChat: []string{"name", "topic"}, Topics: []chat.WidgetTopic{{ID: "billing", Label: "Billing", TeamID: "team_billing"}},
		Greeting: map[string]string{"en": "Hi there"}}})
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := hex.DecodeString(ev.IdentitySecret)
	api, err := httpapi.New(httpapi.Config{Chat: svc, Logger: slog.New(slog.DiscardHandler), VisitorWSURL: "wss://ws.example.com/prod"})
	if err != nil {
		t.Fatal(err)
	}
	return &widgetWorld{t: t, api: api, svc: svc, keys: keys, widget: ev.Widget, secret: secret}
}

type widgetResp struct {
	status int
	header map[string]string
	body   map[string]any
}

func (w *widgetWorld) do(method, path, origin, ip string, body any) widgetResp {
	w.t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Headers: map[string]string{}}
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path, ev.RequestContext.HTTP.SourceIP = method, path, ip
	if origin != "" {
		ev.Headers["origin"] = origin
	}
	if body != nil {
		b, _ := json.Marshal(body)
		ev.Body = string(b)
		ev.Headers["content-type"] = "application/json"
	}
	resp, err := w.api.Handle(context.Background(), ev)
	if err != nil {
		w.t.Fatal(err)
	}
	out := widgetResp{status: resp.StatusCode, header: resp.Headers}
	if resp.Body != "" {
		if err := json.Unmarshal([]byte(resp.Body), &out.body); err != nil {
			w.t.Fatalf("%s %s: body %q: %v", method, path, resp.Body, err)
		}
	}
	return out
}

func (w *widgetWorld) path(op string) string { return "/widget/v1/" + w.widget.ID + "/" + op }

// solved gets a challenge and solves it.
func (w *widgetWorld) solved(ip string) map[string]any {
	w.t.Helper()
	r := w.do("POST", w.path("challenge"), shopOrigin, ip, nil)
	if r.status != http.StatusOK {
		w.t.Fatalf("challenge: %d %v", r.status, r.body)
	}
	ch := r.body["challenge"].(string)
	return map[string]any{"challenge": ch, "nonce": visitor.Solve(ch, int(r.body["difficulty"].(float64)))}
}

func errCode(r widgetResp) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

func TestWidgetConfigCORS(t *testing.T) {
	w := newWidgetWorld(t, service.VisitorLimits{})
	r := w.do("GET", w.path("config"), shopOrigin, "203.0.113.1", nil)
	if r.status != http.StatusOK || r.header["access-control-allow-origin"] != shopOrigin || r.header["vary"] != "Origin" {
		t.Fatalf("config: %d %v %v", r.status, r.header, r.body)
	}
	if r.body["id"] != w.widget.ID || r.body["greeting"].(map[string]any)["en"] != "Hi there" || len(r.body["topics"].([]any)) != 1 {
		t.Errorf("config body %v", r.body)
	}
	if _, leaked := r.body["allowedOrigins"]; leaked {
		t.Errorf("the public config shows the allowed origins")
	}
	for _, tc := range []struct{ name, path, origin string }{
		{"other origin", w.path("config"), "https://evil.example.net"},
		{"same host over http", w.path("config"), "http://shop.example.com"},
		{"no origin", w.path("config"), ""},
		{"unknown widget", "/widget/v1/wid_nope/config", shopOrigin},
		{"preflight from other origin", w.path("session"), "https://evil.example.net"},
	} {
		method := "GET"
		if tc.name == "preflight from other origin" {
			method = "OPTIONS"
		}
		r := w.do(method, tc.path, tc.origin, "203.0.113.1", nil)
		if r.status != http.StatusForbidden || errCode(r) != "forbidden" || r.body["error"].(map[string]any)["message"] != "origin not allowed" {
			t.Errorf("%s: %d %v", tc.name, r.status, r.body)
		}
		if _, ok := r.header["access-control-allow-origin"]; ok {
			t.Errorf("%s: CORS header on a refusal", tc.name)
		}
	}
	if r := w.do("OPTIONS", w.path("session"), shopOrigin, "203.0.113.1", nil); r.status != http.StatusNoContent || r.header["access-control-allow-origin"] != shopOrigin || r.header["access-control-allow-headers"] != "content-type" || r.header["access-control-allow-methods"] != "GET, POST" {
		t.Errorf("preflight: %d %v", r.status, r.header)
	}
}

func TestWidgetSessionProofOfWork(t *testing.T) {
	w := newWidgetWorld(t, service.VisitorLimits{})
	proof := w.solved("203.0.113.1")
	proof["name"] = "Ann"
	r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", proof)
	if r.status != http.StatusCreated || r.header["access-control-allow-origin"] != shopOrigin {
		t.Fatalf("session: %d %v", r.status, r.body)
	}
	claims, _, err := vtoken.Verify(w.keys, r.body["token"].(string), time.Now())
	if err != nil || claims.VisitorID != r.body["visitorId"] || claims.Origin != shopOrigin || claims.WidgetID != w.widget.ID || claims.Name != "Ann" || claims.Identified {
		t.Fatalf("token claims %+v, %v", claims, err)
	}
	if !visitor.IsVisitorID(claims.VisitorID) || r.body["wsUrl"] != "wss://ws.example.com/prod" || r.body["resumeToken"] == "" {
		t.Errorf("session body %v", r.body)
	}
	// The same proof buys one session only.
	if again := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", proof); again.status != http.StatusUnauthorized || errCode(again) != "session_expired" {
		t.Errorf("reused challenge: %d %v", again.status, again.body)
	}
	// A nonce that does not solve it.
	short := w.solved("203.0.113.1")
	ch := short["challenge"].(string)
	bad := "x"
	for visitor.LeadingZeroBits(ch, bad) >= visitor.MinDifficulty {
		bad += "x"
	}
	short["nonce"] = bad
	if r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", short); r.status != http.StatusBadRequest || errCode(r) != "invalid" {
		t.Errorf("short proof: %d %v", r.status, r.body)
	}
	if r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", map[string]any{}); r.status != http.StatusBadRequest {
		t.Errorf("no proof: %d %v", r.status, r.body)
	}
	// A bad origin is refused before anything else, a body that is not
	// JSON too.
	if r := w.do("POST", w.path("session"), "https://evil.example.net", "203.0.113.1", "not an object"); r.status != http.StatusForbidden {
		t.Errorf("bad origin, bad body: %d %v", r.status, r.body)
	}
	if r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", "not an object"); r.status != http.StatusBadRequest || r.header["access-control-allow-origin"] != shopOrigin {
		t.Errorf("good origin, bad body: %d %v", r.status, r.body)
	}
	if r := w.do("POST", w.path("session"), "https://evil.example.net", "203.0.113.1", w.solved("203.0.113.1")); r.status != http.StatusForbidden {
		t.Errorf("bad origin: %d %v", r.status, r.body)
	}
}

func TestWidgetSessionRateLimits(t *testing.T) {
	w := newWidgetWorld(t, service.VisitorLimits{SessionsPerIP: 2, SessionsPerWidget: 3, ChallengesPerIP: 100})
	for i := range 2 {
		if r := w.do("POST", w.path("session"), shopOrigin, "198.51.100.7", w.solved("198.51.100.7")); r.status != http.StatusCreated {
			t.Fatalf("session %d: %d %v", i, r.status, r.body)
		}
	}
	r := w.do("POST", w.path("session"), shopOrigin, "198.51.100.7", w.solved("198.51.100.7"))
	if r.status != http.StatusTooManyRequests || errCode(r) != "rate_limited" || r.header["retry-after"] == "" || r.header["access-control-allow-origin"] != shopOrigin {
		t.Fatalf("third from one IP: %d %v %v", r.status, r.header, r.body)
	}
	// Another address still gets one, until the widget's own limit.
	if r := w.do("POST", w.path("session"), shopOrigin, "198.51.100.8", w.solved("198.51.100.8")); r.status != http.StatusCreated {
		t.Fatalf("other IP: %d %v", r.status, r.body)
	}
	if r := w.do("POST", w.path("session"), shopOrigin, "198.51.100.9", w.solved("198.51.100.9")); r.status != http.StatusTooManyRequests {
		t.Fatalf("past the widget's limit: %d %v", r.status, r.body)
	}
}

func TestWidgetSessionResume(t *testing.T) {
	w := newWidgetWorld(t, service.VisitorLimits{})
	proof := w.solved("203.0.113.1")
	proof["name"], proof["email"] = "Ann", "ann@example.com"
	first := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", proof)
	if first.status != http.StatusCreated {
		t.Fatalf("session: %d %v", first.status, first.body)
	}
	resume := first.body["resumeToken"].(string)
	second := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", map[string]any{"resumeToken": resume})
	if second.status != http.StatusCreated || second.body["visitorId"] != first.body["visitorId"] || second.body["resumeToken"] == resume {
		t.Fatalf("resume: %d %v", second.status, second.body)
	}
	if c, _, _ := vtoken.Verify(w.keys, second.body["token"].(string), time.Now()); c.Name != "Ann" || c.Email != "ann@example.com" {
		t.Errorf("resumed claims %+v", c)
	}
	// The old token was rotated away.
	if r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", map[string]any{"resumeToken": resume}); r.status != http.StatusUnauthorized || errCode(r) != "session_expired" {
		t.Errorf("old resume token: %d %v", r.status, r.body)
	}
	if r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", map[string]any{"resumeToken": "vrt_garbage"}); r.status != http.StatusBadRequest {
		t.Errorf("malformed resume token: %d %v", r.status, r.body)
	}
}

func TestWidgetSessionIdentifiedVisitor(t *testing.T) {
	w := newWidgetWorld(t, service.VisitorLimits{})
	now := time.Now()
	sign := func(userID, email string, ts int64, secret []byte) map[string]any {
		return map[string]any{"userId": userID, "email": email, "name": "Ann Shopper", "ts": ts, "signature": visitor.SignIdentity(secret, userID, email, ts)}
	}
	body := w.solved("203.0.113.1")
	body["identity"] = sign("cust-42", "ann@example.com", now.Unix(), w.secret)
	r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.1", body)
	if r.status != http.StatusCreated || r.body["identified"] != true {
		t.Fatalf("identified: %d %v", r.status, r.body)
	}
	c, _, _ := vtoken.Verify(w.keys, r.body["token"].(string), now)
	if !c.Identified || c.Email != "ann@example.com" || c.Name != "Ann Shopper" || c.VisitorID != w.keys.IdentifiedVisitorID(w.widget.ID, "cust-42") {
		t.Errorf("claims %+v", c)
	}
	// The same user on another device is the same visitor.
	body = w.solved("203.0.113.2")
	body["identity"] = sign("cust-42", "ann@example.com", now.Unix(), w.secret)
	if r2 := w.do("POST", w.path("session"), shopOrigin, "203.0.113.2", body); r2.body["visitorId"] != r.body["visitorId"] {
		t.Errorf("second device: %v vs %v", r2.body["visitorId"], r.body["visitorId"])
	}
	for _, tc := range []struct {
		name string
		id   map[string]any
	}{
		{"bad signature", func() map[string]any {
			m := sign("cust-42", "ann@example.com", now.Unix(), w.secret)
			m["email"] = "eve@example.com"
			return m
		}()},
		{"wrong secret", sign("cust-42", "ann@example.com", now.Unix(), []byte("not-the-secret"))},
		{"stale", sign("cust-42", "ann@example.com", now.Add(-visitor.IdentityMaxAge-time.Minute).Unix(), w.secret)},
		{"future", sign("cust-42", "ann@example.com", now.Add(time.Hour).Unix(), w.secret)},
	} {
		body := w.solved("203.0.113.3")
		body["identity"] = tc.id
		r := w.do("POST", w.path("session"), shopOrigin, "203.0.113.3", body)
		if r.status != http.StatusForbidden || errCode(r) != "forbidden" {
			t.Errorf("%s: %d %v", tc.name, r.status, r.body)
		}
	}
	_ = strconv.Itoa
}

// TestWidgetViewerAddressBehindCloudFront: behind CloudFront the per-IP
// limit counts the viewer's address (CloudFront-Viewer-Address), not the
// edge's.
func TestWidgetViewerAddressBehindCloudFront(t *testing.T) {
	w := newWidgetWorld(t, service.VisitorLimits{SessionsPerIP: 1, ChallengesPerIP: 100})
	post := func(viewer string) int {
		proof := w.solved("10.0.0.1")
		ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: w.path("session"), Headers: map[string]string{
			"origin": shopOrigin, "content-type": "application/json", "cloudfront-viewer-address": viewer}}
		ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.SourceIP = "POST", "10.0.0.1" // the edge
		b, _ := json.Marshal(proof)
		ev.Body = string(b)
		resp, err := w.api.Handle(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	if s := post("198.51.100.1:4711"); s != http.StatusCreated {
		t.Fatalf("first viewer: %d", s)
	}
	if s := post("198.51.100.2:4711"); s != http.StatusCreated {
		t.Fatalf("second viewer behind the same edge: %d", s)
	}
	if s := post("198.51.100.1:5000"); s != http.StatusTooManyRequests {
		t.Fatalf("first viewer again: %d", s)
	}
}
