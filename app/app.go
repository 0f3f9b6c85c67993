// Package app runs everything the binary runs: every goroutine (the poller,
// the big-key scan, the overview's poll and extras loops, the Sentinel
// follower, the recorder, the replay player, report collection, the exports
// and the write actions) is started here, wired once, and owned by a Run
// that cancels and waits for it. The command line (package cli), the soak,
// the bench and the integration tests all start these runs rather than
// wiring their own pipelines.
package app

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/promx"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// Version is the program's version, stamped into recordings; the binary's
// main sets it from its build.
var Version = "dev"

// UsageError is a request the program cannot carry out as asked (a flag
// that does not fit the target found): exit code 2 on the command line.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Usagef makes a UsageError.
func Usagef(format string, a ...any) error { return UsageError{fmt.Sprintf(format, a...)} }

// ScanConfig drives the big-key scan.
type ScanConfig struct {
	On      bool
	Rate    int // keys per second, 0 = unlimited
	Samples int // MEMORY USAGE SAMPLES, never 0
	Repeat  time.Duration
	// Replicas scans one replica of each master of a cluster instead of
	// the master.
	Replicas bool
	// ProgressEvery is the time between the worker's progress updates (0:
	// the worker's default).
	ProgressEvery time.Duration
	// WatchEvery is the time between two re-measures of the top keys
	// between passes, in the live monitor (0: a minute; < 0: off).
	WatchEvery time.Duration
	// GrowthWait makes the report wait this long after its pass, then
	// re-measure the top keys and report their growth (0: not done).
	GrowthWait time.Duration
	// Sample (0–1) stops the report's pass at that share of each database
	// (--scan-sample): its totals are estimates. 0 scans every key.
	Sample float64
}

// options are the worker's options for one server.
func (s ScanConfig) options(c *redisx.Client) redisx.ScanOptions {
	return redisx.ScanOptions{DBs: ScanDBs(c), Rate: s.Rate, Samples: s.Samples, Repeat: s.Repeat, Interval: s.ProgressEvery}
}

// Config is what the live monitor (single server, cluster, fleet, demo)
// runs with.
type Config struct {
	Interval time.Duration
	History  time.Duration
	Theme    string
	// Record names the recording file ("" for none).
	Record string
	Scan   ScanConfig
	// ExtrasEvery is how often the poller reads CONFIG, CLIENT LIST and
	// MEMORY DOCTOR (0: the poller's default; < 0: never).
	ExtrasEvery time.Duration
	// Prometheus, when set, is where the history from before the first
	// poll is read (--prometheus).
	Prometheus *promx.Client
}

// noColor reports whether NO_COLOR asks for a colourless screen.
func noColor() bool { return os.Getenv("NO_COLOR") != "" }

// ScanDBs are the databases INFO keyspace listed at connect time (nil: the
// client's own).
func ScanDBs(c *redisx.Client) []int { return redisx.ScanDBs(c.FirstInfo().Keyspace()) }

// Run owns goroutines: each started with Go ends when the run's context
// does, and Wait returns once every one has.
type Run struct {
	wg      sync.WaitGroup
	closers []func()
}

// Go starts f on a goroutine the run waits for.
func (r *Run) Go(f func()) { r.wg.Go(f) }

// OnWait adds f to what Wait does after every goroutine has ended (close a
// recording, a connection).
func (r *Run) OnWait(f func()) { r.closers = append(r.closers, f) }

// Wait waits for every goroutine, then runs the OnWait functions, last
// added first.
func (r *Run) Wait() {
	r.wg.Wait()
	for i := len(r.closers) - 1; i >= 0; i-- {
		r.closers[i]()
	}
	r.closers = nil
}

// relay copies from in to out until ctx ends or in is closed, passing each
// value through conv (false drops it). It is the one forwarder every
// pipeline of the binary uses.
func relay[T, U any](ctx context.Context, in <-chan T, out chan<- U, conv func(T) (U, bool)) {
	for {
		select {
		case <-ctx.Done():
			return
		case v, ok := <-in:
			if !ok {
				return
			}
			u, keep := conv(v)
			if !keep {
				continue
			}
			if !send(ctx, out, u) {
				return
			}
		}
	}
}

// same is relay's conv for values passed on as they are.
func same[T any](v T) (T, bool) { return v, true }

// send sends v unless ctx ends first (false then).
func send[T any](ctx context.Context, out chan<- T, v T) bool {
	select {
	case out <- v:
		return true
	case <-ctx.Done():
		return false
	}
}

// historyOr is h, or an empty history (a node seen for the first time).
func historyOr(h *model.History) *model.History {
	if h == nil {
		return model.NewHistory(1)
	}
	return h
}
