package devstack

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// childSpec is what the emulator starters share: run one child on a given
// port with its output in a log file, and wait until probe succeeds.
type childSpec struct {
	name    string
	path    string
	args    []string
	dir     string
	env     []string
	unset   []string
	logDir  string
	port    int
	timeout time.Duration
	probe   func(ctx context.Context, endpoint string) error
}

func startChild(ctx context.Context, spec childSpec) (*Service, error) {
	logFile, err := openLog(spec.logDir, spec.name)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child holds its own descriptor
	proc, err := StartProcess(ProcessSpec{
		Name: spec.name, Path: spec.path, Args: spec.args, Dir: spec.dir, Env: spec.env, Unset: spec.unset, Log: logFile,
	})
	if err != nil {
		return nil, err
	}
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", spec.port)
	err = waitReady(ctx, proc, logFile.Name(), spec.timeout, func(ctx context.Context) error {
		return spec.probe(ctx, endpoint)
	})
	if err != nil {
		return nil, errors.Join(err, proc.Stop(stopGrace))
	}
	return &Service{Name: spec.name, Endpoint: endpoint, LogPath: logFile.Name(), Process: proc}, nil
}
