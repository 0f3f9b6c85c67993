package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// AgentConfig is what `redis-memtop agent` runs with.
type AgentConfig struct {
	// Listen is the address the metrics are served on (host:port; port 0
	// picks a free one, which the ready line names).
	Listen   string
	Interval time.Duration
	// History is the span of samples kept per target: the trends the
	// checks and the verdict read.
	History time.Duration
	Scan    ScanConfig
	// Cluster treats the target as a Redis Cluster even when it does not
	// say so: every node becomes a target.
	Cluster bool
	// Metrics bounds and shapes the per-target series (top prefixes, top
	// keys, how key names are labelled).
	Metrics AgentMetrics
	// Log receives the ready line and the notes (stderr).
	Log io.Writer
}

// agentShutdownTimeout bounds the graceful end: a scrape under way may
// finish, a new one is refused.
const agentShutdownTimeout = 5 * time.Second

// agentReconnectEvery is how often a target that could not be reached at
// start is dialled again (its series say up 0 meanwhile).
const agentReconnectEvery = 5 * time.Second

// Agent is a started agent: the targets' pipelines and the HTTP server
// (they end with the context StartAgent was given; then Wait).
type Agent struct {
	Run
	// Addr is the address the metrics are served on (host:port).
	Addr    string
	targets []*agentTarget
}

// RunAgent runs the agent on the targets until ctx ends (the signal
// context of the command line): the poller, the checklist and the gentle
// scan per target, and OpenMetrics on cfg.Listen. One target that is a
// cluster node (or cfg.Cluster) expands to every node of its cluster.
func RunAgent(ctx context.Context, targets []redisx.Options, cfg AgentConfig) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a, err := StartAgent(ctx, targets, cfg)
	if err != nil {
		return err
	}
	<-ctx.Done()
	a.Wait()
	return nil
}

// StartAgent resolves the targets, starts one pipeline per target and the
// HTTP server, and returns once the server listens.
func StartAgent(ctx context.Context, targets []redisx.Options, cfg AgentConfig) (*Agent, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	cfg.Metrics = cfg.Metrics.withDefaults()
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	nodes, err := agentTargets(ctx, targets, cfg)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("agent: listen on %s: %w", cfg.Listen, err)
	}
	a := &Agent{Addr: ln.Addr().String()}
	capacity := max(int(cfg.History/cfg.Interval)+1, 2)
	for _, n := range nodes {
		t := newAgentTarget(n.opts, n.scan, capacity)
		a.targets = append(a.targets, t)
		a.Go(func() { t.run(ctx, cfg) })
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(newAgentCollector(a.targets, cfg.Metrics))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true, ErrorHandling: promhttp.ContinueOnError}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "redis-memtop agent: the metrics are at /metrics\n")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	served := make(chan struct{})
	a.Go(func() {
		defer close(served)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(cfg.Log, "redis-memtop agent: serving: %v\n", err)
		}
	})
	a.Go(func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), agentShutdownTimeout)
		defer cancel()
		_ = srv.Shutdown(sctx)
		<-served
	})
	if !isLoopback(a.Addr) {
		fmt.Fprintf(cfg.Log, "redis-memtop agent: %s is not a loopback address: whoever reaches it reads the metrics, key names and prefixes included (--agent-key-names hash hides them)\n", a.Addr)
	}
	fmt.Fprintf(cfg.Log, "redis-memtop agent: serving OpenMetrics on http://%s/metrics for %d target(s)\n", a.Addr, len(a.targets))
	return a, nil
}

// isLoopback reports whether addr (host:port) listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// agentNode is one server the agent watches.
type agentNode struct {
	opts redisx.Options
	scan bool
}

// agentTargets expands the targets: a cluster node (or any target with
// cfg.Cluster) becomes every node of its cluster, its masters scanned (or
// its replicas with --scan-replicas). The nodes are those of the topology
// at start.
func agentTargets(ctx context.Context, targets []redisx.Options, cfg AgentConfig) ([]agentNode, error) {
	var out []agentNode
	for _, o := range targets {
		cluster := cfg.Cluster
		if !cluster && len(targets) == 1 {
			c, err := Connect(ctx, o)
			if err != nil {
				// Degrade, don't exit: served as one server, up 0, dialled
				// again until it answers (a cluster needs -c then).
				fmt.Fprintf(cfg.Log, "redis-memtop agent: %s cannot be reached yet (%s): its series say up 0 until it answers\n",
					o.Redacted(), redisx.Describe(err, o.Password))
			} else {
				cluster = redisx.IsCluster(c)
				_ = c.Close()
			}
		}
		if !cluster {
			if cfg.Scan.Replicas {
				return nil, Usagef("--scan-replicas is for a Redis Cluster; %s is not one", o.Redacted())
			}
			out = append(out, agentNode{opts: o, scan: cfg.Scan.On})
			continue
		}
		cm := redisx.NewClusterMonitor(o, redisx.ClusterOptions{})
		view, err := cm.Poll(ctx)
		_ = cm.Close()
		if err != nil {
			return nil, errors.New(redisx.Describe(err, o.Password))
		}
		for _, n := range view.Nodes {
			no := o
			no.Network, no.Addr = redisx.NetworkTCP, n.Addr
			scan := cfg.Scan.On && (n.IsMaster() != cfg.Scan.Replicas)
			out = append(out, agentNode{opts: no, scan: scan})
		}
	}
	return out, nil
}

// agentTarget is one server's pipeline and the state its series are read
// from: the poller's samples and extras and the scan's state, folded as the
// UI folds them, and the diagnosis evaluated after each.
type agentTarget struct {
	id   string // the target label: the address, never a password
	opts redisx.Options
	scan bool

	mu      sync.Mutex
	hist    *model.History
	extras  *model.Extras
	scanSt  *model.ScanState
	diag    *model.Diagnosis
	lastErr string
	polled  bool
}

func newAgentTarget(opts redisx.Options, scan bool, capacity int) *agentTarget {
	return &agentTarget{id: redisx.FleetID(opts), opts: opts, scan: scan, hist: model.NewHistory(capacity)}
}

// run connects (again every agentReconnectEvery until it can), then runs
// the poller and the scan worker and folds what they send until ctx ends.
// The poller reconnects by itself once it has a client.
func (t *agentTarget) run(ctx context.Context, cfg AgentConfig) {
	var c *redisx.Client
	for {
		var err error
		if c, err = Connect(ctx, t.opts); err == nil {
			break
		}
		t.mu.Lock()
		t.lastErr = redisx.Describe(err, t.opts.Password)
		t.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-time.After(agentReconnectEvery):
		}
	}
	defer func() { _ = c.Close() }()
	var wg sync.WaitGroup
	defer wg.Wait()
	updates := make(chan model.Update, 64)
	p := redisx.NewPoller(c, cfg.Interval, 0)
	wg.Go(func() { _ = p.Run(ctx, updates) })
	var w *redisx.ScanWorker
	if t.scan {
		w = c.NewScanWorker(cfg.Scan.options(c))
		wg.Go(func() { _ = w.Run(ctx, updates) })
	}
	for {
		select {
		case <-ctx.Done():
			return
		case u := <-updates:
			if w != nil && u.Sample != nil && !u.Sample.IsGap() {
				w.SetForkRunning(u.Sample.ForkRunning())
			}
			t.fold(u)
		}
	}
}

// fold applies one update and evaluates the checklist and the verdict again
// when a sample, extras or new scan results arrived.
func (t *agentTarget) fold(u model.Update) {
	t.mu.Lock()
	defer t.mu.Unlock()
	rediagnose := false
	if s := u.Sample; s != nil {
		t.hist.Add(*s)
		t.polled = true
		t.lastErr = s.Err
		rediagnose = true
	}
	if u.Extras != nil {
		t.extras = u.Extras
		rediagnose = true
	}
	if su := u.Scan; su != nil {
		if t.scanSt == nil {
			t.scanSt = &model.ScanState{}
		}
		t.scanSt.Apply(su)
		rediagnose = rediagnose || su.Result != nil || su.Prev != nil
	}
	if !rediagnose {
		return
	}
	dg := model.Diagnose(model.Inputs{
		Hist:          t.hist,
		Extras:        t.extras,
		Scan:          model.ScanFactsFrom(t.scanSt),
		CommandTarget: t.opts.CommandTarget(),
	})
	t.diag = &dg
}

// agentSnapshot is what one scrape reads of a target, copied under its lock.
type agentSnapshot struct {
	id      string
	up      bool
	last    *model.Sample
	diag    *model.Diagnosis
	scan    *model.ScanState
	scanned bool // the target runs the scan
}

func (t *agentTarget) snapshot() agentSnapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := agentSnapshot{id: t.id, diag: t.diag, scanned: t.scan}
	if l := t.hist.Last(); l != nil && !l.IsGap() {
		s.up = true
	}
	if l := t.hist.LastOK(); l != nil {
		cp := *l
		s.last = &cp
	}
	if t.scanSt != nil {
		cp := *t.scanSt
		s.scan = &cp
	}
	return s
}
