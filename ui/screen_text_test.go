package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// Every sentence the user needs is whole on screen (issue 16): the demo's
// captions, the verdict, the status messages and the scan line, at the
// README's 120×40 and at 80×24 (and 200×60 for the goldens).

var (
	refSizes  = [][2]int{{80, 24}, {120, 40}, {200, 60}}
	textSizes = [][2]int{{80, 24}, {120, 40}}
)

// normWords is s with every run of blanks (and the panes' side borders)
// made one space.
func normWords(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "│", " ")), " ")
}

// readsWhole reports whether text shows whole in lines (plain text): its
// words in order, line breaks anywhere between them, none cut or broken.
func readsWhole(lines []string, text string) bool {
	return strings.Contains(normWords(strings.Join(lines, " ")), normWords(text))
}

// frameLines is the frame as plain lines.
func frameLines(m Model) []string { return strings.Split(ansi.Strip(m.View().Content), "\n") }

// region is the plain text of one rectangle of the frame.
func region(lines []string, r rect) []string {
	var out []string
	for y := r.y; y < r.y+r.h && y < len(lines); y++ {
		out = append(out, ansi.Cut(lines[y], r.x, r.x+r.w))
	}
	return out
}

// demoUI is the monitor as the demo runs it (big keys and checklist panes)
// on a synthetic history.
func demoUI(t *testing.T, w, h int) Model {
	t.Helper()
	many := synth{n: 600, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()
	return sized(t, w, h, Options{ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()}}, many)
}

func withCaption(t *testing.T, m Model, c model.Caption) Model {
	t.Helper()
	c.Time = m.Live().Now
	return step(t, m, model.Update{Caption: &c})
}

// tourCaptions are the captions the tour shows as its stages start, and
// the one at its end.
func tourCaptions(t *testing.T) []model.Caption {
	t.Helper()
	sc, ok := demo.Lookup("tour")
	if !ok {
		t.Fatal("no tour scenario")
	}
	var out []model.Caption
	for i := range sc.Stages {
		out = append(out, sc.StageCaption(i))
	}
	n := len(sc.Stages)
	return append(out, model.Caption{Text: fmt.Sprintf("Scenario tour finished (%d stages) — r runs it again, q quits", n), Stage: n, Of: n})
}

// TestGoldenTour: every stage of the tour at the three reference sizes,
// through the same Model the demo runs, with its caption and the verdict
// whole.
func TestGoldenTour(t *testing.T) {
	t.Parallel()
	caps := tourCaptions(t)
	for _, sz := range refSizes {
		for i, c := range caps {
			name := fmt.Sprintf("%dx%d/stage-%d", sz[0], sz[1], i+1)
			if i == len(caps)-1 {
				name = fmt.Sprintf("%dx%d/finished", sz[0], sz[1])
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				m := withCaption(t, demoUI(t, sz[0], sz[1]), c)
				frame := m.View().Content
				checkFrame(t, frame, sz[0], sz[1])
				lines := frameLines(m)
				l := m.layout(sz[0], sz[1])
				if !readsWhole(region(lines, l.rects[0]), c.Text) {
					t.Errorf("caption %q not whole in the header:\n%s", c.Text, strings.Join(lines, "\n"))
				}
				if v := m.Live().Checklist.Verdict; !readsWhole(lines, v.Kind.Label()) {
					t.Errorf("verdict %q not whole:\n%s", v.Kind.Label(), strings.Join(lines, "\n"))
				}
				golden.RequireEqual(t, ansi.Strip(frame))
			})
		}
	}
}

// TestCaptionsWhole walks every caption a scenario shows as a stage starts
// (the cluster's on the overview, the others on the monitor) and the
// runner's own through the 120×40 and 80×24 layouts: each reads whole
// under the header.
func TestCaptionsWhole(t *testing.T) {
	t.Parallel()
	var caps []model.Caption
	for _, sc := range demo.Scenarios() {
		for i := range sc.Stages {
			caps = append(caps, sc.StageCaption(i))
		}
		n := len(sc.Stages)
		caps = append(caps,
			model.Caption{Text: fmt.Sprintf("Scenario %s finished (%d stages) — r runs it again, q quits", sc.Name, n), Stage: n, Of: n},
			model.Caption{Text: fmt.Sprintf("Paused at stage %d/%d: the workload has stopped writing — p resumes it", n, n), Stage: n, Of: n},
			model.Caption{Text: fmt.Sprintf("Stage %d/%d: the workload stopped: demo: CONFIG SET activedefrag yes: ERR Invalid argument 'yes' for CONFIG SET 'activedefrag' — n goes on to the next stage, r restarts the scenario", n, n), Stage: n, Of: n},
		)
	}
	caps = append(caps, model.Caption{Text: "Restart failed: demo: redis-server did not answer PING on 127.0.0.1:40123 within 10s"},
		model.Caption{Text: "recording stopped: write /tmp/session.jsonl: no space left on device"})
	for _, sz := range textSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			base := demoUI(t, sz[0], sz[1])
			for _, c := range caps {
				m := withCaption(t, base, c)
				lines := frameLines(m)
				if !readsWhole(region(lines, m.layout(sz[0], sz[1]).rects[0]), c.Text) {
					t.Errorf("caption not whole:\n%s\n%s", c.Text, strings.Join(lines, "\n"))
				}
				checkFrame(t, m.View().Content, sz[0], sz[1])
			}
			ov := overviewGoldenModel(t, sz[0], sz[1])
			for _, c := range demo.ClusterCaptions() {
				m, _ := multiStep(t, ov, MultiUpdate{Update: &model.Update{Caption: &c}})
				lines := strings.Split(ansi.Strip(m.View().Content), "\n")
				hh := m.layout(sz[0], sz[1]).rects[0].h
				if !readsWhole(lines[:hh], c.Text) {
					t.Errorf("cluster caption not whole on the overview:\n%s\n%s", c.Text, strings.Join(lines, "\n"))
				}
			}
		})
	}
}

// verdictCases are every verdict kind at each confidence, with summaries
// as long as the rules write them, and an earlier phase.
func verdictCases() []model.VerdictResult {
	long := map[model.VerdictKind]string{
		model.VerdictUnknown:            "No verdict yet: waiting for the first poll; a trend needs at least two samples.",
		model.VerdictStable:             "Stable: used 30.99M (+1015.47K), RSS 36.57M (+1.17M) over the last 5m00s.",
		model.VerdictDataGrowth:         "Looks like data growth: used +41.24M and RSS +48.67M over 4m59s (8.25M/min); the dataset itself grew +40.02M.",
		model.VerdictFragmentation:      "Looks like allocator retention: used -62.50M but RSS -3.10M over 2m10s — freed memory is not returned to the OS; allocator_frag_ratio 1.75 says so, activedefrag or a restart gives it back.",
		model.VerdictCopyOnWrite:        "Looks like copy-on-write during the BGSAVE: the fork child has copied 187.16M while used moved +1.02M over 45s; it is freed when the save ends.",
		model.VerdictClientBuffers:      "Looks like client output buffers: normal clients' buffers grew +28.00M (now 28.08M) of used's +28.40M over 1m20s.",
		model.VerdictReplicationBuffers: "Looks like replication buffers: they grew +12.00M (now 13.00M) of used's +12.30M over 3m00s.",
		model.VerdictEvicting:           "At the limit, evicting: 4,069 keys evicted in the last 14s (290.14/s) under allkeys-lru; used 64.00M of maxmemory 64.00M (100.0%), and writes still succeed.",
		model.VerdictWritesRefused:      "At the limit, writes refused: 15 write(s) rejected with OOM in the last 15s (errorstat_OOM); used 141.24M of maxmemory 128.00M (110.3%), and nothing more can be evicted under noeviction.",
		model.VerdictLoading:            "Loading the dataset (loading:1): used 812.40M so far; the server restarted or a replica is syncing, and memory grows until the load ends — that is not new data.",
	}
	kinds := []model.VerdictKind{
		model.VerdictUnknown, model.VerdictStable, model.VerdictDataGrowth, model.VerdictFragmentation, model.VerdictCopyOnWrite,
		model.VerdictClientBuffers, model.VerdictReplicationBuffers, model.VerdictEvicting, model.VerdictWritesRefused, model.VerdictLoading,
	}
	out := make([]model.VerdictResult, 0, 6*len(kinds))
	for _, k := range kinds {
		for _, c := range []model.Confidence{model.ConfidenceLow, model.ConfidenceMedium, model.ConfidenceHigh} {
			out = append(out, model.VerdictResult{Kind: k, Confidence: c, Summary: long[k]},
				model.VerdictResult{Kind: k, Confidence: c, Summary: long[k], Earlier: "data growth, used +33.20M over 4m10s; then writes began failing with OOM 48s ago"})
		}
	}
	return out
}

// verdictHead is the verdict's headline as the checklist writes it.
func verdictHead(v model.VerdictResult) string {
	h := "Verdict: " + v.Kind.Label()
	if v.Kind != model.VerdictUnknown {
		h += " (" + string(v.Confidence) + " confidence)"
	}
	return h
}

// TestVerdictWhole: the verdict's headline is whole in the checklist pane
// where the layout puts it (focused on the stacked screen), and its
// summary and earlier phase are whole there or, on a short pane, once the
// pane is expanded (e).
func TestVerdictWhole(t *testing.T) {
	t.Parallel()
	for _, sz := range textSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			base := step(t, demoUI(t, sz[0], sz[1]), FocusPaneMsg{Pane: PaneChecklist})
			for _, v := range verdictCases() {
				m := base
				d := *m.live
				dg := *d.Checklist
				dg.Verdict = v
				d.Checklist = &dg
				m.live = &d
				pane := func(m Model) []string {
					for _, r := range m.layout(sz[0], sz[1]).rects {
						if r.id == PaneChecklist {
							return region(frameLines(m), r)
						}
					}
					t.Fatal("no checklist on screen")
					return nil
				}
				shown := pane(m)
				if !readsWhole(shown, verdictHead(v)) {
					t.Errorf("%s/%s: headline not whole:\n%s", v.Kind, v.Confidence, strings.Join(shown, "\n"))
				}
				rest := []string{v.Summary}
				if v.Earlier != "" {
					rest = append(rest, "Earlier: "+v.Earlier)
				}
				for _, s := range rest {
					if readsWhole(shown, s) {
						continue
					}
					if exp := pane(step(t, m, redistest.Key("e"))); !readsWhole(exp, s) {
						t.Errorf("%s/%s: %q not whole even expanded:\n%s", v.Kind, v.Confidence, s, strings.Join(exp, "\n"))
					}
				}
			}
		})
	}
}

// uiStatuses are the status messages the ui sets itself.
func uiStatuses() []string {
	_, err := themes.Select("solarized", true, false)
	return []string{
		"theme: high-contrast",
		err.Error(),
		"writing the report…",
		"report written to redis-memtop-report-20261121-140959.md (and .json)",
		"export failed: export: open redis-memtop-report-20261121-140959.md: permission denied",
		"export is not available here",
		"source ended: no more updates",
		"BGSAVE cancelled: nothing was sent",
		"BGSAVE: sending…",
		"BGSAVE: Background saving started",
		"nodes sorted by used memory",
		"esc: back to the cluster",
		"open a node (enter) and press x there to export its report",
	}
}

// footerOf is the footer's lines of the frame.
func footerOf(m Model) []string {
	lines := frameLines(m)
	return lines[m.layout(m.width, m.height).footerY:]
}

// TestStatusWhole: each status message reads whole on its own line, and
// the key hints stay under it.
func TestStatusWhole(t *testing.T) {
	t.Parallel()
	for _, sz := range textSizes {
		base := demoUI(t, sz[0], sz[1])
		for _, s := range uiStatuses() {
			m := base
			m.setStatus(s)
			f := footerOf(m)
			if len(f) < 2 || !readsWhole(f[:len(f)-1], s) {
				t.Errorf("%dx%d: status %q not whole on its own line:\n%s", sz[0], sz[1], s, strings.Join(f, "\n"))
			}
			if last := f[len(f)-1]; !strings.Contains(last, "? help") || !strings.Contains(last, "q quit") {
				t.Errorf("%dx%d: the key hints are gone under %q: %q", sz[0], sz[1], s, last)
			}
			checkFrame(t, m.View().Content, sz[0], sz[1])
		}
	}
}

// TestGoldenStatus: an export's confirmation over the footer at the three
// reference sizes, the key hints still there; the status clock's ticks
// take it away once StatusTTL has passed, and the frame is as before.
func TestGoldenStatus(t *testing.T) {
	t.Parallel()
	const path = "redis-memtop-report-20261121-140959.md (and .json)"
	for _, sz := range refSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			opts := Options{
				ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()},
				Export: &Exporter{
					Build: func(d *Data) model.Report { return model.BuildReport(model.ReportInput{Now: d.Now, Hist: d.Hist}) },
					Write: func(model.Report) (string, error) { return path, nil },
				},
			}
			m := sized(t, sz[0], sz[1], opts, synth{n: 600, maxmemory: 256 * mb, bgsave: true}.samples())
			before := m.layout(sz[0], sz[1]).body.h
			nm, cmd := m.Update(redistest.Key("x"))
			if cmd == nil {
				t.Fatal("x returned no command")
			}
			m = step(t, nm.(Model), cmd())
			frame := m.View().Content
			checkFrame(t, frame, sz[0], sz[1])
			f := footerOf(m)
			if !readsWhole(f, "report written to "+path) || !strings.Contains(f[len(f)-1], "q quit") {
				t.Errorf("footer:\n%s", strings.Join(f, "\n"))
			}
			golden.RequireEqual(t, ansi.Strip(frame))

			// The clock: the first tick that sees the message starts its
			// time; it stays until StatusTTL has passed, then goes.
			at := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
			for _, tick := range []time.Duration{0, time.Second, StatusTTL - time.Second} {
				m = step(t, m, StatusTickMsg{At: at.Add(tick)})
				if !strings.Contains(ansi.Strip(m.View().Content), "report written") {
					t.Fatalf("the status went %v after it was first seen", tick)
				}
			}
			m = step(t, m, StatusTickMsg{At: at.Add(StatusTTL)})
			if f := footerOf(m); len(f) != 1 || strings.Contains(ansi.Strip(m.View().Content), "report written") {
				t.Errorf("after StatusTTL the status is still there:\n%s", strings.Join(f, "\n"))
			}
			if got := m.layout(sz[0], sz[1]).body.h; got != before {
				t.Errorf("after StatusTTL the body has %d lines, before the export %d", got, before)
			}
		})
	}
}

// TestStatusNewerMessageKeepsItsTime: a message set after another starts
// its own time; the older one's expiry does not take it away.
func TestStatusNewerMessageKeepsItsTime(t *testing.T) {
	t.Parallel()
	m := demoUI(t, 120, 40)
	at := time.Date(2026, 11, 21, 15, 0, 0, 0, time.UTC)
	m.setStatus("theme: light")
	m = step(t, m, StatusTickMsg{At: at})
	m.setStatus("theme: mono")
	m = step(t, m, StatusTickMsg{At: at.Add(StatusTTL - time.Second)})
	m = step(t, m, StatusTickMsg{At: at.Add(StatusTTL)})
	if !readsWhole(footerOf(m), "theme: mono") {
		t.Fatalf("the newer message went with the older one's time:\n%s", strings.Join(footerOf(m), "\n"))
	}
	m = step(t, m, StatusTickMsg{At: at.Add(2*StatusTTL - time.Second)})
	if got := footerOf(m); len(got) != 1 {
		t.Fatalf("the newer message outlived its own time:\n%s", strings.Join(got, "\n"))
	}
}

// slowedScan is a pass at 2 % under a governor that allows 40 % of the
// budget.
func slowedScan() *model.ScanUpdate {
	return &model.ScanUpdate{Progress: model.ScanProgress{
		Phase: model.ScanScanning, Pass: 1, Scanned: 8_700, DBSize: 361_000, KeysPerSec: 250,
		Elapsed: 35 * time.Second, Rate: 1000, Throttle: 0.4, Samples: 5, DBs: []int{0},
		SlowReason: "server latency +40 % while scanning", SlowFactor: 0.4,
	}}
}

// TestGoldenScanSlowed: a partial scan under a slowed governor at the three
// reference sizes: its progress, rate, ETA and slow-down are on screen (in
// the big-keys pane, or its summary line on the stacked screen).
func TestGoldenScanSlowed(t *testing.T) {
	t.Parallel()
	for _, sz := range refSizes {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			m := step(t, demoUI(t, sz[0], sz[1]), model.Update{Scan: slowedScan()})
			frame := ansi.Strip(m.View().Content)
			checkFrame(t, m.View().Content, sz[0], sz[1])
			for _, want := range []string{"2%", "8.7k/361.0k", "250", "ETA 23m", "40%", "latency +40"} {
				if !strings.Contains(frame, want) {
					t.Errorf("the scan line lacks %q:\n%s", want, frame)
				}
			}
			golden.RequireEqual(t, frame)
		})
	}
}

// TestScanLineKeepsEveryFact: from 80 columns up (the pane's inner width
// from a third of that) the progress line names every fact, in words short
// enough to fit or on a second line — never cut; with a reason, the reason
// too.
func TestScanLineKeepsEveryFact(t *testing.T) {
	t.Parallel()
	st := demoUI(t, 80, 24).styles
	p := slowedScan().Progress
	for _, reason := range []string{"", "latency +40%", "a fork child is running (copy-on-write)"} {
		f := scanLineFactsOf(&p)
		f.Reason = reason
		for w := 24; w <= 200; w++ {
			lines := scanLine(f, st, w, true)
			// (a break after a hyphen is no cut: "copy-on-" / "write")
			plain := strings.ReplaceAll(ansi.Strip(strings.Join(lines, " ")), "- ", "-")
			for _, want := range []string{"scan", "2%", "8.7k/361.0k", "250", "/s", "ETA 23m", "40%", reason} {
				if !strings.Contains(plain, want) {
					t.Fatalf("reason %q, width %d: %q lacks %q", reason, w, plain, want)
				}
			}
			for _, l := range lines {
				if cellWidth(l) > w || strings.Contains(ansi.Strip(l), "…") {
					t.Fatalf("reason %q, width %d: line %q is cut or too wide", reason, w, ansi.Strip(l))
				}
			}
			if w >= 60 && reason == "" && len(lines) != 1 {
				t.Errorf("width %d: the facts take %d lines, want one", w, len(lines))
			}
		}
	}
}

// TestSortHeadersFit: every sort the key table offers shows its column's
// title whole with the mark, at the widths the pane gets.
func TestSortHeadersFit(t *testing.T) {
	t.Parallel()
	for _, w := range []int{58, 78, 118, 198} {
		cols := keyColumns(w)
		for i, c := range cols {
			head := ansi.Strip(tableHead(cols, i))
			if !strings.Contains(head, c.title+"▼") {
				t.Errorf("width %d, sorted by %s: head %q", w, c.title, head)
			}
		}
	}
}

// TestCaptionAndStatusOnSmallScreens: the longest caption and a two-line
// status together on every screen from the smallest up: the frame keeps
// its size, the key hints stay, and a caption too long for its room ends
// with "…" rather than stopping mid-word unmarked.
func TestCaptionAndStatusOnSmallScreens(t *testing.T) {
	t.Parallel()
	longest := model.Caption{}
	for _, sc := range demo.Scenarios() {
		for i := range sc.Stages {
			if c := sc.StageCaption(i); len(c.Text) > len(longest.Text) {
				longest = c
			}
		}
	}
	status := "export failed: export: open /very/long/path/to/a/directory/that/does/not/exist/redis-memtop-report-20261121-140959.md: no such file or directory"
	for w := MinWidth; w <= 90; w += 5 {
		for h := MinHeight; h <= 26; h += 2 {
			m := withCaption(t, demoUI(t, w, h), longest)
			m.setStatus(status)
			checkFrame(t, m.View().Content, w, h)
			lines := frameLines(m)
			if last := lines[h-1]; !strings.Contains(last, "q quit") {
				t.Errorf("%dx%d: key hints gone: %q", w, h, last)
			}
			head := region(lines, m.layout(w, h).rects[0])
			if !readsWhole(head, longest.Text) && !strings.Contains(strings.Join(head, "\n"), "…") {
				t.Errorf("%dx%d: caption cut without a mark:\n%s", w, h, strings.Join(head, "\n"))
			}
		}
	}
}

// TestChecklistTitlesWhole: in the checklist, expanded (e) or in its place,
// the selected check's title reads whole wherever the selection moves; and
// expanded at 120×40 every title of the list on screen is whole.
func TestChecklistTitlesWhole(t *testing.T) {
	t.Parallel()
	for _, sz := range textSizes {
		for _, expand := range []bool{false, true} {
			m := step(t, demoUI(t, sz[0], sz[1]), FocusPaneMsg{Pane: PaneChecklist})
			if expand {
				m = step(t, m, redistest.Key("e"))
			}
			pane := func() []string {
				for _, r := range m.layout(sz[0], sz[1]).rects {
					if r.id == PaneChecklist {
						return region(frameLines(m), r)
					}
				}
				t.Fatal("no checklist on screen")
				return nil
			}
			cl := m.Live().Checklist.Checks.Findings()
			for i, c := range cl {
				if i > 0 {
					m = step(t, m, redistest.Key("down"))
				}
				if got := pane(); !readsWhole(got, c.Title) {
					t.Errorf("%dx%d expanded %v: selected title %q not whole:\n%s", sz[0], sz[1], expand, c.Title, strings.Join(got, "\n"))
				}
			}
			if expand && sz[0] >= 120 {
				m = step(t, m, redistest.Key("home"))
				got := pane()
				for _, c := range cl {
					if strings.Contains(strings.Join(got, " "), c.Title[:min(len(c.Title), 20)]) && !readsWhole(got, c.Title) {
						t.Errorf("expanded: title %q on screen but not whole:\n%s", c.Title, strings.Join(got, "\n"))
					}
				}
			}
		}
	}
}
