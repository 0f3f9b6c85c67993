//go:build linux

// Package pty opens pseudo-terminals on Linux without cgo (no creack/pty:
// /dev/ptmx, unlock, the slave's number, TIOCSWINSZ), for the bench and the
// tests that run the real program on a terminal.
package pty

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrUnavailable is returned when /dev/ptmx cannot be opened: the machine
// (a container, a sandbox) has no pseudo-terminals to give.
var ErrUnavailable = errors.New("pty: no pseudo-terminals here")

// Open opens a pseudo-terminal pair of cols×rows. The caller closes both.
func Open(cols, rows int) (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: open /dev/ptmx: %w", ErrUnavailable, err)
	}
	fd := int(master.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		_ = master.Close()
		return nil, nil, fmt.Errorf("pty: unlockpt: %w", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		_ = master.Close()
		return nil, nil, fmt.Errorf("pty: ptsname: %w", err)
	}
	slave, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		_ = master.Close()
		return nil, nil, fmt.Errorf("pty: open the slave: %w", err)
	}
	ws := &unix.Winsize{Col: uint16(cols), Row: uint16(rows)} //nolint:gosec // terminal sizes are small
	if err := unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, ws); err != nil {
		_ = master.Close()
		_ = slave.Close()
		return nil, nil, fmt.Errorf("pty: set the window size: %w", err)
	}
	return master, slave, nil
}
