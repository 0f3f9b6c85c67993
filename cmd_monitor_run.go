package main

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// monitorExtras are what a caller adds to the plain monitor: another source
// merged into the UI's (the demo's captions), keys, and the target shown.
type monitorExtras struct {
	source  <-chan model.Update
	actions []ui.Action
	target  string
	// writes adds the write-action keys (cmd_writes.go): live only with
	// --allow-writes, otherwise they say the flag is needed.
	writes bool
	// poll replaces the plain poller (the Sentinel one follows failovers).
	poll func(context.Context, chan<- model.Update) error
	// follow, when set, is a master that may change (Sentinel): the scan,
	// the write keys and the export work against the master it names now.
	// Nil: the client monitor() was given, for good.
	follow *following
}

// following is a master that may change under the monitor.
type following struct {
	// current is the master now and a channel closed once it changed.
	current func() (*redisx.Client, <-chan struct{})
	// target names a master in the report, as the header names the first.
	target func(*redisx.Client) string
}

// scanner is the big-key scan monitor() runs: a ScanWorker, or one that
// moves to the new master after a failover (followScan).
type scanner interface {
	ui.ScanController
	SetForkRunning(on bool)
	Run(ctx context.Context, out chan<- model.Update) error
}

// scanDBs are the databases INFO keyspace listed at connect time (nil: the
// client's own).
func scanDBs(c *redisx.Client) []int { return redisx.ScanDBs(c.FirstInfo().Keyspace()) }

// monitor runs the poller, the scan worker and the UI until the user quits;
// every goroutine it starts has ended when it returns.
func monitor(ctx context.Context, c *redisx.Client, uf uiFlags, mx monitorExtras) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	run, err := startMonitor(ctx, c, uf, mx)
	if err != nil {
		return err
	}
	err = ui.Run(ctx, run.opts)
	cancel()
	run.wait()
	return err //nolint:wrapcheck // ui.Run says what failed
}

// monitorRun is what startMonitor started: the UI's options, and the
// goroutines feeding it.
type monitorRun struct {
	opts ui.Options
	wg   sync.WaitGroup
	rec  *recorder
}

// wait waits for the goroutines (they end with startMonitor's ctx), then
// closes the recording.
func (r *monitorRun) wait() {
	r.wg.Wait()
	if r.rec != nil {
		_ = r.rec.close()
	}
}

func (r *monitorRun) goRun(f func()) {
	r.wg.Add(1)
	go func() { defer r.wg.Done(); f() }()
}

// startMonitor starts the poller, the scan worker and the recorder, which
// run until ctx is done (then call wait), and returns the options for the
// UI they feed.
func startMonitor(ctx context.Context, c *redisx.Client, uf uiFlags, mx monitorExtras) (*monitorRun, error) {
	run := &monitorRun{}
	updates := make(chan model.Update, 64)
	uiSource := updates
	if uf.record != "" {
		rec, err := openRecorder(uf.record, model.RecordingHeader{Target: mx.target, Interval: uf.interval, Start: time.Now().UTC()})
		if err != nil {
			return nil, err
		}
		run.rec = rec
		recorded := make(chan model.Update, 64)
		uiSource = recorded
		run.goRun(func() { tee(ctx, updates, recorded, rec) })
	}

	// The master the scan, the write keys and the export work against.
	master := func() *redisx.Client { return c }
	export := exporter(c, mx.target)
	if f := mx.follow; f != nil {
		master = func() *redisx.Client { cur, _ := f.current(); return cur }
		export = exporterOn(func() (*redisx.Client, string) { cur := master(); return cur, f.target(cur) })
	}
	panes := []ui.Pane{ui.NewChecklistPane()}
	actions := mx.actions
	if mx.writes {
		wlog := &writeLog{}
		actions = append(append([]ui.Action{}, actions...), writeActionsOn(ctx, master, wlog, time.Now)...)
		export = wlog.wrap(export)
	}
	var scan scanner
	if uf.scan.enabled() {
		scanOpts := func(c *redisx.Client) redisx.ScanOptions {
			return redisx.ScanOptions{DBs: scanDBs(c), Rate: uf.scan.rate, Samples: uf.scan.samples, Repeat: uf.scan.repeat}
		}
		if mx.follow != nil {
			scan = newFollowScan(mx.follow.current, scanOpts)
		} else {
			scan = c.NewScanWorker(scanOpts(c))
		}
		panes = []ui.Pane{ui.NewBigKeysPane(), ui.NewChecklistPane()}
		actions = append(append([]ui.Action{}, actions...), ui.ScanActions(scan)...)
		run.goRun(func() { _ = scan.Run(ctx, updates) })
	}

	// The poller's samples pass by the scan worker on their way to the UI:
	// it slows down while a fork runs.
	polled := make(chan model.Update, 16)
	poll := mx.poll
	if poll == nil {
		poll = redisx.NewPoller(c, uf.interval, 0).Run
	}
	run.goRun(func() { _ = poll(ctx, polled) })
	run.goRun(func() {
		forward(ctx, polled, updates, func(u model.Update) {
			if scan != nil && u.Sample != nil && !u.Sample.IsGap() {
				scan.SetForkRunning(u.Sample.ForkRunning())
			}
		})
	})
	if mx.source != nil {
		run.goRun(func() { forward(ctx, mx.source, updates, nil) })
	}

	run.opts = ui.Options{
		Source:     uiSource,
		Target:     mx.target,
		Theme:      uf.theme,
		NoColor:    os.Getenv("NO_COLOR") != "",
		Interval:   uf.interval,
		History:    uf.history,
		Recording:  uf.record != "",
		ExtraPanes: panes,
		Actions:    actions,
		Export:     export,
	}
	return run, nil
}

// forward copies updates from in to out until ctx ends or in is closed,
// showing each to see first.
func forward(ctx context.Context, in <-chan model.Update, out chan<- model.Update, see func(model.Update)) {
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-in:
			if !ok {
				return
			}
			if see != nil {
				see(u)
			}
			select {
			case out <- u:
			case <-ctx.Done():
				return
			}
		}
	}
}
