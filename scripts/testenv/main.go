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
//
// Endpoint variables on this machine are honoured, service by service
// (AWS_ENDPOINT_URL_DYNAMODB, _COGNITO_IDENTITY_PROVIDER, _S3, and the
// others the tests read, such as _EVENTBRIDGE): only the emulators not
// pointed elsewhere start. `make test-localstack` runs this under
// scripts/localstack that way. An endpoint that is not on 127.0.0.1 or
// localhost is refused: the tests must never reach a real account.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"strings"
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

	if err := checkLocalEndpoints(os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, "testenv:", err)
		return 2
	}
	started := time.Now()
	getenv := testGetenv(os.Getenv)
	stack, err := devstack.Start(ctx, devstack.Options{
		Progress: os.Stderr,
		S3:       getenv(envEndpointS3) != "", // else each test starts its own (testenv.NewS3)
		Getenv:   getenv,
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
	fmt.Fprintf(os.Stderr, "testenv: DynamoDB %s, Cognito %s%s (ready in %s)\n",
		describe(stack.DynamoDB), describe(stack.Cognito), s3Note(stack.S3), time.Since(started).Round(100*time.Millisecond))

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

// testEnv is the environment of the wiring contract's test section. With
// an external endpoint and no credentials, the dummy ones LocalStack
// expects.
func testEnv(stack *devstack.Stack) []string {
	env := append([]string{"CHAT_INTEGRATION=1"}, stack.SDKEnv()...)
	if os.Getenv("AWS_ACCESS_KEY_ID") == "" && (stack.DynamoDB.External || stack.Cognito.External || stack.S3.External) {
		env = append(env, "AWS_ACCESS_KEY_ID="+devstack.LocalStackAccessKey, "AWS_SECRET_ACCESS_KEY="+devstack.LocalStackSecretKey)
	}
	return env
}

const (
	envEndpointS3 = "AWS_ENDPOINT_URL_S3"
	envEndpoint   = "AWS_ENDPOINT_URL"
)

// testGetenv is what devstack sees: the per-service endpoints (the generic
// AWS_ENDPOINT_URL is not followed: it would take Cognito to a LocalStack
// without it), the usual region, nothing else (no resource names: the
// tests make their own).
func testGetenv(getenv func(string) string) func(string) string {
	return func(name string) string {
		switch {
		case name == "AWS_REGION":
			return devstack.DefaultRegion
		case name == envEndpoint:
			return ""
		case strings.HasPrefix(name, envEndpoint+"_"), name == "AWS_ACCESS_KEY_ID", name == "AWS_PROFILE":
			return getenv(name)
		}
		return ""
	}
}

// checkLocalEndpoints refuses endpoint variables that leave this machine.
func checkLocalEndpoints(environ []string) error {
	for _, kv := range environ {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, envEndpoint) || value == "" {
			continue
		}
		u, err := url.Parse(value)
		if err != nil || (u.Hostname() != "127.0.0.1" && u.Hostname() != "localhost" && u.Hostname() != "::1") {
			return fmt.Errorf("%s=%s is not on this machine: the tests run only against local emulators or LocalStack on 127.0.0.1 (unset it)", name, value)
		}
	}
	return nil
}

func describe(e devstack.Endpoint) string {
	if e.External {
		return e.URL + " (given)"
	}
	return e.URL
}

func s3Note(e devstack.Endpoint) string {
	if e.URL == "" {
		return ", S3 in-process per test"
	}
	return ", S3 " + describe(e)
}
