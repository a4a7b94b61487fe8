package devstack

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// LocalStack on the host, without Docker (`make localstack`,
// `make test-localstack`): localstack-core from PyPI, pinned with hashes in
// scripts/localstack/requirements.txt, in a virtual environment cached under
// .cache/localstack/, run as `python -m localstack.runtime.main`.
//
// Its DynamoDB would download DynamoDB Local and a Java 21 at first use from
// hosts CI cannot reach; each run instead gets a filesystem root whose
// lib/dynamodb-local/2/ is seeded from the project's own DynamoDB Local
// (.cache/dynamodb-local, from Maven Central) and whose lib/java/21 points at
// the JDK on this machine.

// LocalStackVersion is the localstack-core that requirements.txt pins.
const LocalStackVersion = "2026.3.0"

// localStackRequirements is the hash-pinned lock file, relative to the root.
const localStackRequirements = "scripts/localstack/requirements.txt"

// DefaultLocalStackPort is LocalStack's usual port, the one the README uses.
const DefaultLocalStackPort = 4566

// LocalStackCredentials are the dummy credentials LocalStack expects: any
// key works for most services, but S3 validates presigned URLs only against
// the secret "test".
const (
	LocalStackAccessKey = "test"
	LocalStackSecretKey = "test"
)

// localStackEnv is the configuration that makes LocalStack run on the host
// here; see docs/LOCALSTACK.md for why each one is needed.
func localStackEnv(fsRoot string, port int) []string {
	return []string{
		"GATEWAY_LISTEN=127.0.0.1:" + strconv.Itoa(port),
		"GATEWAY_SERVER=hypercorn",  // the default server binds 0.0.0.0 whatever GATEWAY_LISTEN says
		"OVERRIDE_IN_DOCKER=0",      // else it believes it is in its container and ignores FILESYSTEM_ROOT
		"FILESYSTEM_ROOT=" + fsRoot, // a fresh one per run, removed on stop
		"SKIP_SSL_CERT_DOWNLOAD=1",
		"DNS_ADDRESS=0",
		"DISABLE_EVENTS=1", // no analytics
		"PERSISTENCE=0",
		"PROVIDER_OVERRIDE_DYNAMODB=v2", // DynamoDB Local's own streams, no kinesis-mock
		"PROVIDER_OVERRIDE_DYNAMODBSTREAMS=v2",
		"S3_SKIP_SIGNATURE_VALIDATION=0", // check signatures, expiry, signed length and type as S3 does
		"LOCALSTACK_HOST=127.0.0.1:" + strconv.Itoa(port),
		"EAGER_SERVICE_LOADING=0",
		"DEBUG=0",
		// Its own AWS clients must not pick up the caller's (and see
		// localStackUnset).
		"AWS_ACCESS_KEY_ID=" + LocalStackAccessKey, "AWS_SECRET_ACCESS_KEY=" + LocalStackSecretKey,
	}
}

// localStackUnset are the caller's variables LocalStack must not inherit:
// endpoint overrides would send its internal clients elsewhere, and an
// empty AWS_PROFILE or AWS_ENDPOINT_URL stops it loading its plugins.
func localStackUnset() []string {
	unset := []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "AWS_ENDPOINT_URL_") {
			unset = append(unset, name)
		}
	}
	return unset
}

// LocalStackOptions configures StartLocalStack.
type LocalStackOptions struct {
	Root     string    // repository root
	Port     int       // 0 picks a free one
	LogDir   string    // where localstack.log goes
	Progress io.Writer // first-run installs
}

// LocalStack is a running LocalStack.
type LocalStack struct {
	*Service
	fsRoot string
}

// Stop stops LocalStack and everything it started (DynamoDB Local runs in
// its process group) and removes its filesystem root.
func (l *LocalStack) Stop() error {
	if l == nil {
		return nil
	}
	return errors.Join(l.Service.Stop(), os.RemoveAll(l.fsRoot))
}

// StartLocalStack installs LocalStack if needed, starts it on 127.0.0.1 and
// waits until its DynamoDB and S3 answer.
func StartLocalStack(ctx context.Context, opts LocalStackOptions) (*LocalStack, error) {
	python, err := EnsureLocalStack(ctx, opts.Root, opts.Progress)
	if err != nil {
		return nil, err
	}
	ddb, err := EnsureDynamoDBLocal(ctx, opts.Root, opts.Progress)
	if err != nil {
		return nil, err
	}
	agent, err := ensureDDBAgent(ctx, opts.Root, ddb)
	if err != nil {
		return nil, err
	}
	fsRoot, err := os.MkdirTemp("", "backchannel-localstack-*")
	if err != nil {
		return nil, fmt.Errorf("devstack: LocalStack filesystem root: %w", err)
	}
	if err := seedLocalStackRoot(fsRoot, ddb, agent); err != nil {
		return nil, errors.Join(err, os.RemoveAll(fsRoot))
	}
	start := func(ctx context.Context, port int) (*Service, error) {
		return startChild(ctx, childSpec{
			name:    "localstack",
			path:    python,
			args:    []string{"-m", "localstack.runtime.main"},
			dir:     fsRoot,
			env:     localStackEnv(fsRoot, port),
			unset:   localStackUnset(),
			logDir:  opts.LogDir,
			port:    port,
			timeout: 90 * time.Second,
			probe:   localStackReady,
		})
	}
	var svc *Service
	if opts.Port != 0 {
		svc, err = start(ctx, opts.Port)
	} else {
		svc, err = startOnFreePort(ctx, start)
	}
	if err != nil {
		return nil, errors.Join(err, os.RemoveAll(fsRoot))
	}
	ls := &LocalStack{Service: svc, fsRoot: fsRoot}
	// Its DynamoDB starts DynamoDB Local (a JVM) on first use: once, here,
	// with one patient request rather than a probe every 100 ms.
	warm, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := dynamoDBAnswers(warm, svc.Endpoint); err != nil {
		return nil, errors.Join(fmt.Errorf("devstack: LocalStack's DynamoDB did not answer: %w%s", err, logTail(svc.LogPath)), ls.Stop())
	}
	return ls, nil
}

// localStackReady: the runtime answers its health check.
func localStackReady(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/_localstack/health", nil)
	if err != nil {
		return err
	}
	return expectStatus(req, http.StatusOK)
}

// EnsureLocalStack returns the Python of a virtual environment holding the
// pinned LocalStack, creating it under .cache/localstack/ on first use.
func EnsureLocalStack(ctx context.Context, root string, progress io.Writer) (string, error) {
	if progress == nil {
		progress = io.Discard
	}
	reqs := filepath.Join(root, localStackRequirements)
	lock, err := os.ReadFile(reqs)
	if err != nil {
		return "", fmt.Errorf("devstack: read %s: %w", reqs, err)
	}
	sum := sha256.Sum256(lock)
	cache := filepath.Join(root, ".cache", "localstack")
	venv := filepath.Join(cache, "venv-"+hex.EncodeToString(sum[:6]))
	python := filepath.Join(venv, "bin", "python")
	if _, err := os.Stat(filepath.Join(venv, ".complete")); err == nil {
		return python, nil
	}
	unlock, err := lockFile(filepath.Join(cache, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(venv, ".complete")); err == nil {
		return python, nil
	}
	base, err := FindPython313()
	if err != nil {
		return "", err
	}
	fmt.Fprintf(progress, "Installing LocalStack %s into %s with %s (first run only, about 3 minutes)...\n", LocalStackVersion, venv, base)
	if err := os.RemoveAll(venv); err != nil {
		return "", fmt.Errorf("devstack: clean %s: %w", venv, err)
	}
	run := func(name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		cmd.Stdout, cmd.Stderr = progress, progress
		cmd.Env = append(os.Environ(), "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("devstack: %s %s: %w", name, strings.Join(args, " "), err)
		}
		return nil
	}
	if err := run(base, "-m", "venv", venv); err != nil {
		return "", err
	}
	if err := run(python, "-m", "pip", "install", "-q", "--require-hashes", "--no-deps", "-r", reqs); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(venv, ".complete"), lock, 0o644); err != nil {
		return "", fmt.Errorf("devstack: mark %s complete: %w", venv, err)
	}
	return python, nil
}

// errNoPython313 says what to install.
var errNoPython313 = errors.New("devstack: LocalStack " + LocalStackVersion + " needs Python 3.13 " +
	"(3.11 and 3.12 fail on its syntax) and none was found on PATH (python3.13, python3) or under pyenv " +
	"(~/.pyenv/versions/3.13.*): install it (Debian 13: apt-get install python3.13 python3.13-venv; " +
	"elsewhere: pyenv install 3.13) or set LOCALSTACK_PYTHON to one")

// FindPython313 finds a Python 3.13: $LOCALSTACK_PYTHON, then python3.13 or
// python3 on PATH, then pyenv's versions.
func FindPython313() (string, error) {
	var candidates []string
	if p := os.Getenv("LOCALSTACK_PYTHON"); p != "" {
		candidates = append(candidates, p)
	}
	for _, name := range []string{"python3.13", "python3"} {
		if p, err := exec.LookPath(name); err == nil {
			candidates = append(candidates, p)
		}
	}
	pyenvRoot := os.Getenv("PYENV_ROOT")
	if pyenvRoot == "" {
		if home, err := os.UserHomeDir(); err == nil {
			pyenvRoot = filepath.Join(home, ".pyenv")
		}
	}
	if pyenvRoot != "" {
		found, _ := filepath.Glob(filepath.Join(pyenvRoot, "versions", "3.13*", "bin", "python3"))
		sort.Sort(sort.Reverse(sort.StringSlice(found)))
		candidates = append(candidates, found...)
	}
	for _, p := range candidates {
		out, err := exec.Command(p, "-c", "import sys; print('%d.%d' % sys.version_info[:2])").Output()
		if err == nil && strings.TrimSpace(string(out)) == "3.13" {
			return p, nil
		}
	}
	return "", errNoPython313
}

// ensureDDBAgent builds, once, the do-nothing Java agent LocalStack passes
// to DynamoDB Local (its own lifts the 20-GSI limit and is downloaded from
// GitHub): a jar whose Premain-Class has an empty premain.
func ensureDDBAgent(ctx context.Context, root, ddbDir string) (string, error) {
	dir := filepath.Join(root, ".cache", "localstack", "agent")
	jar := filepath.Join(dir, "ddb-local-loader-0.1.jar")
	if _, err := os.Stat(jar); err == nil {
		return jar, nil
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		return "", fmt.Errorf("devstack: LocalStack's DynamoDB needs a JDK (javac) to build its agent stub: %w", err)
	}
	tmp, err := os.MkdirTemp("", "backchannel-agent-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	src := filepath.Join(tmp, "NoopAgent.java")
	const code = "public final class NoopAgent {\n" +
		"  public static void premain(String args, java.lang.instrument.Instrumentation inst) {}\n}\n"
	if err := os.WriteFile(src, []byte(code), 0o644); err != nil {
		return "", err
	}
	if out, err := exec.CommandContext(ctx, javac, "--release", "17", "-d", tmp, src).CombinedOutput(); err != nil {
		return "", fmt.Errorf("devstack: javac NoopAgent: %w\n%s", err, out)
	}
	class, err := os.ReadFile(filepath.Join(tmp, "NoopAgent.class"))
	if err != nil {
		return "", err
	}
	b, err := buildJar(map[string][]byte{
		"META-INF/MANIFEST.MF": manifest(map[string]string{"Premain-Class": "NoopAgent"}),
		"NoopAgent.class":      class,
	})
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(jar+".tmp", b, 0o644); err != nil {
		return "", err
	}
	return jar, os.Rename(jar+".tmp", jar)
}

// seedLocalStackRoot lays out, under a LocalStack filesystem root, the
// installed packages its DynamoDB looks for: lib/dynamodb-local/2 (a
// launcher jar whose class path names the project's DynamoDB Local jars,
// linked into DynamoDBLocal_lib with the native sqlite4java, and the agent)
// and lib/java/21 (this machine's JDK).
func seedLocalStackRoot(fsRoot, ddbDir, agent string) error {
	lib := filepath.Join(fsRoot, "var", "lib", "localstack", "lib")
	ddb := filepath.Join(lib, "dynamodb-local", "2")
	libDir := filepath.Join(ddb, "DynamoDBLocal_lib")
	if err := os.MkdirAll(libDir, 0o755); err != nil {
		return fmt.Errorf("devstack: seed LocalStack: %w", err)
	}
	entries, err := os.ReadDir(ddbDir)
	if err != nil {
		return fmt.Errorf("devstack: seed LocalStack: %w", err)
	}
	var classPath []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		if err := os.Symlink(filepath.Join(ddbDir, name), filepath.Join(libDir, name)); err != nil {
			return fmt.Errorf("devstack: seed LocalStack: %w", err)
		}
		if strings.HasSuffix(name, ".jar") {
			classPath = append(classPath, "DynamoDBLocal_lib/"+name)
		}
	}
	launcher, err := buildJar(map[string][]byte{"META-INF/MANIFEST.MF": manifest(map[string]string{
		"Main-Class": dynamoDBLocalMain,
		"Class-Path": strings.Join(classPath, " "),
	})})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(ddb, "DynamoDBLocal.jar"), launcher, 0o644); err != nil {
		return fmt.Errorf("devstack: seed LocalStack: %w", err)
	}
	if err := os.Symlink(agent, filepath.Join(ddb, "ddb-local-loader-0.1.jar")); err != nil {
		return fmt.Errorf("devstack: seed LocalStack: %w", err)
	}
	java, err := javaPath()
	if err != nil {
		return err
	}
	if java, err = filepath.EvalSymlinks(java); err != nil {
		return fmt.Errorf("devstack: resolve java: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(lib, "java"), 0o755); err != nil {
		return err
	}
	if err := os.Symlink(filepath.Dir(filepath.Dir(java)), filepath.Join(lib, "java", "21")); err != nil {
		return fmt.Errorf("devstack: seed LocalStack: %w", err)
	}
	return nil
}

// manifest writes a jar manifest, folding lines at 72 bytes as the format
// requires.
func manifest(attrs map[string]string) []byte {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b bytes.Buffer
	write := func(line string) {
		for first := true; ; first = false {
			max := 72
			if !first {
				b.WriteString(" ")
				max = 71
			}
			if len(line) <= max {
				b.WriteString(line + "\r\n")
				return
			}
			b.WriteString(line[:max] + "\r\n")
			line = line[max:]
		}
	}
	write("Manifest-Version: 1.0")
	for _, k := range keys {
		write(k + ": " + attrs[k])
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func buildJar(files map[string][]byte) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(files[n]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// LocalStackServices are the SDK service ids (as in AWS_ENDPOINT_URL_<ID>)
// of the services the stack uses that LocalStack's free edition serves.
// Cognito is not among them: its user pools need a paid plan.
var LocalStackServices = []string{
	"DYNAMODB", "DYNAMODB_STREAMS", "S3", "SQS", "EVENTBRIDGE", "SES",
	"SECRETS_MANAGER", "SCHEDULER", "KMS", "CLOUDFORMATION", "IAM", "STS", "CLOUDWATCH_LOGS",
}

// LocalStackClientEnv is the environment that points AWS SDK clients at
// LocalStack, service by service (so cognito-local and the local gateway
// stay in use), with its dummy credentials.
func LocalStackClientEnv(endpoint string) []string {
	env := []string{
		"AWS_REGION=" + DefaultRegion,
		"AWS_ACCESS_KEY_ID=" + LocalStackAccessKey,
		"AWS_SECRET_ACCESS_KEY=" + LocalStackSecretKey,
	}
	for _, id := range LocalStackServices {
		env = append(env, "AWS_ENDPOINT_URL_"+id+"="+endpoint)
	}
	return env
}
