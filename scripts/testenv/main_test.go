package main

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/backchannel-chat/backchannel/internal/local/testenv"
)

// TestRunsTheCommandInTheTestEnvironment runs the real binary: the command
// sees the contract's variables and reaches both emulators, testenv exits
// with the command's code, and the emulators are gone afterwards.
func TestRunsTheCommandInTheTestEnvironment(t *testing.T) {
	if !testenv.Enabled() {
		t.Skip("integration test: starts DynamoDB Local and cognito-local; run under scripts/testenv (make test)")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "testenv")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	envFile := filepath.Join(dir, "env")
	// The command is this test binary again, running helperCommand.
	cmd := exec.Command(bin, "--", os.Args[0], "-test.run=^TestHelperCommand$")
	// Without the endpoints of the environment this test runs in, which
	// testenv would otherwise use (it honours them) instead of starting its own.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_ENDPOINT_URL") && !strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, helperEnv+"="+envFile)
	root, _ := filepath.Abs("../..")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Fatalf("exit = %v, want the command's 7 (the emulators answer)\n%s", err, out)
	}

	env := readEnv(t, envFile)
	for name, want := range map[string]string{
		"CHAT_INTEGRATION": "1", "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
	} {
		if env[name] != want {
			t.Errorf("%s = %q, want %q", name, env[name], want)
		}
	}
	for _, name := range []string{"AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER"} {
		url := env[name]
		if !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Errorf("%s = %q, want a loopback endpoint", name, url)
			continue
		}
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			t.Errorf("%s (%s) still answers after testenv exited", name, url)
		}
	}
}

// helperEnv names the file TestHelperCommand dumps its environment to.
const helperEnv = "BACKCHANNEL_TESTENV_HELPER"

// TestHelperCommand is the command run under testenv above: it records its
// environment, checks both emulators answer and exits 7 (3 if one does not).
func TestHelperCommand(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process of TestRunsTheCommandInTheTestEnvironment")
	}
	if err := os.WriteFile(path, []byte(strings.Join(os.Environ(), "\n")+"\n"), 0o644); err != nil {
		os.Exit(3)
	}
	health, err := http.Get(os.Getenv("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER") + "/health")
	if err != nil || health.StatusCode != http.StatusOK {
		os.Exit(3)
	}
	req, _ := http.NewRequest(http.MethodPost, os.Getenv("AWS_ENDPOINT_URL_DYNAMODB")+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	tables, err := http.DefaultClient.Do(req)
	if err != nil || tables.StatusCode != http.StatusOK {
		os.Exit(3)
	}
	os.Exit(7)
}

func readEnv(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if name, value, ok := strings.Cut(sc.Text(), "="); ok {
			env[name] = value
		}
	}
	return env
}

func TestEndpointsOffThisMachineAreRefused(t *testing.T) {
	if err := checkLocalEndpoints([]string{"AWS_ENDPOINT_URL_S3=http://127.0.0.1:4566", "AWS_ENDPOINT_URL_DYNAMODB=http://localhost:8000"}); err != nil {
		t.Errorf("loopback endpoints refused: %v", err)
	}
	err := checkLocalEndpoints([]string{"AWS_ENDPOINT_URL_DYNAMODB=https://dynamodb.eu-west-1.amazonaws.com"})
	if err == nil || !strings.Contains(err.Error(), "not on this machine") {
		t.Errorf("a remote endpoint: %v, want refused", err)
	}
	get := testGetenv(func(name string) string {
		return map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:4566", "TABLE_NAME": "prod"}[name]
	})
	if get("AWS_ENDPOINT_URL") != "" || get("TABLE_NAME") != "" || get("AWS_ENDPOINT_URL_S3") == "" || get("AWS_REGION") != "us-east-1" {
		t.Errorf("testenv's view of the environment: generic %q, table %q, S3 %q, region %q",
			get("AWS_ENDPOINT_URL"), get("TABLE_NAME"), get("AWS_ENDPOINT_URL_S3"), get("AWS_REGION"))
	}
}
