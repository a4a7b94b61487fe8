package integration

import (
	"strings"
	"testing"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// TestBadInput: every malformed or impossible frame gets an error event
// with a code, the request id when it could be read, and a trace id; the
// connection stays usable after each.
func TestBadInput(t *testing.T) {
	tr := newTrio(t, generousLimits)
	a := tr.a
	cases := []struct {
		name      string
		typ       websocket.MessageType
		frame     string
		requestID string // "" when the frame's request id cannot be read
		code      chat.Code
		message   string // a part of the message
	}{
		{"not JSON", websocket.MessageText, "hello there", "", chat.Invalid, "malformed JSON"},
		{"JSON array", websocket.MessageText, `[{"action":"ping"}]`, "", chat.Invalid, "must be a JSON object"},
		{"unknown action", websocket.MessageText, `{"action":"launchMissiles","requestId":"bad-1"}`, "bad-1", chat.Invalid, `unknown action "launchMissiles"`},
		{"missing action", websocket.MessageText, `{"requestId":"bad-2","roomId":"general"}`, "bad-2", chat.Invalid, `missing field "action"`},
		{"missing roomId", websocket.MessageText, `{"action":"sendMessage","requestId":"bad-3","clientId":"c1","text":"hi"}`, "bad-3", chat.Invalid, "roomId is required"},
		{"missing clientId", websocket.MessageText, `{"action":"sendMessage","requestId":"bad-4","roomId":"general","text":"hi"}`, "bad-4", chat.Invalid, "clientId"},
		{"wrong-typed roomId", websocket.MessageText, `{"action":"history","requestId":"bad-5","roomId":42}`, "bad-5", chat.Invalid, `field "roomId" must be a string`},
		{"wrong-typed seq", websocket.MessageText, `{"action":"markRead","requestId":"bad-6","roomId":"general","seq":"ten"}`, "bad-6", chat.Invalid, `field "seq" must be an integer`},
		{"oversize text", websocket.MessageText, `{"action":"sendMessage","requestId":"bad-7","roomId":"general","clientId":"big","text":"` + strings.Repeat("a", protocol.MaxTextBytes+1) + `"}`, "bad-7", chat.TooLarge, "too long"},
		// Invalid UTF-8 and binary frames never reach the backend: the
		// gateway closes the connection (TestFramesTheGatewayRefuses).
		{"unknown room", websocket.MessageText, `{"action":"sendMessage","requestId":"bad-9","roomId":"c_nosuchroom","clientId":"c2","text":"hi"}`, "bad-9", chat.NotFound, "room not found"},
		{"malformed room id", websocket.MessageText, `{"action":"joinChannel","requestId":"bad-10","roomId":"../../etc"}`, "bad-10", chat.Invalid, "roomId is malformed"},
		{"unknown message", websocket.MessageText, `{"action":"editMessage","requestId":"bad-11","roomId":"general","seq":12345,"text":"x"}`, "bad-11", chat.NotFound, "message not found"},
	}
	for _, tc := range cases {
		a.sendRaw(tc.typ, []byte(tc.frame))
		var f frame
		if tc.requestID != "" {
			f = a.reply(tc.requestID, tc.name)
		} else {
			f = a.waitFor(tc.name, func(f frame) bool { return f.typ == protocol.EventError && f.requestID == "" })
		}
		ev := decode[protocol.ErrorEvent](t, f)
		if ev.Type != protocol.EventError || ev.Code != tc.code || !strings.Contains(ev.Message, tc.message) || ev.TraceID == "" {
			t.Errorf("%s: got %s, want error %s containing %q with a traceId", tc.name, f.raw, tc.code, tc.message)
		}
		// Still usable.
		a.call(protocol.ActionPing, nil, protocol.EventPong)
	}
	// None of it was stored or delivered.
	h := decode[protocol.HistoryEvent](t, a.call(protocol.ActionHistory, room(chat.GeneralRoomID), protocol.EventHistory))
	if len(h.Messages) != 0 {
		t.Errorf("bad frames stored messages: %+v", h.Messages)
	}
	tr.b.expectNoEvent(protocol.EventMessage, nil)
}

// TestFramesTheGatewayRefuses: what never reaches the backend. A binary
// frame closes the connection with 1003 (API Gateway refuses binary
// frames, as AWS documents); a text frame that is not UTF-8 closes it with
// 1007 (RFC 6455 requires failing the connection; AWS documents nothing,
// see docs/PROTOCOL.md section 2). Either way the client reconnects, and
// nothing was stored.
func TestFramesTheGatewayRefuses(t *testing.T) {
	tr := newTrio(t, generousLimits)
	cases := []struct {
		name string
		typ  websocket.MessageType
		data string
		want websocket.StatusCode
	}{
		{"binary frame", websocket.MessageBinary, `{"action":"ping","requestId":"bin-1"}`, websocket.StatusUnsupportedData},
		{"invalid UTF-8 text", websocket.MessageText, "{\"action\":\"sendMessage\",\"requestId\":\"bad-8\",\"roomId\":\"general\",\"clientId\":\"u\",\"text\":\"\xc3\x28\"}", websocket.StatusInvalidFramePayloadData},
	}
	for _, tc := range cases {
		c := tr.s.connect(tr.ann)
		c.sendRaw(tc.typ, []byte(tc.data))
		if got := c.waitClosed(); got != tc.want {
			t.Errorf("%s: closed with %d, want %d", tc.name, got, tc.want)
		}
	}
	h := decode[protocol.HistoryEvent](t, tr.a.call(protocol.ActionHistory, room(chat.GeneralRoomID), protocol.EventHistory))
	if len(h.Messages) != 0 {
		t.Errorf("refused frames stored messages: %+v", h.Messages)
	}
}
