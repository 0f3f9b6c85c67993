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
}

// scanDBs are the databases INFO keyspace listed at connect time (nil: the
// client's own).
func scanDBs(c *redisx.Client) []int { return redisx.ScanDBs(c.FirstInfo().Keyspace()) }

// monitor runs the poller, the scan worker and the UI until the user quits;
// every goroutine it starts has ended when it returns.
func monitor(ctx context.Context, c *redisx.Client, uf uiFlags, mx monitorExtras) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	updates := make(chan model.Update, 64)
	uiSource := updates
	var wg sync.WaitGroup
	goRun := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	if uf.record != "" {
		rec, err := openRecorder(uf.record, model.RecordingHeader{Target: mx.target, Interval: uf.interval, Start: time.Now().UTC()})
		if err != nil {
			return err
		}
		defer func() { _ = rec.close() }()
		recorded := make(chan model.Update, 64)
		uiSource = recorded
		goRun(func() { tee(ctx, updates, recorded, rec) })
	}

	panes := []ui.Pane{ui.NewChecklistPane()}
	actions := mx.actions
	export := exporter(c, mx.target)
	if mx.writes {
		wlog := &writeLog{}
		actions = append(append([]ui.Action{}, actions...), writeActions(ctx, c, wlog, time.Now)...)
		export = wlog.wrap(export)
	}
	var worker *redisx.ScanWorker
	if uf.scan.enabled() {
		worker = c.NewScanWorker(redisx.ScanOptions{DBs: scanDBs(c), Rate: uf.scan.rate, Samples: uf.scan.samples, Repeat: uf.scan.repeat})
		panes = []ui.Pane{ui.NewBigKeysPane(), ui.NewChecklistPane()}
		actions = append(append([]ui.Action{}, actions...), ui.ScanActions(worker)...)
		goRun(func() { _ = worker.Run(ctx, updates) })
	}

	// The poller's samples pass by the scan worker on their way to the UI:
	// it slows down while a fork runs.
	polled := make(chan model.Update, 16)
	poll := mx.poll
	if poll == nil {
		poll = redisx.NewPoller(c, uf.interval, 0).Run
	}
	goRun(func() { _ = poll(ctx, polled) })
	goRun(func() {
		forward(ctx, polled, updates, func(u model.Update) {
			if worker != nil && u.Sample != nil && !u.Sample.IsGap() {
				worker.SetForkRunning(u.Sample.ForkRunning())
			}
		})
	})
	if mx.source != nil {
		goRun(func() { forward(ctx, mx.source, updates, nil) })
	}

	err := ui.Run(ctx, ui.Options{
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
	})
	cancel()
	wg.Wait()
	return err //nolint:wrapcheck // ui.Run says what failed
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
