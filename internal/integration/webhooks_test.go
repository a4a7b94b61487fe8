package integration

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// postHook POSTs body to the HTTP API at base+path, returning the status
// and the decoded JSON body.
func postHook(t *testing.T, base, path, contentType, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(base+path, contentType, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("POST %s: content type %q: %s", path, ct, raw)
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("POST %s: %s: %v", path, raw, err)
	}
	return resp.StatusCode, out
}

// TestIncomingWebhookEndToEnd (issue 16): the owner creates a webhook over
// the WebSocket; a POST to its URL over a real socket (the local HTTP API
// stand-in, as make dev serves it) reaches a member's WebSocket as a
// message marked with the integration; a wrong secret, a rotated one and a
// revoked webhook are refused with JSON errors; the webhook is rate-limited.
func TestIncomingWebhookEndToEnd(t *testing.T) {
	tr := newTrio(t, func(c *service.Config) { generousLimits(c); c.WebhookPerWindow = 3 })
	base := tr.s.httpAPI()
	ch := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "deploys"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ch), protocol.EventRoom)
	tr.b.callError(protocol.ActionCreateWebhook, map[string]any{"roomId": ch, "name": "CI"}, "forbidden")
	created := decode[protocol.WebhookEvent](t, tr.a.call(protocol.ActionCreateWebhook, map[string]any{"roomId": ch, "name": "CI", "avatarUrl": "https://example.com/ci.png"}, protocol.EventWebhook))
	if !strings.HasPrefix(created.Path, "/hooks/") || created.Webhook.CreatedByName == "" {
		t.Fatalf("createWebhook = %+v", created)
	}
	tr.b.drain()

	status, out := postHook(t, base, created.Path, "application/json", `{"text":"Build **#7** passed","username":"Jenkins","attachments":[{"url":"https://ci.example.com/7","title":"Pipeline"}]}`)
	if status != http.StatusCreated || out["ok"] != true {
		t.Fatalf("post: %d %v", status, out)
	}
	got := tr.b.expectEvent(protocol.EventMessage, func(f frame) bool { return strings.Contains(string(f.raw), "Build **#7** passed") })
	msg := decode[protocol.MessageEvent](t, got).Message
	if msg.Integration == nil || msg.Integration.Name != "CI" || msg.Integration.AvatarURL != "https://example.com/ci.png" || msg.SenderName != "Jenkins" ||
		msg.SenderID != "hook:"+created.Webhook.ID || !strings.Contains(msg.Text, "Pipeline: https://ci.example.com/7") {
		t.Fatalf("bob got %s", got.raw)
	}
	// History (DynamoDB) keeps the marker.
	h := decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, map[string]any{"roomId": ch}, protocol.EventHistory))
	found := false
	for _, m := range h.Messages {
		found = found || (m.Seq == msg.Seq && m.Integration != nil && m.Integration.ID == created.Webhook.ID)
	}
	if !found {
		t.Fatalf("history lost the marker: %+v", h.Messages)
	}

	id, _, _ := strings.Cut(strings.TrimPrefix(created.Path, "/hooks/"), "/")
	if status, out := postHook(t, base, "/hooks/"+id+"/"+strings.Repeat("x", 43), "application/json", `{"text":"x"}`); status != 401 || errCode(out) != "unauthorized" {
		t.Fatalf("wrong secret: %d %v", status, out)
	}
	if status, out := postHook(t, base, created.Path, "text/plain", `hello`); status != 415 || errCode(out) != "unsupported_media_type" {
		t.Fatalf("text/plain: %d %v", status, out)
	}
	if status, out := postHook(t, base, created.Path, "application/json", `{"text":`); status != 400 || errCode(out) != "invalid" {
		t.Fatalf("bad JSON: %d %v", status, out)
	}
	// Rate limit: 3 per window; one was posted, the refusals above were
	// not charged (wrong secret, bad bodies).
	for i := range 2 {
		if status, out := postHook(t, base, created.Path, "application/json", `{"text":"more"}`); status != 201 {
			t.Fatalf("post %d: %d %v", i, status, out)
		}
	}
	if status, out := postHook(t, base, created.Path, "application/json", `{"text":"one too many"}`); status != http.StatusTooManyRequests || errCode(out) != "rate_limited" {
		t.Fatalf("over the limit: %d %v", status, out)
	}

	rotated := decode[protocol.WebhookEvent](t, tr.a.call(protocol.ActionRotateWebhookSecret, map[string]any{"roomId": ch, "webhookId": created.Webhook.ID}, protocol.EventWebhook))
	if status, out := postHook(t, base, created.Path, "application/json", `{"text":"old secret"}`); status != 401 {
		t.Fatalf("rotated away: %d %v", status, out)
	}
	if rotated.Path == created.Path || rotated.Path == "" {
		t.Fatalf("rotate: %+v", rotated)
	}
	tr.a.call(protocol.ActionRevokeWebhook, map[string]any{"roomId": ch, "webhookId": created.Webhook.ID}, protocol.EventWebhook)
	if status, out := postHook(t, base, rotated.Path, "application/json", `{"text":"after revoke"}`); status != 404 || errCode(out) != "revoked" {
		t.Fatalf("revoked: %d %v", status, out)
	}
	list := decode[protocol.WebhooksEvent](t, tr.a.call(protocol.ActionListWebhooks, map[string]any{"roomId": ch}, protocol.EventWebhooks))
	if len(list.Webhooks) != 1 || list.Webhooks[0].RevokedAt.IsZero() || strings.Contains(string(mustJSON(t, list)), "secret") {
		t.Fatalf("list after revoke: %+v", list)
	}
	// The messages it posted stay.
	h = decode[protocol.HistoryEvent](t, tr.b.call(protocol.ActionHistory, map[string]any{"roomId": ch}, protocol.EventHistory))
	posted := 0
	for _, m := range h.Messages {
		if m.Integration != nil {
			posted++
		}
	}
	if posted != 3 {
		t.Fatalf("the webhook's messages after revocation: %d, want 3", posted)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
