//go:build linux

package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// benchP99 runs a redis-benchmark GET/SET load and returns the mean of the
// SET and GET p99 latencies, ms.
func benchP99(ctx context.Context, addr string) (float64, error) {
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.CommandContext(ctx, "redis-benchmark", "-h", host, "-p", port,
		"-t", "set,get", "-n", "100000", "-c", "50", "-r", "100000", "--csv")
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("redis-benchmark: %w", err)
	}
	r := csv.NewReader(bufio.NewReader(&out))
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		return 0, fmt.Errorf("redis-benchmark output: %w: %q", err, tail(out.String()))
	}
	col := slices.Index(recs[0], "p99_latency_ms")
	if col < 0 {
		return 0, fmt.Errorf("redis-benchmark: no p99 column in %q", recs[0])
	}
	var sum float64
	n := 0
	for _, rec := range recs[1:] {
		if col < len(rec) {
			v, err := strconv.ParseFloat(rec[col], 64)
			if err == nil {
				sum += v
				n++
			}
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("redis-benchmark: no p99 values in %q", tail(out.String()))
	}
	return sum / float64(n), nil
}

// bgScan is one worker at the default budget that lives through the whole
// p99 row, as the monitor's does: paused for the runs without a scan,
// resumed for the runs with one, so its governor keeps what it learned.
type bgScan struct {
	w       *redisx.ScanWorker
	cancel  context.CancelFunc
	scanned atomic.Int64 // keys over every pass
	done    chan struct{}
	mu      sync.Mutex
	last    model.ScanProgress
}

func startBgScan(ctx context.Context, rdb *redis.Client) *bgScan {
	sctx, cancel := context.WithCancel(ctx)
	b := &bgScan{
		w:      redisx.NewScanWorker(rdb, redisx.ScanOptions{Rate: redisx.DefaultScanRate, Repeat: time.Millisecond}),
		cancel: cancel, done: make(chan struct{}),
	}
	b.w.SetPaused(true)
	out := make(chan model.Update, 64)
	go func() {
		defer close(b.done)
		var pass int
		var base, last int64
		for u := range out {
			if u.Scan == nil {
				continue
			}
			p := u.Scan.Progress
			if p.Pass != pass {
				pass, base = p.Pass, base+last
			}
			last = p.Scanned
			b.scanned.Store(base + last)
			if p.Phase == model.ScanScanning {
				b.mu.Lock()
				b.last = p
				b.mu.Unlock()
			}
		}
	}()
	go func() { _ = b.w.Run(sctx, out); close(out) }()
	return b
}

func (b *bgScan) stop() { b.cancel(); <-b.done }

// during runs f with the scan resumed and returns the scan's keys/s over it.
func (b *bgScan) during(f func() error) (float64, error) {
	b.w.SetPaused(false)
	time.Sleep(200 * time.Millisecond) // let it reach its pace
	t0 := time.Now()
	s0 := b.scanned.Load()
	err := f()
	rate := float64(b.scanned.Load()-s0) / time.Since(t0).Seconds()
	b.w.SetPaused(true)
	return rate, err
}

// governor is the worker's last word: the share of the budget and why.
func (b *bgScan) governor() model.ScanProgress {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.last
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func latencyRows(ctx context.Context, c config, addr string, rdb *redis.Client) ([]row, error) {
	if _, err := exec.LookPath("redis-benchmark"); err != nil {
		return []row{{name: "3b p99 GET/SET with the default-rate scan", note: "skipped: " + err.Error()}}, nil // a missing tool skips the row
	}
	fmt.Printf("\np99 of redis-benchmark -t set,get -c 50 -n 100000, with and without a scan at %d keys/s:\n", redisx.DefaultScanRate)
	var off, on, rates []float64
	bg := startBgScan(ctx, rdb)
	defer bg.stop()
	for i := range c.latRounds {
		for j := range 2 {
			scan := (i+j)%2 == 1
			var p99 float64
			var err error
			if scan {
				var rate float64
				rate, err = bg.during(func() error {
					var e error
					p99, e = benchP99(ctx, addr)
					return e
				})
				rates = append(rates, rate)
				on = append(on, p99)
				g := bg.governor()
				fmt.Printf("round %d  with scan     p99 %.3f ms  (scan ran at %.0f keys/s; governor at %.2f of the budget %q, probe %.0f µs scanning vs %.0f paused)\n",
					i+1, p99, rate, g.Throttle, g.SlowReason, g.ProbeOnMicros, g.ProbeOffMicros)
			} else {
				p99, err = benchP99(ctx, addr)
				off = append(off, p99)
				fmt.Printf("round %d  without scan  p99 %.3f ms\n", i+1, p99)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	// Each round pairs a run with and one without, back to back; the ratio
	// is the median of the pairs' ratios, which shrugs off a neighbour's
	// burst better than a ratio of medians.
	var ratios []float64
	for i := range min(len(on), len(off)) {
		if off[i] > 0 {
			ratios = append(ratios, on[i]/off[i])
		}
	}
	r := row{
		name:      "3b p99 GET/SET with the default-rate scan",
		ours:      fmt.Sprintf("%.3f ms", median(on)),
		theirs:    fmt.Sprintf("%.3f ms", median(off)),
		target:    "<= 1.10x",
		hasTarget: true,
		note: fmt.Sprintf("with / without: median of %d paired ratios; medians shown; scan at %.0f keys/s (budget %d, after back-off)",
			len(ratios), median(rates), redisx.DefaultScanRate),
	}
	if len(ratios) > 0 {
		r.ratio, r.has = median(ratios), true
		r.pass, r.measured = r.ratio <= 1.10, true
	}
	return []row{r}, nil
}
