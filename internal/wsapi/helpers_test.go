package wsapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/chat/chattest"
	"github.com/backchannel-chat/backchannel/internal/protocol"
	"github.com/backchannel-chat/backchannel/internal/service"
)

// The connection id and request id of the captured events in testdata.
const (
	testConnID    = "R1kmxc2VNjMCFIA="
	testTraceID   = "R1knPH17NjMFftw="
	testUserID    = "8f1c2e4a-0b6d-4c3e-9a57-2d1e0f3b4a5c"
	testOtherConn = "S2lnyd3WOkNDGJB="
)

// testConn is the registered connection of the captured events.
var testConn = chat.Connection{
	ID:          testConnID,
	Identity:    chat.Identity{UserID: testUserID, Username: "ada", DisplayName: "Ada Lovelace"},
	ConnectedAt: time.UnixMilli(1705751697419),
}

// loadEvent reads an API Gateway event from testdata.
func loadEvent(t testing.TB, name string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var req events.APIGatewayWebsocketProxyRequest
	if err := json.Unmarshal(b, &req); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return req
}

// frameEvent is the captured MESSAGE event carrying body instead.
func frameEvent(t testing.TB, body string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	req := loadEvent(t, "send-message.json")
	req.Body = body
	var env protocol.Envelope
	if json.Unmarshal([]byte(body), &env) == nil && env.Action != "" {
		req.RequestContext.RouteKey = env.Action
	} else {
		req.RequestContext.RouteKey = "$default"
	}
	return req
}

// logBuffer is a JSON logger writing into a buffer the test can read.
func logBuffer() (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	return slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})), &buf
}

// testChat is the real chat service over the in-memory fakes of
// internal/chat/chattest, with both handlers over it and a hand-driven clock
// that starts at the captured events' time.
type testChat struct {
	t       testing.TB
	ctx     context.Context
	store   *chattest.Store
	fan     *chattest.Fanout
	blobs   *chattest.Blobs
	svc     *service.Chat
	actions *ActionHandler
	conns   *ConnectionHandler
	logs    *bytes.Buffer

	mu    sync.Mutex
	now   time.Time
	calls []serviceCall
}

// serviceCall is one call of a service method by the action handler.
type serviceCall struct {
	method string
	conn   chat.Connection
	req    any
}

// testClock is the captured MESSAGE event's time: a ping answers it.
const testClock = 1705751700500

// newTestChat builds the service (files on, a generous write budget unless
// tweak says otherwise) and both handlers.
func newTestChat(t testing.TB, tweak ...func(*service.Config)) *testChat {
	t.Helper()
	c := &testChat{
		t: t, ctx: context.Background(),
		store: chattest.NewStore(), fan: chattest.NewFanout(), blobs: chattest.NewBlobs(),
		now: time.UnixMilli(testClock),
	}
	c.store.Now = c.clock
	cfg := service.Config{Store: c.store, Fanout: c.fan, Blobs: c.blobs, Now: c.clock, RatePerWindow: 10000}
	for _, f := range tweak {
		f(&cfg)
	}
	svc, err := service.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logger, buf := logBuffer()
	actions, err := NewActionHandler(svc, logger)
	if err != nil {
		t.Fatal(err)
	}
	actions.called = func(method string, conn chat.Connection, req any) {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.calls = append(c.calls, serviceCall{method, conn, req})
	}
	conns, err := NewConnectionHandler(svc, logger)
	if err != nil {
		t.Fatal(err)
	}
	conns.now = func() time.Time { return time.UnixMilli(1705751699999) }
	c.svc, c.actions, c.conns, c.logs = svc, actions, conns, buf
	return c
}

func (c *testChat) clock() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testChat) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recorded returns the service methods the action handler called so far.
func (c *testChat) recorded() []serviceCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]serviceCall(nil), c.calls...)
}

// register connects conn as $connect would and returns it as stored.
func (c *testChat) register(conn chat.Connection) chat.Connection {
	c.t.Helper()
	if err := c.svc.Connect(c.ctx, conn); err != nil {
		c.t.Fatalf("Connect(%s): %v", conn.ID, err)
	}
	stored, err := c.svc.Connection(c.ctx, conn.ID)
	if err != nil {
		c.t.Fatal(err)
	}
	return stored
}

// user registers a connection of a user named like its id.
func (c *testChat) user(userID, connID string) chat.Connection {
	c.t.Helper()
	return c.register(chat.Connection{ID: connID, Identity: chat.Identity{UserID: userID, Username: userID, DisplayName: userID}})
}

// do sends body on connection connID (the captured event's by default)
// and returns the response.
func (c *testChat) do(body string, connID ...string) events.APIGatewayProxyResponse {
	c.t.Helper()
	req := frameEvent(c.t, body)
	if len(connID) > 0 {
		req.RequestContext.ConnectionID = connID[0]
	}
	resp, err := c.actions.Handle(c.ctx, req)
	if err != nil {
		c.t.Fatalf("%s: Handle returned error %v", body, err)
	}
	return resp
}

// errStoreTouched is what the store answers after failStore.
var errStoreTouched = errors.New("the store was touched")

// failStore makes every store method but the named ones fail, so that a
// test can tell the service did not get that far.
func (c *testChat) failStore(except ...string) {
	st := reflect.TypeFor[chat.Store]()
	for i := range st.NumMethod() {
		if name := st.Method(i).Name; !slices.Contains(except, name) {
			c.store.FailOn(name, errStoreTouched)
		}
	}
}

// replyOf decodes a response body, checking the status every reply has.
func replyOf(t *testing.T, resp events.APIGatewayProxyResponse) map[string]any {
	t.Helper()
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, want 200 (replies, errors included, are 200)", resp.StatusCode)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(resp.Body), &m); err != nil {
		t.Fatalf("reply %q is not a JSON object: %v", resp.Body, err)
	}
	return m
}

// errorOf decodes a response that must be an error event.
func errorOf(t *testing.T, resp events.APIGatewayProxyResponse) protocol.ErrorEvent {
	t.Helper()
	replyOf(t, resp)
	var ev protocol.ErrorEvent
	if err := json.Unmarshal([]byte(resp.Body), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Type != protocol.EventError {
		t.Fatalf("reply type = %q, want error; body %s", ev.Type, resp.Body)
	}
	return ev
}

// logLines decodes the JSON log lines written so far.
func logLines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var lines []map[string]any
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("log is not JSON lines: %v\n%s", err, buf.String())
		}
		lines = append(lines, m)
	}
	return lines
}
