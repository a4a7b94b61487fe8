package wsapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/protocol"
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
func loadEvent(t *testing.T, name string) events.APIGatewayWebsocketProxyRequest {
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
func frameEvent(t *testing.T, body string) events.APIGatewayWebsocketProxyRequest {
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

// newActionHandler returns a handler over f with a fixed clock.
func newActionHandler(t *testing.T, f *fakeService) (*ActionHandler, *bytes.Buffer) {
	t.Helper()
	logger, buf := logBuffer()
	h, err := NewActionHandler(f, logger)
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return time.UnixMilli(1705751700500) }
	return h, buf
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
