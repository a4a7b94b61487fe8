package service_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The webhook actions in the authorization matrix: the room's owners and
// workspace admins, in #open (a public channel).
func init() {
	owners := [9]chat.Code{fb, fb, "", fb, fb, "", fb, fb, nf}
	var hookID string
	create := func(w *modWorld) protocol.WebhookEvent {
		ev, err := w.svc.CreateWebhook(w.ctx, w.p["owner"], protocol.CreateWebhookRequest{RoomID: w.room.ID, Name: "CI"})
		if err != nil {
			w.t.Fatal(err)
		}
		return ev
	}
	workspaceCases = append(workspaceCases,
		modCase{name: "createWebhook", want: owners,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.CreateWebhook(w.ctx, c, protocol.CreateWebhookRequest{RoomID: w.room.ID, Name: "Alerts"})
				return err
			}},
		modCase{name: "listWebhooks", want: owners,
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.ListWebhooks(w.ctx, c, protocol.ListWebhooksRequest{RoomID: w.room.ID})
				return err
			}},
		modCase{name: "rotateWebhookSecret", want: owners,
			setup: func(w *modWorld) { hookID = create(w).Webhook.ID },
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RotateWebhookSecret(w.ctx, c, protocol.WebhookRef{RoomID: w.room.ID, WebhookID: hookID})
				return err
			}},
		modCase{name: "revokeWebhook", want: owners,
			setup: func(w *modWorld) { hookID = create(w).Webhook.ID },
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RevokeWebhook(w.ctx, c, protocol.WebhookRef{RoomID: w.room.ID, WebhookID: hookID})
				return err
			}},
	)
}

// splitPath returns the {id} and {secret} of a webhook's path.
func splitPath(t *testing.T, path string) (string, string) {
	t.Helper()
	rest, ok := strings.CutPrefix(path, "/hooks/")
	id, secret, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 || id == "" || len(secret) != 43 {
		t.Fatalf("path %q is not /hooks/{id}/{secret}", path)
	}
	return id, secret
}

// createWebhook has c create a webhook called name in the room: the event,
// and the {id} and {secret} of its path.
func createWebhook(t *testing.T, h *harness, c chat.Connection, roomID, name string) (protocol.WebhookEvent, string, string) {
	t.Helper()
	ev, err := h.svc.CreateWebhook(h.ctx, c, protocol.CreateWebhookRequest{RoomID: roomID, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	id, secret := splitPath(t, ev.Path)
	return ev, id, secret
}

func TestWebhookPostsIntoTheRoomAsTheIntegration(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "c-alice"), h.connect("bob", "c-bob")
	room := h.channel(alice, "deploys", false)
	h.join(bob, room.ID)
	ev, err := h.svc.CreateWebhook(h.ctx, alice, protocol.CreateWebhookRequest{RoomID: room.ID, Name: " CI bot ", AvatarURL: "https://example.com/ci.png"})
	if err != nil {
		t.Fatal(err)
	}
	if ev.Webhook.Name != "CI bot" || ev.Webhook.CreatedBy != "alice" || ev.Webhook.CreatedByName != "Alice" || ev.Path == "" {
		t.Fatalf("created: %+v", ev)
	}
	id, secret := splitPath(t, ev.Path)
	h.fan.Reset()
	res, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "**build** passed", Username: "Jenkins",
		Links: []service.WebhookLink{{URL: "https://ci.example.com/b/1", Title: "Build [1]"}, {URL: "http://ci.example.com/log"}}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := h.store.GetMessage(h.ctx, room.ID, res.Seq)
	if err != nil {
		t.Fatal(err)
	}
	want := "**build** passed\nBuild [1]: https://ci.example.com/b/1\nhttp://ci.example.com/log"
	if m.Text != want || m.SenderName != "Jenkins" || m.SenderID != chat.WebhookSenderPrefix+ev.Webhook.ID {
		t.Fatalf("message: %q %q %q", m.Text, m.SenderName, m.SenderID)
	}
	if m.Integration == nil || *m.Integration != (chat.MessageIntegration{Kind: chat.IntegrationWebhook, ID: ev.Webhook.ID, Name: "CI bot", AvatarURL: "https://example.com/ci.png"}) {
		t.Fatalf("integration: %+v", m.Integration)
	}
	got := h.fan.OfType("c-bob", protocol.EventMessage)
	if len(got) != 1 || !strings.Contains(string(got[0].Payload), `"integration":{"kind":"webhook"`) {
		t.Fatalf("bob's deliveries: %v", h.fan.Types("c-bob"))
	}
	// The same Idempotency-Key stores nothing new.
	p := service.WebhookPost{Text: "once", IdempotencyKey: "deploy-42"}
	first, err := h.svc.PostWebhook(h.ctx, id, secret, p)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.svc.PostWebhook(h.ctx, id, secret, p)
	if err != nil || !again.Duplicate || again.Seq != first.Seq {
		t.Fatalf("retry: %+v %v", again, err)
	}
}

func TestWebhookRefusesWrongSecretsRotatedAndRevoked(t *testing.T) {
	h := newHarness(t)
	alice := h.connect("alice", "c-alice")
	room := h.channel(alice, "deploys", false)
	ev, id, secret := createWebhook(t, h, alice, room.ID, "CI")
	post := func(id, secret string) error {
		_, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "hi"})
		return err
	}
	wrong := strings.Repeat("A", 43)
	if err := post(id, wrong); !errors.Is(err, chat.ErrWebhookSecret) {
		t.Fatalf("wrong secret: %v", err)
	}
	if err := post(id, "short"); !errors.Is(err, chat.ErrWebhookSecret) {
		t.Fatalf("malformed secret: %v", err)
	}
	for _, bad := range []string{"nope", room.ID + ".wh_unknown", "x.y.z", room.ID} {
		if err := post(bad, secret); chat.ErrorCode(err) != chat.NotFound {
			t.Fatalf("unknown id %q: %v", bad, err)
		}
	}
	rot, err := h.svc.RotateWebhookSecret(h.ctx, alice, protocol.WebhookRef{RoomID: room.ID, WebhookID: ev.Webhook.ID})
	if err != nil {
		t.Fatal(err)
	}
	_, secret2 := splitPath(t, rot.Path)
	if err := post(id, secret); !errors.Is(err, chat.ErrWebhookSecret) {
		t.Fatalf("the rotated secret still works: %v", err)
	}
	if err := post(id, secret2); err != nil {
		t.Fatalf("new secret: %v", err)
	}
	if _, err := h.svc.RevokeWebhook(h.ctx, alice, protocol.WebhookRef{RoomID: room.ID, WebhookID: ev.Webhook.ID}); err != nil {
		t.Fatal(err)
	}
	if err := post(id, secret2); !errors.Is(err, chat.ErrWebhookRevoked) || chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("revoked: %v", err)
	}
	if _, err := h.svc.RotateWebhookSecret(h.ctx, alice, protocol.WebhookRef{RoomID: room.ID, WebhookID: ev.Webhook.ID}); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("rotating a revoked webhook: %v", err)
	}
	// The messages it posted stay; the list shows it revoked, no secret.
	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, m := range hist.Messages {
		if m.Integration != nil {
			kept++
		}
	}
	if kept != 1 {
		t.Fatalf("the webhook's messages after revocation: %d", kept)
	}
	list, err := h.svc.ListWebhooks(h.ctx, alice, protocol.ListWebhooksRequest{RoomID: room.ID})
	if err != nil || len(list.Webhooks) != 1 || list.Webhooks[0].RevokedAt.IsZero() {
		t.Fatalf("list: %+v %v", list, err)
	}
}

func TestWebhookValidatesPostsAndIsRateLimited(t *testing.T) {
	h := newHarness(t, func(c *service.Config) { c.WebhookPerWindow = 3 })
	alice := h.connect("alice", "c-alice")
	room := h.channel(alice, "deploys", false)
	_, id, secret := createWebhook(t, h, alice, room.ID, "CI")
	for _, tc := range []struct {
		p    service.WebhookPost
		code chat.Code
		says string
	}{
		{service.WebhookPost{Text: "  "}, chat.Invalid, `"text" is required`},
		{service.WebhookPost{Text: strings.Repeat("x", protocol.MaxTextBytes+1)}, chat.TooLarge, "too long"},
		{service.WebhookPost{Text: "x", Links: []service.WebhookLink{{URL: "javascript:alert(1)"}}}, chat.Invalid, "attachments[0].url must be an absolute http or https URL"},
		{service.WebhookPost{Text: "x", Links: []service.WebhookLink{{URL: "https://u:p@example.com/"}}}, chat.Invalid, "credentials"},
		{service.WebhookPost{Text: "x", Links: make([]service.WebhookLink, chat.MaxWebhookAttachments+1)}, chat.TooLarge, "too many attachments"},
		{service.WebhookPost{Text: "x", Username: strings.Repeat("n", 81)}, chat.Invalid, "username"},
		{service.WebhookPost{Text: "x", IdempotencyKey: "no spaces"}, chat.Invalid, "Idempotency-Key"},
	} {
		_, err := h.svc.PostWebhook(h.ctx, id, secret, tc.p)
		if chat.ErrorCode(err) != tc.code || !strings.Contains(chat.ErrorMessage(err), tc.says) {
			t.Errorf("%+v: %v", tc.p.Username+tc.p.IdempotencyKey, err)
		}
	}
	// The bad posts above were refused before the limit was charged.
	for i := range 3 {
		if _, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "ok"}); err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	if _, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "ok"}); chat.ErrorCode(err) != chat.RateLimited {
		t.Fatalf("the fourth post in a window: %v", err)
	}
	// An archived channel refuses posts.
	h.advance(service.DefaultRateWindow)
	if _, err := h.svc.ArchiveChannel(h.ctx, alice, protocol.RoomRequest{RoomID: room.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.PostWebhook(h.ctx, id, secret, service.WebhookPost{Text: "ok"}); chat.ErrorCode(err) != chat.Forbidden {
		t.Fatalf("archived: %v", err)
	}
}

func TestWebhookManagementRules(t *testing.T) {
	h := newHarness(t)
	alice, bob := h.connect("alice", "c-alice"), h.connect("bob", "c-bob")
	room := h.channel(alice, "deploys", false)
	for _, tc := range []struct {
		r    protocol.CreateWebhookRequest
		code chat.Code
	}{
		{protocol.CreateWebhookRequest{RoomID: room.ID, Name: ""}, chat.Invalid},
		{protocol.CreateWebhookRequest{RoomID: room.ID, Name: strings.Repeat("n", 81)}, chat.Invalid},
		{protocol.CreateWebhookRequest{RoomID: room.ID, Name: "a\nb"}, chat.Invalid},
		{protocol.CreateWebhookRequest{RoomID: room.ID, Name: "ok", AvatarURL: "http://example.com/a.png"}, chat.Invalid},
	} {
		if _, err := h.svc.CreateWebhook(h.ctx, alice, tc.r); chat.ErrorCode(err) != tc.code {
			t.Errorf("%+v: %v", tc.r, err)
		}
	}
	dm := h.direct(alice, "bob")
	if _, err := h.svc.CreateWebhook(h.ctx, alice, protocol.CreateWebhookRequest{RoomID: dm.ID, Name: "x"}); chat.ErrorCode(err) != chat.Invalid {
		t.Fatalf("direct room: %v", err)
	}
	for i := range chat.MaxWebhooksPerRoom {
		if _, err := h.svc.CreateWebhook(h.ctx, alice, protocol.CreateWebhookRequest{RoomID: room.ID, Name: "n"}); err != nil {
			t.Fatalf("webhook %d: %v", i, err)
		}
	}
	if _, err := h.svc.CreateWebhook(h.ctx, alice, protocol.CreateWebhookRequest{RoomID: room.ID, Name: "one too many"}); chat.ErrorCode(err) != chat.Conflict {
		t.Fatalf("over the room's limit: %v", err)
	}
	if _, err := h.svc.RevokeWebhook(h.ctx, alice, protocol.WebhookRef{RoomID: room.ID, WebhookID: "bad.id"}); chat.ErrorCode(err) != chat.Invalid {
		t.Fatalf("bad id: %v", err)
	}
	if _, err := h.svc.RevokeWebhook(h.ctx, alice, protocol.WebhookRef{RoomID: room.ID, WebhookID: "wh_missing"}); chat.ErrorCode(err) != chat.NotFound {
		t.Fatalf("missing: %v", err)
	}
	_ = bob
}

// A client cannot send the integration marker: the send request has no
// such field, so a frame's "integration" is dropped when decoded.
func TestClientSendCannotCarryTheIntegrationMarker(t *testing.T) {
	for _, typ := range []reflect.Type{reflect.TypeOf(protocol.SendMessageRequest{}), reflect.TypeOf(protocol.EditMessageRequest{})} {
		for i := range typ.NumField() {
			f := typ.Field(i)
			if f.Type == reflect.TypeOf(&chat.MessageIntegration{}) || strings.Contains(strings.ToLower(f.Tag.Get("json")), "integration") {
				t.Fatalf("%s has %s", typ, f.Name)
			}
		}
	}
	h := newHarness(t)
	alice := h.connect("alice", "c-alice")
	room := h.channel(alice, "x", false)
	m := h.send(alice, room.ID, "plain")
	if m.Integration != nil {
		t.Fatalf("a client's message is marked: %+v", m.Integration)
	}
	_ = time.Second
}
