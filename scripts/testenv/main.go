// Command testenv starts the emulators the integration tests share (DynamoDB
// Local in memory and cognito-local, once), exports the test environment,
// runs the given command and exits with its exit code:
//
//	go run ./scripts/testenv -- go test -count=1 ./...
//
// With --prepare it only fetches what the emulators need (DynamoDB Local
// from Maven Central, the Node.js tools with npm ci) and exits: `make deps`.
//
// Tests then create their own tables and pools through internal/local/testenv, so
// packages run in parallel against the one pair of emulators.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

func main() {
	os.Exit(run())
}

func run() int {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/testenv [--prepare] [-- command [args...]]")
		flag.PrintDefaults()
	}
	prepareOnly := flag.Bool("prepare", false, "only fetch the emulators into the repository's caches, then exit")
	flag.Parse()
	if *prepareOnly {
		return prepare()
	}
	args := flag.Args()
	if len(args) == 0 {
		flag.Usage()
		return 2
	}

	// The command gets Ctrl-C from the terminal itself (same process group);
	// we only have to outlive it, then stop the emulators.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	started := time.Now()
	stack, err := devstack.Start(ctx, devstack.Options{
		Progress: os.Stderr,
		// The emulators are ours whatever the caller's environment says: the
		// tests must never reach a real account by accident.
		Getenv: func(name string) string {
			if name == "AWS_REGION" {
				return devstack.DefaultRegion
			}
			return ""
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	defer func() {
		if err := stack.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "testenv: stopping the emulators:", err)
		}
	}()
	fmt.Fprintf(os.Stderr, "testenv: DynamoDB Local %s, cognito-local %s (ready in %s)\n",
		stack.DynamoDB.URL, stack.Cognito.URL, time.Since(started).Round(100*time.Millisecond))

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), testEnv(stack)...)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	go func() {
		// A SIGTERM sent to us alone (CI cancelling) is passed on.
		<-ctx.Done()
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}()
	err = cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
}

// prepare fills the caches the emulators start from.
func prepare() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root, err := devstack.RepoRoot()
	if err == nil {
		_, err = devstack.EnsureDynamoDBLocal(ctx, root, os.Stderr)
	}
	if err == nil {
		err = devstack.EnsureNodeTools(ctx, root, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 1
	}
	return 0
}

// testEnv is the environment of the wiring contract's test section.
func testEnv(stack *devstack.Stack) []string {
	return append([]string{"CHAT_INTEGRATION=1"}, stack.SDKEnv()...)
}
