package devstack

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestManifestFoldsLinesAt72Bytes(t *testing.T) {
	long := strings.Repeat("DynamoDBLocal_lib/some-library-1.2.3.jar ", 10)
	m := string(manifest(map[string]string{"Class-Path": long, "Main-Class": "a.B"}))
	for _, line := range strings.Split(strings.TrimSuffix(m, "\r\n\r\n"), "\r\n") {
		if len(line) > 72 {
			t.Errorf("line of %d bytes: %q", len(line), line)
		}
	}
	// Unfolding gives the value back.
	unfolded := strings.ReplaceAll(m, "\r\n ", "")
	if !strings.Contains(unfolded, "Class-Path: "+long+"\r\n") || !strings.HasPrefix(m, "Manifest-Version: 1.0\r\n") {
		t.Errorf("manifest does not unfold to its attributes:\n%s", m)
	}
}

func TestSeedLocalStackRootLaysOutDynamoDBLocalAndJava(t *testing.T) {
	ddb := t.TempDir()
	for _, name := range []string{"DynamoDBLocal-3.3.1.jar", "sqlite4java-1.0.392.jar", "libsqlite4java-linux-amd64-1.0.392.so", ".complete"} {
		if err := os.WriteFile(filepath.Join(ddb, name), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	agent := filepath.Join(t.TempDir(), "agent.jar")
	if err := os.WriteFile(agent, []byte("agent"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := javaPath(); err != nil {
		t.Skip("no java:", err)
	}
	root := t.TempDir()
	if err := seedLocalStackRoot(root, ddb, agent); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(root, "var/lib/localstack/lib")
	for _, p := range []string{
		"dynamodb-local/2/DynamoDBLocal.jar",
		"dynamodb-local/2/ddb-local-loader-0.1.jar",
		"dynamodb-local/2/DynamoDBLocal_lib/libsqlite4java-linux-amd64-1.0.392.so",
		"java/21/bin/java",
	} {
		if _, err := os.Stat(filepath.Join(lib, p)); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	zr, err := zip.OpenReader(filepath.Join(lib, "dynamodb-local/2/DynamoDBLocal.jar"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f, err := zr.Open("META-INF/MANIFEST.MF")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(f)
	m := string(bytes.ReplaceAll(b, []byte("\r\n "), nil))
	for _, want := range []string{"Main-Class: " + dynamoDBLocalMain, "DynamoDBLocal_lib/DynamoDBLocal-3.3.1.jar", "DynamoDBLocal_lib/sqlite4java-1.0.392.jar"} {
		if !strings.Contains(m, want) {
			t.Errorf("launcher manifest lacks %q:\n%s", want, m)
		}
	}
}

func TestLocalStackEnvBindsLoopbackAndChecksSignatures(t *testing.T) {
	env := strings.Join(localStackEnv("/fs", 4566), "\n")
	for _, want := range []string{"GATEWAY_LISTEN=127.0.0.1:4566", "GATEWAY_SERVER=hypercorn", "OVERRIDE_IN_DOCKER=0", "S3_SKIP_SIGNATURE_VALIDATION=0", "FILESYSTEM_ROOT=/fs"} {
		if !strings.Contains(env, want+"\n") {
			t.Errorf("LocalStack environment lacks %s", want)
		}
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://elsewhere")
	if unset := localStackUnset(); !strings.Contains(strings.Join(unset, " "), "AWS_ENDPOINT_URL_S3") {
		t.Errorf("the caller's endpoint variables reach LocalStack: unset = %v", unset)
	}
}

func TestFindPython313SaysWhatToInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	t.Setenv("PYENV_ROOT", t.TempDir())
	t.Setenv("LOCALSTACK_PYTHON", "")
	_, err := FindPython313()
	if err == nil || !strings.Contains(err.Error(), "apt-get install python3.13") || !strings.Contains(err.Error(), "pyenv install 3.13") {
		t.Fatalf("err = %v, want one naming what to install", err)
	}
}

func TestDummyCredentialsOnlyForEndpointsOnThisMachine(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	local := Endpoint{URL: "http://127.0.0.1:4566", External: true}
	aws := Endpoint{URL: "https://dynamodb.eu-west-1.amazonaws.com", External: true}
	for _, c := range []struct {
		name  string
		stack *Stack
		env   map[string]string
		want  string
	}{
		{"emulators only", &Stack{}, nil, StandInAccessKey},
		{"LocalStack, no credentials", &Stack{DynamoDB: local, S3: local}, nil, LocalStackAccessKey},
		{"LocalStack, credentials given", &Stack{DynamoDB: local}, map[string]string{"AWS_ACCESS_KEY_ID": "AKIA"}, ""},
		{"LocalStack, a profile", &Stack{DynamoDB: local}, map[string]string{"AWS_PROFILE": "dev"}, ""},
		{"an account", &Stack{DynamoDB: aws, S3: local}, nil, ""},
	} {
		if got := dummyCredentials(c.stack, env(c.env)); got != c.want {
			t.Errorf("%s: dummy key %q, want %q", c.name, got, c.want)
		}
	}
}
