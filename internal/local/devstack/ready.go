package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// errExitedEarly marks a child that exited before it became ready.
var errExitedEarly = errors.New("exited before it was ready")

// waitReady polls probe every 100 ms until it succeeds, the child exits,
// timeout passes or ctx ends. The error names the service, the last probe
// error and the tail of the child's log.
func waitReady(ctx context.Context, p *Process, logPath string, timeout time.Duration, probe func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		last = probe(attempt)
		cancelAttempt()
		if last == nil {
			return nil
		}
		select {
		case <-p.Done():
			return fmt.Errorf("devstack: %s %w (%v)%s", p.Name(), errExitedEarly, p.ExitErr(), logTail(logPath))
		case <-ctx.Done():
			return fmt.Errorf("devstack: %s not ready after %s: %v%s", p.Name(), timeout, last, logTail(logPath))
		case <-tick.C:
		}
	}
}

// logTail returns the last lines of a child's log for an error message.
func logTail(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(b)) == 0 {
		return ""
	}
	const max = 2000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return fmt.Sprintf("\n--- last lines of %s ---\n%s", path, bytes.TrimSpace(b))
}
