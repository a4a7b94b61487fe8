package testenv

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/local/locallambda"
)

// NewLambda starts the Lambda stand-in (internal/local/locallambda, the
// Invoke API on a free loopback port) until the test ends and points the
// real SDK client at it through AWS_ENDPOINT_URL_LAMBDA, as make dev does:
// call it before AWSConfig (which reads the variable). Register the
// functions the test invokes on the returned server.
func NewLambda(t testing.TB) *locallambda.Server {
	t.Helper()
	s, err := locallambda.Start("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t.Setenv("AWS_ENDPOINT_URL_LAMBDA", s.URL())
	return s
}
