package redisproc

import (
	"errors"
	"os"
	"syscall"
)

func sysProcAttr() *syscall.SysProcAttr { return nil }

// killGroup can only kill on Windows: there are no process groups to signal
// and no SIGSTOP.
func killGroup(pid int, sig syscall.Signal) error {
	if sig != syscall.SIGKILL && sig != syscall.SIGTERM {
		return errors.New("demo: only kill is supported on Windows")
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return err //nolint:wrapcheck // the caller wraps it
	}
	return p.Kill() //nolint:wrapcheck // the caller wraps it
}

// processGone cannot be told cheaply on Windows: never sweep there.
func processGone(int) bool { return false }
