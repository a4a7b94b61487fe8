package devstack

import "syscall"

// childProcAttr puts the child in its own process group (stopped as a
// whole, untouched by the terminal's Ctrl-C) and has the kernel SIGKILL it
// if this process dies first.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
