package wsapi

import (
	"errors"
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/chat"
)

func TestConnectStoresTheAuthorizersIdentity(t *testing.T) {
	c := newTestChat(t)
	resp, err := c.conns.Handle(c.ctx, loadEvent(t, "connect.json"))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("response = %+v, %v; want 200", resp, err)
	}
	conn, err := c.store.GetConnection(c.ctx, testConnID)
	if err != nil {
		t.Fatalf("connection not stored: %v", err)
	}
	if conn.ID != testConnID || conn.UserID != testUserID || conn.Username != "ada" || conn.DisplayName != "Ada Lovelace" || conn.Email != "" {
		// The token's email is not stored with the connection (issue #15).
		t.Errorf("connection = %+v", conn)
	}
	if len(conn.Groups) != 2 || conn.Groups[0] != "admins" || conn.Groups[1] != "moderators" {
		t.Errorf("groups = %v, want [admins moderators]", conn.Groups)
	}
	if !conn.ConnectedAt.Equal(time.UnixMilli(1705751697419)) {
		t.Errorf("connectedAt = %v, want the event's connectedAt", conn.ConnectedAt)
	}
	// The token offered as a subprotocol is never echoed; "backchannel" is.
	if got := resp.Headers["Sec-WebSocket-Protocol"]; got != "backchannel" {
		t.Errorf("Sec-WebSocket-Protocol = %q, want backchannel", got)
	}
}

func TestConnectWithoutAuthorizerContextIs401(t *testing.T) {
	c := newTestChat(t)
	c.failStore() // the service must not be called without an identity
	resp, err := c.conns.Handle(c.ctx, loadEvent(t, "connect-without-authorizer.json"))
	if err != nil || resp.StatusCode != 401 {
		t.Fatalf("response = %+v, %v; want 401", resp, err)
	}
	if l := logLines(t, c.logs); len(l) != 1 || l[0]["requestId"] != "R1kn0AuthMissing=" || l[0]["connectionId"] != testConnID {
		t.Fatalf("log = %v", l)
	}
}

func TestConnectWithIncompleteAuthorizerContextIs401(t *testing.T) {
	req := loadEvent(t, "connect.json")
	req.RequestContext.Authorizer = map[string]any{"principalId": "x"} // no userId
	c := newTestChat(t)
	c.failStore()
	if resp, _ := c.conns.Handle(c.ctx, req); resp.StatusCode != 401 {
		t.Fatalf("status = %d, want 401", resp.StatusCode)
	}
	if l := logLines(t, c.logs); len(l) != 1 || l[0]["msg"] != "connect without authorizer identity" {
		t.Fatalf("log = %v, want only the refusal (the service was not called)", l)
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
		c := newTestChat(t)
		c.store.FailOn("PutConnection", tc.err)
		resp, _ := c.conns.Handle(c.ctx, loadEvent(t, "connect.json"))
		if resp.StatusCode != tc.status || resp.Body != chat.ErrorMessage(tc.err) {
			t.Errorf("%v: response = %d %q, want %d", tc.err, resp.StatusCode, resp.Body, tc.status)
		}
		if got := len(logLines(t, c.logs)) == 1; got != tc.logged {
			t.Errorf("%v: logged = %v, want %v", tc.err, got, tc.logged)
		}
	}
}

func TestConnectWithoutConnectedAtUsesTheClock(t *testing.T) {
	req := loadEvent(t, "connect.json")
	req.RequestContext.ConnectedAt = 0
	c := newTestChat(t)
	c.conns.Handle(c.ctx, req)
	if conn, err := c.store.GetConnection(c.ctx, testConnID); err != nil || !conn.ConnectedAt.Equal(time.UnixMilli(1705751699999)) {
		t.Fatalf("connectedAt = %v (%v)", conn.ConnectedAt, err)
	}
}

func TestDisconnectDeletesExactlyThatConnection(t *testing.T) {
	for _, serviceErr := range []error{nil, chat.Wrap(errors.New("boom"), "delete connection")} {
		c := newTestChat(t)
		c.register(testConn)
		c.register(chat.Connection{ID: testOtherConn, Identity: testConn.Identity})
		c.store.FailOn("DeleteConnection", serviceErr)
		resp, err := c.conns.Handle(c.ctx, loadEvent(t, "disconnect.json"))
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("response = %+v, %v; want 200 whatever happens", resp, err)
		}
		_, errGone := c.store.GetConnection(c.ctx, testConnID)
		_, errOther := c.store.GetConnection(c.ctx, testOtherConn)
		if serviceErr == nil && chat.ErrorCode(errGone) != chat.NotFound {
			t.Errorf("%s still stored (%v), want it deleted", testConnID, errGone)
		}
		if errOther != nil {
			t.Errorf("the other connection was touched: %v", errOther)
		}
		if logged := len(logLines(t, c.logs)) == 1; logged != (serviceErr != nil) {
			t.Errorf("error %v: logged = %v", serviceErr, logged)
		}
	}
}

func TestUnknownRouteIsRefused(t *testing.T) {
	req := loadEvent(t, "send-message.json")
	c := newTestChat(t)
	c.failStore()
	if resp, _ := c.conns.Handle(c.ctx, req); resp.StatusCode != 400 {
		t.Fatalf("status = %d, want 400", resp.StatusCode)
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

func TestNewConnectionHandlerRejectsNil(t *testing.T) {
	logger, _ := logBuffer()
	if _, err := NewConnectionHandler(nil, logger); err == nil {
		t.Error("nil service accepted")
	}
	if _, err := NewConnectionHandler(newTestChat(t).svc, nil); err == nil {
		t.Error("nil logger accepted")
	}
}
