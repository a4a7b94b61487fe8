// Command localstack runs LocalStack on this machine, without Docker
// (`make localstack`): the pinned localstack-core (requirements.txt, hashes
// included) in a virtual environment cached under .cache/localstack/, on
// 127.0.0.1 only, with its DynamoDB seeded from the project's DynamoDB
// Local. It prints the variables that point `make dev` at it and runs until
// Ctrl-C, then stops LocalStack and everything it started.
//
//	go run ./scripts/localstack [--port 4566]
//	go run ./scripts/localstack --port 0 -- command [args...]
//
// With a command it runs the command with those variables set instead, then
// stops LocalStack and exits with the command's exit code (`make
// test-localstack`). --prepare only installs (and exits). See
// docs/LOCALSTACK.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/backchannel-chat/backchannel/internal/local/devstack"
)

func main() { os.Exit(run()) }

func run() int {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./scripts/localstack [--port N] [--prepare] [-- command [args...]]")
		flag.PrintDefaults()
	}
	port := flag.Int("port", devstack.DefaultLocalStackPort, "`port` on 127.0.0.1 (0 picks a free one)")
	prepareOnly := flag.Bool("prepare", false, "only install LocalStack and DynamoDB Local into the caches, then exit")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	root, err := devstack.RepoRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		return 1
	}
	if *prepareOnly {
		if _, err = devstack.EnsureLocalStack(ctx, root, os.Stderr); err == nil {
			_, err = devstack.EnsureDynamoDBLocal(ctx, root, os.Stderr)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "localstack:", err)
			return 1
		}
		return 0
	}

	started := time.Now()
	logDir := filepath.Join(root, ".cache", "localstack", "logs")
	ls, err := devstack.StartLocalStack(ctx, devstack.LocalStackOptions{
		Root: root, Port: *port, LogDir: logDir, Progress: os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		return 1
	}
	defer func() {
		if err := ls.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "localstack: stopping:", err)
		}
	}()
	env := devstack.LocalStackClientEnv(ls.Endpoint)
	fmt.Fprintf(os.Stderr, "localstack: LocalStack %s at %s (ready in %s, log %s)\n",
		devstack.LocalStackVersion, ls.Endpoint, time.Since(started).Round(100*time.Millisecond), ls.LogPath)

	if args := flag.Args(); len(args) > 0 {
		return runCommand(ctx, args, env)
	}
	fmt.Println("\nPoint `make dev` (or any AWS SDK client) at it, service by service, with:")
	for _, kv := range env {
		fmt.Println("  export " + kv)
	}
	fmt.Println("then, in another terminal: make dev  (Cognito stays on cognito-local; see README.md)")
	fmt.Println("Ctrl-C stops LocalStack.")
	select {
	case <-ctx.Done():
		fmt.Fprintln(os.Stderr, "\nStopping LocalStack...")
		stop()
		return 0
	case <-ls.Process.Done():
		fmt.Fprintf(os.Stderr, "localstack: LocalStack exited: %v (log %s)\n", ls.Process.ExitErr(), ls.LogPath)
		return 1
	}
}

// runCommand runs args with env added and returns its exit code.
func runCommand(ctx context.Context, args, env []string) int {
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "localstack:", err)
		return 1
	}
	go func() {
		<-ctx.Done()
		_ = cmd.Process.Signal(syscall.SIGTERM)
	}()
	err := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "localstack:", err)
		return 1
	}
}
