package cli

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/promx"
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

// liveRig runs the monitor's own wiring (app.StartMonitor: poller with its
// Extras → the scan's fork feed → the UI's source, the scan worker beside
// it, optionally the recorder in between) but drives ui.Model directly from
// the test, one message at a time.
type liveRig struct {
	t       *testing.T
	c       *redisx.Client
	m       ui.Model
	mon     *app.Monitor
	src     <-chan model.Update // what the UI receives
	worker  *redisx.ScanWorker
	cancel  context.CancelFunc
	folded  int // samples folded into the UI
	updates []model.Update
	keep    bool // keep every update folded (updates)
}

type rigOptions struct {
	interval time.Duration // poll period (default 100ms)
	extras   time.Duration // Extras period (default 300ms; <0: none)
	scan     *app.ScanConfig
	record   string // --record path
	actions  []ui.Action
	w, h     int
	keep     bool
	source   <-chan model.Update // more updates for the UI (a demo's captions)
	prom     *promx.Client       // --prometheus
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
	cfg := app.Config{Interval: o.interval, History: 10 * time.Minute, Theme: "dark", Record: o.record, ExtrasEvery: o.extras}
	cfg.Prometheus = o.prom
	if o.scan != nil {
		cfg.Scan = *o.scan
		cfg.Scan.On = true
	}
	ctx, cancel := context.WithCancel(context.Background())
	mon, err := app.StartMonitor(ctx, c, cfg, app.Extras{Target: c.Options().Redacted(), Actions: o.actions, Source: o.source})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	r := &liveRig{t: t, c: c, mon: mon, src: mon.UI.Source, worker: mon.Worker, cancel: cancel, keep: o.keep}
	t.Cleanup(r.stop)
	r.m = ui.New(mon.UI)
	r.m, _ = uiStep(t, r.m, tea.WindowSizeMsg{Width: o.w, Height: o.h})
	return r
}

// stop ends every goroutine, then closes the recording.
func (r *liveRig) stop() {
	r.cancel()
	r.mon.Wait()
}

// drain stops the producers, then folds what is still on its way until the
// UI has every sample the poller handed on.
func (r *liveRig) drain() {
	r.t.Helper()
	r.mon.StopProducers()
	r.until("every sample handed on", func(ui.Model) bool { return int64(r.folded) == r.mon.Polled() })
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

// testServer is what the redis-server the tests run says it is (from
// --version, no connection needed): the matrix runs them against Redis
// 6.2 to 8.0 and Valkey, and a test asserts its server's product and
// version instead of Debian's 7.0.
type testServer struct {
	Product string // "redis" or "valkey", as reports name it
	Version string // 7.4.1; Valkey's own (8.0.1), not its redis_version
}

// Major is the version's first number.
func (s testServer) Major() string { m, _, _ := strings.Cut(s.Version, "."); return m }

// Label is how the monitor's header names it: "Redis 7", "Valkey 8".
func (s testServer) Label() string {
	return strings.ToUpper(s.Product[:1]) + s.Product[1:] + " " + s.Major()
}

func serverUnderTest(t *testing.T) testServer {
	t.Helper()
	bin := redistest.RequireServer(t)
	out, err := exec.Command(bin, "--version").Output() //nolint:noctx // the test's own server binary
	if err != nil {
		t.Fatalf("%s --version: %v", bin, err)
	}
	s := testServer{Product: "redis"}
	if strings.HasPrefix(string(out), "Valkey") {
		s.Product = "valkey"
	}
	_, v, _ := strings.Cut(string(out), " v=")
	s.Version, _, _ = strings.Cut(v, " ")
	return s
}
