package app

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
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
	// Hold is how long each stage holds its state once reached: 0 is
	// demo.DefaultHold (none with Fast), < 0 none.
	Hold time.Duration
	// Out receives the start-up lines (what starts, where, how long each
	// stage holds), written before the monitor takes the screen; nil = none.
	Out io.Writer
}

// sayf writes one start-up line to cfg.Out.
func (cfg DemoConfig) sayf(format string, args ...any) {
	if cfg.Out != nil {
		_, _ = fmt.Fprintf(cfg.Out, "redis-memtop demo: "+format+"\n", args...)
	}
}

// pace is the start-up line on the stages' pace and keys.
func (cfg DemoConfig) pace(stages int) string {
	hold := cfg.Hold
	if hold == 0 && !cfg.Fast {
		hold = demo.DefaultHold
	}
	if hold <= 0 {
		return fmt.Sprintf("%d stages, each moving on as soon as it reaches its goal (--fast); keys: n next stage, p pause, r restart, q quit", stages)
	}
	return fmt.Sprintf("%d stages, each holding %s once it reaches its goal, or until you press n; keys: n next stage, p pause, r restart, q quit", stages, holdText(hold))
}

// holdText is a hold as a class reads it: "1 min", "90s".
func holdText(d time.Duration) string {
	if d%time.Minute == 0 {
		return fmt.Sprintf("%d min", d/time.Minute)
	}
	return d.String()
}

// startServerLine says which redis-server starts, before it does (a first
// start on a cold machine can take a while).
func (cfg DemoConfig) startServerLine(what string) error {
	bin, err := redisproc.FindRedisServer(cfg.Binary)
	if err != nil {
		return err //nolint:wrapcheck // says what to install
	}
	cfg.sayf("starting %s with %s on a free loopback port…", what, bin)
	return nil
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
	cfg.sayf("scenario %s — %s", sc.Name, cfg.pace(len(sc.Stages)))
	if err := cfg.startServerLine("a throwaway redis-server"); err != nil {
		return err
	}
	started := time.Now()
	captions := make(chan model.Update, 16)
	runner, err := demo.NewRunner(ctx, sc, demo.RunnerOptions{Binary: cfg.Binary, Updates: captions, Fast: cfg.Fast, Hold: cfg.Hold})
	if err != nil {
		return err //nolint:wrapcheck // demo errors say what to install
	}
	defer runner.Close() // stops the server and removes its files, whatever happens below
	facts, err := demo.Probe(ctx, runner.Server().Addr)
	if err != nil {
		return err //nolint:wrapcheck // says which command failed
	}
	cfg.sayf("%s ready on %s in %s (files in %s, removed on exit)", facts, runner.Server().Addr, model.Duration(time.Since(started)), runner.Server().Dir)
	if sc.HasFragmentation() {
		cfg.sayf("%s", facts.DefragLine())
	}
	cfg.sayf("opening the monitor; stage 1 starts: %s", firstCaption(sc))

	opts := redisx.DefaultOptions()
	opts.Addr = runner.Server().Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		return err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()
	return withWorkload(ctx, runner.Run, func() error {
		return RunMonitor(ctx, c, cfg.Monitor, Extras{Source: captions, Actions: DemoActions(runner), Target: "demo " + sc.Name + " " + runner.Server().Addr})
	})
}

// firstCaption is stage 1's caption, whole (the terminal wraps it).
func firstCaption(sc demo.Scenario) string {
	return model.Sanitize(sc.Stages[0].Caption, 0)
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
	if err := cfg.startServerLine("a throwaway 3 + 3 Redis Cluster (six redis-servers)"); err != nil {
		return err
	}
	started := time.Now()
	captions := make(chan model.Update, 16)
	runner, err := demo.NewClusterRunner(ctx, demo.ClusterRunnerOptions{Binary: cfg.Binary, Updates: captions, Fast: cfg.Fast, Hold: cfg.Hold, Interval: cfg.Monitor.Interval})
	if err != nil {
		return err //nolint:wrapcheck // demo errors say what to install
	}
	defer runner.Close() // stops every node and removes their files, whatever happens below
	cfg.sayf("cluster ready in %s, seed %s; scenario %s — %s", model.Duration(time.Since(started)), runner.SeedAddr(), demo.ClusterScenario, cfg.pace(len(runner.Scenario().Stages)))
	cfg.sayf("opening the cluster overview…")

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
	o.Actions = append(DemoActions(runner), o.Actions...)
	return o, first, func() { _ = cm.Close() }, nil
}

// DemoControls are a scenario runner's controls (a Runner or a
// ClusterRunner).
type DemoControls interface {
	Next()
	TogglePause() bool
	Restart()
}

// DemoActions are the demo's keys: n next stage (also in the footer's key
// hints), p pause / resume the workload, r restart the scenario.
func DemoActions(c DemoControls) []ui.Action {
	return []ui.Action{
		{Group: demoGroup, Hint: true, Key: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next stage")), Do: func() string {
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
