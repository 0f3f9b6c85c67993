package main

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// extrasEvery is how often the drilled-in node's slow reads (CONFIG,
// CLIENT LIST, MEMORY DOCTOR) are refreshed, as the single-server poller does.
const extrasEvery = 10 * time.Second

// multiSource is what the overview is fed from: a cluster monitor or a
// fleet monitor. Poll reads every node once; Client is a node's connection.
type multiSource interface {
	Poll(ctx context.Context) (model.ClusterView, error)
	Client(addr string) *redisx.Client
}

// multiRun is the wiring of the cluster and fleet overviews.
type multiRun struct {
	kind   ui.MultiKind
	src    multiSource
	target string
	// password is scrubbed from every error shown.
	password string
	uf       uiFlags
	// onView sees every view before the UI does (the cluster scan follows
	// the topology with it); nil for none.
	onView func(model.ClusterView)
	scan   bool
	// scanRun feeds merged scan updates; actions are its keys.
	scanRun func(ctx context.Context, out chan<- model.Update) error
	actions []ui.Action
	// export makes x on the overview write a report of every node.
	export *ui.MultiExporter
	// nodeScan is a node's own shard of the scan, for its drill-in view.
	nodeScan func(addr string) (model.ScanState, bool)
	// overview feeds updates for the overview itself (a demo's captions);
	// nil for none.
	overview <-chan model.Update
}

// focusState is the node whose view is open, shared between the UI (which
// sets it) and the extras loop (which reads it).
type focusState struct {
	mu       sync.Mutex
	id, addr string
	changed  chan struct{}
}

func (f *focusState) set(id, addr string) {
	f.mu.Lock()
	f.id, f.addr = id, addr
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}
}

func (f *focusState) get() (id, addr string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.id, f.addr
}

// run polls every interval, feeds the overview and, for the node drilled
// into, its extras; it returns when the user quits. The first poll has been
// made by the caller (so a cluster that cannot be read is an error before
// the screen changes); first is its view.
func (r *multiRun) run(ctx context.Context, first model.ClusterView) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed := r.start(ctx, first)
	err := ui.RunMulti(ctx, r.uiOptions(feed))
	cancel()
	feed.wait()
	return err //nolint:wrapcheck // ui.RunMulti says what failed
}

// multiFeed is what start runs: the overview's source and the focus the UI
// sets; wait returns once every goroutine has ended (after ctx).
type multiFeed struct {
	out   <-chan ui.MultiUpdate
	focus *focusState
	wg    *sync.WaitGroup
}

func (f multiFeed) wait() { f.wg.Wait() }

func (r *multiRun) uiOptions(feed multiFeed) ui.MultiOptions {
	return ui.MultiOptions{
		Kind:     r.kind,
		Source:   feed.out,
		Target:   r.target,
		Theme:    r.uf.theme,
		NoColor:  os.Getenv("NO_COLOR") != "",
		Interval: r.uf.interval,
		History:  r.uf.history,
		Scan:     r.scan,
		Actions:  r.actions,
		Focus:    feed.focus.set,
		Export:   r.export,
		NodeScan: r.nodeScan,
		NodeExport: func(addr string) *ui.Exporter {
			if c := r.src.Client(addr); c != nil {
				return exporter(c, addr)
			}
			return nil
		},
	}
}

// start runs the poll loop, the drilled-in node's extras and the scan until
// ctx ends.
func (r *multiRun) start(ctx context.Context, first model.ClusterView) multiFeed {
	out := make(chan ui.MultiUpdate, 16)
	var wg sync.WaitGroup
	goRun := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	sendUpdate := func(u ui.MultiUpdate) bool {
		select {
		case out <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	view := func(v model.ClusterView) bool {
		if r.onView != nil {
			r.onView(v)
		}
		return sendUpdate(ui.MultiUpdate{View: &v})
	}
	goRun(func() {
		if !view(first) {
			return
		}
		last := time.Now()
		for {
			if !sleep(ctx, r.uf.interval-time.Since(last)) {
				return
			}
			last = time.Now()
			v, err := r.src.Poll(ctx)
			if ctx.Err() != nil {
				return
			}
			sent := false
			if err != nil {
				sent = sendUpdate(ui.MultiUpdate{Err: redisx.Describe(err, r.password)})
			} else {
				sent = view(v)
			}
			if !sent {
				return
			}
		}
	})
	focus := &focusState{changed: make(chan struct{}, 1)}
	goRun(func() { r.extrasLoop(ctx, focus, sendUpdate) })
	if r.overview != nil {
		goRun(func() { forwardOverview(ctx, r.overview, sendUpdate) })
	}
	if r.scanRun != nil {
		scanOut := make(chan model.Update, 16)
		goRun(func() { _ = r.scanRun(ctx, scanOut) })
		goRun(func() {
			for {
				select {
				case <-ctx.Done():
					return
				case u := <-scanOut:
					if !sendUpdate(ui.MultiUpdate{Update: &u}) {
						return
					}
				}
			}
		})
	}
	return multiFeed{out: out, focus: focus, wg: &wg}
}

// forwardOverview passes updates meant for the overview itself on to the
// UI until ctx ends or in closes.
func forwardOverview(ctx context.Context, in <-chan model.Update, send func(ui.MultiUpdate) bool) {
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-in:
			if !ok || !send(ui.MultiUpdate{Update: &u}) {
				return
			}
		}
	}
}

// extrasLoop reads the drilled-in node's extras at once and then every
// extrasEvery, until ctx ends.
func (r *multiRun) extrasLoop(ctx context.Context, focus *focusState, send func(ui.MultiUpdate) bool) {
	t := time.NewTicker(extrasEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-focus.changed:
		case <-t.C:
		}
		id, addr := focus.get()
		if id == "" {
			continue
		}
		c := r.src.Client(addr)
		if c == nil {
			continue
		}
		e := c.ReadExtras(ctx, time.Now())
		if ctx.Err() != nil {
			return
		}
		if !send(ui.MultiUpdate{Node: id, Update: &model.Update{Extras: &e}}) {
			return
		}
	}
}

// sleep waits d or until ctx ends (false then).
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// monitorCluster runs the cluster overview from a seed node.
func monitorCluster(ctx context.Context, opts redisx.Options, uf uiFlags) error {
	if uf.record != "" {
		return usagef("--record is for one server; it does not record a cluster")
	}
	cm := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{})
	defer func() { _ = cm.Close() }()
	first, err := cm.Poll(ctx)
	if err != nil {
		return errors.New(redisx.Describe(err, opts.Password))
	}
	r := &multiRun{kind: ui.MultiCluster, src: cm, target: opts.Redacted(), password: opts.Password, uf: uf, export: clusterExporter(opts)}
	if uf.scan.enabled() {
		r.withClusterScan(cm, uf.scan)
	}
	return r.run(ctx, first)
}

// withClusterScan adds the cluster-wide big-key scan: a worker per master
// (or per replica with --scan-replicas), each on its own node's budget,
// following the topology of every view and slowing down on a node that
// forks.
func (r *multiRun) withClusterScan(cm *redisx.ClusterMonitor, sf scanFlags) {
	cs := redisx.NewClusterScan(cm, redisx.ClusterScanOptions{
		Scan:     redisx.ScanOptions{Rate: sf.rate, Samples: sf.samples, Repeat: sf.repeat},
		Replicas: sf.replicas,
	})
	r.scan = true
	r.scanRun = cs.Run
	r.nodeScan = cs.StateOf
	r.actions = append(r.actions, ui.ScanActions(cs)...)
	r.onView = func(v model.ClusterView) {
		cs.SetView(v)
		for i := range v.Nodes {
			if n := &v.Nodes[i]; n.Sample != nil && n.Err == "" {
				cs.SetForkRunning(n.Addr, n.Sample.ForkRunning())
			}
		}
	}
}
