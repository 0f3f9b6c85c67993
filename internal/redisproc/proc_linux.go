package redisproc

import "syscall"

// sysProcAttr puts the server in its own process group (one signal reaches
// its fork child too) and asks the kernel to kill it if redis-memtop dies
// without cleaning up (SIGKILL, a crash): a throwaway server must not outlive
// the demo.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
