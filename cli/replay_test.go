package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// recordLive polls a real server (with a scenario writing to it) through
// the recorder, and returns what the UI received and the file.
func recordLive(t *testing.T, path string, polls int) []model.Update {
	t.Helper()
	ctx := t.Context()
	sc, _ := demo.Lookup("mixed")
	captions := make(chan model.Update, 16)
	runner, err := demo.NewRunner(ctx, sc, demo.RunnerOptions{Updates: captions, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runner.Close)
	opts := redisx.DefaultOptions()
	opts.Addr = runner.Server().Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	pctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { _ = runner.Run(pctx) })
	// The monitor's own wiring: the poller and the captions through the
	// recorder to the UI's source.
	cfg := app.Config{Interval: 50 * time.Millisecond, History: time.Minute, Theme: "dark", Record: path, ExtrasEvery: 200 * time.Millisecond}
	mon, err := app.StartMonitor(pctx, c, cfg, app.Extras{Source: captions, Target: opts.Redacted()})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var got []model.Update
	samples := 0
	for samples < polls {
		u := <-mon.UI.Source
		got = append(got, u)
		if u.Sample != nil {
			samples++
		}
	}
	cancel()
	wg.Wait()
	mon.Wait()
	return got
}

func frames(t *testing.T, ups []model.Update) []string {
	t.Helper()
	var m tea.Model = ui.New(ui.Options{Target: "x", Interval: 50 * time.Millisecond, History: time.Minute})
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	var out []string
	for _, u := range ups {
		m, _ = m.Update(u)
		if u.Sample != nil {
			out = append(out, m.View().Content)
		}
	}
	return out
}

func TestRecordingReplaysToTheSameFrames(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.jsonl.gz")
	live := recordLive(t, path, 30)
	rec, err := app.LoadRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	// The recorder writes a line before it hands the update on, so a line
	// can be recorded that the UI never got because the run stopped: at most
	// one, at the end.
	if rec.Truncated || len(rec.Lines) < len(live) || len(rec.Lines) > len(live)+1 {
		t.Fatalf("recorded %d lines (truncated %v), the UI received %d", len(rec.Lines), rec.Truncated, len(live))
	}
	replayed := make([]model.Update, len(live))
	for i, l := range rec.Lines[:len(live)] {
		replayed[i] = l.Update
	}
	a, b := frames(t, live), frames(t, replayed)
	if len(a) != 30 || len(a) != len(b) {
		t.Fatalf("%d live frames, %d replayed", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("frame at sample %d differs:\nlive:\n%s\nreplay:\n%s", i, a[i], b[i])
		}
	}
	if !strings.Contains(a[len(a)-1], "Memory") {
		t.Error("the frames do not look like the monitor")
	}
}

func TestTruncatedRecordingStillReplays(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "run.jsonl")
	live := recordLive(t, path, 10)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	whole, err := app.LoadRecording(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(whole.Lines); n < len(live) || n > len(live)+1 { // see TestRecordingReplaysToTheSameFrames
		t.Fatalf("recorded %d lines, the UI received %d", n, len(live))
	}
	cut := filepath.Join(dir, "cut.jsonl")
	if err := os.WriteFile(cut, b[:len(b)-7], 0o600); err != nil { // killed mid-line
		t.Fatal(err)
	}
	rec, err := app.LoadRecording(cut)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Truncated || len(rec.Lines) != len(whole.Lines)-1 {
		t.Fatalf("truncated %v, %d lines of %d", rec.Truncated, len(rec.Lines), len(whole.Lines))
	}
	// replay --report on it works and says it was cut off.
	code, out, errOut := runCLI(t, "replay", "--report", "--format", "json", cut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep model.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Memory.UsedMemory.Valid || !strings.Contains(strings.Join(rep.Notes, " "), "cut off") {
		t.Errorf("report from a cut recording: used %+v notes %v", rep.Memory.UsedMemory, rep.Notes)
	}
	// A corrupt line in the middle names the line.
	lines := bytes.SplitN(b, []byte("\n"), 4)
	bad := filepath.Join(dir, "bad.jsonl")
	corrupt := append(append(append([]byte{}, lines[0]...), '\n'), append(lines[1], []byte("\n{oops\n")...)...)
	corrupt = append(corrupt, lines[3]...)
	if err := os.WriteFile(bad, corrupt, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "replay", "--report", bad); code != ExitRuntime || !strings.Contains(errOut, "line 3") {
		t.Errorf("corrupt recording: exit %d, stderr %q", code, errOut)
	}
}
