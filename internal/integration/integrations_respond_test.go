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

// respondBase is what the stack's commands put in front of their tokens;
// the test posts the token to its own local HTTP API (httpAPI).
const respondBase = "http://respond.invalid" + service.CommandResponsePath

// TestSlashCommandDelayedAnswer: Bob's /build gets an ephemeral "started"
// at once; the receiver keeps the payload's responseUrl and later POSTs
// {"text", "visibility": "room"} to it through the local HTTP API stand-in
// (httpgw, over a socket): Ann sees the answer as /build. Five answers are
// taken, the sixth is 410 used_up; a tampered URL is 403, an ephemeral
// answer 400. On DynamoDB Local (the use counter is a rate counter item).
func TestSlashCommandDelayedAnswer(t *testing.T) {
	tr := newTrio(t, func(c *service.Config) {
		hookLimits(c)
		c.CommandResponseBase = respondBase
	})
	api := tr.s.httpAPI()
	ops := decode[protocol.RoomEvent](t, tr.a.call(protocol.ActionCreateChannel, map[string]any{"name": "ops"}, protocol.EventRoom)).Room.ID
	tr.b.call(protocol.ActionJoinChannel, room(ops), protocol.EventRoom)
	tr.a.drain()
	recv := newHookReceiver(t)
	reg := decode[protocol.IntegrationEvent](t, tr.a.call(protocol.ActionRegisterCommand,
		map[string]any{"roomId": ops, "command": "/build", "url": recv.URL}, protocol.EventIntegration))
	recv.set(func(r *hookReceiver) {
		r.secret = reg.Secret
		r.answer = func(int, []byte) (int, string) { return 200, `{"text":"build started","visibility":"ephemeral"}` }
	})
	res := decode[protocol.CommandResultEvent](t, tr.b.call(protocol.ActionRunCommand,
		map[string]any{"roomId": ops, "command": "build", "text": "api", "clientId": "cmd-1"}, protocol.EventCommandResult))
	if res.Text != "build started" {
		t.Fatalf("the immediate answer %+v", res)
	}
	var p service.CommandPayload
	if err := json.Unmarshal(recv.verified[0], &p); err != nil || !strings.HasPrefix(p.ResponseURL, respondBase) {
		t.Fatalf("payload %s: %v", recv.verified[0], err)
	}
	url := api + service.CommandResponsePath + strings.TrimPrefix(p.ResponseURL, respondBase)
	post := func(u, body string) (int, map[string]any) {
		t.Helper()
		resp, err := http.Post(u, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		var out map[string]any
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatalf("body %q: %v", raw, err)
		}
		return resp.StatusCode, out
	}
	errCode := func(out map[string]any) string {
		e, _ := out["error"].(map[string]any)
		c, _ := e["code"].(string)
		return c
	}

	if st, out := post(url, `{"text":"only me","visibility":"ephemeral"}`); st != http.StatusBadRequest || errCode(out) != "invalid" {
		t.Errorf("an ephemeral delayed answer: %d %v", st, out)
	}
	if st, out := post(url, `{"text":`); st != http.StatusBadRequest {
		t.Errorf("a broken body: %d %v", st, out)
	}
	if st, out := post(url[:len(url)-3]+"AAA", `{"text":"forged","visibility":"room"}`); st != http.StatusForbidden || errCode(out) != "forbidden" {
		t.Errorf("a tampered URL: %d %v", st, out)
	}
	for i := range service.CommandResponseUses {
		st, out := post(url, `{"text":"build 42 passed","visibility":"room"}`)
		if st != http.StatusCreated || out["roomId"] != ops {
			t.Fatalf("answer %d: %d %v", i+1, st, out)
		}
		seq := int64(out["seq"].(float64))
		got := decode[protocol.MessageEvent](t, tr.a.expectEvent(protocol.EventMessage, isMessage(t, ops, seq))).Message
		if got.SenderName != "/build" || !strings.HasPrefix(got.SenderID, service.IntegrationSenderPrefix) || got.Text != "build 42 passed" {
			t.Fatalf("ann sees %+v", got)
		}
	}
	if st, out := post(url, `{"text":"once more","visibility":"room"}`); st != http.StatusGone || errCode(out) != "used_up" {
		t.Errorf("a sixth answer: %d %v", st, out)
	}
	if v, refused := recv.count(); v != 1 || refused != 0 {
		t.Errorf("receiver: %d verified, %d refused", v, refused)
	}
}
