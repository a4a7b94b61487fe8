package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// cognitoLocalEntry is cognito-local's executable script inside node_modules.
const cognitoLocalEntry = "node_modules/cognito-local/lib/bin/start.js"

// EnsureNodeTools installs the root package.json's tools (cognito-local, the
// CDK CLI) with `npm ci` when node_modules lacks the pinned cognito-local.
func EnsureNodeTools(ctx context.Context, root string, progress io.Writer) error {
	want, err := pinnedVersion(filepath.Join(root, "package.json"), "cognito-local")
	if err != nil {
		return err
	}
	installed := filepath.Join(root, "node_modules", "cognito-local", "package.json")
	if installedVersion(installed) == want {
		return nil
	}
	unlock, err := lockFile(filepath.Join(root, ".cache", "npm.lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if installedVersion(installed) == want {
		return nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("devstack: cognito-local needs Node.js 20+ with npm: %w", err)
	}
	if progress == nil {
		progress = io.Discard
	}
	fmt.Fprintln(progress, "Installing the Node.js dev tools (npm ci, first run only)...")
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = progress, progress
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("devstack: npm ci in %s: %w", root, err)
	}
	if got := installedVersion(installed); got != want {
		return fmt.Errorf("devstack: npm ci installed cognito-local %q, package.json pins %q", got, want)
	}
	return nil
}

// pinnedVersion reads a devDependency's exact version from package.json.
func pinnedVersion(packageJSON, name string) (string, error) {
	b, err := os.ReadFile(packageJSON)
	if err != nil {
		return "", fmt.Errorf("devstack: read %s: %w", packageJSON, err)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(b, &pkg); err != nil {
		return "", fmt.Errorf("devstack: parse %s: %w", packageJSON, err)
	}
	v := pkg.DevDependencies[name]
	if v == "" {
		return "", fmt.Errorf("devstack: %s does not pin %s", packageJSON, name)
	}
	return v, nil
}

func installedVersion(packageJSON string) string {
	b, err := os.ReadFile(packageJSON)
	if err != nil {
		return ""
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if json.Unmarshal(b, &pkg) != nil {
		return ""
	}
	return pkg.Version
}

// CognitoLocalOptions configures StartCognitoLocal.
type CognitoLocalOptions struct {
	Root     string    // repository root
	DataDir  string    // cognito-local keeps its pools in DataDir/.cognito
	LogDir   string    // where cognito-local.log goes
	Progress io.Writer // first-run install messages
}

// StartCognitoLocal installs cognito-local if needed, starts it on
// 127.0.0.1 on a free port and waits until it answers. Its issuer is then
// Endpoint + "/" + poolId.
func StartCognitoLocal(ctx context.Context, opts CognitoLocalOptions) (*Service, error) {
	if err := EnsureNodeTools(ctx, opts.Root, opts.Progress); err != nil {
		return nil, err
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("devstack: cognito-local needs Node.js 20+: %w", err)
	}
	if opts.DataDir == "" {
		return nil, fmt.Errorf("devstack: cognito-local needs a data directory")
	}
	if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: cognito data directory: %w", err)
	}
	entry := filepath.Join(opts.Root, cognitoLocalEntry)
	return startOnFreePort(ctx, func(ctx context.Context, port int) (*Service, error) {
		return startChild(ctx, childSpec{
			name: "cognito-local",
			path: node,
			args: []string{entry},
			dir:  opts.DataDir, // it stores its database under ./.cognito
			env: []string{
				"HOST=127.0.0.1",
				"PORT=" + strconv.Itoa(port),
				"NO_COLOR=1",
				"AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1",
			},
			logDir:  opts.LogDir,
			port:    port,
			timeout: 30 * time.Second,
			probe:   cognitoAnswers,
		})
	})
}

func cognitoAnswers(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint+"/health", nil)
	if err != nil {
		return err
	}
	return expectStatus(req, http.StatusOK)
}
