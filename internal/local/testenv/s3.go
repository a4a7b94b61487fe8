package testenv

import (
	"testing"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

// NewS3 serves an empty in-memory S3 (gofakes3) on a free loopback port for
// the test and returns its endpoint. Use path-style addressing
// (s3.Options.UsePathStyle). It needs no emulator, so it does not skip.
func NewS3(t testing.TB) (endpoint string) {
	t.Helper()
	srv, err := devstack.StartS3()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("stop S3: %v", err)
		}
	})
	return srv.Endpoint
}
