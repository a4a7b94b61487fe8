package wsapi

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func newConnectionHandler(t *testing.T, f *fakeService) (*ConnectionHandler, *bytes.Buffer) {
	t.Helper()
	logger, buf := logBuffer()
	h, err := NewConnectionHandler(f, logger)
	if err != nil {
		t.Fatal(err)
	}
	h.now = func() time.Time { return time.UnixMilli(1705751699999) }
	return h, buf
}

func TestConnectStoresTheAuthorizersIdentity(t *testing.T) {
	f := newFakeService()
	h, _ := newConnectionHandler(t, f)
	resp, err := h.Handle(context.Background(), loadEvent(t, "connect.json"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("response = %+v, %v; want 200", resp, err)
	}
	calls := f.recorded()
	if len(calls) != 1 || calls[0].method != "Connect" {
		t.Fatalf("calls = %+v, want one Connect", calls)
	}
	c := calls[0].conn
	if c.ID != testConnID || c.UserID != testUserID || c.Username != "ada" || c.DisplayName != "Ada Lovelace" || c.Email != "ada@example.com" {
		t.Errorf("connection = %+v", c)
	}
	if len(c.Groups) != 2 || c.Groups[0] != "admins" || c.Groups[1] != "moderators" {
		t.Errorf("groups = %v, want [admins moderators]", c.Groups)
	}
	if !c.ConnectedAt.Equal(time.UnixMilli(1705751697419)) {
		t.Errorf("connectedAt = %v, want the event's connectedAt", c.ConnectedAt)
	}
	// The token offered as a subprotocol is never echoed; "backchannel" is.
	if got := resp.Headers["Sec-WebSocket-Protocol"]; got != "backchannel" {
		t.Errorf("Sec-WebSocket-Protocol = %q, want backchannel", got)
	}
}

func TestConnectWithoutAuthorizerContextIs401(t *testing.T) {
	f := newFakeService()
	h, logs := newConnectionHandler(t, f)
	resp, err := h.Handle(context.Background(), loadEvent(t, "connect-without-authorizer.json"))
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("response = %+v, %v; want 401", resp, err)
	}
	if calls := f.recorded(); len(calls) != 0 {
		t.Fatalf("service called without identity: %+v", calls)
	}
	if l := logLines(t, logs); len(l) != 1 || l[0]["requestId"] != "R1kn0AuthMissing=" || l[0]["connectionId"] != testConnID {
		t.Fatalf("log = %v", l)
	}
}

func TestConnectWithIncompleteAuthorizerContextIs401(t *testing.T) {
	req := loadEvent(t, "connect.json")
	req.RequestContext.Authorizer = map[string]any{"principalId": "x"} // no userId
	f := newFakeService()
	h, _ := newConnectionHandler(t, f)
	if resp, _ := h.Handle(context.Background(), req); resp.StatusCode != 401 {
		t.Fatalf("status = %d, want 401", resp.StatusCode)
	}
	if calls := f.recorded(); len(calls) != 0 {
		t.Fatalf("service called: %+v", calls)
	}
}

func TestConnectServiceErrorRefusesTheUpgrade(t *testing.T) {
	cases := []struct {
		err    error
		status int
		logged bool
	}{
		{chat.Errorf(chat.Forbidden, "account disabled"), 403, false},
		{chat.Errorf(chat.RateLimited, "too many connections"), 429, false},
		{chat.Wrap(errors.New("dynamodb down"), "store connection"), 500, true},
	}
	for _, tc := range cases {
		f := newFakeService()
		f.err = tc.err
		h, logs := newConnectionHandler(t, f)
		resp, _ := h.Handle(context.Background(), loadEvent(t, "connect.json"))
		if resp.StatusCode != tc.status || resp.Body != chat.ErrorMessage(tc.err) {
			t.Errorf("%v: response = %d %q, want %d", tc.err, resp.StatusCode, resp.Body, tc.status)
		}
		if got := len(logLines(t, logs)) == 1; got != tc.logged {
			t.Errorf("%v: logged = %v, want %v", tc.err, got, tc.logged)
		}
	}
}

func TestConnectWithoutConnectedAtUsesTheClock(t *testing.T) {
	req := loadEvent(t, "connect.json")
	req.RequestContext.ConnectedAt = 0
	f := newFakeService()
	h, _ := newConnectionHandler(t, f)
	h.Handle(context.Background(), req)
	if c := f.recorded()[0].conn; !c.ConnectedAt.Equal(time.UnixMilli(1705751699999)) {
		t.Fatalf("connectedAt = %v", c.ConnectedAt)
	}
}

func TestDisconnectDeletesExactlyThatConnection(t *testing.T) {
	for _, serviceErr := range []error{nil, chat.Wrap(errors.New("boom"), "delete connection")} {
		f := newFakeService()
		f.err = serviceErr
		h, logs := newConnectionHandler(t, f)
		resp, err := h.Handle(context.Background(), loadEvent(t, "disconnect.json"))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("response = %+v, %v; want 200 whatever happens", resp, err)
		}
		calls := f.recorded()
		if len(calls) != 1 || calls[0].method != "Disconnect" || calls[0].connID != testConnID {
			t.Fatalf("calls = %+v, want Disconnect(%s)", calls, testConnID)
		}
		if logged := len(logLines(t, logs)) == 1; logged != (serviceErr != nil) {
			t.Errorf("error %v: logged = %v", serviceErr, logged)
		}
	}
}

func TestUnknownRouteIsRefused(t *testing.T) {
	req := loadEvent(t, "send-message.json")
	f := newFakeService()
	h, _ := newConnectionHandler(t, f)
	if resp, _ := h.Handle(context.Background(), req); resp.StatusCode != 400 {
		t.Fatalf("status = %d, want 400", resp.StatusCode)
	}
	if calls := f.recorded(); len(calls) != 0 {
		t.Fatalf("calls = %+v", calls)
	}
}

func TestChooseSubprotocol(t *testing.T) {
	const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln"
	cases := []struct {
		name    string
		headers map[string]string
		multi   map[string][]string
		want    string
	}{
		{"none offered", nil, nil, ""},
		{"token first", map[string]string{"Sec-WebSocket-Protocol": jwt + ", backchannel"}, nil, "backchannel"},
		{"lower-case header", map[string]string{"sec-websocket-protocol": "backchannel," + jwt}, nil, "backchannel"},
		{"only a token", map[string]string{"Sec-WebSocket-Protocol": jwt}, nil, ""},
		{"several header lines", nil, map[string][]string{"Sec-WebSocket-Protocol": {jwt, "chat.v2, backchannel"}}, "chat.v2"},
	}
	for _, tc := range cases {
		req := loadEvent(t, "connect.json")
		req.Headers, req.MultiValueHeaders = tc.headers, tc.multi
		if got := chooseSubprotocol(req); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
}
