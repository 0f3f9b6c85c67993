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

// withScan runs f while a worker scans at the default budget, and returns
// the worker's keys/s over that time.
func withScan(ctx context.Context, rdb *redis.Client, f func() error) (float64, error) {
	sctx, cancel := context.WithCancel(ctx)
	w := redisx.NewScanWorker(rdb, redisx.ScanOptions{Rate: redisx.DefaultScanRate, Repeat: time.Millisecond})
	out := make(chan model.Update, 64)
	done := make(chan struct{})
	var scanned atomic.Int64 // keys over every pass
	go func() {
		defer close(done)
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
			scanned.Store(base + last)
		}
	}()
	runDone := make(chan struct{})
	go func() { _ = w.Run(sctx, out); close(runDone) }()
	time.Sleep(500 * time.Millisecond) // let it reach its pace
	t0 := time.Now()
	s0 := scanned.Load()
	err := f()
	rate := float64(scanned.Load()-s0) / time.Since(t0).Seconds()
	cancel()
	<-runDone
	close(out)
	<-done
	return rate, err
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
		return []row{{name: "3b p99 GET/SET with the default-rate scan", note: "skipped: " + err.Error()}}, nil //nolint:nilerr // a missing tool skips the row
	}
	fmt.Printf("\np99 of redis-benchmark -t set,get -c 50 -n 100000, with and without a scan at %d keys/s:\n", redisx.DefaultScanRate)
	var off, on, rates []float64
	for i := range c.latRounds {
		for j := range 2 {
			scan := (i+j)%2 == 1
			var p99 float64
			var err error
			if scan {
				var rate float64
				rate, err = withScan(ctx, rdb, func() error {
					var e error
					p99, e = benchP99(ctx, addr)
					return e
				})
				rates = append(rates, rate)
				on = append(on, p99)
				fmt.Printf("round %d  with scan     p99 %.3f ms  (scan ran at %.0f keys/s)\n", i+1, p99, rate)
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
