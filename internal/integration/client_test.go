package integration

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/backchannel-chat/backchannel/internal/protocol"
)

// waitLimit bounds every wait for a frame. It is a failure bound only: a
// healthy run answers in milliseconds, nothing is asserted about speed.
const waitLimit = 20 * time.Second

// frame is one server frame as received.
type frame struct {
	raw       []byte
	fields    map[string]any
	typ       string
	requestID string
}

// client is one real WebSocket connection through the local gateway.
type client struct {
	t      testing.TB
	name   string
	conn   *websocket.Conn
	frames chan frame // filled by the reader goroutine, closed when it ends
	// backlog holds frames received while waiting for something else; only
	// the test goroutine touches it.
	backlog []frame
	closed  atomic.Pointer[error] // why the reader ended
	nextID  atomic.Int64
}

// dial opens a WebSocket with the token as query parameter and returns the
// HTTP status of a refused handshake (0 on success).
func dial(t testing.TB, wsURL, token string, subprotocols ...string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	u := wsURL
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	return websocket.Dial(ctx, u, &websocket.DialOptions{Subprotocols: subprotocols})
}

// newClient wraps an open connection and starts reading from it.
func newClient(t testing.TB, name string, conn *websocket.Conn) *client {
	conn.SetReadLimit(1 << 20)
	c := &client{t: t, name: name, conn: conn, frames: make(chan frame, 4096)}
	go c.read()
	t.Cleanup(func() { _ = c.conn.Close(websocket.StatusNormalClosure, "test over") })
	return c
}

func (c *client) read() {
	defer close(c.frames)
	for {
		typ, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.closed.Store(&err)
			return
		}
		if typ != websocket.MessageText {
			continue
		}
		f := frame{raw: data}
		if err := json.Unmarshal(data, &f.fields); err == nil {
			f.typ, _ = f.fields["type"].(string)
			f.requestID, _ = f.fields["requestId"].(string)
		}
		c.frames <- f
	}
}

// sendRaw writes one frame as is.
func (c *client) sendRaw(typ websocket.MessageType, data []byte) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := c.conn.Write(ctx, typ, data); err != nil {
		c.t.Fatalf("%s: write: %v", c.name, err)
	}
}

// send sends an action with payload's fields and a fresh request id, and
// returns the reply carrying that id (an error event included).
func (c *client) send(action string, payload map[string]any) frame {
	c.t.Helper()
	id := fmt.Sprintf("%s-%d", c.name, c.nextID.Add(1))
	msg := map[string]any{"action": action, "requestId": id}
	for k, v := range payload {
		msg[k] = v
	}
	b, err := json.Marshal(msg)
	if err != nil {
		c.t.Fatal(err)
	}
	c.sendRaw(websocket.MessageText, b)
	return c.reply(id, action)
}

// reply waits for the frame answering requestID.
func (c *client) reply(requestID, what string) frame {
	c.t.Helper()
	return c.waitFor(fmt.Sprintf("reply to %s (%s)", what, requestID), func(f frame) bool { return f.requestID == requestID })
}

// call sends an action and requires a reply of type want.
func (c *client) call(action string, payload map[string]any, want string) frame {
	c.t.Helper()
	f := c.send(action, payload)
	if f.typ != want {
		c.t.Fatalf("%s: %s %v answered %s, want %s", c.name, action, payload, f.raw, want)
	}
	return f
}

// callError sends an action and requires an error reply with code.
func (c *client) callError(action string, payload map[string]any, code string) frame {
	c.t.Helper()
	f := c.send(action, payload)
	if f.typ != protocol.EventError || f.fields["code"] != code {
		c.t.Fatalf("%s: %s %v answered %s, want error %s", c.name, action, payload, f.raw, code)
	}
	return f
}

// expectEvent waits for a pushed event (no request id) of type typ that
// satisfies match (nil matches any), and returns it.
func (c *client) expectEvent(typ string, match func(frame) bool) frame {
	c.t.Helper()
	return c.waitFor("event "+typ, func(f frame) bool {
		return f.typ == typ && f.requestID == "" && (match == nil || match(f))
	})
}

// expectNoEvent proves that no pushed event of type typ matching match has
// arrived, deterministically: the gateway writes posts to a connection in
// order, and every fan-out finished before its sender got a reply, so once
// this client's own ping is answered, anything sent to it earlier is here.
func (c *client) expectNoEvent(typ string, match func(frame) bool) {
	c.t.Helper()
	c.call(protocol.ActionPing, nil, protocol.EventPong)
	for _, f := range c.backlog {
		if f.typ == typ && f.requestID == "" && (match == nil || match(f)) {
			c.t.Fatalf("%s: got %s, want none", c.name, f.raw)
		}
	}
}

// drain forgets every frame received so far (after the same barrier).
func (c *client) drain() {
	c.t.Helper()
	c.call(protocol.ActionPing, nil, protocol.EventPong)
	c.backlog = nil
}

// waitFor returns the first frame, from the backlog or newly received,
// that satisfies match; others are kept in the backlog.
func (c *client) waitFor(what string, match func(frame) bool) frame {
	c.t.Helper()
	for i, f := range c.backlog {
		if match(f) {
			c.backlog = append(c.backlog[:i:i], c.backlog[i+1:]...)
			return f
		}
	}
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				c.t.Fatalf("%s: connection closed (%v) while waiting for %s; backlog:\n%s", c.name, c.closeErr(), what, c.dump())
			}
			if match(f) {
				return f
			}
			c.backlog = append(c.backlog, f)
		case <-timeout.C:
			c.t.Fatalf("%s: no %s within %s; backlog:\n%s", c.name, what, waitLimit, c.dump())
		}
	}
}

// waitClosed waits until the server closes the connection and returns the
// close status.
func (c *client) waitClosed() websocket.StatusCode {
	c.t.Helper()
	timeout := time.NewTimer(waitLimit)
	defer timeout.Stop()
	for {
		select {
		case f, ok := <-c.frames:
			if !ok {
				return websocket.CloseStatus(c.closeErr())
			}
			c.backlog = append(c.backlog, f)
		case <-timeout.C:
			c.t.Fatalf("%s: still open after %s", c.name, waitLimit)
		}
	}
}

func (c *client) closeErr() error {
	if p := c.closed.Load(); p != nil {
		return *p
	}
	return errors.New("open")
}

func (c *client) dump() string {
	var b strings.Builder
	for _, f := range c.backlog {
		b.Write(f.raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// decode turns a frame into its protocol type.
func decode[T any](t testing.TB, f frame) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(f.raw, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, f.raw, err)
	}
	return v
}
