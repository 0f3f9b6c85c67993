//go:build unix

package redisproc

import "syscall"

// killGroup sends sig to the server's process group, so a fork child doing a
// BGSAVE gets it too.
func killGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig) //nolint:wrapcheck // the caller wraps it
}

// processGone reports whether no process has the pid (signal 0 probes
// without sending; EPERM means it exists under another user).
func processGone(pid int) bool {
	return syscall.Kill(pid, 0) == syscall.ESRCH
}
