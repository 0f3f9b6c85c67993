//go:build linux

package main

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// rssRow is target 4b: the monitor's RSS after a full big-key pass over the
// dataset plus a full history. Fifteen minutes at 1 s is 900 samples; the
// bench keeps the same ring size with --interval 100ms --history 90s and runs
// 90 s, and the pass at --scan-rate 0 so it ends within that time. VmRSS is
// read once both are done; the alternative is redis-cli --memkeys's peak RSS
// over its passes of the full-pass rows.
func rssRow(ctx context.Context, c config, bin, addr string, rdb *redis.Client) row {
	name := "4b RSS after a full pass + full history"
	fail := func(err error) row { return row{name: name, note: "skipped: " + err.Error()} }
	samples := int(c.rssHistory / (100 * time.Millisecond))
	fmt.Printf("\nRSS: our monitor at --interval 100ms --history %s (%d samples, the ring of 15 min at 1 s) and --scan-rate 0 on the %s-key server…\n",
		c.rssHistory, samples, model.Count(float64(c.keys)))
	s0 := readCmdStats(ctx, rdb)["scan"][1]
	p, err := startPTY(bin, monitorArgs(addr, "--interval", "100ms", "--history", c.rssHistory.String(), "--scan-rate", "0"), nil, fullFrame)
	if err != nil {
		return fail(err)
	}
	p.quit = []byte("q")
	defer p.stop()
	start := time.Now()
	// The pass is over when the worker's SCAN calls stop moving (it waits
	// 10 minutes before the next pass).
	var last float64
	var still int
	var passDone time.Duration
	for time.Since(start) < c.rssHistory+5*time.Minute {
		time.Sleep(time.Second)
		n := readCmdStats(ctx, rdb)["scan"][1] - s0
		switch {
		case n > 0 && n == last:
			still++
		default:
			still = 0
		}
		last = n
		if still == 3 && passDone == 0 {
			passDone = time.Since(start) - 3*time.Second
			fmt.Printf("  the pass ended about %s after start (%.0f SCAN calls)\n", passDone.Round(time.Second), n)
		}
		if passDone > 0 && time.Since(start) >= c.rssHistory+time.Second {
			break
		}
	}
	if passDone == 0 {
		return fail(fmt.Errorf("the pass did not end within %s", c.rssHistory+5*time.Minute))
	}
	rss, hwm, err := procMem(p.cmd.Process.Pid)
	if err != nil {
		return fail(err)
	}
	fmt.Printf("  after %s: VmRSS %s, VmHWM (peak) %s; redis-cli --memkeys peak RSS %s\n",
		time.Since(start).Round(time.Second), model.Bytes(float64(rss)), model.Bytes(float64(hwm)), model.Bytes(float64(cliPeakRSS)))
	r := costRow(name, float64(rss)/(1<<20), float64(cliPeakRSS)/(1<<20), "%.1f MB", 60, "<= 60 MB",
		fmt.Sprintf("VmRSS; peak %s; %d-sample ring via --interval 100ms --history %s (not 15 real minutes), pass at --scan-rate 0; theirs: redis-cli --memkeys peak RSS",
			model.Bytes(float64(hwm)), samples, c.rssHistory))
	if cliPeakRSS == 0 {
		r.theirs, r.has = na, false
	}
	return r
}
