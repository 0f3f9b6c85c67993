package main

import (
	"context"
	"sync"

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

// runDemoCluster runs the cluster scenario: a throwaway 3 + 3 cluster on
// loopback, its workload in stages, and the live cluster overview on it with
// the captions and the demo's keys. Every node and its files are removed
// on exit (ctx ends on SIGINT).
func runDemoCluster(ctx context.Context, uf uiFlags, serverBin string, fast bool) error {
	if uf.record != "" {
		return usagef("--record is for one server; it does not record the cluster demo")
	}
	captions := make(chan model.Update, 16)
	runner, err := demo.NewClusterRunner(ctx, demo.ClusterRunnerOptions{Binary: serverBin, Updates: captions, Fast: fast, Interval: uf.interval})
	if err != nil {
		return err //nolint:wrapcheck // demo errors say what to install
	}
	defer runner.Close() // stops every node and removes their files, whatever happens below

	r, first, closeMon, err := demoClusterOverview(ctx, runner, captions, uf)
	if err != nil {
		return err
	}
	defer closeMon()

	rctx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = runner.Run(rctx) // a workload error is shown as a caption; the demo goes on
	}()
	err = r.run(ctx, first)
	cancelRun()
	wg.Wait()
	return err
}

// demoClusterOverview wires the overview to the runner's cluster: a cluster
// monitor seeded at the node the scenario never kills, its first poll, the
// captions on the overview, the n/p/r keys and (unless --no-scan) the
// cluster-wide big-key scan. closeMon closes the monitor's connections.
func demoClusterOverview(ctx context.Context, runner *demo.ClusterRunner, captions <-chan model.Update, uf uiFlags) (_ *multiRun, first model.ClusterView, closeMon func(), _ error) {
	opts := redisx.DefaultOptions()
	opts.Addr = runner.SeedAddr()
	cm := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{RediscoverEvery: demoClusterRediscover})
	first, err := cm.Poll(ctx)
	if err != nil {
		_ = cm.Close()
		return nil, first, nil, err //nolint:wrapcheck // Describe'd, password-free
	}
	r := &multiRun{
		kind: ui.MultiCluster, src: cm, target: "demo " + demo.ClusterScenario + " " + opts.Addr, uf: uf,
		export: clusterExporter(opts), overview: captions, actions: demoActions(runner),
	}
	if uf.scan.enabled() {
		r.withClusterScan(cm, uf.scan)
	}
	return r, first, func() { _ = cm.Close() }, nil
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
