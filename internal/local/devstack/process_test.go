package devstack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// alive reports whether pid is a live process (a zombie waiting for a
// reaper counts as dead: it runs nothing and holds no port).
func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// pid (comm) S ...: the state follows the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && len(s) > i+2 && s[i+2] != 'Z'
}

func TestStopKillsTheChildsWholeProcessGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "grandchild.pid")
	// The shell ignores SIGTERM and leaves a grandchild behind: Stop must
	// still end both.
	p, err := StartProcess(ProcessSpec{
		Name: "stubborn",
		Path: "/bin/sh",
		Args: []string{"-c", `trap '' TERM; sleep 300 & echo $! > ` + pidFile + `; wait`},
	})
	if err != nil {
		t.Fatal(err)
	}
	grandchild := waitForPIDFile(t, pidFile)
	if pgid, _ := syscall.Getpgid(p.PID()); pgid != p.PID() {
		t.Errorf("child's process group = %d, want its own (%d)", pgid, p.PID())
	}
	if pgid, _ := syscall.Getpgid(grandchild); pgid != p.PID() {
		t.Errorf("grandchild's process group = %d, want the child's (%d)", pgid, p.PID())
	}

	if err := p.Stop(200 * time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if alive(p.PID()) {
		t.Errorf("child %d still alive after Stop", p.PID())
	}
	deadline := time.Now().Add(5 * time.Second)
	for alive(grandchild) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // SIGKILL delivery to the group is asynchronous
	}
	if alive(grandchild) {
		t.Errorf("grandchild %d survived Stop", grandchild)
	}
	if err := p.Stop(time.Second); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestWaitReadyNamesAChildThatExitedAndShowsItsLog(t *testing.T) {
	logFile, err := openLog(t.TempDir(), "broken")
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	p, err := StartProcess(ProcessSpec{Name: "broken", Path: "/bin/sh", Args: []string{"-c", "echo address already in use; exit 3"}, Log: logFile})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop(time.Second)
	err = waitReady(context.Background(), p, logFile.Name(), time.Minute, func(context.Context) error {
		return errors.New("not yet")
	})
	if !errors.Is(err, errExitedEarly) {
		t.Fatalf("err = %v, want errExitedEarly", err)
	}
	if !strings.Contains(err.Error(), "broken") || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("error does not name the child and its log: %v", err)
	}
}

func TestWaitReadyGivesUpAfterItsTimeout(t *testing.T) {
	p, err := StartProcess(ProcessSpec{Name: "sleeper", Path: "/bin/sleep", Args: []string{"300"}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Stop(time.Second)
	err = waitReady(context.Background(), p, "", 300*time.Millisecond, func(context.Context) error {
		return errors.New("connection refused")
	})
	if err == nil || errors.Is(err, errExitedEarly) || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("err = %v, want a timeout naming the last probe error", err)
	}
}

func waitForPIDFile(t *testing.T, path string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b, err := os.ReadFile(path)
		if pid, convErr := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && convErr == nil {
			return pid
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no pid in %s", path)
	return 0
}
