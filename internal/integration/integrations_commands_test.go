package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/app"
	"github.com/backchannel-chat/backchannel/internal/app/outhookapp"
	"github.com/backchannel-chat/backchannel/internal/local/localbus"
	"github.com/backchannel-chat/backchannel/internal/outhook"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// hookLimits: generous limits, and a client for commands that may reach
// the test's receivers on 127.0.0.1 (as make dev's).
func hookLimits(c *service.Config) {
	generousLimits(c)
	c.Hooks = &outhook.Client{AllowPrivate: true}
}

// hookReceiver is a team's endpoint: it verifies every request's signature
// with the secret it is given (outhook.Verify, as docs/INTEGRATIONS.md
// shows) and answers by a script.
type hookReceiver struct {
	*httptest.Server
	mu       sync.Mutex
	secret   string
	answer   func(n int, body []byte) (int, string) // n: verified requests so far, from 1
	verified [][]byte
	headers  []http.Header
	refused  int
	block    chan struct{} // while set, requests wait for it to close
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{answer: func(int, []byte) (int, string) { return 200, "" }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		secret, block := r.secret, r.block
		r.mu.Unlock()
		if err := outhook.Verify(secret, req.Header, body, time.Now()); err != nil {
			r.mu.Lock()
			r.refused++
			r.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if block != nil {
			select {
			case <-block:
			case <-req.Context().Done():
				return
			}
		}
		r.mu.Lock()
		r.verified = append(r.verified, body)
		r.headers = append(r.headers, req.Header.Clone())
		n, answer := len(r.verified), r.answer
		r.mu.Unlock()
		status, reply := answer(n, body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *hookReceiver) set(f func(*hookReceiver)) { r.mu.Lock(); f(r); r.mu.Unlock() }

func (r *hookReceiver) count() (verified, refused int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.verified), r.refused
}

// TestSlashCommandRoundTrip: Ann registers /deploy in her channel with a
// receiver that verifies signatures; Bob's /deploy gets an ephemeral
// reply only he sees, then a room reply both see as the command; a forged
// and a replayed request are refused by the receiver's verifier. Over real
// sockets through the local gateway, on DynamoDB Local.
func TestSlashCommandRoundTrip(t *testing.T) {
	tr := newTrio(t, hookLimits)
	ops := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "ops"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ops), protocol.EventRoom)
	tr.a.drain()
	recv := newHookReceiver(t)

	// Bob is no owner: he may not register.
	tr.b.callError(protocol.ActionRegisterCommand, map[string]any{"roomId": ops, "command": "/deploy", "url": recv.URL}, "forbidden")
	reg := decode[protocol.IntegrationEvent](t, tr.a.call(protocol.ActionRegisterCommand,
		map[string]any{"roomId": ops, "command": "/deploy", "url": recv.URL, "description": "Deploy a service"}, protocol.EventIntegration))
	if reg.Secret == "" || reg.Integration.Command != "deploy" {
		t.Fatalf("registration %+v", reg)
	}
	recv.set(func(r *hookReceiver) {
		r.secret = reg.Secret
		r.answer = func(int, []byte) (int, string) {
			return 200, `{"text":"Deploying api to prod","visibility":"ephemeral"}`
		}
	})
	// The secret is never shown again.
	list := tr.a.call(protocol.ActionListCommands, room(ops), protocol.EventCommands)
	if strings.Contains(string(list.raw), reg.Secret) {
		t.Fatal("listCommands shows the secret")
	}
	if cmds := decode[protocol.CommandsEvent](t, tr.b.call(protocol.ActionListCommands, room(ops), protocol.EventCommands)); len(cmds.Commands) != 1 || cmds.Commands[0].URL != "" || cmds.CanManage {
		t.Errorf("bob's list %+v", cmds)
	}

	res := decode[protocol.CommandResultEvent](t, tr.b.call(protocol.ActionRunCommand,
		map[string]any{"roomId": ops, "command": "deploy", "text": "api prod", "clientId": "cmd-1"}, protocol.EventCommandResult))
	if res.Visibility != protocol.VisibilityEphemeral || res.Text != "Deploying api to prod" || res.Message != nil {
		t.Fatalf("ephemeral reply %+v", res)
	}
	var p service.CommandPayload
	if err := json.Unmarshal(recv.verified[0], &p); err != nil || p.Command != "/deploy" || p.Text != "api prod" || p.RoomID != ops || p.UserID != tr.bob.id || p.UserName == "" {
		t.Fatalf("payload %s: %v", recv.verified[0], err)
	}
	tr.a.expectNoEvent(protocol.EventMessage, nil) // ephemeral: nothing stored, nothing pushed

	recv.set(func(r *hookReceiver) {
		r.answer = func(int, []byte) (int, string) { return 200, `{"text":"api is live in prod","visibility":"room"}` }
	})
	res = decode[protocol.CommandResultEvent](t, tr.b.call(protocol.ActionRunCommand,
		map[string]any{"roomId": ops, "command": "deploy", "text": "api prod", "clientId": "cmd-2"}, protocol.EventCommandResult))
	if res.Visibility != protocol.VisibilityRoom || res.Message == nil {
		t.Fatalf("room reply %+v", res)
	}
	got := decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessage, isMessage(t, ops, res.Message.Seq))).Message
	if got.SenderName != "/deploy" || !strings.HasPrefix(got.SenderID, service.IntegrationSenderPrefix) || got.Text != "api is live in prod" {
		t.Errorf("ann sees %+v", got)
	}

	// The receiver's verifier refuses a forged and a replayed request.
	recv.mu.Lock()
	body, hdr := recv.verified[1], recv.headers[1].Clone()
	recv.mu.Unlock()
	forged := bytes.Replace(body, []byte("api prod"), []byte("db  prod"), 1)
	if err := outhook.Verify(reg.Secret, hdr, forged, time.Now()); !errors.Is(err, outhook.ErrSignature) {
		t.Errorf("forged body: %v", err)
	}
	if err := outhook.Verify(reg.Secret, hdr, body, time.Now().Add(outhook.ReplayWindow+time.Minute)); !errors.Is(err, outhook.ErrStale) {
		t.Errorf("replayed later: %v", err)
	}
	for _, b := range [][]byte{forged, body} {
		req, _ := http.NewRequest(http.MethodPost, recv.URL, bytes.NewReader(b))
		req.Header = hdr.Clone()
		if b != nil && bytes.Equal(b, body) {
			req.Header.Set(outhook.HeaderTimestamp, fmt.Sprint(time.Now().Add(-10*time.Minute).Unix()))
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("the receiver accepted a forged or replayed request: %d", resp.StatusCode)
		}
	}
	if _, refused := recv.count(); refused != 2 {
		t.Errorf("refused %d, want 2", refused)
	}
}

// TestSlashCommandSlowReceiver: a hanging URL gives the caller a clear
// error after the command timeout, and Ann's sends meanwhile are answered
// while the receiver still hangs (each action is its own invocation).
func TestSlashCommandSlowReceiver(t *testing.T) {
	tr := newTrio(t, hookLimits)
	ops := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "ops"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ops), protocol.EventRoom)
	recv := newHookReceiver(t)
	reg := decode[protocol.IntegrationEvent](t, tr.a.call(protocol.ActionRegisterCommand, map[string]any{"roomId": ops, "command": "slow", "url": recv.URL}, protocol.EventIntegration))
	release := make(chan struct{})
	recv.set(func(r *hookReceiver) { r.secret, r.block = reg.Secret, release })
	defer close(release)

	// Bob runs /slow without waiting for the answer.
	frameJSON, _ := json.Marshal(map[string]any{"action": protocol.ActionRunCommand, "requestId": "slow-1", "roomId": ops, "command": "slow", "clientId": "s1"})
	tr.b.sendRaw(websocket.MessageText, frameJSON)
	// Ann sends, and is acked, while the receiver hangs.
	ack := decode[protocol.AckEvent](t, tr.a.call(protocol.ActionSendMessage, message(ops, "m1", "still here"), protocol.EventAck))
	if v, _ := recv.count(); v != 0 {
		t.Fatalf("the receiver answered before the send was acked")
	}
	if ack.Message.Text != "still here" {
		t.Fatalf("ack %+v", ack)
	}
	f := tr.b.reply("slow-1", "runCommand")
	if f.typ != protocol.EventError || !strings.Contains(string(f.raw), "/slow failed: the receiver did not answer within") {
		t.Fatalf("slow command answered %s", f.raw)
	}
}

// outhookBus starts the stream pipeline and adds the delivery function
// as the rule's target on the local EventBridge stand-in, as the stack's
// rule invokes functions/outhooks: asynchronously, retries (shortened),
// then the dead-letter queue.
func outhookBus(t *testing.T, tr *trio, retries int) *localbus.Server {
	bus := tr.s.startEvents(false, nil)
	local, ok := bus.(interface{ Local() *localbus.Server })
	if !ok || bus.External() {
		t.Skip("outgoing webhooks' delivery runs on the local EventBridge stand-in's rules")
	}
	logger := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, err := outhookapp.Build(context.Background(), app.OutHookConfig{TableName: tr.s.table}, outhookapp.WithAWSConfig(tr.s.awsCfg),
		outhookapp.WithLogger(logger), outhookapp.WithAllowPrivate(), outhookapp.WithBackoff([]time.Duration{50 * time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	if err := local.Local().AddRule(localbus.Rule{Name: "outhooks", Sources: []string{"backchannel"}, DetailTypes: []string{"message.created"},
		MaximumRetryAttempts: retries, RetryDelays: []time.Duration{100 * time.Millisecond, 200 * time.Millisecond},
		Target: func(ctx context.Context, ev localbus.Event) error {
			raw, _ := json.Marshal(ev)
			return h.HandleJSON(ctx, raw)
		}}); err != nil {
		t.Fatal(err)
	}
	return local.Local()
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestOutgoingWebhookDelivery: a trigger word fires the room's outgoing
// webhook with a signed payload the receiver verifies; other messages do
// not; a URL answering 500 is retried until it succeeds; one that always
// fails ends in the dead-letter queue after the retries; a hanging
// receiver never holds a send.
func TestOutgoingWebhookDelivery(t *testing.T) {
	tr := newTrio(t, hookLimits)
	srv := outhookBus(t, tr, 2)
	ops := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "ops"}, protocol.EventRoom)).Room.ID
	recv := newHookReceiver(t)
	reg := decode[protocol.IntegrationEvent](t, tr.a.call(protocol.ActionRegisterOutgoingWebhook,
		map[string]any{"roomId": ops, "url": recv.URL, "triggerWords": []string{"Deploy"}}, protocol.EventIntegration))
	recv.set(func(r *hookReceiver) { r.secret = reg.Secret })

	tr.a.call(protocol.ActionSendMessage, message(ops, "n1", "nothing to see"), protocol.EventAck)
	tr.a.call(protocol.ActionSendMessage, message(ops, "t1", "please deploy the api"), protocol.EventAck)
	waitUntil(t, "the trigger word's delivery", func() bool { v, _ := recv.count(); return v >= 1 })
	waitIdle(t, srv)
	v, refused := recv.count()
	if v != 1 || refused != 0 {
		t.Fatalf("verified %d, refused %d; want exactly the trigger word's message", v, refused)
	}
	var p outhook.WebhookPayload
	if err := json.Unmarshal(recv.verified[0], &p); err != nil || p.Text != "please deploy the api" || p.TriggerWord != "deploy" || p.UserID != tr.ann.id || p.RoomID != ops {
		t.Fatalf("payload %s: %v", recv.verified[0], err)
	}
	if recv.headers[0].Get(outhook.HeaderDelivery) != p.DeliveryID {
		t.Errorf("delivery header %q, payload %q", recv.headers[0].Get(outhook.HeaderDelivery), p.DeliveryID)
	}

	// 500 twice (the first try and its in-invocation retry fail, Lambda's
	// first retry's first try fails, its retry succeeds).
	recv.set(func(r *hookReceiver) {
		r.verified, r.headers = nil, nil
		r.answer = func(n int, _ []byte) (int, string) {
			if n <= 3 {
				return 500, "busy"
			}
			return 200, ""
		}
	})
	inv0 := srv.Invocations("outhooks")
	tr.a.call(protocol.ActionSendMessage, message(ops, "t2", "deploy again"), protocol.EventAck)
	waitUntil(t, "the retried delivery", func() bool { v, _ := recv.count(); return v >= 4 })
	waitIdle(t, srv)
	if d := srv.DeadLetters(); len(d) != 0 {
		t.Fatalf("dead letters after a success: %+v", d)
	}
	if n := srv.Invocations("outhooks") - inv0; n != 2 {
		t.Errorf("invocations %d: the delivery was not retried by Lambda's async retry", n)
	}

	// Always 500: after 1 + 2 invocations the event is dead-lettered.
	recv.set(func(r *hookReceiver) { r.answer = func(int, []byte) (int, string) { return 500, "down" } })
	tr.a.call(protocol.ActionSendMessage, message(ops, "t3", "deploy, or else"), protocol.EventAck)
	waitUntil(t, "the dead letter", func() bool { return len(srv.DeadLetters()) == 1 })
	dl := srv.DeadLetters()[0]
	if dl.RequestContext.Condition != "RetriesExhausted" || dl.RequestContext.ApproximateInvokeCount != 3 || !strings.Contains(string(dl.ResponsePayload), "HTTP 500") {
		t.Errorf("dead letter %+v %s", dl.RequestContext, dl.ResponsePayload)
	}

	// A hanging receiver: sends are acked while it hangs.
	release := make(chan struct{})
	recv.set(func(r *hookReceiver) {
		r.block = release
		r.answer = func(int, []byte) (int, string) { return 200, "" }
	})
	before, _ := recv.count()
	for i := range 3 {
		tr.a.call(protocol.ActionSendMessage, message(ops, fmt.Sprint("h", i), "deploy now"), protocol.EventAck)
	}
	if v, _ := recv.count(); v != before {
		t.Fatalf("a delivery finished while the receiver hung")
	}
	close(release)
	recv.set(func(r *hookReceiver) { r.block = nil })
	waitUntil(t, "the held deliveries", func() bool { v, _ := recv.count(); return v >= before+3 })
}

func waitIdle(t *testing.T, srv *localbus.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := srv.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}
