//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os/exec"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// reportJSON is what the issue 17 rows read of `report --scan --format json`.
type reportJSON struct {
	BigKeys *struct {
		Complete       bool    `json:"complete"`
		Scanned        int64   `json:"scanned"`
		DBSize         int64   `json:"dbsize"`
		ElapsedSeconds float64 `json:"elapsed_seconds"`
		KeysPerSecond  float64 `json:"keys_per_second"`
		Governor       struct {
			Rate                int     `json:"rate"`
			SlowestFactor       float64 `json:"slowest_factor"`
			SlowReason          string  `json:"slow_reason"`
			ProbeScanningMicros float64 `json:"probe_scanning_us"`
			ProbePausedMicros   float64 `json:"probe_paused_us"`
		} `json:"governor"`
	} `json:"bigkeys"`
}

// runReport runs the binary's `report --quick --scan --format json` with
// extra flags against addr; it returns the parsed JSON and the process's
// peak RSS (VmHWM, see runPeak), bytes.
func runReport(ctx context.Context, bin, addr string, extra ...string) (*reportJSON, int64, error) {
	host, port := hostPort(addr)
	args := append([]string{"report", "--quick", "--interval", "100ms", "--scan", "--format", "json", "-h", host, "-p", port}, extra...)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	peak, err := runPeak(cmd)
	if err != nil {
		return nil, 0, fmt.Errorf("report --scan: %w: %s", err, tail(errb.String()))
	}
	var rep reportJSON
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return nil, 0, fmt.Errorf("report JSON: %w", err)
	}
	switch {
	case rep.BigKeys == nil:
		return nil, 0, errors.New("report JSON has no bigkeys section")
	case !rep.BigKeys.Complete:
		return nil, 0, fmt.Errorf("report --scan: pass not complete (%d of %d keys)", rep.BigKeys.Scanned, rep.BigKeys.DBSize)
	}
	return &rep, peak, nil
}

// burn keeps every CPU of the machine busy from this process until stop is
// closed: the "busy client" of issue 17.
func burn(stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := 1.0
			for {
				select {
				case <-stop:
					if x == 0 { // never: keeps the loop from being optimised away
						fmt.Print(x)
					}
					return
				default:
				}
				for i := range 100_000 {
					x = math.Sqrt(x + float64(i))
				}
			}
		}()
	}
	return &wg
}

// burnerRow (issue 17): the binary's `report --scan` at its default budget
// against an idle server, while busy loops hold every CPU of the client
// side: the pass must keep >= 80 % of its budget (a governor that read
// client-side noise as server pressure fell to 5 %).
func burnerRow(ctx context.Context, c config, bin string) row {
	name := "17 default-rate scan, idle server, busy client: % of budget"
	fail := func(err error) row { return row{name: name, note: "skipped: " + err.Error()} }
	srv, err := redisproc.Start(ctx, redisproc.Options{})
	if err != nil {
		return fail(err)
	}
	defer srv.Stop()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = rdb.Close() }()
	if err := loadDataset(ctx, rdb, c.burnKeys); err != nil {
		return fail(err)
	}
	fmt.Printf("\nbusy client: report --scan at the default budget (%d keys/s) over %s keys, %d busy loops in the bench process…\n",
		redisx.DefaultScanRate, model.Count(float64(c.burnKeys)), runtime.NumCPU())
	stop := make(chan struct{})
	wg := burn(stop)
	rep, _, err := runReport(ctx, bin, srv.Addr)
	close(stop)
	wg.Wait()
	if err != nil {
		return fail(err)
	}
	bk := rep.BigKeys
	g := bk.Governor
	share := bk.KeysPerSecond / float64(redisx.DefaultScanRate)
	fmt.Printf("  %d keys in %.1f s: %.0f keys/s = %.1f %% of the budget; slowest factor %.2f %q; probe %.0f µs scanning vs %.0f µs paused\n",
		bk.Scanned, bk.ElapsedSeconds, bk.KeysPerSecond, 100*share, g.SlowestFactor, g.SlowReason, g.ProbeScanningMicros, g.ProbePausedMicros)
	note := fmt.Sprintf("binary report --scan (default budget), %s keys, %d busy loops; slowest factor %.2f", model.Count(float64(bk.Scanned)), runtime.NumCPU(), g.SlowestFactor)
	if g.SlowReason != "" {
		note += " (" + g.SlowReason + ")"
	}
	return row{
		name: name, ours: kps(bk.KeysPerSecond), theirs: kps(float64(redisx.DefaultScanRate)) + " budget",
		ratio: share, has: true, target: ">= 0.80x", hasTarget: true, measured: true, pass: share >= 0.80, note: note,
	}
}

// rssBigRow (issue 17, opt-in with -rss-keys): the binary's peak RSS over a
// `report --scan --scan-rate 0` pass of a server holding -rss-keys small
// strings under 1,000 prefixes (loaded with MSET, 1,000 keys a command).
func rssBigRow(ctx context.Context, c config, bin string) row {
	name := "17 RSS of report --scan over " + model.Count(float64(c.rssKeys)) + " keys (peak)"
	fail := func(err error) row { return row{name: name, note: "skipped: " + err.Error()} }
	srv, err := redisproc.Start(ctx, redisproc.Options{})
	if err != nil {
		return fail(err)
	}
	defer srv.Stop()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true, PoolSize: 4})
	defer func() { _ = rdb.Close() }()
	t0 := time.Now()
	if err := loadSmall(ctx, rdb, c.rssKeys); err != nil {
		return fail(err)
	}
	fmt.Printf("\nRSS over %s keys: loaded in %s, used_memory %s; report --scan --scan-rate 0…\n",
		model.Count(float64(c.rssKeys)), time.Since(t0).Round(time.Second), usedMemory(ctx, rdb))
	rep, peak, err := runReport(ctx, bin, srv.Addr, "--scan-rate", "0")
	if err != nil {
		return fail(err)
	}
	bk := rep.BigKeys
	fmt.Printf("  %d keys in %.1f s (%.0f keys/s); peak RSS %s\n", bk.Scanned, bk.ElapsedSeconds, bk.KeysPerSecond, model.Bytes(float64(peak)))
	r := costRow(name, float64(peak)/(1<<20), 0, "%.1f MB", 60, "<= 60 MB",
		fmt.Sprintf("VmHWM (peak RSS) of the whole report process, polled every 20 ms; %d keys scanned, %.0f keys/s", bk.Scanned, bk.KeysPerSecond))
	r.theirs, r.has = na, false
	return r
}

// loadSmall writes n small strings p<i%1000>:<i> with MSET, on two
// connections.
func loadSmall(ctx context.Context, rdb *redis.Client, n int) error {
	const per = 1000
	var next atomic.Int64
	errc := make(chan error, 2)
	for range 2 {
		go func() {
			for {
				lo := int(next.Add(per*50)) - per*50
				if lo >= n {
					errc <- nil
					return
				}
				pipe := rdb.Pipeline()
				for b := lo; b < min(lo+per*50, n); b += per {
					args := make([]any, 0, 2*per)
					for i := b; i < min(b+per, n); i++ {
						args = append(args, "p"+strconv.Itoa(i%1000)+":"+strconv.Itoa(i), "v"+strconv.Itoa(i))
					}
					pipe.MSet(ctx, args...)
				}
				if _, err := pipe.Exec(ctx); err != nil {
					errc <- fmt.Errorf("load: %w", err)
					return
				}
			}
		}()
	}
	return errors.Join(<-errc, <-errc)
}

// runPeak runs cmd and returns its peak RSS: the child's VmHWM, read every
// 20 ms until it exits. Not getrusage: Go starts a child with vfork
// semantics (CLONE_VM), and at exec the kernel carries the parent's
// high-water RSS into the child's ru_maxrss, so with the bench process at
// 300 MB a 27 MB report read 318 MB.
func runPeak(cmd *exec.Cmd) (int64, error) {
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("start %s: %w", cmd.Path, err)
	}
	var peak atomic.Int64
	stop := make(chan struct{})
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			// A zombie has no VmHWM: the read after exit adds nothing.
			if _, hwm, err := procMem(cmd.Process.Pid); err == nil && hwm > peak.Load() {
				peak.Store(hwm)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	err := cmd.Wait()
	close(stop)
	<-polled
	return peak.Load(), err
}
