package demo

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// ClusterRunnerOptions configure a ClusterRunner.
type ClusterRunnerOptions struct {
	Binary string // redis-server path; "" = from PATH
	// Updates receives the captions (model.Update{Caption: …}). Run never
	// closes it; a send gives up when Run's ctx ends. nil = no captions.
	Updates chan<- model.Update
	Fast    bool          // tests and smoke runs: small datasets, no pacing, no holds
	Once    bool          // Run returns after the last stage, or with a workload's error
	Hold    time.Duration // 0 = DefaultHold (none in Fast mode); < 0 = none
	// Interval is the monitor's poll period (0 = 1 s): the half-done reshard
	// is held for model.ThresholdClusterMigrationStuckViews polls and a few
	// more, so the overview calls it stuck before the stage ends (when the
	// stages hold at all).
	Interval time.Duration
}

// ClusterRunner runs the cluster scenario against its own throwaway 3 + 3
// cluster. Its controls are the single-server Runner's — Next, Pause,
// Resume, TogglePause, Restart (a fresh cluster on the same ports), Status —
// and may be called from any goroutine.
type ClusterRunner struct {
	r         *Runner // stages, captions, pause and controls
	cl        *Cluster
	opts      ClusterRunnerOptions
	closeOnce sync.Once

	// afterStage, when set (tests), is called after each stage that reached
	// its end, before the stage's clean-up and the next stage.
	afterStage func(ctx context.Context, stage int, env *Env)
}

// NewClusterRunner starts the cluster (a few seconds) so its seed address
// is known before Run: the overview is seeded at SeedAddr.
func NewClusterRunner(ctx context.Context, opts ClusterRunnerOptions) (*ClusterRunner, error) {
	cl, err := StartCluster(ctx, ClusterOptions{Binary: opts.Binary})
	if err != nil {
		return nil, err
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	sc := clusterScenario(cl, opts.Interval)
	r, err := NewRunner(ctx, sc, RunnerOptions{Server: cl.Seed(), Updates: opts.Updates, Fast: opts.Fast, Once: opts.Once, Hold: opts.Hold})
	if err != nil {
		cl.Close()
		return nil, err
	}
	return &ClusterRunner{r: r, cl: cl, opts: opts}, nil
}

// Scenario is the cluster scenario this runner runs.
func (c *ClusterRunner) Scenario() Scenario { return c.r.Scenario() }

// Cluster is the throwaway cluster the workload writes to.
func (c *ClusterRunner) Cluster() *Cluster { return c.cl }

// SeedAddr is the node to seed a cluster monitor with (never killed).
func (c *ClusterRunner) SeedAddr() string { return c.cl.Seed().Addr }

// Next ends the current stage (cleaning up after it) and starts the next.
func (c *ClusterRunner) Next() { c.r.Next() }

// Restart stops the workload, builds a fresh cluster on the same ports and
// runs the scenario from stage 1, unpaused.
func (c *ClusterRunner) Restart() { c.r.Restart() }

// Pause stops the workload's writes until Resume.
func (c *ClusterRunner) Pause() { c.r.Pause() }

// Resume lets the workload write again.
func (c *ClusterRunner) Resume() { c.r.Resume() }

// TogglePause pauses a running workload or resumes a paused one, and says
// which it did.
func (c *ClusterRunner) TogglePause() bool { return c.r.TogglePause() }

// Status is a snapshot of where the scenario is.
func (c *ClusterRunner) Status() Status { return c.r.Status() }

// Close stops every node and removes their directories. Run calls it on
// return; calling it again does nothing.
func (c *ClusterRunner) Close() {
	c.closeOnce.Do(c.cl.Close)
}

// Run runs the stages in order as Runner.Run does: it returns when ctx ends
// (nil), or in Once mode after the last stage (or with the workload's
// error); otherwise it waits at the end, or after a workload error, for
// Restart, Next or ctx. A stage's clean-up (the half-done reshard) runs
// when the stage ends, by itself or with Next. The cluster is stopped and
// its files removed on return.
func (c *ClusterRunner) Run(ctx context.Context) error {
	defer c.Close()
	return c.r.loop(ctx, stageHooks{restart: c.restart, afterStage: c.afterStage, stageEnded: c.cleanUp})
}

// cleanUpTimeout bounds a stage's clean-up (finishing a reshard).
const cleanUpTimeout = 30 * time.Second

// cleanUp runs what the stage left to undo, whatever paused the workload:
// it is the scenario's own housekeeping, not the workload.
func (c *ClusterRunner) cleanUp(ctx context.Context, env *Env) error {
	st, ok := env.kept[clusterKept].(*clusterRun)
	if !ok || st.cleanup == nil {
		return nil
	}
	fn := st.cleanup
	st.cleanup = nil
	cctx, cancel := context.WithTimeout(ctx, cleanUpTimeout)
	defer cancel()
	return fn(cctx)
}

// restart builds a fresh cluster on the same ports and gives a fresh Env
// for stage 1.
func (c *ClusterRunner) restart(ctx context.Context, env *Env) (*Env, error) {
	r := c.r
	env.close()
	r.mu.Lock()
	r.last = model.Caption{}
	r.mu.Unlock()
	r.Resume()
	r.send(model.Caption{Text: fmt.Sprintf("Restarting: a fresh cluster of %d masters and %d replicas on the same ports…", ClusterMasters, ClusterMasters)}, false)
	if err := c.cl.Reset(ctx); err != nil {
		r.send(model.Caption{Text: "Restart failed: " + err.Error()}, true)
		return r.newEnv(), err
	}
	return r.newEnv(), nil
}
