package httpapi_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/httpapi"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

type hookWorld struct {
	t     *testing.T
	api   *httpapi.API
	svc   *service.Chat
	store *chattest.Store
	owner chat.Connection
	room  chat.Room
	path  string
}

func newHookWorld(t *testing.T) *hookWorld {
	t.Helper()
	ctx := context.Background()
	store := chattest.NewStore()
	svc, err := service.New(service.Config{Store: store, Fanout: chattest.NewFanout(), RatePerWindow: 1000, WebhookPerWindow: 5})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Connect(ctx, chat.Connection{ID: "c1", Identity: chat.Identity{UserID: "alice", Username: "alice", DisplayName: "Alice"}}); err != nil {
		t.Fatal(err)
	}
	owner, _ := svc.Connection(ctx, "c1")
	room, err := svc.CreateChannel(ctx, owner, protocol.CreateChannelRequest{Name: "deploys"})
	if err != nil {
		t.Fatal(err)
	}
	ev, err := svc.CreateWebhook(ctx, owner, protocol.CreateWebhookRequest{RoomID: room.Room.ID, Name: "CI"})
	if err != nil {
		t.Fatal(err)
	}
	api, err := httpapi.New(httpapi.Config{Chat: svc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return &hookWorld{t: t, api: api, svc: svc, store: store, owner: owner, room: room.Room.Room, path: ev.Path}
}

func (w *hookWorld) post(path, ct, body string) (int, map[string]any) {
	w.t.Helper()
	ev := events.APIGatewayV2HTTPRequest{Version: "2.0", RawPath: path, Body: body, Headers: map[string]string{}}
	ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = "POST", path
	if ct != "" {
		ev.Headers["content-type"] = ct
	}
	resp, err := w.api.Handle(context.Background(), ev)
	if err != nil {
		w.t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &out); err != nil {
		w.t.Fatalf("body %q: %v", resp.Body, err)
	}
	return resp.StatusCode, out
}

func code(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func TestWebhookEndpoint(t *testing.T) {
	w := newHookWorld(t)
	status, out := w.post(w.path, "application/json", `{"text":"deployed **v2**","username":"Deploy bot","attachments":[{"url":"https://example.com/r","title":"Release"}]}`)
	if status != http.StatusCreated || out["ok"] != true || out["seq"] == nil {
		t.Fatalf("post: %d %v", status, out)
	}
	m, err := w.store.GetMessage(context.Background(), w.room.ID, int64(out["seq"].(float64)))
	if err != nil || m.Integration == nil || m.SenderName != "Deploy bot" || !strings.HasPrefix(m.Text, "deployed **v2**") {
		t.Fatalf("stored: %+v %v", m, err)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(w.path, "/hooks/"), "/")
	for _, tc := range []struct {
		name, path, ct, body string
		status               int
		code                 string
	}{
		{"wrong content type", w.path, "text/plain", `{"text":"x"}`, 415, "unsupported_media_type"},
		{"not JSON", w.path, "application/json", `text=x`, 400, "invalid"},
		{"text not a string", w.path, "application/json", `{"text":1}`, 400, "invalid"},
		{"no text", w.path, "application/json", `{}`, 400, "invalid"},
		{"ftp link", w.path, "application/json", `{"text":"x","attachments":[{"url":"ftp://x/y"}]}`, 400, "invalid"},
		{"too large", w.path, "application/json", `{"text":"` + strings.Repeat("x", httpapi.DefaultMaxBodyBytes) + `"}`, 413, "too_large"},
		{"wrong secret", "/hooks/" + id + "/" + strings.Repeat("A", 43), "application/json", `{"text":"x"}`, 401, "unauthorized"},
		{"unknown webhook", "/hooks/" + w.room.ID + ".wh_nope/" + strings.Repeat("A", 43), "application/json", `{"text":"x"}`, 404, "not_found"},
	} {
		status, out := w.post(tc.path, tc.ct, tc.body)
		if status != tc.status || code(out) != tc.code {
			t.Errorf("%s: %d %v", tc.name, status, out)
		}
		if msg, _ := out["error"].(map[string]any)["message"].(string); msg == "" {
			t.Errorf("%s: no message: %v", tc.name, out)
		}
	}
	// Revoked: 404 "revoked".
	wid := strings.SplitN(id, ".", 2)[1]
	if _, err := w.svc.RevokeWebhook(context.Background(), w.owner, protocol.WebhookRef{RoomID: w.room.ID, WebhookID: wid}); err != nil {
		t.Fatal(err)
	}
	if status, out := w.post(w.path, "application/json", `{"text":"x"}`); status != 404 || code(out) != "revoked" {
		t.Fatalf("revoked: %d %v", status, out)
	}
}

func TestWebhookEndpointRateLimit(t *testing.T) {
	w := newHookWorld(t)
	for i := range 5 {
		if status, out := w.post(w.path, "application/json", `{"text":"x"}`); status != 201 {
			t.Fatalf("post %d: %d %v", i, status, out)
		}
	}
	status, out := w.post(w.path, "application/json", `{"text":"x"}`)
	if status != http.StatusTooManyRequests || code(out) != "rate_limited" {
		t.Fatalf("over the limit: %d %v", status, out)
	}
}
