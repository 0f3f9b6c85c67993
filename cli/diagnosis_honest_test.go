package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

var (
	paneEvicted  = regexp.MustCompile(`evicted\s+(\S+/s)`)
	checkEvicted = regexp.MustCompile(`Evicting (\S+/s)|No evictions in the last`)
)

// evictedFigures reads evicted/s from the limits pane and from the
// checklist, as the user sees them on one frame.
func evictedFigures(frame string) (pane, check string) {
	if m := paneEvicted.FindStringSubmatch(frame); m != nil {
		pane = m[1]
	}
	if m := checkEvicted.FindStringSubmatch(frame); m != nil {
		check = m[1]
		if check == "" {
			check = "0/s"
		}
	}
	return pane, check
}

// TestOneFigureOnScreen: on a real server, the graph's ceiling and legend
// follow CONFIG SET maxmemory and agree with the header; the limits pane's
// and the checklist's evicted/s agree while the server evicts, and both fall
// to 0/s once it stopped.
func TestOneFigureOnScreen(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 1gb", "maxmemory-policy allkeys-lru")
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	val := strings.Repeat("v", 1024)
	write := func(from, n int) {
		t.Helper()
		p := w.Pipeline()
		for i := from; i < from+n; i++ {
			p.Set(ctx, "k:"+strconv.Itoa(i), val, 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 3000) // ~4 MB of data
	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	// 200 columns: the header keeps maxmemory beside the load (at 120 and
	// 160 it drops it first: the graph and the limits pane show it).
	r := startLive(t, connectMain(t, o), rigOptions{w: 200, h: 60})
	r.until("a few samples", func(ui.Model) bool { return r.folded >= 5 })
	if f := r.frame(); !strings.Contains(f, "maxmemory 1.00G (off scale)") {
		t.Errorf("before the change, the legend:\n%s", f)
	}

	// CONFIG SET maxmemory 6mb: on the graph's scale, and named as the
	// header names it.
	if err := w.ConfigSet(ctx, "maxmemory", "6mb").Err(); err != nil {
		t.Fatal(err)
	}
	r.until("the legend follows maxmemory", func(ui.Model) bool {
		return strings.Contains(r.frame(), "┄ maxmemory 6.00M (was 1.00G)")
	})
	if f := r.frame(); !strings.Contains(f, "maxmemory 6.00M · allkeys-lru") || strings.Contains(f, "1.00G (off scale)") {
		t.Errorf("the header and the legend disagree:\n%s", f)
	}

	// Evict: write past the limit for a couple of seconds.
	next := 3000
	evicting := func(ui.Model) bool {
		write(next, 300)
		next += 300
		pane, check := evictedFigures(r.frame())
		return pane != "" && pane != "0/s" && pane == check
	}
	r.until("evictions on the pane and the checklist alike", evicting)
	for range 5 { // the figures agree poll after poll while it evicts
		write(next, 300)
		next += 300
		r.until("a sample", func() func(ui.Model) bool { n := r.folded; return func(ui.Model) bool { return r.folded > n } }())
		if pane, check := evictedFigures(r.frame()); pane != check {
			t.Fatalf("pane %q, checklist %q:\n%s", pane, check, r.frame())
		}
	}
	// Stopped: both say 0/s once the recent span has no eviction.
	stopped := time.Now()
	r.until("both at 0/s after evictions stopped", func(ui.Model) bool {
		pane, check := evictedFigures(r.frame())
		return pane == "0/s" && check == "0/s"
	})
	if d := time.Since(stopped); d > model.ThresholdRecentRateSpan+5*time.Second {
		t.Errorf("took %s to read 0/s", d)
	}
	if f := r.frame(); !strings.Contains(f, "✓ ok      No evictions in the last") {
		t.Errorf("the checklist after evictions stopped:\n%s", f)
	}
}

// TestPartialExportSaysPartial: an export while the scan is part-way says
// "partial (N % scanned)" for the big-key check, never ok, even though the
// keys seen so far hold no big one.
func TestPartialExportSaysPartial(t *testing.T) {
	srv := redistest.StartServer(t)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	p := w.Pipeline()
	for i := range 4000 {
		p.Set(ctx, "small:"+strconv.Itoa(i), "x", 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	r := startLive(t, connectMain(t, o), rigOptions{scan: &app.ScanConfig{Rate: 200, ProgressEvery: 100 * time.Millisecond}})
	r.until("a scan part-way", func(m ui.Model) bool {
		s := m.Live().Scan
		return s != nil && s.Progress.Phase == model.ScanScanning && s.Progress.Scanned > 0 && m.Live().Extras != nil
	})
	t.Chdir(t.TempDir())
	if cmd := r.press("x"); cmd != nil {
		r.m, _ = uiStep(t, r.m, cmd())
	}
	files, _ := filepath.Glob("redis-memtop-report-*.json")
	if len(files) != 1 {
		t.Fatalf("export wrote %v", files)
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var rep model.Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	ch, _ := rep.Checklist.Find(model.CheckBigKeys)
	if ch.Status == model.StatusOK || !strings.Contains(ch.Title, "partial (") || !strings.Contains(ch.Title, "% scanned)") {
		t.Errorf("big-keys in a partial export: %s %q", ch.Status, ch.Title)
	}
	if f := r.frame(); !strings.Contains(f, "Big keys: partial (") {
		t.Errorf("the checklist on screen does not say partial:\n%s", f)
	}
}

// TestReportGathersATrend: `report` gathers enough history for a trend by
// default, and --quick says how to raise its low confidence.
func TestReportGathersATrend(t *testing.T) {
	t.Parallel()
	srv := redistest.StartServer(t)
	t.Run("default", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := runCLI(t, "report", "--format", "json", "redis://"+srv.Addr)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var rep model.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.History == nil || rep.History.Samples < 10 || rep.History.To.Sub(rep.History.From) < model.ThresholdMinTrendSpan {
			t.Fatalf("history %+v", rep.History)
		}
		if ch, _ := rep.Checklist.Find(model.CheckRSSVsUsed); ch.Status == model.StatusUnknown {
			t.Errorf("the trend check is still unknown: %q", ch.Title)
		}
		if v := rep.Verdict; v != nil && v.Confidence == model.ConfidenceLow && !strings.Contains(strings.Join(rep.Notes, "\n"), "run with a longer --duration") {
			t.Errorf("low confidence without a hint: %v", rep.Notes)
		}
	})
	t.Run("quick", func(t *testing.T) {
		t.Parallel()
		code, out, errOut := runCLI(t, "report", "--quick", "redis://"+srv.Addr)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if !strings.Contains(out, "(low confidence)") || !strings.Contains(out, "- Note: low confidence: 2 samples over 1.0s; run without --quick (10s of samples) or with --duration 60s") {
			t.Errorf("the quick report does not say how to raise its confidence:\n%s", out)
		}
	})
}
