//go:build linux

// Command bench measures every target of issue 8 against the alternative in
// the same run (make bench runs it as `go run ./bench`) and ends with one
// table, one line per target: name, ours, the alternative's, ratio, target,
// pass/short. It builds the real binary, starts throwaway redis-servers and
// loads one reproducible 1,000,000-key mixed dataset shared by every row
// that needs one.
//
// Target rows:
//  1. full pass: `redis-memtop report --scan --scan-rate 0 --format json`
//     (keys/s from its JSON) vs `redis-cli --memkeys` and --keystats (or its
//     protocol emulated when this redis-cli lacks it), median of -rounds;
//  2. the same with 1 ms of round trip (netns + netem, else a loopback delay
//     proxy, said so);
//  3. server CPU of the monitor polling at 1 s (INFO commandstats) vs
//     `redis-cli --stat`; the p99 of a redis-benchmark load with and without
//     a scan at the default rate;
//  4. the monitor's own CPU idle-watching at 1 s (/proc/PID/stat) vs
//     `redis-cli --stat`; its VmRSS after a full pass plus a 900-sample
//     history (--interval 100ms --history 90s) vs redis-cli --memkeys's peak;
//  5. bytes written to a 120×40 pseudo-terminal per second, and the time to
//     the first full frame, vs `redis-cli --stat`;
//  6. View() at 200×60 with a full history, big keys and the checklist (the
//     ui package's BenchmarkViewFull; no alternative).
//
// The cluster-wide big-key rows (cluster.go) start a throwaway 3+3 cluster
// with its own dataset and time `report -c --scan` against redis-cli
// --memkeys on each master, in turn and at once (-skip-cluster, or
// -cluster-only to run them alone).
//
// Informational rows measure the in-process worker, server CPU per key and
// alternatives the worker does not use (an EVAL_RO script per batch).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
)

type config struct {
	// skipEstimate and estimateRuns drive the estimate rows (estimate.go).
	skipEstimate bool
	estimateRuns int
	keys         int
	delayKeys    int
	rounds       int
	latRounds    int
	frameRounds  int
	idle         time.Duration
	rssHistory   time.Duration
	skipBinary   bool
	skipDelay    bool
	skipLat      bool
	skipIdle     bool
	skipRSS      bool
	skipView     bool
	skipCluster  bool
	clusterOnly  bool
	redisCLI     string
	profile      string
	extras       bool

	// Issue 17: the busy-client row's dataset, the opt-in RSS row's keys,
	// and a redis-cli that has --keystats (7.4+) when the one in PATH lacks it.
	burnKeys    int
	skipBurner  bool
	rssKeys     int
	keystatsCLI string
	// bin is a prebuilt redis-memtop to time instead of building one.
	bin string

	// clusterKeys and clusterReplicas size the cluster-wide rows' cluster.
	clusterKeys     int
	clusterReplicas bool
}

func main() {
	var c config
	flag.IntVar(&c.keys, "keys", 1_000_000, "keys in the dataset (shared by every row that needs one)")
	flag.IntVar(&c.delayKeys, "delay-keys", 100_000, "keys in the dataset of the 1 ms delay row (redis-cli is slow there)")
	flag.IntVar(&c.rounds, "rounds", 3, "runs of each tool (the median counts)")
	flag.IntVar(&c.latRounds, "latency-rounds", 8, "redis-benchmark runs with and without the scan")
	flag.IntVar(&c.frameRounds, "frame-rounds", 5, "starts of each tool for the first-frame row")
	flag.DurationVar(&c.idle, "idle", 60*time.Second, "window of the idle-watch rows (after a 5 s warm-up)")
	flag.DurationVar(&c.rssHistory, "rss-history", 90*time.Second, "--history of the RSS row at --interval 100ms (90s = 900 samples, the ring of 15 min at 1 s)")
	flag.BoolVar(&c.skipBinary, "skip-binary", false, "time the scan worker in-process only, not the built binary's report --scan")
	flag.BoolVar(&c.skipDelay, "skip-delay", false, "skip the 1 ms delay row")
	flag.BoolVar(&c.skipLat, "skip-latency", false, "skip the p99 row")
	flag.BoolVar(&c.skipIdle, "skip-idle", false, "skip the idle-watch rows (server CPU, host CPU, bytes, first frame)")
	flag.BoolVar(&c.skipRSS, "skip-rss", false, "skip the RSS row")
	flag.BoolVar(&c.skipView, "skip-view", false, "skip the View() benchmark row")
	flag.BoolVar(&c.skipCluster, "skip-cluster", false, "skip the cluster-wide big-key rows")
	flag.BoolVar(&c.clusterOnly, "cluster-only", false, "run only the cluster-wide big-key rows (no 1M-key dataset)")
	flag.IntVar(&c.clusterKeys, "cluster-keys", 300_000, "keys in the cluster-wide rows' dataset")
	flag.BoolVar(&c.clusterReplicas, "cluster-replicas", true, "give each master of the cluster-wide rows a replica, and time --scan-replicas")
	flag.BoolVar(&c.skipEstimate, "skip-estimate", false, "skip the estimate rows (issue 17: intervals of a pass stopped at 5 % and 10 %)")
	flag.IntVar(&c.estimateRuns, "estimate-runs", 20, "partial passes (SCAN start points) of the estimate rows")
	flag.BoolVar(&c.extras, "extras", true, "also measure the alternatives the worker does not use")
	flag.StringVar(&c.redisCLI, "redis-cli", "redis-cli", "redis-cli binary")
	flag.IntVar(&c.burnKeys, "burn-keys", 100_000, "keys of the busy-client row (report --scan at the default budget: 20 s per 100,000 keys)")
	flag.BoolVar(&c.skipBurner, "skip-burner", false, "skip the busy-client row")
	flag.IntVar(&c.rssKeys, "rss-keys", 0, "run the RSS row of issue 17 over this many small keys (e.g. 10000000; off by default: loading takes minutes)")
	flag.StringVar(&c.keystatsCLI, "keystats-cli", "", "redis-cli 7.4+ `binary` for the --keystats row (default: -redis-cli when it has --keystats, else the protocol is emulated)")
	flag.StringVar(&c.bin, "bin", "", "time this prebuilt redis-memtop `binary` instead of building one (go build -trimpath is minutes on a busy machine)")
	flag.StringVar(&c.profile, "profile", "", "write a CPU profile of the idle monitor into this `dir` (idle.pprof)")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// na is said where a figure has no counterpart.
const na = "n/a"

// row is one line of the result table.
type row struct {
	name         string
	ours, theirs string
	ratio        float64 // see the row's note: ours/theirs, or theirs/ours for CPU per key
	target       string
	pass         bool
	hasTarget    bool // a target row: pass/short printed once measured
	has          bool // the ratio is known
	measured     bool // ours is known, pass is meaningful
	fail         bool // a correctness check failed: FAIL, and the bench exits 1
	note         string
}

func (r row) print(w int) {
	res := "-"
	switch {
	case r.fail:
		res = "FAIL"
	case r.hasTarget && r.measured && r.pass:
		res = "pass"
	case r.hasTarget && r.measured:
		res = "short"
	case r.hasTarget:
		res = "n/m"
	}
	ratio := na
	if r.has {
		ratio = fmt.Sprintf("%.2fx", r.ratio)
	}
	fmt.Printf("%-*s %18s %18s %8s %10s %6s", w, r.name, r.ours, r.theirs, ratio, r.target, res)
	if r.note != "" {
		fmt.Printf("  (%s)", r.note)
	}
	fmt.Println()
}

func table(title string, rows []row) {
	w := 20
	for _, r := range rows {
		w = max(w, utf8.RuneCountInString(r.name))
	}
	fmt.Printf("\n%s\n", title)
	fmt.Printf("%-*s %18s %18s %8s %10s %6s\n", w, "target", "ours", "alternative", "ratio", "target", "result")
	fmt.Println(strings.Repeat("-", w+66))
	for _, r := range rows {
		r.print(w)
	}
}

func run(c config) error {
	ctx := context.Background()
	began := time.Now()
	keys := c.keys
	if c.clusterOnly {
		keys = c.clusterKeys
	}
	fmt.Printf("redis-memtop bench: %d keys, %d rounds, %d CPUs, %s\n", keys, c.rounds, runtime.NumCPU(), cliVersion(c.redisCLI))
	dir, err := os.MkdirTemp("", "redis-memtop-bench-*")
	if err != nil {
		return fmt.Errorf("temp dir: %w", err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := ""
	if c.clusterOnly {
		c.skipCluster = false
	}
	switch {
	case c.bin != "":
		bin = c.bin
	case !c.skipBinary || !c.skipIdle || !c.skipRSS || !c.skipCluster:
		if bin, err = buildBinary(ctx, dir); err != nil {
			return err
		}
		fmt.Printf("built %s\n", bin)
	}
	if c.profile != "" {
		if err := os.MkdirAll(c.profile, 0o755); err != nil { //nolint:gosec // the developer's directory
			return fmt.Errorf("profile dir: %w", err)
		}
	}
	// The cluster rows first, on their own servers, stopped before the 1M-key
	// server starts: the two datasets never share the machine's memory.
	var clusterT []row
	var clusterErr error
	if !c.skipCluster {
		clusterT, clusterErr = clusterRows(ctx, c, bin)
		if clusterT == nil {
			return clusterErr
		}
	}
	if c.clusterOnly {
		table(fmt.Sprintf("cluster-wide big keys, %d keys (whole run %s)", c.clusterKeys, time.Since(began).Round(time.Second)), clusterT)
		return clusterErr
	}
	srv, err := redisproc.Start(ctx, redisproc.Options{})
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

	// The target rows in the order of issue 8; the rest is informational.
	var t1, t2, t3a, t3b, t4a, t4b, t5, t6, t17, info []row
	passBin := bin
	if c.skipBinary {
		passBin = ""
	}
	t1, info, err = fullPass(ctx, c, passBin, srv.Addr, rdb)
	if err != nil {
		return err
	}
	var est []row
	if !c.skipEstimate {
		if est, err = estimateRows(ctx, rdb, c.estimateRuns); err != nil {
			return err
		}
	}
	if !c.skipRSS {
		t4b = []row{rssRow(ctx, c, bin, srv.Addr, rdb)}
	}
	if !c.skipBurner && bin != "" {
		t17 = append(t17, burnerRow(ctx, c, bin))
	}
	if c.rssKeys > 0 && bin != "" {
		t17 = append(t17, rssBigRow(ctx, c, bin))
	}
	if !c.skipLat {
		lat, err := latencyRows(ctx, c, srv.Addr, rdb)
		if err != nil {
			return err
		}
		t3b = lat
	}
	if !c.skipDelay {
		t2 = delayRows(ctx, c)
	}
	if !c.skipIdle {
		idle, more := idleRows(ctx, c, bin)
		t3a, t4a, t5 = idle[:1], idle[1:2], idle[2:]
		info = append(info, more...)
	}
	if !c.skipView {
		t6 = []row{viewRow(ctx)}
	}
	table("other figures (no target)", info)
	if est != nil {
		table("issue 17: estimates from a partial pass", est)
	}
	if clusterT != nil {
		table(fmt.Sprintf("cluster-wide big keys, %d keys", c.clusterKeys), clusterT)
	}
	table(fmt.Sprintf("issue 8 targets (whole run %s)", time.Since(began).Round(time.Second)),
		slices.Concat(t1, t2, t3a, t3b, t4a, t4b, t5, t6, t17))
	return clusterErr
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
