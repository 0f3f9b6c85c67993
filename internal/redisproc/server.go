// Package redisproc starts and stops throwaway redis-server processes on
// loopback, each in its own temporary directory: the servers the demo
// drives, the bench measures and the tests (through internal/redistest)
// run against. It is a package of its own so that demo and the test kit
// share one launcher without importing each other. Its errors keep the
// "demo:" prefix: the demo command is where a user meets them.
package redisproc

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// ErrNoRedisServer is returned when no redis-server binary can be found.
var ErrNoRedisServer = errors.New("redis-server not found on PATH: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or pass --redis-server PATH")

// FindRedisServer returns the redis-server to run: explicit when given, else
// the one on PATH.
func FindRedisServer(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); err != nil {
			return "", fmt.Errorf("demo: redis-server %q: %w", explicit, err)
		}
		return explicit, nil
	}
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", ErrNoRedisServer
	}
	return p, nil
}

// Options configure a throwaway server.
type Options struct {
	Binary string   // redis-server path; "" = from PATH
	Config []string // extra directives, one "name value…" per entry, e.g. "maxmemory 64mb"
	Port   int      // 0 = a free loopback port
}

// Server is a running throwaway redis-server.
type Server struct {
	Addr   string // 127.0.0.1:PORT
	Port   int
	Dir    string // its working directory, removed by Stop
	Binary string

	opts   Options
	mu     sync.Mutex
	cmd    *exec.Cmd
	done   chan struct{}
	ownDir bool
}

// Start launches redis-server on loopback with persistence off unless the
// config asks for it, and waits until it answers PING.
func Start(ctx context.Context, opts Options) (*Server, error) {
	bin, err := FindRedisServer(opts.Binary)
	if err != nil {
		return nil, err
	}
	sweepOnce.Do(func() { sweepStaleDirs(os.TempDir()) })
	// A port chosen here can be taken before the server binds it (a cluster
	// node also binds port+10000): on this busy a machine, choose again a
	// few times instead of failing.
	for attempt := 1; ; attempt++ {
		port := opts.Port
		if port == 0 {
			if port, err = FreePort(); err != nil {
				return nil, err
			}
		}
		dir, err := os.MkdirTemp("", tempDirPattern())
		if err != nil {
			return nil, fmt.Errorf("demo: temp dir: %w", err)
		}
		s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), Port: port, Dir: dir, Binary: bin, opts: opts, ownDir: true}
		err = s.launch(ctx)
		if err == nil {
			return s, nil
		}
		_ = os.RemoveAll(dir)
		if opts.Port != 0 || attempt == 5 || !strings.Contains(err.Error(), "Address already in use") {
			return nil, err
		}
	}
}

// FreePort asks the kernel for a free loopback TCP port.
func FreePort() (int, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("demo: free port: %w", err)
	}
	defer func() { _ = l.Close() }()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) configText() string {
	var b strings.Builder
	fmt.Fprintf(&b, "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nappendonly no\nlogfile server.log\ndaemonize no\nprotected-mode yes\n", s.Port, s.Dir)
	for _, line := range s.opts.Config {
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

func (s *Server) launch(ctx context.Context) error {
	conf := filepath.Join(s.Dir, "redis.conf")
	if err := os.WriteFile(conf, []byte(s.configText()), 0o600); err != nil {
		return fmt.Errorf("demo: write config: %w", err)
	}
	cmd := exec.Command(s.Binary, conf) //nolint:gosec,noctx // our own binary and config; the server must outlive ctx
	cmd.Dir = s.Dir
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("demo: start %s: %w", s.Binary, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()

	deadline := time.Now().Add(10 * time.Second)
	for {
		if Ping(s.Addr) == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("demo: redis-server exited at start: %s", s.LogTail())
		case <-ctx.Done():
			s.Kill()
			return fmt.Errorf("demo: waiting for redis-server: %w", ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.Kill()
			return fmt.Errorf("demo: redis-server did not answer within 10s: %s", s.LogTail())
		}
	}
}

// Ping sends a raw PING, so starting a server needs no client library.
func Ping(addr string) error {
	d := net.Dialer{Timeout: 200 * time.Millisecond}
	c, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		return fmt.Errorf("demo: ping: %w", err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return fmt.Errorf("demo: ping: %w", err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return fmt.Errorf("demo: ping: %w", err)
	}
	// +PONG, or -NOAUTH when it has a password, means it serves; -LOADING
	// means it is still reading its snapshot: not ready yet.
	if !strings.HasPrefix(line, "+PONG") && !strings.HasPrefix(line, "-NOAUTH") {
		return fmt.Errorf("demo: ping: unexpected reply %q", strings.TrimSpace(line))
	}
	return nil
}

// LogTail is the last three lines of the server's log, joined: what an
// error says about why a server would not start or fail over.
func (s *Server) LogTail() string {
	b, err := os.ReadFile(filepath.Join(s.Dir, "server.log"))
	if err != nil {
		return "no log"
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 3 {
		lines = lines[len(lines)-3:]
	}
	return strings.Join(lines, " | ")
}

// PID is the server's process id, or 0 when it is not running.
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Signal sends sig to the server's process group (SIGSTOP stalls it, SIGCONT
// resumes it).
func (s *Server) Signal(sig syscall.Signal) error {
	pid := s.PID()
	if pid == 0 {
		return errors.New("demo: server not running")
	}
	if err := killGroup(pid, sig); err != nil {
		return fmt.Errorf("demo: signal: %w", err)
	}
	return nil
}

// Kill stops the server at once (SIGKILL to its process group: a fork child
// doing a BGSAVE goes too) and waits for it. The directory is kept, so the
// server can be restarted.
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = killGroup(cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// Restart starts the server again on the same port and directory after Kill.
func (s *Server) Restart(ctx context.Context) error {
	s.Kill()
	return s.launch(ctx)
}

// Stop kills the server and removes its directory.
func (s *Server) Stop() {
	s.Kill()
	if s.ownDir {
		_ = os.RemoveAll(s.Dir)
	}
}
