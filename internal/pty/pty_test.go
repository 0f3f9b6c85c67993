//go:build linux

package pty

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// The terminal has the size asked for, and what is written on the slave
// side is read on the master side.
func TestOpenSizeAndEcho(t *testing.T) {
	master, slave, err := Open(100, 30)
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = master.Close(); _ = slave.Close() }()
	ws, err := unix.IoctlGetWinsize(int(slave.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Col != 100 || ws.Row != 30 {
		t.Errorf("size %d×%d, want 100×30", ws.Col, ws.Row)
	}
	if _, err := slave.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	n, err := master.Read(buf)
	if err != nil || string(buf[:n]) != "hi" {
		t.Errorf("master read %q, %v", buf[:n], err)
	}
}
