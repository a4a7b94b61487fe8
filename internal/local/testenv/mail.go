package testenv

import (
	"testing"
	"time"

	"github.com/backchannel-chat/backchannel/internal/local/localscheduler"
	"github.com/backchannel-chat/backchannel/internal/local/localses"
)

// Endpoint variables of the services the stand-ins below replace.
const (
	EnvEndpointSESv2     = "AWS_ENDPOINT_URL_SESV2"
	EnvEndpointScheduler = "AWS_ENDPOINT_URL_SCHEDULER"
)

// NewSES starts the SES v2 stand-in for the test, always (whatever
// endpoint scripts/testenv was given: the digest's end-to-end tests read
// its mailbox; the adapter's contract test uses NewMailService), and points
// AWS_ENDPOINT_URL_SESV2 at it (t.Setenv: the test cannot be parallel), so
// an SDK configuration loaded afterwards sends there. Stopped when the test
// ends.
func NewSES(t testing.TB) *localses.Server {
	t.Helper()
	s, err := localses.Start("127.0.0.1:0", localses.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t.Setenv(EnvEndpointSESv2, s.URL())
	return s
}

// NewScheduler starts the EventBridge Scheduler stand-in, always (its
// schedules invoke in-process targets, which LocalStack's cannot; the
// adapter's contract test uses NewScheduleService), with the schedule
// groups named (besides "default") and points AWS_ENDPOINT_URL_SCHEDULER at
// it; register the targets its schedules invoke with Register. Retries are
// 100 ms apart, doubling. Stopped when the test ends.
func NewScheduler(t testing.TB, groups ...string) *localscheduler.Server {
	t.Helper()
	s, err := localscheduler.Start("127.0.0.1:0", localscheduler.Config{Groups: groups, RetryBase: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	t.Setenv(EnvEndpointScheduler, s.URL())
	return s
}
