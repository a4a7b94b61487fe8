package devstack

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

const modulePath = "github.com/backchannel-chat/backchannel"

// RepoRoot finds the repository root (the directory holding this module's
// go.mod) from the working directory upwards: the emulators, their cache
// and the Node tools live there.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("devstack: working directory: %w", err)
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module "+modulePath+"\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("devstack: not inside the backchannel repository (no go.mod of " + modulePath + " above the working directory)")
		}
		dir = parent
	}
}

// openLog creates (truncates) the log file of one child under dir.
func openLog(dir, name string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("devstack: log directory: %w", err)
	}
	f, err := os.Create(filepath.Join(dir, name+".log"))
	if err != nil {
		return nil, fmt.Errorf("devstack: log file: %w", err)
	}
	return f, nil
}
