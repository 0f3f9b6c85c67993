// Command bench measures the big-key scan against redis-cli on the same data
// in the same run (make bench runs it as `go run ./bench`). It starts a
// throwaway redis-server, loads a reproducible 1,000,000-key mixed dataset,
// then prints one line per figure: name, ours, theirs, ratio, target,
// pass/short.
//
// Rows:
//   - full pass vs `redis-cli --memkeys` (defaults) and, when this redis-cli
//     has it, `redis-cli --keystats --count 1000`: keys/s, median of -rounds
//     runs, alternating who goes first; plus each one's server CPU per key
//     (INFO commandstats and the main thread's CPU time);
//   - the same with 1 ms of round-trip delay (a netns with veth and tc netem
//     when the kernel has them, else a loopback delay proxy in this process);
//   - the p99 of a redis-benchmark GET/SET load with and without a scan at the
//     default --scan-rate.
//
// Extra rows (no target) measure alternatives the worker does not use, so the
// choice stays checkable: the keystats protocol emulated with go-redis when
// redis-cli lacks it, and one EVAL_RO script per batch.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
)

type config struct {
	keys      int
	delayKeys int
	rounds    int
	latRounds int
	skipDelay bool
	skipLat   bool
	redisCLI  string
	extras    bool
}

func main() {
	var c config
	flag.IntVar(&c.keys, "keys", 1_000_000, "keys in the dataset")
	flag.IntVar(&c.delayKeys, "delay-keys", 100_000, "keys in the dataset of the 1 ms delay row (redis-cli is slow there)")
	flag.IntVar(&c.rounds, "rounds", 3, "runs of each tool (the median counts)")
	flag.IntVar(&c.latRounds, "latency-rounds", 8, "redis-benchmark runs with and without the scan")
	flag.BoolVar(&c.skipDelay, "skip-delay", false, "skip the 1 ms delay row")
	flag.BoolVar(&c.skipLat, "skip-latency", false, "skip the p99 row")
	flag.BoolVar(&c.extras, "extras", true, "also measure the alternatives the worker does not use")
	flag.StringVar(&c.redisCLI, "redis-cli", "redis-cli", "redis-cli binary")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// row is one line of the result table.
type row struct {
	name           string
	ours, theirs   string
	ratio          float64 // ours / theirs (or the reverse for latency: see better)
	target         string
	pass           bool
	hasTarget, has bool
	note           string
}

func (r row) print() {
	res := "-"
	if r.hasTarget && r.has {
		res = "short"
		if r.pass {
			res = "pass"
		}
	}
	ratio := "-"
	if r.has {
		ratio = fmt.Sprintf("%.2fx", r.ratio)
	}
	fmt.Printf("%-44s %18s %18s %8s %10s %6s", r.name, r.ours, r.theirs, ratio, r.target, res)
	if r.note != "" {
		fmt.Printf("  (%s)", r.note)
	}
	fmt.Println()
}

func header() {
	fmt.Printf("%-44s %18s %18s %8s %10s %6s\n", "row", "ours", "theirs", "ratio", "target", "result")
	fmt.Println(strings.Repeat("-", 110))
}

func run(c config) error {
	ctx := context.Background()
	fmt.Printf("redis-memtop bench: %d keys, %d rounds, %d CPUs, %s\n", c.keys, c.rounds, runtime.NumCPU(), cliVersion(c.redisCLI))
	srv, err := demo.Start(ctx, demo.Options{})
	if err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	defer srv.Stop()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = rdb.Close() }()

	t0 := time.Now()
	if err := loadDataset(ctx, rdb, c.keys); err != nil {
		return err
	}
	n := rdb.DBSize(ctx).Val()
	fmt.Printf("dataset: %d keys loaded in %s (seed %d), used_memory %s\n\n", n, time.Since(t0).Round(time.Millisecond), datasetSeed, usedMemory(ctx, rdb))

	var rows []row
	full, err := fullPass(ctx, c, srv.Addr, rdb)
	if err != nil {
		return err
	}
	rows = append(rows, full...)
	if !c.skipDelay {
		rows = append(rows, delayRows(ctx, c)...)
	}
	if !c.skipLat {
		lat, err := latencyRows(ctx, c, srv.Addr, rdb)
		if err != nil {
			return err
		}
		rows = append(rows, lat...)
	}
	fmt.Println()
	header()
	for _, r := range rows {
		r.print()
	}
	return nil
}

func cliVersion(bin string) string {
	out, err := exec.Command(bin, "--version").Output() //nolint:noctx // a quick local call
	if err != nil {
		return "no redis-cli"
	}
	return strings.TrimSpace(string(out))
}

func usedMemory(ctx context.Context, rdb *redis.Client) string {
	info := rdb.Info(ctx, "memory").Val()
	for _, l := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "used_memory_human:"); ok {
			return v
		}
	}
	return "?"
}
