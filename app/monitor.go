package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// Extras are what a caller adds to the plain single-server monitor:
// another source merged into the UI's (the demo's captions), keys, and the
// target shown.
type Extras struct {
	Source  <-chan model.Update
	Actions []ui.Action
	Target  string
	// Writes adds the write-action keys (writes.go): live only with
	// --allow-writes, otherwise they say the flag is needed.
	Writes bool
	// Poll replaces the plain poller (the Sentinel one follows failovers).
	Poll func(context.Context, chan<- model.Update) error
	// Follow, when set, is a master that may change (Sentinel): the scan,
	// the write keys and the export work against the master it names now.
	// Nil: the client the monitor was given, for good.
	Follow *Following
}

// Following is a master that may change under the monitor.
type Following struct {
	// Current is the master now and a channel closed once it changed.
	Current func() (*redisx.Client, <-chan struct{})
	// Target names a master in the report, as the header names the first.
	Target func(*redisx.Client) string
}

// scanner is the big-key scan the monitor runs: a ScanWorker, or one that
// moves to the new master after a failover (followScan).
type scanner interface {
	ui.ScanController
	SetForkRunning(on bool)
	Run(ctx context.Context, out chan<- model.Update) error
}

// Monitor is a started single-server monitor: the goroutines feeding the
// UI (they end with the context StartMonitor was given; then Wait), and
// the UI's options.
type Monitor struct {
	Run
	UI ui.Options
	// Worker is the big-key scan worker (nil when the scan is off or
	// follows a Sentinel master).
	Worker *redisx.ScanWorker

	producers     sync.WaitGroup
	stopProducers context.CancelFunc
	polled        atomic.Int64
}

// StopProducers stops the poller, the scan and the extra source, and waits
// for them; what they already sent still reaches the UI (the forwarders
// and the recorder run until the monitor's context ends).
func (m *Monitor) StopProducers() {
	m.stopProducers()
	m.producers.Wait()
}

// Polled is the number of samples the poller has handed on towards the UI.
func (m *Monitor) Polled() int64 { return m.polled.Load() }

// produce starts f as a producer: it ends at StopProducers or with the
// monitor's context.
func (m *Monitor) produce(f func()) {
	m.producers.Add(1)
	m.Go(func() { defer m.producers.Done(); f() })
}

// Connect connects to the target with the dial and command timeouts as the
// bound.
func Connect(ctx context.Context, opts redisx.Options) (*redisx.Client, error) {
	cctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+opts.CommandTimeout)
	defer cancel()
	return redisx.Connect(cctx, opts) //nolint:wrapcheck // a ConnectError is already one clear line
}

// MonitorTarget runs the live monitor on the target until the user quits:
// resolved through Sentinel when st is set, the cluster overview when the
// target is a cluster node (or cluster asks for one), otherwise the
// single-server view.
func MonitorTarget(ctx context.Context, opts redisx.Options, st *Sentinel, cluster bool, cfg Config) error {
	if st != nil {
		var err error
		if opts, err = st.Resolve(ctx, opts); err != nil {
			return err
		}
	}
	c, err := Connect(ctx, opts)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	if cluster || redisx.IsCluster(c) {
		return MonitorCluster(ctx, opts, cfg)
	}
	if cfg.Scan.Replicas {
		return Usagef("--scan-replicas is for a Redis Cluster; %s is not one", opts.Redacted())
	}
	x := Extras{Target: opts.Redacted(), Writes: true}
	if st != nil {
		x = st.Extras(c, cfg, x)
	}
	return RunMonitor(ctx, c, cfg, x)
}

// RunMonitor runs the poller, the scan worker and the UI until the user
// quits; every goroutine it starts has ended when it returns.
func RunMonitor(ctx context.Context, c *redisx.Client, cfg Config, x Extras) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	m, err := StartMonitor(ctx, c, cfg, x)
	if err != nil {
		return err
	}
	err = ui.Run(ctx, m.UI)
	cancel()
	m.Wait()
	return err //nolint:wrapcheck // ui.Run says what failed
}

// StartMonitor starts the poller, the scan worker and the recorder, which
// run until ctx is done (then call Wait), and returns them with the
// options of the UI they feed.
func StartMonitor(ctx context.Context, c *redisx.Client, cfg Config, x Extras) (*Monitor, error) {
	m := &Monitor{}
	pctx, stopProducers := context.WithCancel(ctx)
	m.stopProducers = stopProducers
	updates := make(chan model.Update, 64)
	uiSource := updates
	if cfg.Record != "" {
		rec, err := OpenRecorder(cfg.Record, model.RecordingHeader{Target: x.Target, Interval: cfg.Interval, Start: time.Now().UTC()})
		if err != nil {
			return nil, err
		}
		m.OnWait(func() { _ = rec.Close() })
		recorded := make(chan model.Update, 64)
		uiSource = recorded
		m.Go(func() { rec.Tee(ctx, updates, recorded) })
	}

	// The master the scan, the write keys and the export work against.
	master := func() *redisx.Client { return c }
	export := NewExporter(c, x.Target)
	if f := x.Follow; f != nil {
		master = func() *redisx.Client { cur, _ := f.Current(); return cur }
		export = exporterOn(func() (*redisx.Client, string) { cur := master(); return cur, f.Target(cur) })
	}
	panes := []ui.Pane{ui.NewChecklistPane()}
	actions := x.Actions
	if x.Writes {
		wlog := &WriteLog{}
		actions = append(append([]ui.Action{}, actions...), writeActionsOn(ctx, master, wlog, time.Now)...)
		export = wlog.Wrap(export)
	}
	var scan scanner
	if cfg.Scan.On {
		if x.Follow != nil {
			scan = newFollowScan(x.Follow.Current, cfg.Scan.options)
		} else {
			m.Worker = c.NewScanWorker(cfg.Scan.options(c))
			scan = m.Worker
		}
		panes = []ui.Pane{ui.NewBigKeysPane(), ui.NewChecklistPane()}
		actions = append(append([]ui.Action{}, actions...), ui.ScanActions(scan)...)
		if m.Worker != nil && cfg.Scan.WatchEvery >= 0 {
			m.watchTopKeys(pctx, c, cfg.Scan, scan, updates)
		} else {
			m.produce(func() { _ = scan.Run(pctx, updates) })
		}
	}

	// The poller's samples pass by the scan worker on their way to the UI:
	// it slows down while a fork runs.
	polled := make(chan model.Update, 16)
	poll := x.Poll
	if poll == nil {
		p := redisx.NewPoller(c, cfg.Interval, 0)
		if cfg.ExtrasEvery != 0 {
			p.ExtrasInterval = max(cfg.ExtrasEvery, 0)
		}
		poll = p.Run
	}
	// The poller closes its channel when it stops, so the forwarder hands
	// on everything it sent before ending: once StopProducers returns,
	// Polled is final and every sample it counts is on its way to the UI.
	m.produce(func() {
		defer close(polled)
		_ = poll(pctx, polled)
	})
	m.produce(func() {
		relay(ctx, polled, updates, func(u model.Update) (model.Update, bool) {
			if scan != nil && u.Sample != nil && !u.Sample.IsGap() {
				scan.SetForkRunning(u.Sample.ForkRunning())
			}
			if u.Sample != nil {
				// Counted as handed on: relay sends it unless ctx ends,
				// and then nothing is read any more.
				m.polled.Add(1)
			}
			return u, true
		})
	})
	if x.Source != nil {
		m.produce(func() { relay(pctx, x.Source, updates, same) })
	}
	if bf := backfillFor(cfg, c); bf != nil {
		m.produce(func() { bf.Run(pctx, updates, recheckEvery(cfg.Interval)) })
	}

	m.UI = ui.Options{
		Source:     uiSource,
		Target:     x.Target,
		Commands:   c.Options().CommandTarget(),
		Theme:      cfg.Theme,
		NoColor:    noColor(),
		Interval:   cfg.Interval,
		History:    cfg.History,
		Recording:  cfg.Record != "",
		ExtraPanes: panes,
		Actions:    actions,
		Export:     export,
	}
	return m, nil
}
