package app

import (
	"context"
	"sync"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// followScan is the big-key scan of a master that may change (Sentinel).
// After a failover it leaves the worker on the old master and starts a new
// pass on the new one, paused if the old one was and with the latest fork
// state; the scan keys and the fork feed always reach the current worker.
// It satisfies scanner.
type followScan struct {
	current func() (*redisx.Client, <-chan struct{})
	options func(*redisx.Client) redisx.ScanOptions

	mu   sync.Mutex
	on   *redisx.Client // the master w scans
	w    *redisx.ScanWorker
	fork bool // the latest fork state the poller reported
}

func newFollowScan(current func() (*redisx.Client, <-chan struct{}), options func(*redisx.Client) redisx.ScanOptions) *followScan {
	c, _ := current()
	return &followScan{current: current, options: options, on: c, w: c.NewScanWorker(options(c))}
}

// TogglePause pauses or resumes the current worker; true when now paused.
func (f *followScan) TogglePause() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w.TogglePause()
}

// Restart starts a new pass on the current worker.
func (f *followScan) Restart() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.w.Restart()
}

// SetForkRunning passes the poller's fork state to the current worker, and
// keeps it for the next one.
func (f *followScan) SetForkRunning(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fork = on
	f.w.SetForkRunning(on)
}

// Run scans the current master until ctx is done, and returns nil then.
// Each worker sends on its own channel and only the current one's updates
// are passed on, so a worker still winding down on the old master (a read
// there ends at the scan's timeout at worst) neither delays the new pass
// nor shows in the UI after it. Every worker has ended when Run returns.
func (f *followScan) Run(ctx context.Context, out chan<- model.Update) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, changed := f.current()
		w := f.switchTo(c)
		wctx, stop := context.WithCancel(ctx)
		wout := make(chan model.Update)
		done := make(chan struct{})
		wg.Go(func() {
			defer close(done)
			_ = w.Run(wctx, wout)
		})
		if !f.relay(ctx, changed, wout, done, out) {
			stop()
			return nil
		}
		stop()
	}
}

// relay passes the worker's updates on until the master changes (true) or
// ctx is done (false).
func (f *followScan) relay(ctx context.Context, changed <-chan struct{}, in <-chan model.Update, done <-chan struct{}, out chan<- model.Update) bool {
	for {
		select {
		case <-ctx.Done():
			return false
		case <-changed:
			return true
		case <-done: // the worker could not start: wait for another master
			in, done = nil, nil
		case u := <-in:
			select {
			case out <- u:
			case <-ctx.Done():
				return false
			case <-changed:
				return true
			}
		}
	}
}

// switchTo returns the worker for c: the current one, or a new one when c
// is another master.
func (f *followScan) switchTo(c *redisx.Client) *redisx.ScanWorker {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c == f.on {
		return f.w
	}
	w := c.NewScanWorker(f.options(c))
	w.SetPaused(f.w.Paused())
	w.SetForkRunning(f.fork)
	f.on, f.w = c, w
	return w
}
