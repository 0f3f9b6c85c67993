//go:build unix

package redisproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// A directory left by a run that is gone is removed; one of a live process
// (ours, or another) and anything not named like ours are kept.
func TestSweepStaleDirs(t *testing.T) {
	dir := t.TempDir()
	// A pid that is certainly gone: a child that has exited and been reaped.
	cmd := exec.CommandContext(t.Context(), "true")
	if err := cmd.Run(); err != nil {
		t.Skip("no `true` to make a dead pid")
	}
	dead := cmd.ProcessState.Pid()
	mk := func(name string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Join(p, "appendonlydir"), 0o700); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gone := mk(dirPrefix + strconv.Itoa(dead) + "-123")
	mine := mk(dirPrefix + strconv.Itoa(os.Getpid()) + "-456")
	parent := mk(dirPrefix + strconv.Itoa(os.Getppid()) + "-789")
	old := mk(dirPrefix + "123456789") // the old naming, without a pid
	other := mk("something-else-" + strconv.Itoa(dead) + "-1")
	if n := sweepStaleDirs(dir); n != 1 {
		t.Errorf("removed %d directories, want 1", n)
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		t.Error("the dead run's directory is still there")
	}
	for _, p := range []string{mine, parent, old, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
}
