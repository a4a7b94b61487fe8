package localgw

import (
	"bufio"
	"encoding/binary"
	"io"
	"net/http"
	"strings"
	"testing"
)

// expectClose reads server frames until a close frame and returns its code.
func expectClose(t *testing.T, br *bufio.Reader) int {
	t.Helper()
	for {
		op, p := readServerFrame(t, br)
		if op == opClose {
			if len(p) < 2 {
				return closeNoStatus
			}
			return int(binary.BigEndian.Uint16(p))
		}
	}
}

func TestProtocolViolationsCloseWithTheRightCode(t *testing.T) {
	cases := []struct {
		name   string
		frames [][]byte
		want   int
	}{
		{"unmasked frame", [][]byte{appendFrame(nil, opText, []byte("hi"))}, closeProtocolError},
		{"unknown opcode", [][]byte{clientFrame(true, opcode(0x3), nil)}, closeProtocolError},
		{"reserved bit", [][]byte{func() []byte { f := clientFrame(true, opText, []byte("x")); f[0] |= 0x40; return f }()}, closeProtocolError},
		{"continuation without a message", [][]byte{clientFrame(true, opContinuation, []byte("x"))}, closeProtocolError},
		{"new message inside a fragmented one", [][]byte{clientFrame(false, opText, []byte("a")), clientFrame(true, opText, []byte("b"))}, closeProtocolError},
		{"fragmented ping", [][]byte{clientFrame(false, opPing, nil)}, closeProtocolError},
		{"invalid UTF-8 text", [][]byte{clientFrame(true, opText, []byte{0xff, 0xfe})}, closeInvalidPayload},
		{"invalid UTF-8 across fragments", [][]byte{clientFrame(false, opText, []byte{'"', 0xc3}), clientFrame(true, opContinuation, []byte{0x28, '"'})}, closeInvalidPayload},
		// API Gateway refuses binary frames with 1003, whatever they hold.
		{"binary frame", [][]byte{clientFrame(true, opBinary, []byte(`{"action":"ping"}`))}, closeUnsupportedData},
		{"invalid close code", [][]byte{clientFrame(true, opClose, []byte{0x03, 0xED})}, closeProtocolError}, // 1005
		// Only the header of a 33 KiB frame is sent: the limit applies
		// before the payload is read.
		{"frame header over 32 KiB", [][]byte{clientFrame(true, opText, make([]byte, 32*1024+1))[:8]}, closeMessageTooBig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			g := startGateway(t, Config{Routes: rec.allRoutes()})
			nc, br := rawDial(t, g)
			for _, f := range tc.frames {
				if _, err := nc.Write(f); err != nil {
					t.Fatal(err)
				}
			}
			if got := expectClose(t, br); got != tc.want {
				t.Errorf("close code %d, want %d", got, tc.want)
			}
			_ = nc.Close()
			if ev := rec.nextOf(t, RouteDisconnect); ev.RequestContext.DisconnectStatusCode != int64(tc.want) {
				t.Errorf("$disconnect code %d, want %d", ev.RequestContext.DisconnectStatusCode, tc.want)
			}
			if n := rec.count(RouteDefault); len(n) != 0 {
				t.Errorf("a bad frame reached a handler: %v", n)
			}
		})
	}
}

func TestPingPongAndCloseEcho(t *testing.T) {
	rec := newRecorder()
	g := startGateway(t, Config{Routes: rec.allRoutes()})
	nc, br := rawDial(t, g)
	if _, err := nc.Write(clientFrame(true, opPing, []byte("are you there"))); err != nil {
		t.Fatal(err)
	}
	if op, p := readServerFrame(t, br); op != opPong || string(p) != "are you there" {
		t.Errorf("got %v %q, want the pong", op, p)
	}
	// A fragmented message with a ping in between is reassembled.
	for _, f := range [][]byte{clientFrame(false, opText, []byte("hel")), clientFrame(true, opPing, nil), clientFrame(true, opContinuation, []byte("lo"))} {
		if _, err := nc.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if op, _ := readServerFrame(t, br); op != opPong {
		t.Errorf("got %v, want a pong", op)
	}
	if ev := rec.nextOf(t, RouteDefault); ev.Body != "hello" {
		t.Errorf("reassembled body %q", ev.Body)
	}
	if _, err := nc.Write(clientFrame(true, opClose, closePayload(4001, "done"))); err != nil {
		t.Fatal(err)
	}
	if op, p := readServerFrame(t, br); op != opClose || binary.BigEndian.Uint16(p) != 4001 {
		t.Errorf("got %v %v, want the close echoed", op, p)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Errorf("server kept the TCP connection open after the close handshake: %v", err)
	}
	ev := rec.nextOf(t, RouteDisconnect)
	if ev.RequestContext.DisconnectStatusCode != 4001 || *ev.RequestContext.DisconnectReason != "done" {
		t.Errorf("$disconnect %d %q", ev.RequestContext.DisconnectStatusCode, *ev.RequestContext.DisconnectReason)
	}
}

func TestNonUpgradeRequests(t *testing.T) {
	g := startGateway(t, Config{})
	base := strings.TrimSuffix(g.CallbackURL(), "/local")
	cases := []struct {
		name string
		req  func() *http.Request
		want int
	}{
		{"plain GET on the stage", func() *http.Request { r, _ := http.NewRequest("GET", base+"/local", nil); return r }, http.StatusUpgradeRequired},
		{"unknown stage", func() *http.Request { r, _ := http.NewRequest("GET", base+"/prod", nil); return r }, http.StatusForbidden},
		{"old WebSocket version", func() *http.Request {
			r, _ := http.NewRequest("GET", base+"/local", nil)
			r.Header.Set("Connection", "Upgrade")
			r.Header.Set("Upgrade", "websocket")
			r.Header.Set("Sec-WebSocket-Version", "8")
			r.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
			return r
		}, http.StatusUpgradeRequired},
		{"bad key", func() *http.Request {
			r, _ := http.NewRequest("GET", base+"/local", nil)
			r.Header.Set("Connection", "Upgrade")
			r.Header.Set("Upgrade", "websocket")
			r.Header.Set("Sec-WebSocket-Version", "13")
			r.Header.Set("Sec-WebSocket-Key", "short")
			return r
		}, http.StatusBadRequest},
		{"PUT on @connections", func() *http.Request {
			r, _ := http.NewRequest("PUT", base+"/local/@connections/abc", nil)
			return r
		}, http.StatusForbidden},
	}
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	for _, tc := range cases {
		resp, err := client.Do(tc.req())
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
	if g.Connections() != 0 {
		t.Error("a connection was registered")
	}
}

func TestRFC6455AcceptKey(t *testing.T) {
	// The example from RFC 6455 section 1.3.
	if got := acceptKey("dGhlIHNhbXBsZSBub25jZQ=="); got != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
		t.Errorf("accept key %q", got)
	}
}
