package localgw

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/coder/websocket"
)

// errorFrame is the JSON API Gateway sends when a route fails.
type errorFrame struct {
	Message      string `json:"message"`
	ConnectionID string `json:"connectionId"`
	RequestID    string `json:"requestId"`
}

func readErrorFrame(t *testing.T, c *websocket.Conn) errorFrame {
	t.Helper()
	raw := readText(t, c)
	var f errorFrame
	if err := json.Unmarshal([]byte(raw), &f); err != nil {
		t.Fatalf("frame %q is not an error frame: %v", raw, err)
	}
	return f
}

func TestRouteSelection(t *testing.T) {
	rec := newRecorder()
	routes := rec.allRoutes()
	routes["sendMessage"] = rec.handler("")
	g := startGateway(t, Config{Routes: routes})
	c := mustDial(t, g, "", nil)
	rec.nextOf(t, RouteConnect)

	cases := []struct {
		frame string
		want  string
	}{
		{`{"action":"sendMessage","text":"hi"}`, "sendMessage"},
		{`{"text":"hi","action":"sendMessage"}`, "sendMessage"},
		{`{"action":"unknownAction"}`, RouteDefault},
		{`not json`, RouteDefault},
		{`{"action":5}`, RouteDefault},
		{`{"payload":{"action":"sendMessage"}}`, RouteDefault}, // only the top-level field counts
		{`["sendMessage"]`, RouteDefault},
		{`{"action":"$connect"}`, RouteDefault},
		{`{"action":"$disconnect"}`, RouteDefault},
	}
	for _, tc := range cases {
		writeText(t, c, tc.frame)
		ev := rec.next(t)
		if ev.RequestContext.RouteKey != tc.want || ev.Body != tc.frame {
			t.Errorf("frame %s went to %q with body %q, want %q", tc.frame, ev.RequestContext.RouteKey, ev.Body, tc.want)
		}
	}
}

func TestNoRouteAndNoDefaultGivesForbiddenFrame(t *testing.T) {
	rec := newRecorder()
	g := startGateway(t, Config{Routes: map[string]Handler{"sendMessage": rec.handler("")}})
	c := mustDial(t, g, "", nil)
	writeText(t, c, "plain text")
	f := readErrorFrame(t, c)
	if f.Message != "Forbidden" || f.ConnectionID == "" || f.RequestID == "" {
		t.Errorf("error frame = %+v", f)
	}
	writeText(t, c, `{"action":"sendMessage"}`)
	if ev := rec.next(t); ev.RequestContext.ConnectionID != f.ConnectionID {
		t.Errorf("connection id in the error frame %q differs from the events' %q", f.ConnectionID, ev.RequestContext.ConnectionID)
	}
}

func TestRouteResponses(t *testing.T) {
	echo := func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "reply to " + ev.Body}, nil
	}
	silent := func(context.Context, events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}
	t.Run("enabled: the body comes back as one text frame", func(t *testing.T) {
		g := startGateway(t, Config{RouteResponses: true, Routes: map[string]Handler{RouteDefault: echo, "quiet": silent}})
		c := mustDial(t, g, "", nil)
		writeText(t, c, `{"action":"quiet"}`) // empty body: nothing is sent
		writeText(t, c, "ping")
		if got := readText(t, c); got != "reply to ping" {
			t.Errorf("route response = %q", got)
		}
	})
	t.Run("disabled: nothing comes back", func(t *testing.T) {
		g := startGateway(t, Config{Routes: map[string]Handler{"echo": echo}})
		c := mustDial(t, g, "", nil)
		writeText(t, c, `{"action":"echo"}`)
		writeText(t, c, "no route") // answered with Forbidden, after the echo
		if f := readErrorFrame(t, c); f.Message != "Forbidden" {
			t.Errorf("first frame = %+v, want the Forbidden frame (no route response)", f)
		}
	})
}

func TestHandlerFailureGivesInternalErrorAndConnectionKeepsWorking(t *testing.T) {
	var calls atomic.Int32
	handler := func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		calls.Add(1)
		switch ev.Body {
		case "panic":
			var m map[string]int
			m["x"] = 1 // nil map write
		case "error":
			return events.APIGatewayProxyResponse{}, errors.New("table missing")
		}
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "ok " + ev.Body}, nil
	}
	g := startGateway(t, Config{RouteResponses: true, Routes: map[string]Handler{RouteDefault: handler}})
	c := mustDial(t, g, "", nil)
	for _, body := range []string{"panic", "error"} {
		writeText(t, c, body)
		f := readErrorFrame(t, c)
		if f.Message != "Internal server error" || f.ConnectionID == "" || f.RequestID == "" {
			t.Errorf("after %s: frame = %+v", body, f)
		}
	}
	writeText(t, c, "fine")
	if got := readText(t, c); got != "ok fine" {
		t.Errorf("after failures: %q", got)
	}
	if g.Connections() != 1 || calls.Load() != 3 {
		t.Errorf("connections = %d, calls = %d", g.Connections(), calls.Load())
	}
}

func TestIntegrationTimeout(t *testing.T) {
	waitForDeadline := func(ctx context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		if ev.Body == "slow" {
			<-ctx.Done()
			return events.APIGatewayProxyResponse{}, ctx.Err()
		}
		lc, ok := lambdacontext.FromContext(ctx)
		deadline, hasDeadline := ctx.Deadline()
		if !ok || lc.AwsRequestID == "" || !hasDeadline || time.Until(deadline) > time.Hour {
			return events.APIGatewayProxyResponse{StatusCode: 500, Body: "no lambda context or deadline"}, nil
		}
		return events.APIGatewayProxyResponse{StatusCode: 200, Body: "fast"}, nil
	}
	g := startGateway(t, Config{RouteResponses: true, IntegrationTimeout: time.Hour, Routes: map[string]Handler{RouteDefault: waitForDeadline}})
	c := mustDial(t, g, "", nil)
	writeText(t, c, "fast")
	if got := readText(t, c); got != "fast" {
		t.Errorf("got %q", got)
	}

	g2 := startGateway(t, Config{RouteResponses: true, IntegrationTimeout: 5 * time.Millisecond, Routes: map[string]Handler{RouteDefault: waitForDeadline}})
	c2 := mustDial(t, g2, "", nil)
	writeText(t, c2, "slow")
	if f := readErrorFrame(t, c2); f.Message != "Endpoint request timed out" {
		t.Errorf("frame = %+v", f)
	}
}

func TestMessagesReachHandlersInOrderOneAtATime(t *testing.T) {
	const n = 200
	var inFlight, overlaps atomic.Int32
	got := make(chan string, n)
	handler := func(_ context.Context, ev events.APIGatewayWebsocketProxyRequest) (events.APIGatewayProxyResponse, error) {
		if inFlight.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inFlight.Add(-1)
		got <- ev.Body
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}
	g := startGateway(t, Config{Routes: map[string]Handler{RouteDefault: handler}})
	c := mustDial(t, g, "", nil)
	for i := range n {
		writeText(t, c, strconv.Itoa(i))
	}
	for i := range n {
		select {
		case body := <-got:
			if body != strconv.Itoa(i) {
				t.Fatalf("message %d delivered as %q", i, body)
			}
		case <-time.After(testTimeout):
			t.Fatalf("message %d never delivered", i)
		}
	}
	if overlaps.Load() != 0 {
		t.Errorf("%d handler calls overlapped", overlaps.Load())
	}
}
