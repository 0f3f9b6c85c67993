package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// uiDriver feeds the real poller's updates into the root model the way the
// program does (one message at a time) and lets the test press keys between
// them.
type uiDriver struct {
	t       *testing.T
	m       tea.Model
	updates chan model.Update
}

func (d *uiDriver) press(k string) tea.Cmd {
	d.t.Helper()
	var cmd tea.Cmd
	d.m, cmd = d.m.Update(redistest.Key(k))
	return cmd
}

func (d *uiDriver) frame() string { return ansi.Strip(d.m.View().Content) }

// until folds updates until cond holds on the frame.
func (d *uiDriver) until(what string, cond func(frame string) bool) {
	d.t.Helper()
	deadline := time.After(30 * time.Second)
	for !cond(d.frame()) {
		select {
		case u := <-d.updates:
			d.m, _ = d.m.Update(u)
		case <-deadline:
			d.t.Fatalf("waiting for %s; the screen:\n%s", what, d.frame())
		}
	}
}

func TestKilledServerReconnectsAndTheUIKeepsAnswering(t *testing.T) {
	srv := redistest.StartServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	opts := redisx.DefaultOptions()
	opts.Addr = srv.Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	d := &uiDriver{t: t, updates: make(chan model.Update, 64)}
	d.m = ui.New(ui.Options{Target: opts.Redacted(), Interval: 100 * time.Millisecond, History: time.Minute})
	d.m, _ = d.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); _ = redisx.NewPoller(c, 100*time.Millisecond, 0).Run(ctx, d.updates) }()
	defer wg.Wait()
	defer cancel()

	d.until("live", func(f string) bool { return strings.Contains(f, "● live") && strings.Contains(f, "Redis 7") })
	srv.Kill()
	d.until("reconnecting", func(f string) bool { return strings.Contains(f, "reconnecting") })
	// The UI answers keys while the server is gone.
	d.press("?")
	if !strings.Contains(d.frame(), "freeze display") {
		t.Fatalf("? did not open the help while reconnecting:\n%s", d.frame())
	}
	d.press("esc")
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	d.until("live again with a fresh sample", func(f string) bool {
		last := d.m.(ui.Model).Live().Hist.Last()
		return strings.Contains(f, "● live") && last != nil && !last.IsGap()
	})
	// The graph goes on with a gap and a restart mark: the history holds a
	// gap sample between good ones and the events say so.
	live := d.m.(ui.Model).Live()
	var gaps int
	for i := range live.Hist.Len() {
		if live.Hist.At(i).IsGap() {
			gaps++
		}
	}
	if gaps == 0 || live.Hist.Last().IsGap() {
		t.Errorf("history: %d gaps, last is gap %v", gaps, live.Hist.Last().IsGap())
	}
	kinds := map[model.EventKind]bool{}
	for _, e := range live.Events {
		kinds[e.Kind] = true
	}
	if !kinds[model.EventGapStart] || !kinds[model.EventGapEnd] || !kinds[model.EventRestart] {
		t.Errorf("events %v lack gap start/end or restart", live.Events)
	}
	if cmd := d.press("q"); cmd == nil {
		t.Fatal("q returned no command")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Fatal("q did not quit")
	}
}

// TestReportFromEveryCapture builds the report from each real INFO capture,
// as if a server had answered with it: valid JSON of the documented shape,
// and the figures the capture has (absent ones null).
func TestReportFromEveryCapture(t *testing.T) {
	files, err := filepath.Glob(redistest.CapturePath("info", "*.txt"))
	if err != nil || len(files) < 10 {
		t.Fatalf("captures: %v %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			info := redisx.ParseInfo(string(b))
			t0 := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
			h := model.NewHistory(4)
			h.Add(redisx.SampleFromInfo(info, t0, time.Millisecond))
			h.Add(redisx.SampleFromInfo(info, t0.Add(time.Second), time.Millisecond))
			rep := model.BuildReport(model.ReportInput{Now: t0.Add(time.Second), Target: model.ReportTarget{Addr: "capture"}, Hist: h})
			out, err := json.Marshal(rep)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				t.Fatal(err)
			}
			mem := m["memory"].(map[string]any)
			if _, has := info.Get("used_memory"); has {
				if mem["used_memory"] == nil {
					t.Error("used_memory is in the capture but null in the report")
				}
			} else if mem["used_memory"] != nil || m["unavailable"].(map[string]any)["INFO memory"] == nil {
				t.Errorf("no Memory section: used_memory %v, unavailable %v", mem["used_memory"], m["unavailable"])
			}
			if v, has := info.Get("current_cow_size"); !has && m["persistence"].(map[string]any)["current_cow_size"] != nil {
				t.Error("current_cow_size is not in the capture but the report has a value")
			} else if has && m["persistence"].(map[string]any)["current_cow_size"] == nil {
				t.Errorf("current_cow_size %q lost", v)
			}
			var md strings.Builder
			if err := rep.WriteMarkdown(&md); err != nil || !strings.Contains(md.String(), "## Memory") {
				t.Errorf("Markdown: %v", err)
			}
		})
	}
}
