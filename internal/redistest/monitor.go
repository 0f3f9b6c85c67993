package redistest

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Monitor watches a test server with MONITOR over a plain socket: an
// observer that shares no code with go-redis or redis-memtop's guard (and,
// unlike go-redis's MonitorCmd, does not busy-poll). Tests use it to prove
// what the tool did and did not send. MONITOR does not show admin commands
// (CONFIG, CLIENT, DEBUG…): pair it with INFO commandstats.
type Monitor struct {
	mu    sync.Mutex
	lines []string
	addr  string
	auth  []string
}

// StartMonitor connects, authenticates with auth (user and/or password)
// when given, sends MONITOR and collects what the server prints until the
// test ends.
func StartMonitor(tb testing.TB, addr string, auth ...string) *Monitor {
	tb.Helper()
	d := net.Dialer{Timeout: 2 * time.Second}
	conn, err := d.DialContext(tb.Context(), "tcp", addr)
	if err != nil {
		tb.Fatalf("monitor dial: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	rd := bufio.NewReaderSize(conn, 1<<20)
	if len(auth) > 0 {
		if _, err := conn.Write([]byte(respCommand(append([]string{"AUTH"}, auth...)...))); err != nil {
			tb.Fatal(err)
		}
		if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
			tb.Fatalf("monitor auth: %q", line)
		}
	}
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		tb.Fatalf("monitor: %v", err)
	}
	if line, _ := rd.ReadString('\n'); !strings.HasPrefix(line, "+OK") {
		tb.Fatalf("monitor: %q", line)
	}
	m := &Monitor{addr: addr, auth: auth}
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

func respCommand(args ...string) string {
	var b strings.Builder
	b.WriteString("*" + strconv.Itoa(len(args)) + "\r\n")
	for _, a := range args {
		b.WriteString("$" + strconv.Itoa(len(a)) + "\r\n" + a + "\r\n")
	}
	return b.String()
}

// Commands parses what MONITOR printed: `1700000000.123 [0 127.0.0.1:5]
// "info" "server"` becomes ["info", "server"].
func (m *Monitor) Commands() [][]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([][]string, 0, len(m.lines))
	for _, line := range m.lines {
		if _, rest, ok := strings.Cut(line, "] "); ok {
			out = append(out, ParseMonitorArgs(rest))
		}
	}
	return out
}

// WaitFor waits (up to 30 s) until a monitored command contains every
// needle (case-insensitive).
func (m *Monitor) WaitFor(tb testing.TB, needles ...string) {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, cmd := range m.Commands() {
			joined := strings.ToLower(strings.Join(cmd, " "))
			all := true
			for _, n := range needles {
				if !strings.Contains(joined, strings.ToLower(n)) {
					all = false
				}
			}
			if all {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("monitor never saw %q", needles)
}

// WaitMarker sends PING marker with a plain client and waits until MONITOR
// has shown it: everything sent before it has been seen.
func (m *Monitor) WaitMarker(tb testing.TB, marker string) {
	tb.Helper()
	c := newClient(m.addr)
	defer func() { _ = c.Close() }()
	if err := c.Do(tb.Context(), "ping", marker).Err(); err != nil {
		tb.Fatal(err)
	}
	m.WaitFor(tb, "ping", marker)
}

// ParseMonitorArgs splits `"a" "b\"c" "\x00"` as redis prints MONITOR
// arguments (sdscatrepr escapes, which strconv.Unquote understands).
func ParseMonitorArgs(s string) []string {
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
