package integration

import (
	"net/http/httptest"

	"github.com/backchannel-chat/backchannel/internal/local/httpgw"
)

// httpAPI serves the stack's HTTP API (webhooks, bots) over a real socket
// through the local stand-in of API Gateway's HTTP API, as make dev does,
// and returns its base URL (no trailing slash). Each call starts a server.
func (s *stack) httpAPI() string {
	s.t.Helper()
	srv := httptest.NewServer(httpgw.New(s.app.HTTP.Handle, nil))
	s.t.Cleanup(srv.Close)
	return srv.URL
}
