//go:build !linux

package devstack

import "syscall"

// childProcAttr puts the child in its own process group. Outside Linux there
// is no Pdeathsig: a runner killed with SIGKILL leaves its emulators behind.
func childProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
