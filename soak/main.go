// Command soak runs redis-memtop's live pipeline — the poller with its
// Extras, the big-key scan looping, the UI model folding every update and
// rendering frames, and the recorder — against a throwaway redis-server
// under redis-benchmark load with a BGSAVE every minute, for a long time
// (`make soak`; SOAK_DURATION=30m by default). Every SOAK_EVERY (30s) it
// measures the tool's live heap (after a GC) and its goroutines. At the end
// it checks they stayed under the stated bounds and that every sample the
// poller handed on reached the UI model and the recording; it prints the
// figures and exits 1 when a check fails.
//
// Environment: SOAK_DURATION (30m), SOAK_EVERY (30s), SOAK_INTERVAL (poll,
// 1s), SOAK_HEAP_MB (bound on the live heap, 64), SOAK_GOROUTINES (bound,
// 64), SOAK_KEYS (dataset strings, 20000), SOAK_BENCH_CLIENTS (4),
// REDIS_SERVER, REDIS_BENCHMARK.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
		fmt.Fprintf(os.Stderr, "soak: %s=%q is not a duration; using %s\n", name, v, def)
	}
	return def
}

func envInt(name string, def int) int {
	if v := os.Getenv(name); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
		fmt.Fprintf(os.Stderr, "soak: %s=%q is not a positive number; using %d\n", name, v, def)
	}
	return def
}

// config is the soak's settings.
type config struct {
	duration, every, interval time.Duration
	heapMB, goroutines        int
	keys, benchClients        int
}

func main() {
	cfg := config{
		duration:     envDuration("SOAK_DURATION", 30*time.Minute),
		every:        envDuration("SOAK_EVERY", 30*time.Second),
		interval:     envDuration("SOAK_INTERVAL", time.Second),
		heapMB:       envInt("SOAK_HEAP_MB", 64),
		goroutines:   envInt("SOAK_GOROUTINES", 64),
		keys:         envInt("SOAK_KEYS", 20000),
		benchClients: envInt("SOAK_BENCH_CLIENTS", 4),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := soak(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "soak: FAIL:", err)
		os.Exit(1)
	}
	fmt.Println("soak: PASS")
}

// point is one measurement.
type point struct {
	at         time.Duration
	heap       uint64 // live heap after a GC
	sys        uint64
	goroutines int
	polled     int64
	folded     int64
	frames     int64
	scanPasses int
	scanned    int64
	bgsaves    int64
}

func soak(ctx context.Context, cfg config) error {
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	srv, err := redisproc.Start(sctx, redisproc.Options{Binary: os.Getenv("REDIS_SERVER"), Config: []string{"maxmemory 1gb", "maxmemory-policy allkeys-lru"}})
	cancel()
	if err != nil {
		return fmt.Errorf("start redis-server: %w", err)
	}
	defer srv.Stop()
	plain := demo.NewClient(srv.Addr)
	defer func() { _ = plain.Close() }()
	spec := demo.DefaultDataset()
	spec.Strings = cfg.keys
	if err := demo.LoadDataset(ctx, plain, spec); err != nil {
		return fmt.Errorf("load the dataset: %w", err)
	}
	fmt.Printf("soak: %s against %s (%d strings + the demo dataset), poll %s, sample every %s; bounds: live heap < %d MB, goroutines < %d\n",
		cfg.duration, srv.Addr, cfg.keys, cfg.interval, cfg.every, cfg.heapMB, cfg.goroutines)

	runCtx, cancelRun := context.WithTimeout(ctx, cfg.duration)
	defer cancelRun()
	var side sync.WaitGroup
	defer side.Wait()

	// The load, and a BGSAVE every minute.
	bench, err := startBenchmark(runCtx, srv.Port, cfg.benchClients)
	if err != nil {
		return err
	}
	side.Add(1)
	go func() { defer side.Done(); _ = bench.Wait() }()
	var bgsaves atomic.Int64
	side.Add(1)
	go func() {
		defer side.Done()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-runCtx.Done():
				return
			case <-t.C:
				if err := plain.BgSave(runCtx).Err(); err == nil {
					bgsaves.Add(1)
				} else {
					fmt.Println("soak: BGSAVE:", err)
				}
			}
		}
	}()

	// The tool: what monitor() runs, with the model driven here.
	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	c, err := redisx.Connect(ctx, o)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer func() { _ = c.Close() }()
	recFile, err := os.CreateTemp("", "redis-memtop-soak-*.jsonl")
	if err != nil {
		return fmt.Errorf("recording: %w", err)
	}
	_ = recFile.Close()
	defer func() { _ = os.Remove(recFile.Name()) }()
	p := pipeline{cfg: cfg, c: c, record: recFile.Name()}
	start := time.Now()
	var points []point
	measure := func() {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		pt := point{
			at: time.Since(start).Truncate(time.Second), heap: ms.HeapAlloc, sys: ms.Sys, goroutines: runtime.NumGoroutine(),
			polled: p.polled.Load(), folded: p.folded.Load(), frames: p.frames.Load(), scanPasses: int(p.passes.Load()), scanned: p.scanned.Load(), bgsaves: bgsaves.Load(),
		}
		points = append(points, pt)
		fmt.Printf("soak: %8s  heap %6.2f MB  sys %6.2f MB  goroutines %3d  samples %5d polled / %5d in the model  frames %6d  scan passes %3d (%7d keys in this one)  BGSAVEs %3d\n",
			pt.at, mb(pt.heap), mb(pt.sys), pt.goroutines, pt.polled, pt.folded, pt.frames, pt.scanPasses, pt.scanned, pt.bgsaves)
	}
	p.measure = measure
	if err := p.run(runCtx, ctx); err != nil {
		return err
	}
	recorded, err := countRecorded(recFile.Name())
	if err != nil {
		return err
	}
	return judge(cfg, points, p.polled.Load(), p.folded.Load(), recorded)
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// startBenchmark runs redis-benchmark in a loop: SET/GET/INCR/LPUSH/HSET
// over 50k random keys a command with 100-byte values (about 100k keys in
// all beside the dataset, so a scan pass at the default budget takes a
// minute or two under this load).
func startBenchmark(ctx context.Context, port, clients int) (*exec.Cmd, error) {
	bin := os.Getenv("REDIS_BENCHMARK")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("redis-benchmark"); err != nil {
			return nil, errors.New("redis-benchmark is needed (it comes with redis-server / redis-tools)")
		}
	}
	//nolint:gosec // the user's own redis-benchmark (PATH or REDIS_BENCHMARK)
	cmd := exec.CommandContext(ctx, bin, "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-c", strconv.Itoa(clients),
		"-n", "1000000", "-r", "50000", "-d", "100", "-t", "set,get,incr,lpush,hset", "-l", "-q")
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("redis-benchmark: %w", err)
	}
	return cmd, nil
}

// pipeline is the tool under test.
type pipeline struct {
	cfg     config
	c       *redisx.Client
	record  string // the recording's path
	measure func()

	polled, folded, frames, passes, scanned atomic.Int64
}

// run starts the monitor's own wiring (app.StartMonitor: the poller, the
// scan worker and the recorder) and drives the UI model with it until
// runCtx ends; then it stops the producers and drains, so every sample
// handed on is folded before it returns.
func (p *pipeline) run(runCtx, ctx context.Context) error {
	mctx, stop := context.WithCancel(context.WithoutCancel(runCtx))
	cfg := app.Config{
		Interval: p.cfg.interval, History: 15 * time.Minute, Theme: "dark", Record: p.record,
		Scan: app.ScanConfig{On: true, Rate: redisx.DefaultScanRate, Samples: 5, Repeat: 30 * time.Second},
	}
	mon, err := app.StartMonitor(mctx, p.c, cfg, app.Extras{Target: p.c.Options().Redacted()})
	if err != nil {
		stop()
		return err //nolint:wrapcheck // says "record:"
	}
	defer func() { stop(); mon.Wait() }() // the recording is complete once Wait returns
	updates := mon.UI.Source
	m := ui.New(mon.UI)
	var tm tea.Model = m
	tm, _ = tm.Update(tea.WindowSizeMsg{Width: 160, Height: 50})
	fold := func(u model.Update) error {
		p.polled.Store(mon.Polled())
		if u.Sample != nil {
			p.folded.Add(1)
		}
		if u.Scan != nil {
			p.scanned.Store(u.Scan.Progress.Scanned)
			if u.Scan.Result != nil && u.Scan.Progress.Phase == model.ScanDone {
				p.passes.Add(1)
			}
		}
		tm, _ = tm.Update(u)
		return nil
	}
	const tab, enter, esc = "tab", "enter", "esc"
	keys := []string{tab, "v", "o", tab, "e", "e", "f", "f", "+", "-", "=", "?", "?", tab, enter, esc}
	render := time.NewTicker(100 * time.Millisecond) // a terminal's refresh
	defer render.Stop()
	sample := time.NewTicker(p.cfg.every)
	defer sample.Stop()
	p.measure()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return errors.New("interrupted")
		case <-runCtx.Done():
			mon.StopProducers()
			p.polled.Store(mon.Polled())
			for p.folded.Load() < p.polled.Load() {
				if err := fold(<-updates); err != nil {
					return err
				}
			}
			p.measure() // the last point, the model still alive
			runtime.KeepAlive(tm)
			return nil
		case u := <-updates:
			if err := fold(u); err != nil {
				return err
			}
		case <-render.C:
			if tm.View().Content != "" {
				p.frames.Add(1)
			}
			if i%50 == 0 {
				k := keys[(i/50)%len(keys)]
				msg := tea.KeyPressMsg{Code: rune(k[0]), Text: k}
				switch k {
				case tab:
					msg = tea.KeyPressMsg{Code: tea.KeyTab}
				case enter:
					msg = tea.KeyPressMsg{Code: tea.KeyEnter}
				case esc:
					msg = tea.KeyPressMsg{Code: tea.KeyEscape}
				}
				tm, _ = tm.Update(msg)
			}
		case <-sample.C:
			p.polled.Store(mon.Polled())
			p.measure()
		}
	}
}

// countRecorded counts the samples in the recording.
func countRecorded(path string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("recording: %w", err)
	}
	defer func() { _ = f.Close() }()
	rec, err := model.ReadRecording(f)
	if err != nil {
		return 0, fmt.Errorf("recording: %w", err)
	}
	var n int64
	for _, l := range rec.Lines {
		if l.Sample != nil {
			n++
		}
	}
	return n, nil
}

// judge checks the bounds and the counts and prints the figures.
func judge(cfg config, points []point, polled, folded, recorded int64) error {
	var problems []string
	var maxHeap uint64
	maxG := 0
	for _, pt := range points {
		maxHeap = max(maxHeap, pt.heap)
		maxG = max(maxG, pt.goroutines)
	}
	first, last := points[0], points[len(points)-1]
	fmt.Printf("soak: figures: live heap %.2f MB at start, %.2f MB at the end, %.2f MB at most (bound %d MB); goroutines %d at start, %d at the end, %d at most (bound %d)\n",
		mb(first.heap), mb(last.heap), mb(maxHeap), cfg.heapMB, first.goroutines, last.goroutines, maxG, cfg.goroutines)
	fmt.Printf("soak: samples: %d handed on by the poller, %d folded into the UI model, %d in the recording; %d frames rendered; %d scan passes; %d BGSAVEs\n",
		polled, folded, recorded, last.frames, last.scanPasses, last.bgsaves)
	if mb(maxHeap) >= float64(cfg.heapMB) {
		problems = append(problems, fmt.Sprintf("live heap reached %.2f MB (bound %d MB)", mb(maxHeap), cfg.heapMB))
	}
	if maxG >= cfg.goroutines {
		problems = append(problems, fmt.Sprintf("%d goroutines (bound %d)", maxG, cfg.goroutines))
	}
	if polled != folded || polled != recorded {
		problems = append(problems, fmt.Sprintf("samples lost: %d polled, %d in the model, %d recorded", polled, folded, recorded))
	}
	if expect := int64(cfg.duration/cfg.interval) * 8 / 10; polled < expect {
		problems = append(problems, fmt.Sprintf("only %d samples in %s at %s (want at least %d)", polled, cfg.duration, cfg.interval, expect))
	}
	if cfg.duration >= 2*time.Minute && last.bgsaves == 0 {
		problems = append(problems, "no BGSAVE ran")
	}
	// Under this load the scan's latency back-off holds it to a few hundred
	// keys/s: a pass over ~120k keys takes about seven minutes.
	switch {
	case last.scanPasses == 0 && last.scanned == 0:
		problems = append(problems, "the scan never moved")
	case last.scanPasses == 0 && cfg.duration >= 10*time.Minute:
		problems = append(problems, "no scan pass completed")
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}
