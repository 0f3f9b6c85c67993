package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/model"
)

// DefaultHold is how long a stage holds its state, once reached, before the
// next stage starts (outside Fast mode): time for a class to read the
// caption and watch the panes move. n moves on sooner; `demo --hold`
// changes it. A stage that reaches its goal without holding (a ramp: memory
// filled up to maxmemory, a list grown to its length) is held as long, with
// no writes, by the runner.
const DefaultHold = 60 * time.Second

// RunnerOptions configure a Runner.
type RunnerOptions struct {
	Binary string            // redis-server path; "" = from PATH
	Server *redisproc.Server // run against this server instead of starting one; the caller stops it
	// Updates receives the captions (model.Update{Caption: …}). Run never
	// closes it; a send gives up when Run's ctx ends. nil = no captions.
	Updates chan<- model.Update
	Fast    bool          // tests and smoke runs: small datasets, no pacing, no holds
	Once    bool          // Run returns after the last stage, or with a workload's error
	Hold    time.Duration // 0 = DefaultHold (none in Fast mode); < 0 = none
}

// Status is a snapshot of a Runner, for the UI and for tests.
type Status struct {
	Scenario string
	Stage    int // 1-based; 0 before the first stage
	Of       int
	Paused   bool
	Finished bool   // the last stage is done; Restart runs it again
	Busy     bool   // a batch of writes is in flight
	Writes   int64  // commands the workload has sent, over the runner's life
	Err      string // why the workload stopped, "" while it runs
}

type control int

const (
	ctlNone control = iota
	ctlNext
	ctlRestart
)

// Runner runs one scenario against its throwaway server. Its controls (Next,
// Pause, Resume, Restart, Status) may be called from any goroutine, and never
// block on the network.
type Runner struct {
	sc    Scenario
	opts  RunnerOptions
	srv   *redisproc.Server
	owned bool
	hold  time.Duration
	born  time.Time

	mu          sync.Mutex
	cancelStage context.CancelFunc
	pending     control
	paused      bool
	resumed     chan struct{} // closed while not paused
	pausedAt    time.Time
	pausedTotal time.Duration
	inflight    int
	writes      int64
	stage       int
	finished    bool
	lastErr     string
	last        model.Caption // the last workload caption, sent again on Resume
	sendCtx     context.Context
	ctlWake     chan struct{}
	pauseWake   chan struct{}
	closeOnce   sync.Once

	// afterStage, when set (tests), is called after each stage that reached
	// its end, before the next one starts.
	afterStage func(ctx context.Context, stage int, env *Env)
}

// NewRunner starts the scenario's server (unless opts.Server is given) so its
// address is known before Run: the monitor connects to Server().Addr.
func NewRunner(ctx context.Context, sc Scenario, opts RunnerOptions) (*Runner, error) {
	if len(sc.Stages) == 0 {
		return nil, fmt.Errorf("demo: scenario %q has no stages", sc.Name)
	}
	r := &Runner{
		sc: sc, opts: opts, srv: opts.Server, born: time.Now(),
		resumed: closedChan(), sendCtx: context.Background(),
		ctlWake: make(chan struct{}, 1), pauseWake: make(chan struct{}, 1),
	}
	switch {
	case opts.Hold < 0:
	case opts.Hold > 0:
		r.hold = opts.Hold
	case !opts.Fast:
		r.hold = DefaultHold
	}
	if r.srv == nil {
		srv, err := redisproc.Start(ctx, redisproc.Options{Binary: opts.Binary, Config: sc.Config})
		if err != nil {
			return nil, err //nolint:wrapcheck // redisproc's errors start with "demo:" and say what failed
		}
		r.srv, r.owned = srv, true
	}
	return r, nil
}

func closedChan() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// Scenario is the scenario this runner runs.
func (r *Runner) Scenario() Scenario { return r.sc }

// Server is the throwaway server the workload writes to.
func (r *Runner) Server() *redisproc.Server { return r.srv }

// Close stops the server and removes its directory when the runner started
// it. Run calls it on return; calling it again does nothing.
func (r *Runner) Close() {
	r.closeOnce.Do(func() {
		if r.owned {
			r.srv.Stop()
		}
	})
}

// Run runs the stages in order and sends their captions. It returns when ctx
// ends (nil: ctrl+c is not a failure), or in Once mode after the last stage
// (or with the workload's error). Otherwise it waits at the end, or after a
// workload error, for Restart, Next or ctx. A panic in a workload is
// recovered and reported like an error. The server is stopped and its files
// removed on return when the runner started it.
func (r *Runner) Run(ctx context.Context) error {
	defer r.Close()
	return r.loop(ctx, stageHooks{restart: r.restart, afterStage: r.afterStage})
}

// stageHooks adapt the stage loop to what a runner drives: one server, or
// a cluster.
type stageHooks struct {
	// restart makes a fresh start for Restart (a new server, a new cluster).
	restart func(ctx context.Context, env *Env) (*Env, error)
	// afterStage (tests) sees each stage that reached its end.
	afterStage func(ctx context.Context, stage int, env *Env)
	// stageEnded runs when a stage ends by itself or with Next, not with
	// Restart (its housekeeping); its error counts as the stage's when the
	// stage had none.
	stageEnded func(ctx context.Context, env *Env) error
}

// loop runs the stages in order with the captions, pause and controls; see
// Run for when it returns.
func (r *Runner) loop(ctx context.Context, h stageHooks) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { cancel(); wg.Wait() }()
	r.mu.Lock()
	r.sendCtx = ctx
	r.mu.Unlock()
	wg.Add(1)
	go func() { defer wg.Done(); r.announce(ctx) }()

	env := r.newEnv()
	defer func() { env.close() }()
	of := len(r.sc.Stages)
	for i := 0; ; {
		if ctx.Err() != nil {
			return nil
		}
		if i >= of {
			r.finish()
			if r.opts.Once || r.wait(ctx, ctlRestart) == ctlNone {
				return nil
			}
			var err error
			if env, err = h.restart(ctx, env); err != nil {
				return err
			}
			i = 0
			continue
		}
		err := r.runStage(ctx, env, i)
		act := r.take()
		if ctx.Err() != nil {
			return nil
		}
		if act == ctlNone && err == nil && h.afterStage != nil {
			h.afterStage(ctx, i+1, env)
		}
		if act != ctlRestart && h.stageEnded != nil {
			if cerr := h.stageEnded(ctx, env); cerr != nil && err == nil {
				err = cerr
			}
		}
		if act == ctlNone && err != nil {
			r.stopped(i, err)
			if r.opts.Once {
				return fmt.Errorf("demo: %s, stage %d/%d: %w", r.sc.Name, i+1, of, err)
			}
			act = r.wait(ctx, ctlNext, ctlRestart)
		}
		switch act {
		case ctlRestart:
			if env, err = h.restart(ctx, env); err != nil {
				return err
			}
			i = 0
		default: // the stage's end, or Next
			if ctx.Err() != nil {
				return nil
			}
			i++
		}
	}
}

func (r *Runner) newEnv() *Env {
	return &Env{Client: NewClient(r.srv.Addr), Server: r.srv, Fast: r.opts.Fast, r: r, kept: map[string]any{}}
}

// runStage runs one stage under its own context, which Next and Restart
// cancel; a panic in the workload comes back as an error.
func (r *Runner) runStage(ctx context.Context, env *Env, i int) (err error) {
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.mu.Lock()
	r.stage, r.finished, r.lastErr, r.cancelStage = i+1, false, "", cancel
	if r.pending != ctlNone {
		cancel() // pressed between stages: applies to this one
	}
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.cancelStage = nil
		r.mu.Unlock()
	}()
	env.stage = i + 1
	env.Sayf("%s", r.sc.Stages[i].Caption)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	env.held = false
	if err := r.sc.Stages[i].Run(sctx, env); err != nil || env.held {
		return err
	}
	return env.Hold(sctx, holdStep, nil) // a ramp: its end state stays on show too
}

// holdStep is how often the runner's own hold looks at its clock.
const holdStep = 250 * time.Millisecond

func (r *Runner) take() control {
	r.mu.Lock()
	defer r.mu.Unlock()
	act := r.pending
	r.pending = ctlNone
	return act
}

// wait blocks until one of the wanted controls arrives (others are dropped)
// or ctx ends (ctlNone).
func (r *Runner) wait(ctx context.Context, want ...control) control {
	for {
		if act := r.take(); act != ctlNone {
			for _, w := range want {
				if act == w {
					return act
				}
			}
		}
		select {
		case <-ctx.Done():
			return ctlNone
		case <-r.ctlWake:
		}
	}
}

func (r *Runner) finish() {
	r.mu.Lock()
	r.finished = true
	of := len(r.sc.Stages)
	r.mu.Unlock()
	r.send(model.Caption{Text: fmt.Sprintf("Scenario %s finished (%d stages) — r runs it again, q quits", r.sc.Name, of), Stage: of, Of: of}, true)
}

func (r *Runner) stopped(i int, err error) {
	r.mu.Lock()
	r.lastErr = err.Error()
	r.mu.Unlock()
	of := len(r.sc.Stages)
	r.send(model.Caption{
		Text:  fmt.Sprintf("Stage %d/%d: the workload stopped: %v — n goes on to the next stage, r restarts the scenario", i+1, of, err),
		Stage: i + 1, Of: of,
	}, true)
}

// restart throws the server's data away (kill, remove snapshots, start
// again on the same port) and gives a fresh Env for stage 1.
func (r *Runner) restart(ctx context.Context, env *Env) (*Env, error) {
	env.close()
	r.srv.Kill()
	removeSnapshots(r.srv.Dir)
	r.mu.Lock()
	r.last = model.Caption{}
	r.mu.Unlock()
	r.Resume()
	if err := r.srv.Restart(ctx); err != nil {
		r.send(model.Caption{Text: "Restart failed: " + err.Error()}, true)
		return env, err //nolint:wrapcheck // redisproc's errors start with "demo:" and say what failed
	}
	return r.newEnv(), nil
}

func removeSnapshots(dir string) {
	for _, pattern := range []string{"*.rdb", "*.aof"} {
		matches, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, m := range matches {
			_ = os.Remove(m)
		}
	}
	_ = os.RemoveAll(filepath.Join(dir, "appendonlydir"))
}

// Next ends the current stage and starts the next one (after a workload
// error too). At the end of the scenario it does nothing.
func (r *Runner) Next() { r.control(ctlNext) }

// Restart stops the workload, restarts the server empty and runs the
// scenario from stage 1, unpaused.
func (r *Runner) Restart() { r.control(ctlRestart) }

func (r *Runner) control(c control) {
	r.mu.Lock()
	if r.pending != ctlRestart { // a restart wins over a next
		r.pending = c
	}
	if r.cancelStage != nil {
		r.cancelStage()
	}
	r.mu.Unlock()
	wake(r.ctlWake)
}

// Pause stops the workload's writes: no new batch starts until Resume (a
// batch in flight finishes; Status().Busy says when it has). Stage timers
// stop too.
func (r *Runner) Pause() {
	r.mu.Lock()
	if !r.paused {
		r.paused, r.pausedAt, r.resumed = true, time.Now(), make(chan struct{})
	}
	r.mu.Unlock()
	wake(r.pauseWake)
}

// Resume lets the workload write again.
func (r *Runner) Resume() {
	r.mu.Lock()
	if r.paused {
		r.paused = false
		r.pausedTotal += time.Since(r.pausedAt)
		close(r.resumed)
	}
	r.mu.Unlock()
	wake(r.pauseWake)
}

// TogglePause pauses a running workload or resumes a paused one, and says
// which it did.
func (r *Runner) TogglePause() (paused bool) {
	r.mu.Lock()
	p := r.paused
	r.mu.Unlock()
	if p {
		r.Resume()
		return false
	}
	r.Pause()
	return true
}

// Status is a snapshot of where the scenario is.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Status{
		Scenario: r.sc.Name, Stage: r.stage, Of: len(r.sc.Stages), Paused: r.paused, Finished: r.finished,
		Busy: r.inflight > 0, Writes: r.writes, Err: r.lastErr,
	}
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// announce says when the workload is paused, and repeats the last caption
// when it resumes.
func (r *Runner) announce(ctx context.Context) {
	announced := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.pauseWake:
		}
		r.mu.Lock()
		paused, last, stage, of := r.paused, r.last, r.stage, len(r.sc.Stages)
		r.mu.Unlock()
		if paused == announced {
			continue
		}
		announced = paused
		switch {
		case paused:
			r.send(model.Caption{Text: fmt.Sprintf("Paused at stage %d/%d: the workload has stopped writing — p resumes it", stage, of), Stage: stage, Of: of}, false)
		case last.Text != "":
			r.send(last, false)
		}
	}
}

// active is the runner's age minus the time spent paused: stage timers
// (holds) run on it, so a pause stretches them.
func (r *Runner) active() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	d := time.Since(r.born) - r.pausedTotal
	if r.paused {
		d -= time.Since(r.pausedAt)
	}
	return d
}

// send delivers a caption, giving up when Run's ctx ends. remember marks a
// workload caption, the one Resume repeats.
func (r *Runner) send(c model.Caption, remember bool) {
	r.mu.Lock()
	if remember {
		r.last = c
	}
	ctx := r.sendCtx
	r.mu.Unlock()
	if r.opts.Updates == nil {
		return
	}
	c.Time = time.Now()
	select {
	case r.opts.Updates <- model.Update{Caption: &c}:
	case <-ctx.Done():
	}
}

// errStopped is what a stage returns when its goal cannot be reached in time.
var errStopped = errors.New("demo: the workload did not reach its goal in time")
