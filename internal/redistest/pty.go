//go:build linux

package redistest

import (
	"errors"
	"os"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/pty"
)

// OpenPTY opens a pseudo-terminal pair of cols×rows, closed when the test
// ends. Where there are no pseudo-terminals the test is skipped.
func OpenPTY(tb testing.TB, cols, rows int) (master, slave *os.File) {
	tb.Helper()
	master, slave, err := pty.Open(cols, rows)
	if errors.Is(err, pty.ErrUnavailable) {
		tb.Skip(err.Error())
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = master.Close(); _ = slave.Close() })
	return master, slave
}
