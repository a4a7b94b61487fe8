package devstack

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ProcessSpec describes a child process.
type ProcessSpec struct {
	Name string   // short name used in errors, e.g. "dynamodb-local"
	Path string   // executable
	Args []string // arguments, without the executable
	Dir  string   // working directory; "" is the current one
	Env  []string // added to (and overriding) this process's environment
	// Unset are variables of this process's environment the child does not
	// get (an empty value is not the same as none to some programs).
	Unset []string
	Log   io.Writer
}

// Process is a running child in its own process group.
type Process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // set before done is closed

	stopOnce sync.Once
	stopErr  error
}

// spawnRequests are served by one goroutine locked to its OS thread for the
// life of the program. Pdeathsig fires when the *thread* that forked the
// child exits, not the process; forking from a thread that never exits
// makes it mean "when this process dies".
var (
	spawnOnce     sync.Once
	spawnRequests chan func()
)

func onSpawnThread(f func()) {
	spawnOnce.Do(func() {
		spawnRequests = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked: the thread lives as long as the process
			for req := range spawnRequests {
				req()
			}
		}()
	})
	finished := make(chan struct{})
	spawnRequests <- func() { defer close(finished); f() }
	<-finished
}

// StartProcess starts the child described by spec.
func StartProcess(spec ProcessSpec) (*Process, error) {
	cmd := exec.Command(spec.Path, spec.Args...)
	cmd.Dir = spec.Dir
	cmd.Env = append(withoutVars(os.Environ(), spec.Unset), spec.Env...)
	cmd.Stdin = nil // /dev/null: children never read the terminal
	if spec.Log != nil {
		cmd.Stdout, cmd.Stderr = spec.Log, spec.Log
	}
	cmd.SysProcAttr = childProcAttr()
	var err error
	onSpawnThread(func() { err = cmd.Start() })
	if err != nil {
		return nil, fmt.Errorf("devstack: start %s (%s): %w", spec.Name, spec.Path, err)
	}
	p := &Process{name: spec.Name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

// Name is the name given in the spec.
func (p *Process) Name() string { return p.name }

// PID is the child's process id, which is also its process group id.
func (p *Process) PID() int { return p.cmd.Process.Pid }

// Done is closed once the child has exited and been reaped.
func (p *Process) Done() <-chan struct{} { return p.done }

// ExitErr is the child's exit status once Done is closed.
func (p *Process) ExitErr() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// Stop sends SIGTERM to the child's whole process group, waits up to grace,
// then SIGKILLs the group. It returns once the child is reaped; it is
// idempotent and safe to call after the child exited by itself.
func (p *Process) Stop(grace time.Duration) error {
	p.stopOnce.Do(func() { p.stopErr = p.stop(grace) })
	return p.stopErr
}

func (p *Process) stop(grace time.Duration) error {
	pgid := p.PID()
	if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("devstack: stop %s: %w", p.name, err)
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case <-p.done:
	case <-timer.C:
	}
	// Whatever is left of the group (grandchildren included) goes now.
	if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("devstack: kill %s: %w", p.name, err)
	}
	<-p.done
	return nil
}

// withoutVars drops the variables named in names from env.
func withoutVars(env, names []string) []string {
	if len(names) == 0 {
		return env
	}
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}
