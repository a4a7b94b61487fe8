// Package testenv gives integration tests their own resources in the
// emulators that scripts/testenv starts once per `make test`:
//
//	cfg := testenv.AWSConfig(t)        // skips unless CHAT_INTEGRATION is set
//	table := testenv.NewTable(t, cfg)  // a fresh table, deleted after the test
//	pool := testenv.NewUserPool(t, cfg)
//	token := testenv.SignUp(t, cfg, pool, "ann@example.com", "password1", "Ann")
//	s3URL := testenv.NewS3(t)          // gofakes3, in-process
//
// Every table and pool is new and uniquely named, so test packages run in
// parallel against the same emulators without seeing each other's data.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Variables exported by scripts/testenv.
const (
	EnvIntegration     = "CHAT_INTEGRATION"
	EnvEndpointDynamo  = "AWS_ENDPOINT_URL_DYNAMODB"
	EnvEndpointCognito = "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"
)

// setupTimeout bounds each helper's calls to the emulators.
const setupTimeout = 2 * time.Minute

// Enabled reports whether the integration environment is there.
func Enabled() bool { return os.Getenv(EnvIntegration) != "" }

// AWSConfig returns the SDK configuration for the emulators. It skips the
// test when CHAT_INTEGRATION is unset (plain `go test`), and fails it when
// CHAT_INTEGRATION is set but an endpoint is missing: then the test would
// otherwise talk to real AWS.
func AWSConfig(t testing.TB) aws.Config {
	t.Helper()
	if !Enabled() {
		t.Skip("integration test: run under scripts/testenv (make test), which sets " + EnvIntegration)
	}
	for _, name := range []string{EnvEndpointDynamo, EnvEndpointCognito} {
		if os.Getenv(name) == "" {
			t.Fatalf("%s is set but %s is not: run the tests through `go run ./scripts/testenv -- go test ...`", EnvIntegration, name)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatalf("load AWS config: %v", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	return cfg
}

// setupContext is the context of a helper's own calls.
func setupContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	t.Cleanup(cancel)
	return ctx
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// uniqueName is prefix, the test's name (sanitized, shortened) and a random
// suffix: readable in emulator logs, never reused.
func uniqueName(t testing.TB, prefix string, max int) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random name: %v", err)
	}
	suffix := "-" + hex.EncodeToString(b)
	name := strings.Trim(unsafeNameChars.ReplaceAllString(t.Name(), "-"), "-")
	if room := max - len(prefix) - len(suffix); len(name) > room {
		name = name[:room]
	}
	return prefix + name + suffix
}
