package main

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// trustSafety bounds how long a trust test waits for something that must
// happen: a deadlock guard, not a speed assertion.
const trustSafety = 30 * time.Second

// commandStatsMain reads INFO commandstats with a plain client: command
// ("config|get" form) → calls. It counts every executed command, the admin
// ones MONITOR does not show included.
func commandStatsMain(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	text, err := c.Info(t.Context(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := redisx.ParseInfo(text).Section("commandstats")
	out := map[string]float64{}
	for _, f := range sec.Fields {
		name := strings.TrimPrefix(f.Key, "cmdstat_")
		for _, kv := range redisx.ParseKV(f.Value) {
			if kv.Key == "calls" {
				out[name] = redisx.ParseNumber(kv.Value).V
			}
		}
	}
	return out
}

func commandCalls(t *testing.T, addr, name string) float64 {
	t.Helper()
	return commandStatsMain(t, addr)[name]
}

// rawMonitor watches a server with MONITOR over a plain socket: an observer
// that shares no code with go-redis or the guard.
type rawMonitor struct {
	mu    sync.Mutex
	lines []string
}

func startRawMonitor(t *testing.T, addr string) *rawMonitor {
	t.Helper()
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(t.Context(), "tcp", addr)
	if err != nil {
		t.Fatalf("monitor dial: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	rd := bufio.NewReaderSize(conn, 1<<20)
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
		t.Fatalf("monitor: %q", line)
	}
	m := &rawMonitor{}
	go func() {
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				return
			}
			m.mu.Lock()
			m.lines = append(m.lines, strings.TrimRight(strings.TrimPrefix(line, "+"), "\r\n"))
			m.mu.Unlock()
		}
	}()
	return m
}

// commands parses what MONITOR printed: `1700000000.123 [0 127.0.0.1:5] "info" "server"`.
func (m *rawMonitor) commands() [][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]string, 0, len(m.lines))
	for _, line := range m.lines {
		if _, rest, ok := strings.Cut(line, "] "); ok {
			out = append(out, splitQuoted(rest))
		}
	}
	return out
}

// waitMarker sends PING marker with a plain client and waits until MONITOR
// has shown it: everything sent before it has been seen.
func (m *rawMonitor) waitMarker(t *testing.T, addr, marker string) {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	if err := c.Do(t.Context(), "ping", marker).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(trustSafety)
	for time.Now().Before(deadline) {
		m.mu.Lock()
		n := len(m.lines)
		seen := n > 0 && strings.Contains(strings.Join(m.lines[max(n-50, 0):], "\n"), marker)
		m.mu.Unlock()
		if seen {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("MONITOR never showed %s", marker)
}

// splitQuoted splits `"a" "b\"c" "\x00"` as redis prints MONITOR arguments.
func splitQuoted(s string) []string {
	var out []string
	for {
		s = strings.TrimLeft(s, " ")
		if !strings.HasPrefix(s, `"`) {
			return out
		}
		end := 1
		for end < len(s) {
			if s[end] == '\\' {
				end += 2
				continue
			}
			if s[end] == '"' {
				break
			}
			end++
		}
		if end >= len(s) {
			return out
		}
		v, err := strconv.Unquote(s[:end+1])
		if err != nil {
			v = s[1:end]
		}
		out = append(out, v)
		s = s[end+1:]
	}
}

func toArgs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// connectMain connects redisx to addr with o's credentials.
func connectMain(t *testing.T, o redisx.Options) *redisx.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), trustSafety)
	defer cancel()
	c, err := redisx.Connect(ctx, o)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}
