//go:build linux

package main

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
)

// Targets 3a, 4a and 5: the real monitor on a 120×40 pseudo-terminal,
// polling an idle server every second without the scan, side by side with
// `redis-cli --stat` (its INFO every second) on a second idle server over
// the same time. After a warm-up, over the same window: the usec INFO
// commandstats says each tool's commands took (server CPU), the tool's own
// utime+stime (/proc/PID/stat), and the bytes it wrote to its terminal.
// The time to the first full frame is the median of a few separate starts.

const (
	termCols, termRows = 120, 40
	warmup             = 5 * time.Second
)

// cmdStats is INFO commandstats: usec and calls per command.
type cmdStats map[string][2]float64

func readCmdStats(ctx context.Context, rdb *redis.Client) cmdStats {
	out := cmdStats{}
	for _, l := range strings.Split(rdb.Info(ctx, "commandstats").Val(), "\n") {
		name, rest, ok := strings.Cut(strings.TrimSpace(l), ":")
		if !ok || !strings.HasPrefix(name, "cmdstat_") {
			continue
		}
		var calls, usec float64
		for _, kv := range strings.Split(rest, ",") {
			k, v, _ := strings.Cut(kv, "=")
			f, _ := strconv.ParseFloat(v, 64)
			switch k {
			case "calls":
				calls = f
			case "usec":
				usec = f
			}
		}
		out[strings.TrimPrefix(name, "cmdstat_")] = [2]float64{usec, calls}
	}
	return out
}

// since is the usec and calls spent from s0 to s, with the busiest commands.
func (s cmdStats) since(s0 cmdStats) (usec, calls float64, top string) {
	type d struct {
		name        string
		usec, calls float64
	}
	var ds []d
	for k, v := range s {
		x := d{k, v[0] - s0[k][0], v[1] - s0[k][1]}
		if x.calls > 0 {
			ds = append(ds, x)
			usec += x.usec
			calls += x.calls
		}
	}
	slices.SortFunc(ds, func(a, b d) int { return int(b.usec - a.usec) })
	parts := make([]string, 0, len(ds))
	for _, x := range ds {
		parts = append(parts, fmt.Sprintf("%s %.0f calls %.0f µs", x.name, x.calls, x.usec))
	}
	return usec, calls, strings.Join(parts, ", ")
}

// watched is one tool's figures over the window.
type watched struct {
	usecPerSec  float64 // server time in its commands per second of wall
	callsPerSec float64
	cpuShare    float64 // its own CPU, fraction of one core
	bytesPerSec float64
	top         string
}

func hostPort(addr string) (string, string) {
	h, p, _ := strings.Cut(addr, ":")
	return h, p
}

func monitorArgs(addr string, extra ...string) []string {
	h, p := hostPort(addr)
	return append([]string{"-h", h, "-p", p}, extra...)
}

func fullFrame(s string) bool {
	return strings.Contains(s, "Memory") && strings.Contains(s, "Fragmentation")
}

// statLine: redis-cli --stat prints its header and first line together,
// after its first INFO.
func statLine(s string) bool { return strings.Count(s, "\n") >= 2 }

func idleRows(ctx context.Context, c config, bin string) (targets, info []row) {
	skip := func(err error) []row {
		return []row{
			{name: "3a server CPU of polling at 1 s", note: "skipped: " + err.Error()},
			{name: "4a host CPU idle-watching at 1 s", note: "skipped: " + err.Error()},
			{name: "5a bytes to the terminal, 120x40", note: "skipped: " + err.Error()},
			{name: "5b first full frame", note: "skipped: " + err.Error()},
		}
	}
	srvA, err := redisproc.Start(ctx, redisproc.Options{})
	if err != nil {
		return skip(err), nil
	}
	defer srvA.Stop()
	srvB, err := redisproc.Start(ctx, redisproc.Options{})
	if err != nil {
		return skip(err), nil
	}
	defer srvB.Stop()
	rdbA := redis.NewClient(&redis.Options{Addr: srvA.Addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = rdbA.Close() }()
	rdbB := redis.NewClient(&redis.Options{Addr: srvB.Addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = rdbB.Close() }()
	oursArgs := monitorArgs(srvA.Addr, "--interval", "1s", "--no-scan")
	h, p := hostPort(srvB.Addr)
	cliArgs := []string{"-h", h, "-p", p, "--stat"}

	// First frames: separate starts, alternating, the median counts.
	var oursFirst, cliFirst []float64
	for i := range c.frameRounds {
		for j := range 2 {
			var d time.Duration
			var err error
			if (i+j)%2 == 0 {
				d, err = firstFrameOnce(bin, oursArgs, fullFrame, true)
				oursFirst = append(oursFirst, float64(d))
			} else {
				d, err = firstFrameOnce(c.redisCLI, cliArgs, statLine, false)
				cliFirst = append(cliFirst, float64(d))
			}
			if err != nil {
				return skip(err), nil
			}
		}
	}
	fmt.Printf("\nfirst full frame at 120x40, %d starts each: ours %s, redis-cli --stat first line %s (medians; ours %v)\n",
		c.frameRounds, time.Duration(median(oursFirst)).Round(time.Millisecond), time.Duration(median(cliFirst)).Round(time.Millisecond), durs(oursFirst))

	fmt.Printf("idle watch: our monitor (--interval 1s --no-scan) and redis-cli --stat on two idle servers, %s after a %s warm-up…\n", c.idle, warmup)
	var env []string
	if c.profile != "" {
		env = append(env, "REDIS_MEMTOP_CPUPROFILE="+c.profile+"/idle.pprof")
	}
	ours, err := startPTY(bin, oursArgs, env, fullFrame)
	if err != nil {
		return skip(err), nil
	}
	ours.quit = []byte("q")
	cli, err := startPTY(c.redisCLI, cliArgs, nil, statLine)
	if err != nil {
		ours.stop()
		return skip(err), nil
	}
	time.Sleep(warmup)
	snap := func() (a, b cmdStats, ca, cb time.Duration, ba, bb int64, at time.Time) {
		a, b = readCmdStats(ctx, rdbA), readCmdStats(ctx, rdbB)
		ca, _ = procCPU(ours.cmd.Process.Pid)
		cb, _ = procCPU(cli.cmd.Process.Pid)
		return a, b, ca, cb, ours.written(), cli.written(), time.Now()
	}
	a0, b0, ca0, cb0, ba0, bb0, t0 := snap()
	time.Sleep(c.idle)
	a1, b1, ca1, cb1, ba1, bb1, t1 := snap()
	ours.stop()
	cli.stop()
	win := t1.Sub(t0).Seconds()
	mk := func(s1, s0 cmdStats, cpu time.Duration, b int64) watched {
		u, n, top := s1.since(s0)
		return watched{usecPerSec: u / win, callsPerSec: n / win, cpuShare: cpu.Seconds() / win, bytesPerSec: float64(b) / win, top: top}
	}
	wo, wc := mk(a1, a0, ca1-ca0, ba1-ba0), mk(b1, b0, cb1-cb0, bb1-bb0)
	fmt.Printf("  ours:      %.1f commands/s, %.1f µs/s in commands, CPU %.3f%% of a core, %.0f B/s to the terminal\n    commands: %s\n",
		wo.callsPerSec, wo.usecPerSec, 100*wo.cpuShare, wo.bytesPerSec, wo.top)
	fmt.Printf("  redis-cli: %.1f commands/s, %.1f µs/s in commands, CPU %.3f%% of a core, %.0f B/s to the terminal\n    commands: %s\n",
		wc.callsPerSec, wc.usecPerSec, 100*wc.cpuShare, wc.bytesPerSec, wc.top)
	if c.profile != "" {
		fmt.Printf("  CPU profile of our monitor: %s/idle.pprof (go tool pprof -top %s %s/idle.pprof)\n", c.profile, bin, c.profile)
	}

	window := fmt.Sprintf("%.0f s window after %s, vs redis-cli --stat", win, warmup)
	targets = []row{
		costRow("3a server CPU of polling at 1 s, no scan", 100*wo.usecPerSec/1e6, 100*wc.usecPerSec/1e6, "%.4f%%", 0.2, "<= 0.2%",
			"INFO commandstats usec / wall, % of one core; "+window+" (both include the bench's one INFO commandstats read)"),
		costRow("4a host CPU idle-watching at 1 s", 100*wo.cpuShare, 100*wc.cpuShare, "%.3f%%", 1, "<= 1%",
			"utime+stime from /proc/PID/stat, % of one core; "+window),
		costRow("5a bytes to the terminal, 120x40, 1 s poll", wo.bytesPerSec, wc.bytesPerSec, "%.0f B/s", 4096, "<= 4 KB/s",
			"read from the pty master; "+window),
		costRow("5b first full frame, 120x40, loopback", median(oursFirst)/1e6, median(cliFirst)/1e6, "%.0f ms", 300, "<= 300 ms",
			fmt.Sprintf("exec to the first output holding the Memory and Fragmentation titles; redis-cli --stat: to its first line; median of %d starts", c.frameRounds)),
	}
	if wc.cpuShare == 0 { // not one 10 ms tick over the window
		targets[1].theirs, targets[1].has = fmt.Sprintf("< %.3f%%", 100*0.01/win), false
	}
	info = []row{costRow("server commands per second at 1 s", wo.callsPerSec, wc.callsPerSec, "%.1f/s", 0, "", "")}
	return targets, info
}

// firstFrameOnce starts a program on a terminal and returns the time to its
// first full frame.
func firstFrameOnce(bin string, args []string, ready func(string) bool, quitQ bool) (time.Duration, error) {
	p, err := startPTY(bin, args, nil, ready)
	if err != nil {
		return 0, err
	}
	if quitQ {
		p.quit = []byte("q")
	}
	d, err := p.waitFirst(10 * time.Second)
	p.stop()
	return d, err
}

// costRow is a row where less is better, against an absolute target:
// ratio = ours / theirs.
func costRow(name string, ours, theirs float64, format string, target float64, targetText, note string) row {
	r := row{name: name, ours: fmt.Sprintf(format, ours), theirs: fmt.Sprintf(format, theirs), target: targetText, note: note}
	if theirs > 0 {
		r.ratio, r.has = ours/theirs, true
	}
	if target > 0 {
		r.hasTarget, r.pass, r.measured = true, ours <= target, true
	}
	return r
}

func durs(v []float64) string {
	parts := make([]string, 0, len(v))
	for _, d := range v {
		parts = append(parts, time.Duration(d).Round(time.Millisecond).String())
	}
	return strings.Join(parts, " ")
}
