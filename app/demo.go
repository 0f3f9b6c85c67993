package app

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// demoClusterRediscover is how many polls the cluster demo's overview keeps
// a topology: the scenario reshards and fails over every few seconds, and
// its own servers can take the extra CLUSTER reads.
const demoClusterRediscover = 3

// demoGroup heads the demo's keys in the help overlay.
const demoGroup = "Demo"

// DemoConfig is what `demo` runs with.
type DemoConfig struct {
	Monitor Config
	// Binary is the redis-server to start ("" finds one on PATH).
	Binary string
	// Fast: small datasets and no pauses between stages (smoke runs).
	Fast bool
}

// Demo runs the named training scenario: a throwaway server (or cluster)
// on loopback, its workload in stages with captions, and the monitor on it
// with the demo's keys. Every server and its files are removed on exit.
func Demo(ctx context.Context, name string, cfg DemoConfig) error {
	if strings.EqualFold(name, demo.ClusterScenario) {
		return demoCluster(ctx, cfg)
	}
	sc, ok := demo.Lookup(name)
	if !ok {
		return Usagef("no scenario %q: 'redis-memtop demo --list' lists them", name)
	}
	captions := make(chan model.Update, 16)
	runner, err := demo.NewRunner(ctx, sc, demo.RunnerOptions{Binary: cfg.Binary, Updates: captions, Fast: cfg.Fast})
	if err != nil {
		return err //nolint:wrapcheck // demo errors say what to install
	}
	defer runner.Close() // stops the server and removes its files, whatever happens below

	opts := redisx.DefaultOptions()
	opts.Addr = runner.Server().Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		return err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()
	return withWorkload(ctx, runner.Run, func() error {
		return RunMonitor(ctx, c, cfg.Monitor, Extras{Source: captions, Actions: demoActions(runner), Target: "demo " + sc.Name + " " + runner.Server().Addr})
	})
}

// withWorkload runs the scenario's workload beside ui, and stops it (and
// waits for it) when ui returns.
func withWorkload(ctx context.Context, workload func(context.Context) error, ui func() error) error {
	ctx, cancel := context.WithCancel(ctx)
	var r Run
	r.Go(func() { _ = workload(ctx) }) // a workload error is shown as a caption; the demo goes on
	err := ui()
	cancel()
	r.Wait()
	return err
}

// demoCluster runs the cluster scenario: a throwaway 3 + 3 cluster on
// loopback, its workload in stages, and the live cluster overview on it with
// the captions and the demo's keys.
func demoCluster(ctx context.Context, cfg DemoConfig) error {
	if cfg.Monitor.Record != "" {
		return Usagef("--record is for one server; it does not record the cluster demo")
	}
	captions := make(chan model.Update, 16)
	runner, err := demo.NewClusterRunner(ctx, demo.ClusterRunnerOptions{Binary: cfg.Binary, Updates: captions, Fast: cfg.Fast, Interval: cfg.Monitor.Interval})
	if err != nil {
		return err //nolint:wrapcheck // demo errors say what to install
	}
	defer runner.Close() // stops every node and removes their files, whatever happens below

	o, first, closeMon, err := DemoClusterOverview(ctx, runner, captions, cfg.Monitor)
	if err != nil {
		return err
	}
	defer closeMon()
	return withWorkload(ctx, runner.Run, func() error { return o.Run(ctx, first) })
}

// DemoClusterOverview wires the overview to the runner's cluster: a cluster
// monitor seeded at the node the scenario never kills, its first poll, the
// captions on the overview, the n/p/r keys and (unless the scan is off)
// the cluster-wide big-key scan. closeMon closes the monitor's connections.
func DemoClusterOverview(ctx context.Context, runner *demo.ClusterRunner, captions <-chan model.Update, cfg Config) (_ *Overview, first model.ClusterView, closeMon func(), _ error) {
	opts := redisx.DefaultOptions()
	opts.Addr = runner.SeedAddr()
	cm := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{RediscoverEvery: demoClusterRediscover})
	first, err := cm.Poll(ctx)
	if err != nil {
		_ = cm.Close()
		return nil, first, nil, err //nolint:wrapcheck // Describe'd, password-free
	}
	o := NewClusterOverview(cm, opts, cfg)
	o.Target = "demo " + demo.ClusterScenario + " " + opts.Addr
	o.Captions = captions
	o.Actions = append(demoActions(runner), o.Actions...)
	return o, first, func() { _ = cm.Close() }, nil
}

// demoControls are a scenario runner's controls (a Runner or a
// ClusterRunner).
type demoControls interface {
	Next()
	TogglePause() bool
	Restart()
}

// demoActions are the demo's keys: n next stage, p pause / resume the
// workload, r restart the scenario.
func demoActions(c demoControls) []ui.Action {
	return []ui.Action{
		{Group: demoGroup, Key: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next stage")), Do: func() string {
			c.Next()
			return "next stage…"
		}},
		{Group: demoGroup, Key: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause / resume the workload")), Do: func() string {
			if c.TogglePause() {
				return "workload paused (polling goes on)"
			}
			return "workload resumed"
		}},
		{Group: demoGroup, Key: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart the scenario")), Do: func() string {
			c.Restart()
			return "restarting the scenario…"
		}},
	}
}
