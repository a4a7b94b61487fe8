package wsapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/chat"
	"github.com/backchannel-chat/backchannel/internal/outhook"
)

// routingHooks lets TestActionRouting's runCommand reach routingCommandURL.
var routingHooks = &outhook.Client{AllowPrivate: true}

var (
	routingRecvOnce sync.Once
	routingRecv     *httptest.Server
)

func routingCommandURL() string {
	routingRecvOnce.Do(func() {
		routingRecv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			_, _ = io.WriteString(w, `{"text":"pong","visibility":"ephemeral"}`)
		}))
	})
	return routingRecv.URL
}

// seedIntegrations stores a command /ping (ig_cmd) and an outgoing webhook
// (ig_out) in r1 for the routing cases.
func seedIntegrations(t *testing.T, c *testChat) {
	t.Helper()
	for _, it := range []chat.Integration{
		{ID: "ig_cmd", Kind: chat.KindCommand, RoomID: "r1", Command: "ping", URL: routingCommandURL(), Secret: "s", CreatedBy: testUserID, CreatedAt: c.clock()},
		{ID: "ig_out", Kind: chat.KindOutgoing, RoomID: "r1", URL: "https://example.com/o", AllMessages: true, Secret: "s", CreatedBy: testUserID, CreatedAt: c.clock()},
	} {
		if err := c.store.PutIntegration(c.ctx, it, 0); err != nil {
			t.Fatal(err)
		}
	}
}
