//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/pty"
)

// ptyRun is a program running on a pseudo-terminal, its output counted.
type ptyRun struct {
	cmd    *exec.Cmd
	master *os.File
	start  time.Time
	done   chan struct{}

	mu        sync.Mutex
	bytes     int64         // written to the terminal so far
	firstSeen time.Duration // since start, when ready first matched (0: not yet)
	head      []byte        // output until ready matched (then dropped)
	ready     func(screen string) bool

	quit []byte // typed to quit; nil: SIGTERM
}

// startPTY starts bin args on a 120×40 terminal; ready decides, from the
// output so far with escapes stripped, when the first full frame is there.
func startPTY(bin string, args, env []string, ready func(string) bool) (*ptyRun, error) {
	master, slave, err := pty.Open(termCols, termRows)
	if err != nil {
		return nil, err //nolint:wrapcheck // pty's errors say what failed
	}
	cmd := exec.Command(bin, args...) //nolint:noctx // stopped by stop()
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "COLUMNS=", "LINES="), env...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	p := &ptyRun{cmd: cmd, master: master, done: make(chan struct{}), ready: ready}
	p.start = time.Now()
	if err := cmd.Start(); err != nil {
		_ = master.Close()
		_ = slave.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	_ = slave.Close()
	go p.read()
	return p, nil
}

func (p *ptyRun) read() {
	defer close(p.done)
	buf := make([]byte, 64<<10)
	for {
		n, err := p.master.Read(buf)
		if n > 0 {
			at := time.Since(p.start)
			p.mu.Lock()
			p.bytes += int64(n)
			if p.firstSeen == 0 && p.ready != nil {
				p.head = append(p.head, buf[:n]...)
				if p.ready(ansi.Strip(string(p.head))) {
					p.firstSeen, p.head = at, nil
				}
			}
			p.mu.Unlock()
		}
		if err != nil {
			return // EIO once the program has exited
		}
	}
}

// written is the byte count so far.
func (p *ptyRun) written() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}

// firstFrame is the time from exec to the first full frame (0: not yet).
func (p *ptyRun) firstFrame() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstSeen
}

// waitFirst waits for the first full frame, up to limit.
func (p *ptyRun) waitFirst(limit time.Duration) (time.Duration, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		if d := p.firstFrame(); d > 0 {
			return d, nil
		}
		select {
		case <-p.done:
			return 0, fmt.Errorf("%s exited before its first frame", p.cmd.Path)
		case <-time.After(2 * time.Millisecond):
		}
	}
	return 0, fmt.Errorf("%s: no full frame within %s", p.cmd.Path, limit)
}

// stop types quit (q: the monitor quits and writes its profile) or sends
// SIGTERM, then kills what is left after 3 s.
func (p *ptyRun) stop() {
	if p.quit != nil {
		_, _ = p.master.Write(p.quit)
	} else {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	exited := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(3 * time.Second):
		_ = p.cmd.Process.Kill()
		<-exited
	}
	_ = p.master.Close()
	<-p.done
}

// procCPU is a process's user+system CPU time so far (/proc/PID/stat).
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, fmt.Errorf("read stat: %w", err)
	}
	// The command name is in parentheses and may hold spaces: count fields
	// after the last ')'. utime and stime are fields 14 and 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("stat: no command name")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("stat: short")
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("stat: utime/stime")
	}
	// USER_HZ is 100 on Linux whatever the kernel's HZ.
	return time.Duration(ut+st) * 10 * time.Millisecond, nil
}

// procMem is VmRSS and VmHWM (peak RSS) of a process, bytes.
func procMem(pid int) (rss, hwm int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("read status: %w", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseInt(f[0], 10, 64)
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm, nil
}

// buildBinary builds the real redis-memtop into dir.
func buildBinary(ctx context.Context, dir string) (string, error) {
	out := dir + "/redis-memtop"
	gomod, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil || len(bytes.TrimSpace(gomod)) == 0 {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", out, ".")
	cmd.Dir = filepath.Dir(string(bytes.TrimSpace(gomod)))
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, b)
	}
	return out, nil
}
