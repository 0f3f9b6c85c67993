//go:build unix

package demo

import "syscall"

// killGroup sends sig to the server's process group, so a fork child doing a
// BGSAVE gets it too.
func killGroup(pid int, sig syscall.Signal) error {
	return syscall.Kill(-pid, sig) //nolint:wrapcheck // the caller wraps it
}
