package delayproxy

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echo is a loopback server that writes back every line it reads.
func echo(t *testing.T) string {
	t.Helper()
	var lc net.ListenConfig
	ln, err := lc.Listen(t.Context(), "tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer func() { _ = c.Close() }()
				rd := bufio.NewReader(c)
				for {
					line, err := rd.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// roundTrip sends a line through conn and times its echo.
func roundTrip(t *testing.T, conn net.Conn, rd *bufio.Reader) time.Duration {
	t.Helper()
	t0 := time.Now()
	if _, err := conn.Write([]byte("ping\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := rd.ReadString('\n'); err != nil || line != "ping\n" {
		t.Fatalf("echo: %q, %v", line, err)
	}
	return time.Since(t0)
}

// Each direction's delay is added to a round trip, SetDelay applies to
// what is read next, and Cut drops the open connections but not the
// listener.
func TestDelayChangeAndCut(t *testing.T) {
	p, err := Start(t.Context(), echo(t), 30*time.Millisecond, 20*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var d net.Dialer
	conn, err := d.DialContext(t.Context(), "tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	rd := bufio.NewReader(conn)
	if rtt := roundTrip(t, conn, rd); rtt < 50*time.Millisecond {
		t.Errorf("round trip %s through 30 + 20 ms of delay", rtt)
	}
	p.SetDelay(0, 0)
	if rtt := roundTrip(t, conn, rd); rtt >= 50*time.Millisecond {
		t.Errorf("round trip %s after the delay was removed", rtt)
	}
	p.Cut()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := rd.ReadString('\n'); err == nil {
		t.Error("the connection still reads after Cut")
	}
	again, err := d.DialContext(t.Context(), "tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = again.Close() }()
	roundTrip(t, again, bufio.NewReader(again))
}
