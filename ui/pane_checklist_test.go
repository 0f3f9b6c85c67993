package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// doctorText is MEMORY DOCTOR's reply with an escape sequence planted in it:
// the pane must show it escaped.
const doctorText = "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.\r\n\r\nBut beware: \x1b[2J\x1b]0;pwned\x07 this line carries escapes.\n\tIndented\tby tabs."

// incident is a server in trouble: past its limit with OOM errors rising,
// CONFIG denied, a stuck subscriber, MEMORY DOCTOR readable.
func incident() *Data {
	sy := synth{n: 300, maxmemory: 128 * mb}
	samples := sy.samples()
	for i := range samples {
		s := &samples[i]
		if i > 250 {
			s.Stats.ErrorstatOOM = model.Some(float64(i - 250))
		}
		s.Memory.MaxMemoryPolicy = "noeviction"
	}
	d := dataOf(samples...)
	d.Extras = &model.Extras{
		Time:   d.Now,
		Config: &model.Config{Err: "NOPERM this user has no permissions to run the 'config|get' command"},
		Clients: &model.Clients{Count: 12, TotalOmem: model.Some(1 * mb), Top: []model.ClientInfo{
			{ID: "42", Addr: "10.0.0.9:51234", Name: "evil\x1b[31mname", Cmd: "subscribe", Omem: model.Some(1 * mb)},
		}},
		Doctor: &model.Doctor{Text: doctorText},
		Host:   &model.HostFacts{Reason: "the server does not run on this host (no process 4242 here)"},
	}
	return d
}

func checklistAt(t *testing.T, d *Data, keys ...string) (*checklistPane, []tea.Cmd) {
	t.Helper()
	p, ok := NewChecklistPane().(*checklistPane)
	if !ok {
		t.Fatal("NewChecklistPane is not a *checklistPane")
	}
	cmds := make([]tea.Cmd, 0, len(keys))
	for _, k := range keys {
		handled, cmd := p.HandleKey(redistest.Key(k), d)
		if !handled {
			t.Fatalf("key %q not handled", k)
		}
		cmds = append(cmds, cmd)
	}
	return p, cmds
}

func TestChecklistGolden(t *testing.T) {
	t.Parallel()
	views := []struct {
		name string
		data func() *Data
		keys []string
	}{
		{"empty", func() *Data { return dataOf() }, nil},
		{"incident", incident, nil},
		{"incident-selected", incident, []string{"j", "j"}},
		{"detail", incident, []string{"enter"}},
		{"detail-unknown", incident, []string{"j", "j", "j", "j", "enter"}},
		{"doctor", incident, []string{"d"}},
		{"stable", func() *Data { return dataOf(synth{n: 300, maxmemory: 256 * mb, flat: true}.samples()...) }, nil},
	}
	for _, sz := range [][2]int{{60, 14}, {100, 30}, {120, 40}} {
		for _, v := range views {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], v.name), func(t *testing.T) {
				t.Parallel()
				d := v.data()
				p, _ := checklistAt(t, d, v.keys...)
				out := renderPane(t, p, d, sz[0], sz[1])
				golden.RequireEqual(t, out)
			})
		}
	}
}

func TestChecklistColourGolden(t *testing.T) {
	t.Parallel()
	d := incident()
	p, _ := checklistAt(t, d)
	out := p.Render(d, themes.NewStyles(themes.Dark()), 100, 30, true)
	checkFrame(t, out, 100, 30)
	golden.RequireEqual(t, out)
}

// TestChecklistFits renders every view at many sizes: each frame is exactly
// w×h, and no raw control byte from the server reaches the screen.
func TestChecklistFits(t *testing.T) {
	t.Parallel()
	d := incident()
	st := themes.NewStyles(themes.Dark())
	for _, keys := range [][]string{nil, {"enter"}, {"d"}, {"end"}, {"end", "enter"}} {
		p, _ := checklistAt(t, d, keys...)
		for w := 1; w <= 140; w += 7 {
			for h := 1; h <= 45; h += 4 {
				out := p.Render(d, st, w, h, w%2 == 0)
				checkFrame(t, out, w, h)
				plain := ansi.Strip(out)
				if strings.ContainsAny(plain, "\x07\x1b\r\t") {
					t.Fatalf("%v at %dx%d: raw control byte in %q", keys, w, h, plain)
				}
			}
		}
	}
}

func TestChecklistListsWorstFirstWithWords(t *testing.T) {
	t.Parallel()
	d := incident()
	p, _ := checklistAt(t, d)
	out := renderPane(t, p, d, 120, 40)
	// The incident is writes refused at the limit (issue 14: not "data growth").
	for _, want := range []string{"Verdict: at the limit: writes refused", "Earlier: data growth", "✗ crit", "~ watch", "? unknown", "✓ ok", "Writes are failing with OOM"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	// Worst first: every line's status ranks at most the one above it.
	rank := map[string]int{"✗ crit": 4, "! warn": 3, "~ watch": 2, "? unknown": 1, "✓ ok": 0}
	last := 5
	for _, line := range strings.Split(out, "\n") {
		for mark, r := range rank {
			if strings.Contains(line, mark) {
				if r > last {
					t.Fatalf("not worst first at %q:\n%s", line, out)
				}
				last = r
			}
		}
	}
	if !strings.Contains(out, "▸ ✗ crit") {
		t.Errorf("the first check should be selected:\n%s", out)
	}
}

func TestChecklistKeys(t *testing.T) {
	t.Parallel()
	d := incident()
	cl := diagnosisOf(d).Checks
	p, _ := checklistAt(t, d, "j", "down", "k")
	if got := p.selected(cl); got != 1 {
		t.Fatalf("after j, down, k: selected %d, want 1", got)
	}
	// g on the selected check asks the root to focus its evidence pane.
	_, cmds := checklistAt(t, d, "g")
	want, ok := paneOf(cl[0].Pane)
	if !ok {
		t.Fatalf("the first check %s points at no pane", cl[0].ID)
	}
	if cmds[0] == nil {
		t.Fatal("g returned no command")
	}
	if msg, ok := cmds[0]().(FocusPaneMsg); !ok || msg.Pane != want {
		t.Fatalf("g sent %#v, want FocusPaneMsg{%v}", cmds[0](), want)
	}
	// enter opens the detail, esc goes back; esc in the list is left to the root.
	p, _ = checklistAt(t, d, "enter")
	if p.view != viewDetail {
		t.Fatal("enter did not open the detail")
	}
	if handled, _ := p.HandleKey(redistest.Key("esc"), d); !handled || p.view != viewList {
		t.Fatal("esc did not close the detail")
	}
	if handled, _ := p.HandleKey(redistest.Key("esc"), d); handled {
		t.Fatal("esc in the list must be left to the root")
	}
	// d toggles MEMORY DOCTOR.
	p, _ = checklistAt(t, d, "d")
	out := renderPane(t, p, d, 100, 30)
	if !strings.Contains(out, "MEMORY DOCTOR") || !strings.Contains(out, `\x1b[2J\x1b]0;pwned\x07`) {
		t.Fatalf("doctor view:\n%s", out)
	}
	p.HandleKey(redistest.Key("d"), d)
	if p.view != viewList {
		t.Fatal("d again should return to the list")
	}
	// Unknown keys are not taken.
	if handled, _ := p.HandleKey(redistest.Key("x"), d); handled {
		t.Fatal("x belongs to the root")
	}
}

func TestChecklistSelectionFollowsTheCheck(t *testing.T) {
	t.Parallel()
	d := incident()
	p, _ := checklistAt(t, d, "j", "j", "j")
	cl := diagnosisOf(d).Checks
	id := cl[p.selected(cl)].ID
	// The server recovers: statuses and order change; the selection stays
	// on the same check.
	d2 := dataOf(synth{n: 300, maxmemory: 256 * mb, flat: true}.samples()...)
	cl2 := diagnosisOf(d2).Checks
	if got := cl2[p.selected(cl2)].ID; got != id {
		t.Fatalf("selection moved from %s to %s", id, got)
	}
}

func TestChecklistDetailShowsWhyEvidenceCommands(t *testing.T) {
	t.Parallel()
	d := incident()
	cl := diagnosisOf(d).Checks
	var i int
	for i = range cl {
		if cl[i].ID == model.CheckClientBuffers {
			break
		}
	}
	p, _ := checklistAt(t, d)
	p.selectIdx(cl, i)
	p.HandleKey(redistest.Key("enter"), d)
	out := renderPane(t, p, d, 120, 60)
	for _, want := range []string{"client-buffers", "Why it matters", "Evidence", "Commands", "$ redis-cli CLIENT LIST", `name=evil\x1b[31mname`, "evidence in the limits pane (g)"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
}

func TestChecklistDoctorUnavailable(t *testing.T) {
	t.Parallel()
	d := incident()
	d.Extras.Doctor = &model.Doctor{Err: "NOPERM this user has no permissions to run the 'memory|doctor' command"}
	p, _ := checklistAt(t, d, "d")
	if out := renderPane(t, p, d, 100, 12); !strings.Contains(out, "unavailable: NOPERM") {
		t.Fatalf("doctor denied:\n%s", out)
	}
	d.Extras = nil
	if out := renderPane(t, p, d, 100, 12); !strings.Contains(out, "not read yet") {
		t.Fatalf("no extras:\n%s", out)
	}
}

func TestChecklistFoldAndEvidence(t *testing.T) {
	t.Parallel()
	d := dataOf()
	for _, s := range (synth{n: 20, maxmemory: 256 * mb}).samples() {
		d.Hist.Add(s)
		d.Now = s.Time
		d.foldExt(model.Update{Sample: &s})
	}
	if d.Checklist == nil {
		t.Fatal("foldExt did not evaluate the checklist")
	}
	ev, _ := d.Checklist.Checks.Find(model.CheckEvidence)
	if ev.Status == model.StatusOK {
		t.Fatalf("evidence ok before any export: %+v", ev)
	}
	d.MarkEvidenceSaved()
	if ev, _ := d.Checklist.Checks.Find(model.CheckEvidence); ev.Status != model.StatusOK {
		t.Fatalf("evidence after export: %s", ev.Status)
	}
	p := NewChecklistPane()
	if s := p.(Summarizer).Summary(d, themes.NewStyles(themes.Mono()), 80); !strings.Contains(ansi.Strip(s), "Checklist") || ansi.StringWidth(s) > 80 {
		t.Fatalf("summary %q", ansi.Strip(s))
	}
}

// TestChecklistInRoot puts the pane in the real root at the reference sizes:
// the frame still fits, the pane is found by its title, and it can be
// focused and driven with its keys.
func TestChecklistInRoot(t *testing.T) {
	t.Parallel()
	samples := synth{n: 300, maxmemory: 128 * mb, bgsave: true}.samples()
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		m := sized(t, sz[0], sz[1], Options{ExtraPanes: []Pane{NewChecklistPane()}}, samples)
		frame := m.View().Content
		checkFrame(t, frame, sz[0], sz[1])
		if !strings.Contains(ansi.Strip(frame), titleCheck) {
			t.Fatalf("%dx%d: no Checklist on screen:\n%s", sz[0], sz[1], ansi.Strip(frame))
		}
		for i := 0; m.panes[m.focus].ID() != PaneChecklist; i++ {
			if i > len(m.panes) {
				t.Fatal("tab never reaches the checklist")
			}
			m = step(t, m, redistest.Key("tab"))
		}
		m = step(t, m, redistest.Key("enter"))
		frame = m.View().Content
		checkFrame(t, frame, sz[0], sz[1])
		if sz[1] >= 40 && !strings.Contains(ansi.Strip(frame), "Why it matters") {
			t.Errorf("%dx%d: enter on the focused checklist did not open a check:\n%s", sz[0], sz[1], ansi.Strip(frame))
		}
	}
}

// TestChecklistReadsTheScan: scan results folded into Data reach the rules.
func TestChecklistReadsTheScan(t *testing.T) {
	t.Parallel()
	d := dataOf()
	for _, s := range (synth{n: 20, maxmemory: 256 * mb}).samples() {
		d.Hist.Add(s)
		d.Now = s.Time
		d.foldExt(model.Update{Sample: &s})
	}
	if ch, _ := d.Checklist.Checks.Find(model.CheckBigKeys); ch.Status != model.StatusUnknown {
		t.Fatalf("before any scan: %s", ch.Status)
	}
	agg := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	agg.Add(&model.KeyInfo{Key: "huge:blob", Type: "string", Bytes: 64 * mb, Elements: -1, TTL: -1})
	d.foldExt(model.Update{Scan: &model.ScanUpdate{Progress: model.ScanProgress{Phase: model.ScanDone, Pass: 1, Scanned: 1, DBSize: 1}, Result: agg.Snapshot()}})
	ch, _ := d.Checklist.Checks.Find(model.CheckBigKeys)
	if ch.Status != model.StatusCrit || !strings.Contains(ch.Title, "huge:blob") {
		t.Fatalf("after the scan: %s %q", ch.Status, ch.Title)
	}
}
