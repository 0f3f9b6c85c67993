package main

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// trustSafety bounds how long a trust test waits for something that must
// happen: a deadlock guard, not a speed assertion.
const trustSafety = 30 * time.Second

// commandStatsMain reads INFO commandstats with a plain client: command
// ("config|get" form) → calls. It counts every executed command, the admin
// ones MONITOR does not show included.
func commandStatsMain(t *testing.T, addr string) map[string]float64 {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	text, err := c.Info(t.Context(), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := redisx.ParseInfo(text).Section("commandstats")
	out := map[string]float64{}
	for _, f := range sec.Fields {
		name := strings.TrimPrefix(f.Key, "cmdstat_")
		for _, kv := range redisx.ParseKV(f.Value) {
			if kv.Key == "calls" {
				out[name] = redisx.ParseNumber(kv.Value).V
			}
		}
	}
	return out
}

func commandCalls(t *testing.T, addr, name string) float64 {
	t.Helper()
	return commandStatsMain(t, addr)[name]
}

func toArgs(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// connectMain connects redisx to addr with o's credentials.
func connectMain(t *testing.T, o redisx.Options) *redisx.Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), trustSafety)
	defer cancel()
	c, err := redisx.Connect(ctx, o)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// liveRig wires a client the way monitor() does — poller (with its Extras)
// → forward (the scan slows down during a fork) → the UI's source, the scan
// worker beside it, optionally the recorder (tee) in between — but drives
// ui.Model directly from the test, one message at a time.
type liveRig struct {
	t       *testing.T
	c       *redisx.Client
	m       ui.Model
	src     chan model.Update // what the UI receives
	worker  *redisx.ScanWorker
	cancel  context.CancelFunc // everything
	pcancel context.CancelFunc // the producers: poller, forward, scan worker
	wg      sync.WaitGroup
	pwg     sync.WaitGroup
	polled  atomic.Int64 // samples the poller sent on towards the UI (gaps included)
	folded  int          // samples folded into the UI
	updates []model.Update
	keep    bool // keep every update folded (updates)
	rec     *recorder
	once    sync.Once
}

type rigOptions struct {
	interval time.Duration // poll period (default 100ms)
	extras   time.Duration // Extras period (default 300ms; <0: none)
	scan     *redisx.ScanOptions
	record   string // --record path
	actions  []ui.Action
	w, h     int
	keep     bool
}

func startLive(t *testing.T, c *redisx.Client, o rigOptions) *liveRig {
	t.Helper()
	if o.interval <= 0 {
		o.interval = 100 * time.Millisecond
	}
	if o.extras == 0 {
		o.extras = 300 * time.Millisecond
	}
	if o.w == 0 {
		o.w, o.h = 160, 50
	}
	ctx, cancel := context.WithCancel(context.Background())
	pctx, pcancel := context.WithCancel(ctx)
	r := &liveRig{t: t, c: c, cancel: cancel, pcancel: pcancel, keep: o.keep}
	t.Cleanup(r.stop)
	updates := make(chan model.Update, 64)
	r.src = updates
	if o.record != "" {
		rec, err := openRecorder(o.record, model.RecordingHeader{Target: c.Options().Redacted(), Interval: o.interval, Start: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		recorded := make(chan model.Update, 64)
		r.src = recorded
		r.rec = rec
		r.goRun(func() { tee(ctx, updates, recorded, rec) })
	}
	panes := []ui.Pane{ui.NewChecklistPane()}
	actions := append([]ui.Action{}, o.actions...)
	if o.scan != nil {
		r.worker = c.NewScanWorker(*o.scan)
		panes = []ui.Pane{ui.NewBigKeysPane(), ui.NewChecklistPane()}
		actions = append(actions, ui.ScanActions(r.worker)...)
		r.goProduce(func() { _ = r.worker.Run(pctx, updates) })
	}
	p := redisx.NewPoller(c, o.interval, 0)
	p.ExtrasInterval = max(o.extras, 0)
	polled := make(chan model.Update, 16)
	r.goProduce(func() { _ = p.Run(pctx, polled) })
	// As monitor()'s forward, but a sample is counted once it is handed on.
	r.goProduce(func() {
		for {
			var u model.Update
			select {
			case <-pctx.Done():
				return
			case u = <-polled:
			}
			if u.Sample != nil && r.worker != nil && !u.Sample.IsGap() {
				r.worker.SetForkRunning(u.Sample.ForkRunning())
			}
			select {
			case updates <- u:
				if u.Sample != nil {
					r.polled.Add(1)
				}
			case <-pctx.Done():
				return
			}
		}
	})
	r.m = ui.New(ui.Options{
		Source: r.src, Target: c.Options().Redacted(), Theme: "dark", Interval: o.interval, History: 10 * time.Minute,
		Recording: o.record != "", ExtraPanes: panes, Actions: actions, Export: exporter(c, c.Options().Redacted()),
	})
	r.m, _ = uiStep(t, r.m, tea.WindowSizeMsg{Width: o.w, Height: o.h})
	return r
}

func (r *liveRig) goRun(f func()) {
	r.wg.Add(1)
	go func() { defer r.wg.Done(); f() }()
}

func (r *liveRig) goProduce(f func()) {
	r.pwg.Add(1)
	go func() { defer r.pwg.Done(); f() }()
}

// stop ends every goroutine, then closes the recording.
func (r *liveRig) stop() {
	r.cancel()
	r.pwg.Wait()
	r.wg.Wait()
	r.once.Do(func() {
		if r.rec != nil {
			_ = r.rec.close()
		}
	})
}

// drain stops the producers, then folds what is still on its way until the
// UI has every sample the poller handed on.
func (r *liveRig) drain() {
	r.t.Helper()
	r.pcancel()
	r.pwg.Wait()
	r.until("every sample handed on", func(ui.Model) bool { return int64(r.folded) == r.polled.Load() })
}

// fold applies one update to the UI.
func (r *liveRig) fold(u model.Update) {
	if u.Sample != nil {
		r.folded++
	}
	if r.keep {
		r.updates = append(r.updates, u)
	}
	r.m, _ = uiStep(r.t, r.m, u)
}

// until folds updates until cond holds.
func (r *liveRig) until(what string, cond func(m ui.Model) bool) {
	r.t.Helper()
	deadline := time.After(trustSafety)
	for !cond(r.m) {
		select {
		case u := <-r.src:
			r.fold(u)
		case <-deadline:
			r.t.Fatalf("waiting for %s; the screen:\n%s", what, ansi.Strip(r.m.View().Content))
		}
	}
}

// press sends one key to the UI and returns its command.
func (r *liveRig) press(k string) tea.Cmd {
	r.t.Helper()
	var cmd tea.Cmd
	r.m, cmd = uiStep(r.t, r.m, redistest.Key(k))
	return cmd
}

func (r *liveRig) frame() string { return ansi.Strip(r.m.View().Content) }

func scanDone(m ui.Model) bool {
	s := m.Live().Scan
	return s != nil && s.Progress.Phase == model.ScanDone
}
