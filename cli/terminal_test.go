package cli

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// ptyRun is the real program (the test binary as its helper process) on a
// pseudo-terminal of cols×rows.
type ptyRun struct {
	tr     *ptyTranscript
	master *os.File
	exited chan error
}

func startOnPTY(t *testing.T, cols, rows int, args ...string) *ptyRun {
	t.Helper()
	master, slave := redistest.OpenPTY(t, cols, rows)
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestSecretsHelperProcess$", "--"}, args...)...) //nolint:noctx // the test binary itself, as the helper process
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(), "GO_MEMTOP_HELPER=1", "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := &ptyRun{tr: &ptyTranscript{}, master: master, exited: make(chan error, 1)}
	go func() { r.exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		err := <-r.exited
		r.exited <- err
	})
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := master.Read(buf)
			r.tr.mu.Lock()
			r.tr.buf.Write(buf[:n])
			r.tr.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return r
}

func (r *ptyRun) send(t *testing.T, s string) {
	t.Helper()
	if _, err := r.master.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

// quit presses q and waits for a clean exit.
func (r *ptyRun) quit(t *testing.T) {
	t.Helper()
	r.send(t, "q")
	select {
	case err := <-r.exited:
		r.exited <- err
		if err != nil {
			t.Errorf("the monitor exited with %v; the terminal's last bytes: %q", err, tail(r.tr.bytes(), 300))
		}
	case <-time.After(trustSafety):
		t.Fatal("q did not end the monitor")
	}
}

func tail(b []byte, n int) []byte { return b[max(len(b)-n, 0):] }

// TestClusterMonitorOnATerminal runs the real program against the shared
// 3 + 3 cluster on an 80×24 terminal: the overview appears, ? answers,
// enter opens a node's own view, q ends it.
func TestClusterMonitorOnATerminal(t *testing.T) {
	servers := reportCluster.Get(t).Nodes
	r := startOnPTY(t, 80, 24, "-c", "-p", strconv.Itoa(servers[0].Port), "--interval", "300ms")
	r.tr.waitFor(t, "16384/16384 slots")
	r.tr.waitFor(t, "6 nodes")
	r.send(t, "?")
	r.tr.waitFor(t, "drill into the selected node")
	r.send(t, "?")
	r.send(t, "\r")
	r.tr.waitFor(t, "(cluster ")
	r.tr.waitFor(t, "esc: back to the cluster")
	r.quit(t)
}

// TestFleetMonitorOnATerminal: two servers by URI, one of them gone.
func TestFleetMonitorOnATerminal(t *testing.T) {
	a := redistest.StartServer(t)
	dead, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	r := startOnPTY(t, 80, 24, "--interval", "300ms", "--connect-timeout", "300ms", "redis://"+a.Addr, "redis://127.0.0.1:"+strconv.Itoa(dead))
	r.tr.waitFor(t, "fleet")
	r.tr.waitFor(t, "Not answering")
	r.send(t, "\r")
	r.tr.waitFor(t, "(fleet master)")
	r.quit(t)
}
