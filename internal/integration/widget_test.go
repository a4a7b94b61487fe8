package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/visitor"
)

const widgetShop = "https://shop.example.com"

// widgetHTTP sends one request to the HTTP API with an Origin header.
func widgetHTTP(t *testing.T, method, u, origin string, body any) (int, http.Header, map[string]any) {
	t.Helper()
	var rd *bytes.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, u, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, resp.Header, out
}

// dialVisitor opens the WebSocket as a browser on origin would.
func dialVisitor(t *testing.T, wsURL, token, origin string) (*websocket.Conn, int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	h := http.Header{}
	h.Set("Origin", origin)
	conn, resp, err := websocket.Dial(ctx, wsURL+"?token="+url.QueryEscape(token), &websocket.DialOptions{HTTPHeader: h})
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	return conn, status, err
}

// TestWidgetVisitorSessionAndConnect: an admin creates a widget over the
// WebSocket; from its allowed origin a visitor reads the config, solves the
// proof of work and gets a session over the local HTTP API (real socket),
// then connects through the local gateway with the visitor token and
// Origin, and is the visitor (group visitors, its widget) in getState. An
// origin not allowed is refused at the session route (403) and at $connect
// (the token from another origin: 401; the origin removed from the widget
// afterwards: 403).
func TestWidgetVisitorSessionAndConnect(t *testing.T) {
	s := newStackWithConfig(t, generousLimits, "", func(c *app.Config) {
		c.Visitor = app.VisitorKeyConfig{Key: "integration-test-visitor-master-key-0123456789"}
	})
	adm := s.staff(s.newUser("wadm", "Widget Admin"), chat.GroupAdmins)
	admin := s.connect(adm)
	created := admin.call("createWidget", map[string]any{"widget": map[string]any{"name": "Shop", "allowedOrigins": []string{widgetShop},
		"languages": []string{"en", "de"}, "greeting": map[string]string{"en": "Hi!"}}}, "widget")
	w := created.fields["widget"].(map[string]any)
	wid := w["id"].(string)
	if created.fields["identitySecret"] == "" || wid == "" {
		t.Fatalf("createWidget: %v", created)
	}
	base := s.httpAPI() + "/widget/v1/" + wid

	status, hdr, cfg := widgetHTTP(t, "GET", base+"/config", widgetShop, nil)
	if status != 200 || hdr.Get("Access-Control-Allow-Origin") != widgetShop || cfg["greeting"].(map[string]any)["en"] != "Hi!" {
		t.Fatalf("config: %d %v %v", status, hdr, cfg)
	}
	if status, hdr, body := widgetHTTP(t, "GET", base+"/config", "https://evil.example.net", nil); status != 403 || hdr.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("config from another origin: %d %v %v", status, hdr, body)
	}
	status, _, ch := widgetHTTP(t, "POST", base+"/challenge", widgetShop, nil)
	if status != 200 {
		t.Fatalf("challenge: %d %v", status, ch)
	}
	proof := map[string]any{"challenge": ch["challenge"], "nonce": visitor.Solve(ch["challenge"].(string), int(ch["difficulty"].(float64))), "name": "Ann"}
	if status, _, body := widgetHTTP(t, "POST", base+"/session", "https://evil.example.net", proof); status != 403 {
		t.Fatalf("session from another origin: %d %v", status, body)
	}
	status, _, sess := widgetHTTP(t, "POST", base+"/session", widgetShop, proof)
	if status != 201 || sess["token"] == "" {
		t.Fatalf("session: %d %v", status, sess)
	}
	token, visitorID := sess["token"].(string), sess["visitorId"].(string)

	conn, st, err := dialVisitor(t, s.gw.URL(), token, widgetShop)
	if err != nil {
		t.Fatalf("visitor connect: %d %v", st, err)
	}
	vis := newClient(t, "visitor", conn)
	state := vis.call("getState", nil, "state")
	if !bytes.Contains(state.raw, []byte(visitorID)) {
		t.Errorf("getState of the visitor does not name it: %s", state.raw)
	}
	vis.callError("createChannel", map[string]any{"name": "visitors-room"}, "forbidden")

	// The same token from a page on another origin: refused by the authorizer.
	if _, st, err := dialVisitor(t, s.gw.URL(), token, "https://evil.example.net"); err == nil || st != 401 {
		t.Errorf("visitor token from another origin: status %d, %v; want 401", st, err)
	}
	// The admin removes the origin: the widget's visitors cannot connect again.
	w["allowedOrigins"] = []string{"https://other.example.com"}
	admin.call("updateWidget", map[string]any{"widget": w}, "widget")
	if _, st, err := dialVisitor(t, s.gw.URL(), token, widgetShop); err == nil || st != 403 {
		t.Errorf("visitor after its origin was removed: status %d, %v; want 403", st, err)
	}
}
