//go:build unix && !linux

package redisproc

import "syscall"

// sysProcAttr puts the server in its own process group (one signal reaches
// its fork child too).
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }
