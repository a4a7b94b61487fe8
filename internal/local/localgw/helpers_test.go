package localgw

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// testTimeout bounds every wait in these tests; it is a safety net against
// hangs, never an assertion about speed.
const testTimeout = 10 * time.Second

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	t.Cleanup(cancel)
	return ctx
}

// recorder captures the events handlers receive, in order.
type recorder struct {
	mu     sync.Mutex
	events []events.APIGatewayWebsocketProxyRequest
	notify chan events.APIGatewayWebsocketProxyRequest
}

func newRecorder() *recorder {
	return &recorder{notify: make(chan events.APIGatewayWebsocketProxyRequest, 1024)}
}

// handler records the event and answers 200 with the given body.
func (r *recorder) handler(body string) Handler {
	return func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		r.record(ev)
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: body}, nil
	}
}

func (r *recorder) record(ev events.APIGatewayWebsocketProxyRequest) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.notify <- ev
}

// next waits for the next recorded event.
func (r *recorder) next(t *testing.T) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	select {
	case ev := <-r.notify:
		return ev
	case <-time.After(testTimeout):
		t.Fatal("timed out waiting for a handler call")
		return events.APIGatewayWebsocketProxyRequest{}
	}
}

// nextOf waits for the next event of the given route, skipping others.
func (r *recorder) nextOf(t *testing.T, routeKey string) events.APIGatewayWebsocketProxyRequest {
	t.Helper()
	for {
		if ev := r.next(t); ev.RequestContext.RouteKey == routeKey {
			return ev
		}
	}
}

// count returns how many events of a route were recorded per connection.
func (r *recorder) count(routeKey string) map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := map[string]int{}
	for _, ev := range r.events {
		if ev.RequestContext.RouteKey == routeKey {
			n[ev.RequestContext.ConnectionID]++
		}
	}
	return n
}

// allRoutes wires $connect, $disconnect and $default to the recorder.
func (r *recorder) allRoutes() map[string]Handler {
	return map[string]Handler{
		RouteConnect:    r.handler(""),
		RouteDisconnect: r.handler(""),
		RouteDefault:    r.handler(""),
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startGateway starts a gateway closed at the end of the test.
func startGateway(t *testing.T, cfg Config) *Gateway {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = testLogger(t)
	}
	g, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if err := g.Start(); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := g.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return g
}

// dial connects a client; the connection is dropped at the end of the test.
func dial(t *testing.T, g *Gateway, query string, opts *websocket.DialOptions) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	url := g.URL()
	if query != "" {
		url += "?" + query
	}
	c, resp, err := websocket.Dial(testContext(t), url, opts)
	if err == nil {
		c.SetReadLimit(1 << 20)
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, resp, err
}

func mustDial(t *testing.T, g *Gateway, query string, opts *websocket.DialOptions) *websocket.Conn {
	t.Helper()
	c, _, err := dial(t, g, query, opts)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	return c
}

// readText reads one message and fails unless it is text.
func readText(t *testing.T, c *websocket.Conn) string {
	t.Helper()
	typ, data, err := c.Read(testContext(t))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("message type = %v, want text", typ)
	}
	return string(data)
}

// readCloseStatus reads until the server closes and returns its close code.
func readCloseStatus(t *testing.T, c *websocket.Conn) websocket.StatusCode {
	t.Helper()
	ctx := testContext(t)
	for {
		if _, _, err := c.Read(ctx); err != nil {
			return websocket.CloseStatus(err)
		}
	}
}

func writeText(t *testing.T, c *websocket.Conn, s string) {
	t.Helper()
	if err := c.Write(testContext(t), websocket.MessageText, []byte(s)); err != nil {
		t.Fatalf("write: %v", err)
	}
}
