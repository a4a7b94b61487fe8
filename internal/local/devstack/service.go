package devstack

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Service is an emulator running as a child process.
type Service struct {
	Name     string
	Endpoint string // http://127.0.0.1:port
	LogPath  string
	Process  *Process
}

// stopGrace is how long a child gets to exit on SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// Stop stops the child and everything in its process group.
func (s *Service) Stop() error {
	if s == nil || s.Process == nil {
		return nil
	}
	return s.Process.Stop(stopGrace)
}

// startAttempts bounds the retries of a child that lost the race for the
// port it was given (it exits right away; we pick another).
const startAttempts = 3

// startOnFreePort runs start with a fresh free port until the child becomes
// ready, retrying only when it exited early.
func startOnFreePort(ctx context.Context, start func(ctx context.Context, port int) (*Service, error)) (*Service, error) {
	var err error
	for range startAttempts {
		var port int
		port, err = FreePort()
		if err != nil {
			return nil, err
		}
		var s *Service
		s, err = start(ctx, port)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, errExitedEarly) || ctx.Err() != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w (after %d attempts)", err, startAttempts)
}
