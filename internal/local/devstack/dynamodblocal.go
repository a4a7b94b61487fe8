package devstack

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// DynamoDB Local 3.x moved its entry point out of com.amazonaws.
const dynamoDBLocalMain = "software.amazon.dynamodb.services.local.main.ServerRunner"

// dynamoDBLocalPOM is the Maven project that pins DynamoDB Local, relative
// to the repository root.
const dynamoDBLocalPOM = "scripts/dynamodb-local/pom.xml"

// EnsureDynamoDBLocal returns the directory holding DynamoDB Local's jars and
// sqlite4java's native libraries, fetching them with Maven the first time.
// The directory is keyed by the pom's hash, so changing the pinned version
// fetches afresh; progress (Maven's output included) goes to progress.
func EnsureDynamoDBLocal(ctx context.Context, root string, progress io.Writer) (string, error) {
	pom := filepath.Join(root, dynamoDBLocalPOM)
	b, err := os.ReadFile(pom)
	if err != nil {
		return "", fmt.Errorf("devstack: read %s: %w", dynamoDBLocalPOM, err)
	}
	sum := sha256.Sum256(b)
	cache := filepath.Join(root, ".cache", "dynamodb-local")
	dir := filepath.Join(cache, hex.EncodeToString(sum[:6]))
	complete := filepath.Join(dir, ".complete")
	if _, err := os.Stat(complete); err == nil {
		return dir, nil
	}
	unlock, err := lockFile(filepath.Join(cache, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(complete); err == nil {
		return dir, nil // fetched by another runner while we waited
	}
	mvn, err := exec.LookPath("mvn")
	if err != nil {
		return "", fmt.Errorf("devstack: DynamoDB Local needs Maven to fetch it the first time: %w", err)
	}
	if progress == nil {
		progress = io.Discard
	}
	fmt.Fprintf(progress, "Fetching DynamoDB Local from Maven Central into %s (first run only)...\n", dir)
	tmp := dir + ".partial"
	if err := os.RemoveAll(tmp); err != nil {
		return "", fmt.Errorf("devstack: clean %s: %w", tmp, err)
	}
	cmd := exec.CommandContext(ctx, mvn, "-q", "-B", "-f", pom,
		"dependency:copy-dependencies", "-DoutputDirectory="+tmp)
	cmd.Stdout, cmd.Stderr = progress, progress
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("devstack: fetch DynamoDB Local with Maven (mvn -f %s dependency:copy-dependencies): %w", dynamoDBLocalPOM, err)
	}
	if err := checkNativeLibrary(tmp); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), b, 0o644); err != nil {
		return "", fmt.Errorf("devstack: mark %s complete: %w", tmp, err)
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("devstack: replace %s: %w", dir, err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("devstack: move %s into place: %w", tmp, err)
	}
	return dir, nil
}

// checkNativeLibrary fails early, with a clear message, where Maven Central's
// sqlite4java has no native library for this machine (it ships linux-amd64
// and linux-i386 but not linux-aarch64).
func checkNativeLibrary(dir string) error {
	if runtime.GOOS != "linux" {
		return nil
	}
	want := map[string]string{"amd64": "libsqlite4java-linux-amd64", "386": "libsqlite4java-linux-i386"}[runtime.GOARCH]
	if want == "" {
		return fmt.Errorf("devstack: DynamoDB Local's sqlite4java has no native library for linux/%s on Maven Central", runtime.GOARCH)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, want+"*.so"))
	if len(matches) == 0 {
		return fmt.Errorf("devstack: %s*.so missing from %s after the Maven fetch", want, dir)
	}
	return nil
}

// DynamoDBLocalOptions configures StartDynamoDBLocal.
type DynamoDBLocalOptions struct {
	Root     string    // repository root
	DataDir  string    // keep tables here (-dbPath); "" runs in memory
	LogDir   string    // where dynamodb-local.log goes
	Progress io.Writer // first-run fetch messages
	// Heap is the JVM's -Xmx ("" is 256m): a benchmark holding a million
	// items in memory (scripts/seed-search) needs more.
	Heap string
}

// StartDynamoDBLocal fetches DynamoDB Local if needed, starts it on a free
// port and waits until it answers.
//
// DynamoDB Local has no option to choose its listen address: it listens on
// every interface. Everything here addresses it on 127.0.0.1 only.
func StartDynamoDBLocal(ctx context.Context, opts DynamoDBLocalOptions) (*Service, error) {
	dir, err := EnsureDynamoDBLocal(ctx, opts.Root, opts.Progress)
	if err != nil {
		return nil, err
	}
	java, err := javaPath()
	if err != nil {
		return nil, err
	}
	if opts.DataDir != "" {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("devstack: DynamoDB data directory: %w", err)
		}
	}
	return startOnFreePort(ctx, func(ctx context.Context, port int) (*Service, error) {
		heap := opts.Heap
		if heap == "" {
			heap = "256m"
		}
		args := []string{
			"-Xmx" + heap,
			// Start-up over peak speed: C1 only and the serial collector halve
			// the time to ready on a busy 2-core machine (21 s to 10 s measured).
			"-XX:TieredStopAtLevel=1",
			"-XX:+UseSerialGC",
			"-Djava.library.path=" + dir,
			"-cp", filepath.Join(dir, "*"),
			dynamoDBLocalMain,
			"-port", strconv.Itoa(port),
			"-sharedDb",         // one database whatever the credentials and region of the caller
			"-disableTelemetry", // never phone home
		}
		if opts.DataDir != "" {
			args = append(args, "-dbPath", opts.DataDir)
		} else {
			args = append(args, "-inMemory")
		}
		return startChild(ctx, childSpec{
			name:    "dynamodb-local",
			path:    java,
			args:    args,
			logDir:  opts.LogDir,
			port:    port,
			timeout: 60 * time.Second, // a JVM on a busy 2-core machine
			probe:   dynamoDBAnswers,
		})
	})
}

// javaPath prefers $JAVA_HOME/bin/java, then java on PATH.
func javaPath() (string, error) {
	if home := os.Getenv("JAVA_HOME"); home != "" {
		p := filepath.Join(home, "bin", "java")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	p, err := exec.LookPath("java")
	if err != nil {
		return "", fmt.Errorf("devstack: DynamoDB Local needs Java 17 or later: %w", err)
	}
	return p, nil
}

// dynamoDBAnswers is ready once ListTables succeeds. DynamoDB Local does not
// check signatures, so a well-formed unsigned-looking header is enough.
func dynamoDBAnswers(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", strings.NewReader(`{}`))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.ListTables")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
	return expectStatus(req, http.StatusOK)
}

// expectStatus sends req and checks the response status.
func expectStatus(req *http.Request, want int) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d", req.Method, req.URL, resp.StatusCode, want)
	}
	return nil
}
