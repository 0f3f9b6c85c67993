package main

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
	rec, err := openRecorder(path, model.RecordingHeader{Target: opts.Redacted(), Interval: 50 * time.Millisecond, Start: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	in := make(chan model.Update, 64)
	out := make(chan model.Update, 64)
	var wg sync.WaitGroup
	wg.Add(4)
	go func() { defer wg.Done(); _ = runner.Run(pctx) }()
	go func() {
		defer wg.Done()
		p := redisx.NewPoller(c, 50*time.Millisecond, 0)
		p.ExtrasInterval = 200 * time.Millisecond
		_ = p.Run(pctx, in)
	}()
	go func() { // the captions join the poller's updates, as in monitor()
		defer wg.Done()
		for {
			select {
			case u := <-captions:
				select {
				case in <- u:
				case <-pctx.Done():
					return
				}
			case <-pctx.Done():
				return
			}
		}
	}()
	go func() { defer wg.Done(); tee(pctx, in, out, rec) }()
	var got []model.Update
	samples := 0
	for samples < polls {
		u := <-out
		got = append(got, u)
		if u.Sample != nil {
			samples++
		}
	}
	cancel()
	wg.Wait()
	if err := rec.close(); err != nil {
		t.Fatal(err)
	}
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
	rec, err := loadRecording(path)
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
	whole, err := loadRecording(path)
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
	rec, err := loadRecording(cut)
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
	if code, _, errOut := runCLI(t, "replay", "--report", bad); code != exitRuntime || !strings.Contains(errOut, "line 3") {
		t.Errorf("corrupt recording: exit %d, stderr %q", code, errOut)
	}
}

func TestPlayerSeekBackResetsTheUI(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	rec := &model.Recording{}
	for i := range 10 {
		s := model.Sample{Time: t0.Add(time.Duration(i) * time.Minute)}
		s.Memory.UsedMemory = model.Some(float64(i))
		rec.Lines = append(rec.Lines, model.RecordLine{T: s.Time, Update: model.Update{Sample: &s}})
	}
	pl := newPlayer(rec, 0) // as fast as possible
	out := make(chan model.Update, 100)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); pl.run(ctx, out) }()
	read := func(want func(model.Update) bool) model.Update {
		t.Helper()
		for {
			select {
			case u := <-out:
				if want(u) {
					return u
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the player went quiet")
			}
		}
	}
	end := read(func(u model.Update) bool { return u.Replay != nil && u.Replay.Done })
	if !end.Replay.Pos.Equal(rec.End()) {
		t.Errorf("end at %v", end.Replay.Pos)
	}
	pl.control(func(s *playState) { s.seekTo = pl.seekFrom(s.idx, -5*time.Minute) })
	reset := read(func(u model.Update) bool { return u.Replay != nil && u.Replay.Reset })
	if reset.Replay.Pos != rec.Start() {
		t.Errorf("reset at %v", reset.Replay.Pos)
	}
	first := read(func(u model.Update) bool { return u.Sample != nil })
	if first.Sample.Memory.UsedMemory.V != 0 {
		t.Errorf("after a seek back the first sample is %v, want the recording's first", first.Sample.Memory.UsedMemory)
	}
	cancel()
	<-done
}
