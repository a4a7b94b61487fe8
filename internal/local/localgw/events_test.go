package localgw

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coder/websocket"
)

// The fixtures in testdata/ are aws-lambda-go v1.55.1's
// events/testdata/apigw-websocket-request*.json: captured MESSAGE and
// DISCONNECT events, and a CONNECT sample that mixes in REST-only keys.

func loadFixture(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// asJSONMap encodes an event the way Lambda would receive it.
func asJSONMap(t *testing.T, ev events.APIGatewayWebsocketProxyRequest) map[string]any {
	t.Helper()
	b, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// compareShape checks that got has the keys of want (exactly, or a subset
// when exact is false) with the same JSON types, descending into
// requestContext and identity.
func compareShape(t *testing.T, path string, got, want map[string]any, exact bool) {
	t.Helper()
	if exact && !slices.Equal(sortedKeys(got), sortedKeys(want)) {
		t.Errorf("%s keys = %v, fixture has %v", path, sortedKeys(got), sortedKeys(want))
	}
	for _, k := range sortedKeys(got) {
		w, ok := want[k]
		if !ok {
			t.Errorf("%s.%s is not in the fixture", path, k)
			continue
		}
		if jsonType(got[k]) != jsonType(w) {
			t.Errorf("%s.%s is a %s, fixture has a %s", path, k, jsonType(got[k]), jsonType(w))
			continue
		}
		if k == "requestContext" || k == "identity" {
			compareShape(t, path+"."+k, got[k].(map[string]any), w.(map[string]any), exact)
		}
	}
}

func requireKeys(t *testing.T, path string, m map[string]any, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, ok := m[k]; !ok {
			t.Errorf("%s.%s is missing", path, k)
		}
	}
}

func TestEventShapesMatchAWSFixtures(t *testing.T) {
	rec := newRecorder()
	g := startGateway(t, Config{Routes: rec.allRoutes()})
	c := mustDial(t, g, "name=me&name=you", &websocket.DialOptions{HTTPHeader: map[string][]string{"User-Agent": {"fixture-test/1.0"}}})
	writeText(t, c, "{\r\n\t\"a\": 1\r\n}")
	if err := c.Close(websocket.StatusGoingAway, ""); err != nil {
		t.Fatalf("close: %v", err)
	}
	connect := rec.nextOf(t, RouteConnect)
	message := rec.nextOf(t, RouteDefault)
	disconnect := rec.nextOf(t, RouteDisconnect)

	t.Run("MESSAGE has exactly the keys and types of the captured event", func(t *testing.T) {
		compareShape(t, "message", asJSONMap(t, message), loadFixture(t, "apigw-websocket-request-send-message.json"), true)
	})
	t.Run("DISCONNECT has exactly the keys and types of the captured event", func(t *testing.T) {
		compareShape(t, "disconnect", asJSONMap(t, disconnect), loadFixture(t, "apigw-websocket-request-disconnect.json"), true)
	})
	t.Run("CONNECT keys are those of the WebSocket part of the sample", func(t *testing.T) {
		got := asJSONMap(t, connect)
		compareShape(t, "connect", got, loadFixture(t, "apigw-websocket-request.json"), false)
		requireKeys(t, "connect", got, "headers", "multiValueHeaders", "queryStringParameters",
			"multiValueQueryStringParameters", "requestContext", "isBase64Encoded")
		rc := got["requestContext"].(map[string]any)
		requireKeys(t, "connect.requestContext", rc, "routeKey", "eventType", "extendedRequestId", "requestTime",
			"messageDirection", "stage", "connectedAt", "requestTimeEpoch", "identity", "requestId",
			"domainName", "connectionId", "apiId")
		requireKeys(t, "connect.requestContext.identity", rc["identity"].(map[string]any), "sourceIp", "userAgent")
		for _, k := range []string{"body", "messageId", "disconnectStatusCode", "disconnectReason"} {
			if _, ok := got[k]; ok {
				t.Errorf("connect has %q", k)
			}
			if _, ok := rc[k]; ok {
				t.Errorf("connect.requestContext has %q", k)
			}
		}
	})

	t.Run("values are filled as API Gateway fills them", func(t *testing.T) {
		id := connect.RequestContext.ConnectionID
		if raw, err := base64.StdEncoding.DecodeString(id); err != nil || len(id) != 16 || len(raw) != 11 {
			t.Errorf("connectionId %q is not shaped like API Gateway's (16 base64 chars)", id)
		}
		for _, ev := range []events.APIGatewayWebsocketProxyRequest{connect, message, disconnect} {
			rc := ev.RequestContext
			if rc.ConnectionID != id {
				t.Errorf("%s connectionId = %q, want %q", rc.RouteKey, rc.ConnectionID, id)
			}
			if rc.ConnectedAt != connect.RequestContext.ConnectedAt {
				t.Errorf("%s connectedAt differs from $connect's", rc.RouteKey)
			}
			if want := strings.TrimSuffix(strings.TrimPrefix(g.CallbackURL(), "http://"), "/local"); rc.DomainName != want || !strings.HasPrefix(want, "127.0.0.1:") {
				t.Errorf("%s domainName = %q", rc.RouteKey, rc.DomainName)
			}
			if rc.Stage != "local" || rc.APIID != g.APIID() || len(rc.APIID) != 10 {
				t.Errorf("%s stage/apiId = %q/%q", rc.RouteKey, rc.Stage, rc.APIID)
			}
			if rc.MessageDirection != "IN" || rc.RequestID == "" || rc.ExtendedRequestID != rc.RequestID {
				t.Errorf("%s direction/requestId = %q/%q/%q", rc.RouteKey, rc.MessageDirection, rc.RequestID, rc.ExtendedRequestID)
			}
			if rc.Identity.SourceIP != "127.0.0.1" || rc.Identity.UserAgent != "fixture-test/1.0" {
				t.Errorf("%s identity = %+v", rc.RouteKey, rc.Identity)
			}
			at, err := time.Parse(requestTimeLayout, rc.RequestTime)
			if err != nil || at.Unix() != rc.RequestTimeEpoch/1000 || rc.RequestTimeEpoch < rc.ConnectedAt {
				t.Errorf("%s requestTime %q / epoch %d inconsistent (%v)", rc.RouteKey, rc.RequestTime, rc.RequestTimeEpoch, err)
			}
			if rc.Authorizer != nil {
				t.Errorf("%s has an authorizer without an authorizer configured", rc.RouteKey)
			}
		}
		if connect.RequestContext.EventType != "CONNECT" || message.RequestContext.EventType != "MESSAGE" || disconnect.RequestContext.EventType != "DISCONNECT" {
			t.Error("wrong eventType")
		}
		if connect.RequestContext.RequestID == message.RequestContext.RequestID {
			t.Error("requestId is reused across events")
		}
		if mid, _ := message.RequestContext.MessageID.(string); mid == "" {
			t.Errorf("messageId = %v, want a string", message.RequestContext.MessageID)
		}
		if message.Body != "{\r\n\t\"a\": 1\r\n}" || message.IsBase64Encoded {
			t.Errorf("message body = %q base64=%v", message.Body, message.IsBase64Encoded)
		}
		if connect.QueryStringParameters["name"] != "you" || !slices.Equal(connect.MultiValueQueryStringParameters["name"], []string{"me", "you"}) {
			t.Errorf("query = %v / %v", connect.QueryStringParameters, connect.MultiValueQueryStringParameters)
		}
		if connect.Headers["Sec-WebSocket-Version"] != "13" || connect.Headers["Sec-WebSocket-Key"] == "" {
			t.Errorf("Sec-WebSocket-* headers not spelled as sent: %v", connect.Headers)
		}
		if connect.Headers["Host"] != message.RequestContext.DomainName || connect.Headers["X-Forwarded-For"] != "127.0.0.1" ||
			!strings.HasPrefix(connect.Headers["X-Amzn-Trace-Id"], "Root=1-") || connect.Headers["User-Agent"] != "fixture-test/1.0" {
			t.Errorf("connect headers = %v", connect.Headers)
		}
		if connect.MultiValueHeaders["Host"][0] != connect.Headers["Host"] {
			t.Errorf("multiValueHeaders = %v", connect.MultiValueHeaders)
		}
		if message.Headers != nil || message.QueryStringParameters != nil {
			t.Error("MESSAGE carries headers or query string")
		}
		if code := disconnect.RequestContext.DisconnectStatusCode; code != 1001 {
			t.Errorf("disconnectStatusCode = %d, want the client's 1001", code)
		}
		if r := disconnect.RequestContext.DisconnectReason; r == nil || *r != "" {
			t.Errorf("disconnectReason = %v, want empty string", r)
		}
	})
}

func TestRequestTimeFormat(t *testing.T) {
	at := time.Date(2024, 1, 20, 11, 55, 8, 0, time.FixedZone("x", 3600))
	if got := at.UTC().Format(requestTimeLayout); got != "20/Jan/2024:10:55:08 +0000" {
		t.Errorf("requestTime = %q", got)
	}
	if s := strconv.Itoa(len(newAPIID())); s != "10" {
		t.Errorf("apiId length %s", s)
	}
}
