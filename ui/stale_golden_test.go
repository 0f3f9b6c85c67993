package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// disconnected is a run whose server stopped answering after 300 s: the
// poller's gap samples, the link reconnecting (attempt 9) and the scan
// failing with its next try.
func disconnected(t *testing.T, w, h int) Model {
	t.Helper()
	samples := synth{n: 300, maxmemory: 256 * mb}.samples()
	last := samples[len(samples)-1].Time
	m := sized(t, w, h, Options{ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()}}, samples)
	for i := 1; i <= 9; i++ {
		gap := model.Sample{Time: last.Add(time.Duration(i) * time.Second), Err: "dial tcp 10.0.0.7:6379: connection refused"}
		m = step(t, m, model.Update{Sample: &gap})
	}
	m = step(t, m, model.Update{Conn: &model.Conn{
		State: model.ConnReconnecting, Since: last.Add(time.Second), Attempt: 9, Err: "dial tcp 10.0.0.7:6379: connection refused",
	}})
	failed := model.ScanProgress{
		Phase: model.ScanFailed, Pass: 1, Scanned: 48_000, DBSize: 120_000,
		Err: "connection refused", RetryAt: last.Add(14 * time.Second),
	}
	return step(t, m, model.Update{Scan: &model.ScanUpdate{Progress: failed}})
}

// neverForked is a server up for an hour that has neither forked nor
// saved: latest_fork_usec 0, total_forks 0, rdb_saves 0, and the
// rdb_last_save_time Redis sets to its own start.
func neverForked() []model.Sample {
	samples := synth{n: 300, maxmemory: 256 * mb}.samples()
	for i := range samples {
		s := &samples[i]
		up, _ := s.Server.Uptime.Get()
		p := &s.Persistence
		s.Stats.LatestForkUsec = model.Some(0)
		s.Stats.TotalForks = model.Some(0)
		p.RDBSaves = model.Some(0)
		p.RDBLastBgsaveTimeSec = model.Some(-1)
		p.AOFLastRewriteTimeSec = model.Some(-1)
		p.AOFRewrites = model.Some(0)
		p.RDBLastCOWSize = model.Some(0)
		p.RDBLastSaveTime = model.Some(float64(s.Time.Unix()) - up)
	}
	return samples
}

// TestStaleGolden: whole frames at the three reference sizes of a server
// that stopped answering (figures "as of", the checklist paused, the scan's
// retry) and of one that never forked nor saved ("never", "none since
// start").
func TestStaleGolden(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		t.Run(fmt.Sprintf("%dx%d/disconnected", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			frame := disconnected(t, sz[0], sz[1]).View().Content
			checkFrame(t, frame, sz[0], sz[1])
			plain := ansi.Strip(frame)
			header := strings.SplitN(plain, "\n", 2)[0]
			if !strings.Contains(header, "reconnecting (attempt 9)") {
				t.Errorf("header %q lacks the link state", header)
			}
			if sz[0] >= 120 && !strings.Contains(header, "figures as of 14:04:59") {
				t.Errorf("header %q lacks the time of the figures", header)
			}
			golden.RequireEqual(t, plain)
		})
		t.Run(fmt.Sprintf("%dx%d/neverforked", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			m := sized(t, sz[0], sz[1], Options{}, neverForked())
			if sz[0] < WideWidth {
				m = step(t, m, redistest.Key("tab"))
				m = step(t, m, redistest.Key("tab"))
				m = step(t, m, redistest.Key("tab"))
				m = step(t, m, redistest.Key("e")) // the persistence pane, expanded
			}
			frame := m.View().Content
			checkFrame(t, frame, sz[0], sz[1])
			plain := ansi.Strip(frame)
			for _, want := range []string{"last fork      never", "last save      none since start", "since start", "rdb none · aof none"} {
				if !strings.Contains(plain, want) {
					t.Errorf("lacks %q:\n%s", want, plain)
				}
			}
			golden.RequireEqual(t, plain)
		})
	}
}

// TestStaleFramesAreFaint: the disconnected frame draws the panes' figures
// faint; the same history live draws none.
func TestStaleFramesAreFaint(t *testing.T) {
	t.Parallel()
	samples := synth{n: 300, maxmemory: 256 * mb}.samples()
	live := sized(t, 120, 40, Options{}, samples).View().Content
	stale := disconnected(t, 120, 40).View().Content
	st := themes.NewStyles(themes.Dark())
	used := st.Stale().Used.Bold(true).Render("━") // a series mark of the figures column
	if strings.Contains(live, used) {
		t.Error("a live frame has faint figures")
	}
	if !strings.Contains(stale, st.Stale().Used.Render("━")) {
		t.Errorf("the stale frame's figures are not faint:\n%q", stale)
	}
}

// TestGraphLinesStopAtTheRule: at every reference size, every plot row
// ends at the rule before the figures, so no line runs into a label.
func TestGraphLinesStopAtTheRule(t *testing.T) {
	t.Parallel()
	st := themes.NewStyles(themes.Dark())
	d := dataOf(synth{n: 600, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()...)
	for _, w := range []int{80, 120, 200} {
		out := ansi.Strip(newMemoryPane().Render(d, st, w, 20, false))
		lines := strings.Split(out, "\n")
		for i, l := range lines[1 : len(lines)-1] {
			cells := []rune(l)
			at := len(cells) - 1 - numbersW - 2 // the rule, before the figures and the border
			if cells[at] != '│' {
				t.Errorf("w=%d row %d: %q has no rule at cell %d", w, i, l, at)
			}
		}
	}
}

// TestAxisHasNoNegativeZero: a series at zero (an empty server) labels its
// axis from 0B up, never -0B.
func TestAxisHasNoNegativeZero(t *testing.T) {
	t.Parallel()
	samples := synth{n: 120, flat: true}.samples()
	for i := range samples {
		samples[i].Memory.UsedMemory = model.Some(0)
		samples[i].Memory.UsedMemoryRSS = model.Some(0.4)
	}
	st := themes.NewStyles(themes.Dark())
	out := ansi.Strip(newMemoryPane().Render(dataOf(samples...), st, 120, 20, false))
	if strings.Contains(out, "-0B") || !strings.Contains(out, "0B┤") {
		t.Errorf("axis:\n%s", out)
	}
}
