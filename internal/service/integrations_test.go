package service_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/outhook"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// testHooks lets the tests' commands reach httptest receivers on 127.0.0.1.
var testHooks = &outhook.Client{AllowPrivate: true}

// receiver is a command's URL: it verifies each request's signature with
// the secret it was given and answers reply.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	reply  string
	status int
	delay  time.Duration
	got    []service.CommandPayload
	bad    int // requests whose signature did not verify
}

func newReceiver(t *testing.T, reply string) *receiver {
	r := &receiver{reply: reply, status: 200}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		secret, reply, status, delay := r.secret, r.reply, r.status, r.delay
		r.mu.Unlock()
		if err := outhook.Verify(secret, req.Header, body, time.Now()); err != nil {
			r.mu.Lock()
			r.bad++
			r.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p service.CommandPayload
		_ = json.Unmarshal(body, &p)
		r.mu.Lock()
		r.got = append(r.got, p)
		r.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
				return
			}
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) setSecret(s string) { r.mu.Lock(); r.secret = s; r.mu.Unlock() }

var (
	matrixRecvOnce sync.Once
	matrixRecv     *httptest.Server
)

// matrixURL answers every command ephemerally without checking anything.
func matrixURL() string {
	matrixRecvOnce.Do(func() {
		matrixRecv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"text":"ok","visibility":"ephemeral"}`)
		}))
	})
	return matrixRecv.URL
}

func init() {
	manage := [9]chat.Code{fb, fb, "", fb, fb, "", fb, fb, nf}
	var cmdID, hookID string
	modCases = append(modCases,
		modCase{name: "registerCommand", want: manage, do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RegisterCommand(w.ctx, c, protocol.RegisterCommandRequest{RoomID: w.room.ID, Command: "/deploy", URL: "https://example.com/cmd"})
			return err
		}},
		modCase{name: "registerOutgoingWebhook", want: manage, do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.RegisterOutgoingWebhook(w.ctx, c, protocol.RegisterOutgoingWebhookRequest{RoomID: w.room.ID, URL: "https://example.com/out", AllMessages: true})
			return err
		}},
		modCase{name: "deleteCommand", want: manage,
			setup: func(w *modWorld) {
				ev, err := w.svc.RegisterCommand(w.ctx, w.p["owner"], protocol.RegisterCommandRequest{RoomID: w.room.ID, Command: "deploy", URL: "https://example.com/cmd"})
				if err != nil {
					w.t.Fatal(err)
				}
				cmdID = ev.Integration.ID
			},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.DeleteCommand(w.ctx, c, protocol.DeleteIntegrationRequest{RoomID: w.room.ID, ID: cmdID})
				return err
			}},
		modCase{name: "deleteOutgoingWebhook", want: manage,
			setup: func(w *modWorld) {
				ev, err := w.svc.RegisterOutgoingWebhook(w.ctx, w.p["owner"], protocol.RegisterOutgoingWebhookRequest{RoomID: w.room.ID, URL: "https://example.com/out", TriggerWords: []string{"x"}})
				if err != nil {
					w.t.Fatal(err)
				}
				hookID = ev.Integration.ID
			},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.DeleteOutgoingWebhook(w.ctx, c, protocol.DeleteIntegrationRequest{RoomID: w.room.ID, ID: hookID})
				return err
			}},
		modCase{name: "listCommands", want: [9]chat.Code{fb, "", "", "", "", "", "", fb, nf}, do: func(w *modWorld, _ string, c chat.Connection) error {
			_, err := w.svc.ListCommands(w.ctx, c, protocol.ListCommandsRequest{RoomID: w.room.ID})
			return err
		}},
		modCase{name: "runCommand", want: [9]chat.Code{fb, "", "", "", "", "", fb, fb, nf},
			setup: func(w *modWorld) {
				if _, err := w.svc.RegisterCommand(w.ctx, w.p["owner"], protocol.RegisterCommandRequest{RoomID: w.room.ID, Command: "ping", URL: matrixURL()}); err != nil {
					w.t.Fatal(err)
				}
			},
			do: func(w *modWorld, _ string, c chat.Connection) error {
				_, err := w.svc.RunCommand(w.ctx, c, protocol.RunCommandRequest{RoomID: w.room.ID, Command: "ping", ClientID: "cmd-1"})
				return err
			}},
	)
}

func newHooksHarness(t *testing.T) (*harness, chat.Connection, chat.Room) {
	h := newHarness(t, func(c *service.Config) { c.Hooks = testHooks })
	alice := h.connect("alice", "a1")
	room := h.channel(alice, "ops", false)
	return h, alice, room
}

func TestCommandRoundTripEphemeralAndRoom(t *testing.T) {
	h, alice, room := newHooksHarness(t)
	bob := h.connect("bob", "b1")
	h.join(bob, room.ID)
	recv := newReceiver(t, `{"text":"deploying prod","visibility":"ephemeral"}`)
	reg, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "/Deploy", URL: recv.URL, Description: "Deploy a service"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(reg.Secret, "bcsec_") || reg.Integration.Command != "deploy" {
		t.Fatalf("registration %+v", reg)
	}
	recv.setSecret(reg.Secret)

	h.fan.Reset()
	res, err := h.svc.RunCommand(h.ctx, bob, protocol.RunCommandRequest{RoomID: room.ID, Command: "deploy", Text: " prod ", ClientID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Visibility != protocol.VisibilityEphemeral || res.Text != "deploying prod" || res.Message != nil {
		t.Fatalf("ephemeral result %+v", res)
	}
	if got := recv.got[0]; got.Command != "/deploy" || got.Text != "prod" || got.RoomID != room.ID || got.UserID != "bob" || got.UserName == "" {
		t.Fatalf("payload %+v", got)
	}
	if n := len(h.fan.Sends()); n != 0 {
		t.Fatalf("an ephemeral reply pushed %d frames to others", n)
	}

	recv.mu.Lock()
	recv.reply = `{"text":"deployed :rocket:","visibility":"room"}`
	recv.mu.Unlock()
	res, err = h.svc.RunCommand(h.ctx, bob, protocol.RunCommandRequest{RoomID: room.ID, Command: "deploy", ClientID: "c2"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Visibility != protocol.VisibilityRoom || res.Message == nil || res.Message.SenderName != "/deploy" ||
		!strings.HasPrefix(res.Message.SenderID, service.IntegrationSenderPrefix) || res.Message.Text != "deployed :rocket:" {
		t.Fatalf("room result %+v", res)
	}
	hist, err := h.svc.History(h.ctx, alice, protocol.HistoryRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	last := hist.Messages[len(hist.Messages)-1]
	if last.Text != "deployed :rocket:" {
		t.Fatalf("the room reply is not in the history: %+v", last)
	}
	// It carries the integration marker (as a webhook's post does), in the
	// reply and as stored, so clients and the bus's bots can tell it apart.
	wantMark := chat.MessageIntegration{Kind: chat.IntegrationCommand, ID: strings.TrimPrefix(res.Message.SenderID, service.IntegrationSenderPrefix), Name: "/deploy"}
	for _, m := range []chat.Message{*res.Message, last} {
		if m.Integration == nil || *m.Integration != wantMark {
			t.Errorf("the room reply's integration %+v, want %+v", m.Integration, wantMark)
		}
	}
	if recv.bad != 0 {
		t.Fatalf("%d requests failed verification", recv.bad)
	}
}

func TestCommandFailuresAreClear(t *testing.T) {
	h, alice, room := newHooksHarness(t)
	recv := newReceiver(t, `not json`)
	reg, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "x", URL: recv.URL})
	if err != nil {
		t.Fatal(err)
	}
	recv.setSecret(reg.Secret)
	run := func() error {
		_, err := h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "x", ClientID: "c"})
		return err
	}
	if err := run(); chat.ErrorCode(err) != chat.Unavailable || !strings.Contains(err.Error(), "not the JSON") {
		t.Errorf("garbage answer: %v", err)
	}
	recv.mu.Lock()
	recv.status = 500
	recv.mu.Unlock()
	if err := run(); !strings.Contains(err.Error(), "HTTP 500") {
		t.Errorf("500: %v", err)
	}
	recv.mu.Lock()
	recv.status, recv.delay = 200, time.Minute
	recv.mu.Unlock()
	if err := run(); !strings.Contains(err.Error(), "did not answer within") {
		t.Errorf("slow receiver: %v", err)
	}
	if _, err := h.svc.RunCommand(h.ctx, alice, protocol.RunCommandRequest{RoomID: room.ID, Command: "nope", ClientID: "c"}); chat.ErrorCode(err) != chat.NotFound {
		t.Errorf("unknown command: %v", err)
	}
}

func TestCommandScopesAndValidation(t *testing.T) {
	h, alice, room := newHooksHarness(t)
	admin := h.connectWithGroups("adm", "adm1", chat.GroupAdmins)
	if _, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{Command: "ws", URL: "https://example.com/a"}); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("workspace command by a non-admin: %v", err)
	}
	if _, err := h.svc.RegisterCommand(h.ctx, admin, protocol.RegisterCommandRequest{Command: "ws", URL: "https://example.com/ws", Description: "workspace"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "ws", URL: "https://example.com/room"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "ws", URL: "https://example.com/again"}); chat.ErrorCode(err) != chat.Conflict {
		t.Errorf("the same command twice: %v", err)
	}
	list, err := h.svc.ListCommands(h.ctx, alice, protocol.ListCommandsRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Commands) != 1 || list.Commands[0].URL != "https://example.com/room" || !list.CanManage {
		t.Errorf("the room's command shadows the workspace's: %+v", list)
	}
	for _, bad := range []string{"ftp://x", "http://example.com/plain", "https://127.0.0.1/x", "https://u:p@example.com/", "https://localhost/x", "not a url"} {
		h2 := newHarness(t)
		a2 := h2.connect("alice", "a1")
		r2 := h2.channel(a2, "ops", false)
		if _, err := h2.svc.RegisterCommand(h2.ctx, a2, protocol.RegisterCommandRequest{RoomID: r2.ID, Command: "x", URL: bad}); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("URL %q: %v, want invalid", bad, err)
		}
	}
	for _, bad := range []string{"/me", "/", "/a b", "/" + strings.Repeat("x", 40)} {
		if _, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: bad, URL: "https://example.com/"}); chat.ErrorCode(err) != chat.Invalid {
			t.Errorf("command %q: %v, want invalid", bad, err)
		}
	}
	if _, err := h.svc.RegisterOutgoingWebhook(h.ctx, alice, protocol.RegisterOutgoingWebhookRequest{RoomID: room.ID, URL: "https://example.com/"}); chat.ErrorCode(err) != chat.Invalid {
		t.Errorf("an outgoing webhook without triggers: %v", err)
	}
	// A member sees the commands, not the URLs or the outgoing webhooks.
	bob := h.connect("bob", "b1")
	h.join(bob, room.ID)
	if _, err := h.svc.RegisterOutgoingWebhook(h.ctx, alice, protocol.RegisterOutgoingWebhookRequest{RoomID: room.ID, URL: "https://example.com/o", TriggerWords: []string{"Alert"}}); err != nil {
		t.Fatal(err)
	}
	mine, err := h.svc.ListCommands(h.ctx, bob, protocol.ListCommandsRequest{RoomID: room.ID})
	if err != nil {
		t.Fatal(err)
	}
	if mine.CanManage || len(mine.OutgoingWebhooks) != 0 || mine.Commands[0].URL != "" {
		t.Errorf("a member's list: %+v", mine)
	}
}

// The admin console lists the workspace's commands with listCommands and
// no roomId: admins see them with their URLs; anyone else is refused.
func TestListWorkspaceCommands(t *testing.T) {
	h, alice, room := newHooksHarness(t)
	admin := h.connectWithGroups("adm", "adm1", chat.GroupAdmins)
	if _, err := h.svc.RegisterCommand(h.ctx, admin, protocol.RegisterCommandRequest{Command: "ws", URL: "https://example.com/ws", Description: "workspace"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RegisterCommand(h.ctx, alice, protocol.RegisterCommandRequest{RoomID: room.ID, Command: "local", URL: "https://example.com/room"}); err != nil {
		t.Fatal(err)
	}
	ws, err := h.svc.ListCommands(h.ctx, admin, protocol.ListCommandsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ws.Commands) != 1 || ws.Commands[0].Command != "ws" || ws.Commands[0].URL != "https://example.com/ws" || ws.Commands[0].RoomID != "" || !ws.CanManage {
		t.Errorf("the workspace's commands: %+v", ws)
	}
	if _, err := h.svc.ListCommands(h.ctx, alice, protocol.ListCommandsRequest{}); chat.ErrorCode(err) != chat.Forbidden {
		t.Errorf("a non-admin lists the workspace's commands: %v", err)
	}
	if _, err := h.svc.DeleteCommand(h.ctx, admin, protocol.DeleteIntegrationRequest{ID: ws.Commands[0].ID}); err != nil {
		t.Fatal(err)
	}
	if ws, err = h.svc.ListCommands(h.ctx, admin, protocol.ListCommandsRequest{}); err != nil || len(ws.Commands) != 0 {
		t.Errorf("after the delete: %+v %v", ws, err)
	}
}
