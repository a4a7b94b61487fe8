package localgw

import (
	"bufio"
	"net"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/apigatewaymanagementapi"
	"github.com/coder/websocket"
)

// writeFragmented sends one text message as frames of the given sizes.
func writeFragmented(t *testing.T, c *websocket.Conn, sizes ...int) {
	t.Helper()
	w, err := c.Writer(testContext(t), websocket.MessageText)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sizes {
		if _, err := w.Write([]byte(strings.Repeat("a", n))); err != nil {
			return // the server may already have closed: the caller checks the close code
		}
	}
	_ = w.Close()
}

// TestEveryKindOfClose checks, for each way a connection can end, what the
// client sees and that $disconnect runs exactly once with the right code.
func TestEveryKindOfClose(t *testing.T) {
	const kib = 1024
	cases := []struct {
		name        string
		cfg         Config
		end         func(t *testing.T, g *Gateway, c *websocket.Conn, id string)
		clientSees  websocket.StatusCode // -1: not checked (the client closed itself)
		wantCode    int64
		wantReason  string
		wantMessage int // bytes of a message the handler must have received first, 0 for none
	}{
		{
			name: "client close",
			end: func(t *testing.T, _ *Gateway, c *websocket.Conn, _ string) {
				_ = c.Close(websocket.StatusNormalClosure, "bye")
			},
			clientSees: -1, wantCode: 1000, wantReason: "bye",
		},
		{
			name:       "network drop",
			end:        func(t *testing.T, _ *Gateway, c *websocket.Conn, _ string) { _ = c.CloseNow() },
			clientSees: -1, wantCode: 1006,
		},
		{
			name: "frame over 32 KiB closes 1009",
			end: func(t *testing.T, _ *Gateway, c *websocket.Conn, _ string) {
				_ = c.Write(testContext(t), websocket.MessageText, []byte(strings.Repeat("a", 32*kib+1)))
			},
			clientSees: websocket.StatusMessageTooBig, wantCode: 1009, wantReason: "Message too big",
		},
		{
			name: "fragmented message over 128 KiB closes 1009 (128 KiB in 32 KiB frames passes)",
			end: func(t *testing.T, _ *Gateway, c *websocket.Conn, _ string) {
				writeFragmented(t, c, 32*kib, 32*kib, 32*kib, 32*kib)
				writeFragmented(t, c, 32*kib, 32*kib, 32*kib, 32*kib, 1)
			},
			clientSees: websocket.StatusMessageTooBig, wantCode: 1009, wantReason: "Message too big", wantMessage: 128 * kib,
		},
		{
			name: "DeleteConnection",
			end: func(t *testing.T, g *Gateway, _ *websocket.Conn, id string) {
				_, err := managementClient(t, g).DeleteConnection(testContext(t), &apigatewaymanagementapi.DeleteConnectionInput{ConnectionId: aws.String(id)})
				if err != nil {
					t.Fatal(err)
				}
			},
			clientSees: websocket.StatusNormalClosure, wantCode: 1000,
		},
		{
			name:       "idle timeout closes 1001",
			cfg:        Config{IdleTimeout: 20 * time.Millisecond},
			end:        func(*testing.T, *Gateway, *websocket.Conn, string) {},
			clientSees: websocket.StatusGoingAway, wantCode: 1001, wantReason: "Going away",
		},
		{
			name:       "maximum connection duration closes 1001",
			cfg:        Config{MaxConnectionDuration: 20 * time.Millisecond, IdleTimeout: time.Hour},
			end:        func(*testing.T, *Gateway, *websocket.Conn, string) {},
			clientSees: websocket.StatusGoingAway, wantCode: 1001, wantReason: "Going away",
		},
		{
			name: "gateway Close",
			end: func(t *testing.T, g *Gateway, _ *websocket.Conn, _ string) {
				go func() { _ = g.Close() }() // Close waits for $disconnect, which the client's reads let finish
			},
			clientSees: websocket.StatusGoingAway, wantCode: 1001, wantReason: "Going away",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder()
			tc.cfg.Routes = rec.allRoutes()
			g := startGateway(t, tc.cfg)
			c := mustDial(t, g, "", nil)
			id := rec.nextOf(t, RouteConnect).RequestContext.ConnectionID

			tc.end(t, g, c, id)
			if tc.clientSees != -1 {
				if got := readCloseStatus(t, c); got != tc.clientSees {
					t.Errorf("client saw close %d, want %d", got, tc.clientSees)
				}
			}
			ev := rec.nextOf(t, RouteDisconnect)
			if err := g.Close(); err != nil { // waits for every $disconnect
				t.Fatal(err)
			}
			rc := ev.RequestContext
			if rc.ConnectionID != id || rc.DisconnectStatusCode != tc.wantCode || rc.DisconnectReason == nil || *rc.DisconnectReason != tc.wantReason {
				t.Errorf("$disconnect for %s with %d %v, want %s %d %q", rc.ConnectionID, rc.DisconnectStatusCode, rc.DisconnectReason, id, tc.wantCode, tc.wantReason)
			}
			if n := rec.count(RouteDisconnect); len(n) != 1 || n[id] != 1 {
				t.Errorf("$disconnect calls per connection = %v, want exactly one for %s", n, id)
			}
			if tc.wantMessage > 0 {
				if n := rec.count(RouteDefault)[id]; n != 1 {
					t.Fatalf("%d messages handled, want 1", n)
				}
				if got := len(rec.events[1].Body); got != tc.wantMessage {
					t.Errorf("message of %d bytes handled, want %d", got, tc.wantMessage)
				}
			}
			if g.Connections() != 0 {
				t.Errorf("%d connections left", g.Connections())
			}
		})
	}
}

func TestIdleTimerIsResetByClientMessages(t *testing.T) {
	// synctest's fake clock makes the timing exact: the client talks every
	// 40 s for 200 s against a 60 s idle timeout, then falls silent.
	synctest.Test(t, func(t *testing.T) {
		rec := newRecorder()
		g, err := New(Config{IdleTimeout: time.Minute, Routes: rec.allRoutes(), Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		server, client := net.Pipe()
		clientReader := bufio.NewReader(client)
		c := pipeConn(g, server)

		for range 5 {
			time.Sleep(40 * time.Second)
			if _, err := client.Write(clientFrame(true, opText, []byte("still here"))); err != nil {
				t.Fatalf("connection closed while the client was active: %v", err)
			}
		}
		synctest.Wait()
		if n := rec.count(RouteDefault)[c.id]; n != 5 {
			t.Fatalf("%d messages handled, want 5", n)
		}
		start := time.Now()
		op, payload := readServerFrame(t, clientReader) // blocks until the idle close
		if op != opClose || string(payload[2:]) != "Going away" || payload[0] != 0x03 || payload[1] != 0xE9 {
			t.Errorf("got frame %v %q, want close 1001 Going away", op, payload)
		}
		if silent := time.Since(start); silent != time.Minute {
			t.Errorf("closed after %v of silence, want exactly the idle timeout", silent)
		}
		_ = client.Close()
		if err := g.Close(); err != nil {
			t.Fatal(err)
		}
		if n := rec.count(RouteDisconnect)[c.id]; n != 1 {
			t.Errorf("$disconnect ran %d times", n)
		}
	})
}

func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	rec := newRecorder()
	g, err := New(Config{Routes: rec.allRoutes(), RouteResponses: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(); err != nil {
		t.Fatal(err)
	}
	var clients []*websocket.Conn
	for range 5 {
		c, _, err := websocket.Dial(testContext(t), g.URL(), nil)
		if err != nil {
			t.Fatal(err)
		}
		writeText(t, c, "hi")
		clients = append(clients, c)
	}
	if got := g.Connections(); got != 5 {
		t.Fatalf("Connections() = %d", got)
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}
	if n := rec.count(RouteDisconnect); len(n) != 5 {
		t.Errorf("$disconnect ran for %d connections after Close, want 5", len(n))
	}
	if err := g.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	for _, c := range clients {
		_ = c.CloseNow()
	}
	// Goroutines end asynchronously; wait for the count to settle.
	deadline := time.Now().Add(testTimeout)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	if _, _, err := websocket.Dial(testContext(t), g.URL(), nil); err == nil {
		t.Error("dial after Close succeeded")
	}
}
