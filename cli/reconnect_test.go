package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

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
	// The monitor's own wiring, the UI driven one message at a time.
	d := startLive(t, c, rigOptions{w: 120, h: 40})
	onFrame := func(cond func(frame string) bool) func(ui.Model) bool {
		return func(ui.Model) bool { return cond(d.frame()) }
	}

	d.until("live", onFrame(func(f string) bool {
		return strings.Contains(f, "● live") && strings.Contains(f, serverUnderTest(t).Label())
	}))
	srv.Kill()
	d.until("reconnecting", onFrame(func(f string) bool { return strings.Contains(f, "reconnecting") }))
	// The UI answers keys while the server is gone.
	d.press("?")
	if !strings.Contains(d.frame(), "freeze display") {
		t.Fatalf("? did not open the help while reconnecting:\n%s", d.frame())
	}
	d.press("esc")
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	d.until("live again with a fresh sample", onFrame(func(f string) bool {
		last := d.m.Live().Hist.Last()
		return strings.Contains(f, "● live") && last != nil && !last.IsGap()
	}))
	// The graph goes on with a gap and a restart mark: the history holds a
	// gap sample between good ones and the events say so.
	live := d.m.Live()
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
