package app

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// extrasEvery is how often the drilled-in node's slow reads (CONFIG,
// CLIENT LIST, MEMORY DOCTOR) are refreshed, as the single-server poller does.
const extrasEvery = 10 * time.Second

// OverviewSource is what the overview is fed from: a cluster monitor or a
// fleet monitor. Poll reads every node once; Client is a node's connection.
type OverviewSource interface {
	Poll(ctx context.Context) (model.ClusterView, error)
	Client(addr string) *redisx.Client
}

// Overview is the wiring of the cluster and fleet overviews.
type Overview struct {
	Kind   ui.MultiKind
	Src    OverviewSource
	Target string
	// Password is scrubbed from every error shown.
	Password string
	Cfg      Config
	// Actions are extra keys (a demo's).
	Actions []ui.Action
	// Export makes x on the overview write a report of every node.
	Export *ui.MultiExporter
	// Captions feeds updates for the overview itself (a demo's captions);
	// nil for none.
	Captions <-chan model.Update

	// onView sees every view before the UI does (the cluster scan follows
	// the topology with it); nil for none.
	onView func(model.ClusterView)
	scan   bool
	// scanRun feeds merged scan updates.
	scanRun func(ctx context.Context, out chan<- model.Update) error
	// nodeScan is a node's own shard of the scan, for its drill-in view.
	nodeScan func(addr string) (model.ScanState, bool)
	// commands and nodeCommands are the servers the suggested commands
	// name (see ui.MultiOptions).
	commands     model.CommandTarget
	nodeCommands func(addr string) model.CommandTarget
}

// NewClusterOverview is the overview of the cluster cm watches, seeded at
// opts, with the cluster-wide scan when cfg asks for it.
func NewClusterOverview(cm *redisx.ClusterMonitor, opts redisx.Options, cfg Config) *Overview {
	o := &Overview{Kind: ui.MultiCluster, Src: cm, Target: opts.Redacted(), Password: opts.Password, Cfg: cfg, Export: clusterExporter(opts), commands: opts.CommandTarget()}
	if cfg.Scan.On {
		o.withClusterScan(cm, cfg.Scan)
	}
	return o
}

// MonitorCluster runs the cluster overview from a seed node until the user
// quits.
func MonitorCluster(ctx context.Context, opts redisx.Options, cfg Config) error {
	if cfg.Record != "" {
		return Usagef("--record is for one server; it does not record a cluster")
	}
	cm := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{})
	defer func() { _ = cm.Close() }()
	first, err := cm.Poll(ctx)
	if errors.Is(err, redisx.ErrClusterRefused) {
		_ = cm.Close()
		return monitorClusterNodeAlone(ctx, opts, cfg, redisx.Describe(err, opts.Password))
	}
	if err != nil {
		return errors.New(redisx.Describe(err, opts.Password))
	}
	return NewClusterOverview(cm, opts, cfg).Run(ctx, first)
}

// monitorClusterNodeAlone monitors the node reached when its cluster's
// nodes cannot be read (the server refuses CLUSTER): degrade, don't exit.
// The screen's caption line says the cluster part is unavailable and why.
func monitorClusterNodeAlone(ctx context.Context, opts redisx.Options, cfg Config, why string) error {
	c, err := Connect(ctx, opts)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	notes := make(chan model.Update, 1)
	notes <- model.Update{Caption: &model.Caption{Time: time.Now(), Text: ClusterUnavailableCaption(why)}}
	close(notes)
	return RunMonitor(ctx, c, cfg, Extras{Target: opts.Redacted(), Writes: true, Source: notes})
}

// ClusterUnavailableCaption is the line the monitor shows for a cluster
// node whose cluster part cannot be read.
func ClusterUnavailableCaption(why string) string {
	return "cluster part unavailable, monitoring the node reached only: " + why
}

// MonitorFleet runs the overview of independent servers until the user
// quits.
func MonitorFleet(ctx context.Context, targets []redisx.Options, cfg Config) error {
	if cfg.Record != "" {
		return Usagef("--record is for one server; it does not record a fleet")
	}
	fm := redisx.NewFleetMonitor(targets)
	defer func() { _ = fm.Close() }()
	first, _ := fm.Poll(ctx)
	o := &Overview{Kind: ui.MultiFleet, Src: fm, Target: fmt.Sprintf("%d servers", len(targets)), Cfg: cfg}
	o.commands, o.nodeCommands = fleetCommands(targets)
	return o.Run(ctx, first)
}

// Run polls every interval, feeds the overview and, for the node drilled
// into, its extras; it returns when the user quits. The first poll has been
// made by the caller (so a cluster that cannot be read is an error before
// the screen changes); first is its view.
func (o *Overview) Run(ctx context.Context, first model.ClusterView) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := o.Start(ctx, first)
	err := ui.RunMulti(ctx, f.UI)
	cancel()
	f.Wait()
	return err //nolint:wrapcheck // ui.RunMulti says what failed
}

// OverviewFeed is a started overview: its goroutines (they end with the
// context Start was given; then Wait), what they send, and the UI's
// options (whose Source is Out).
type OverviewFeed struct {
	Run
	Out <-chan ui.MultiUpdate
	UI  ui.MultiOptions
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

// Start runs the poll loop, the drilled-in node's extras and the scan until
// ctx ends.
func (o *Overview) Start(ctx context.Context, first model.ClusterView) *OverviewFeed {
	out := make(chan ui.MultiUpdate, 16)
	f := &OverviewFeed{Out: out}
	focus := &focusState{changed: make(chan struct{}, 1)}
	f.Go(func() { o.pollLoop(ctx, first, out) })
	f.Go(func() { o.extrasLoop(ctx, focus, out) })
	toOverview := func(u model.Update) (ui.MultiUpdate, bool) { return ui.MultiUpdate{Update: &u}, true }
	if o.Captions != nil {
		f.Go(func() { relay(ctx, o.Captions, out, toOverview) })
	}
	o.startBackfills(ctx, &f.Run, first, out)
	if o.scanRun != nil {
		scanOut := make(chan model.Update, 16)
		f.Go(func() { _ = o.scanRun(ctx, scanOut) })
		f.Go(func() { relay(ctx, scanOut, out, toOverview) })
	}
	f.UI = ui.MultiOptions{
		Kind:         o.Kind,
		Source:       out,
		Target:       o.Target,
		Theme:        o.Cfg.Theme,
		NoColor:      noColor(),
		Interval:     o.Cfg.Interval,
		History:      o.Cfg.History,
		Scan:         o.scan,
		Actions:      o.Actions,
		Focus:        focus.set,
		Export:       o.Export,
		NodeScan:     o.nodeScan,
		Commands:     o.commands,
		NodeCommands: o.nodeCommands,
		NodeExport: func(addr string) *ui.Exporter {
			if c := o.Src.Client(addr); c != nil {
				return NewExporter(c, addr)
			}
			return nil
		},
	}
	return f
}

// pollLoop sends first, then a view (or why there is none) every interval
// until ctx ends; a poll is started only after the previous one returned.
func (o *Overview) pollLoop(ctx context.Context, first model.ClusterView, out chan<- ui.MultiUpdate) {
	view := func(v model.ClusterView) bool {
		if o.onView != nil {
			o.onView(v)
		}
		return send(ctx, out, ui.MultiUpdate{View: &v})
	}
	if !view(first) {
		return
	}
	t := time.NewTimer(o.Cfg.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		v, err := o.Src.Poll(ctx)
		if ctx.Err() != nil {
			return
		}
		sent := false
		if err != nil {
			sent = send(ctx, out, ui.MultiUpdate{Err: redisx.Describe(err, o.Password)})
		} else {
			sent = view(v)
		}
		if !sent {
			return
		}
		t.Reset(max(o.Cfg.Interval-time.Since(start), 0))
	}
}

// extrasLoop reads the drilled-in node's extras at once and then every
// extrasEvery, until ctx ends.
func (o *Overview) extrasLoop(ctx context.Context, focus *focusState, out chan<- ui.MultiUpdate) {
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
		c := o.Src.Client(addr)
		if c == nil {
			continue
		}
		e := c.ReadExtras(ctx, time.Now())
		if ctx.Err() != nil {
			return
		}
		if !send(ctx, out, ui.MultiUpdate{Node: id, Update: &model.Update{Extras: &e}}) {
			return
		}
	}
}

// withClusterScan adds the cluster-wide big-key scan: a worker per master
// (or per replica with --scan-replicas), each on its own node's budget,
// following the topology of every view and slowing down on a node that
// forks.
func (o *Overview) withClusterScan(cm *redisx.ClusterMonitor, sc ScanConfig) {
	cs := redisx.NewClusterScan(cm, redisx.ClusterScanOptions{
		Scan:     redisx.ScanOptions{Rate: sc.Rate, Samples: sc.Samples, Repeat: sc.Repeat},
		Replicas: sc.Replicas,
	})
	o.scan = true
	o.scanRun = cs.Run
	o.nodeScan = cs.StateOf
	o.Actions = append(o.Actions, ui.ScanActions(cs)...)
	o.onView = func(v model.ClusterView) {
		cs.SetView(v)
		for i := range v.Nodes {
			if n := &v.Nodes[i]; n.Sample != nil && n.Err == "" {
				cs.SetForkRunning(n.Addr, n.Sample.ForkRunning())
			}
		}
	}
}

// fleetCommands are the targets a fleet's commands name: each member's own
// connection in its drill-in view; on the overview, whose commands name
// the member they are about, the TLS and user flags the members share (none
// when they differ).
func fleetCommands(targets []redisx.Options) (model.CommandTarget, func(addr string) model.CommandTarget) {
	byAddr := make(map[string]model.CommandTarget, len(targets))
	var common model.CommandTarget
	for i, o := range targets {
		t := o.CommandTarget()
		byAddr[o.Addr] = t
		switch {
		case i == 0:
			common = t
		case common.ForNode("h:1") != t.ForNode("h:1"): // compared at one address
			common = model.CommandTarget{}
		}
	}
	return common, func(addr string) model.CommandTarget { return byAddr[addr] }
}
