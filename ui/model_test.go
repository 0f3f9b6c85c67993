package ui

import (
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

func TestKeyHelp(t *testing.T) {
	t.Parallel()
	m := sized(t, 120, 40, Options{ExtraPanes: extraPanes(false)}, synth{n: 60}.samples())
	m = step(t, m, redistest.Key("?"))
	if !m.HelpShown() {
		t.Fatal("? did not open the help")
	}
	frame := ansi.Strip(m.View().Content)
	for _, want := range []string{"Global", "freeze display", "next theme", titleBig, "pause scan", titleCheck, "space"} {
		if !strings.Contains(frame, want) {
			t.Errorf("help lacks %q:\n%s", want, frame)
		}
	}
	if m = step(t, m, redistest.Key("esc")); m.HelpShown() {
		t.Fatal("esc did not close the help")
	}
	m = step(t, step(t, m, redistest.Key("?")), redistest.Key("?"))
	if m.HelpShown() {
		t.Fatal("? did not toggle the help off")
	}
}

func TestKeyFocus(t *testing.T) {
	t.Parallel()
	m := sized(t, 80, 24, Options{ExtraPanes: extraPanes(false)}, synth{n: 10}.samples())
	want := []PaneID{PaneMemory, PaneFrag, PaneLimits, PanePersist, PaneBigKeys, PaneChecklist, PaneMemory}
	for i, id := range want {
		if m.Focused() != id {
			t.Fatalf("after %d tabs focus is %v, want %v", i, m.Focused(), id)
		}
		m = step(t, m, redistest.Key("tab"))
	}
	// shift+tab goes back, skipping the header.
	m = step(t, m, redistest.Key("shift+tab")) // from Frag back to Memory
	m = step(t, m, redistest.Key("shift+tab"))
	if m.Focused() != PaneChecklist {
		t.Fatalf("shift+tab from Memory focused %v, want checklist", m.Focused())
	}
	// The focused pane is the open box at 80x24.
	m = step(t, m, redistest.Key("shift+tab"))
	m = step(t, m, redistest.Key("shift+tab"))
	frame := ansi.Strip(m.View().Content)
	if !strings.Contains(frame, "╭─ Persistence & fork") || !strings.Contains(frame, "▸ Memory") {
		t.Fatalf("persistence should be open and memory collapsed:\n%s", frame)
	}
}

func TestKeyExpand(t *testing.T) {
	t.Parallel()
	m := sized(t, 120, 40, Options{}, synth{n: 60, maxmemory: 256 * mb}.samples())
	m = step(t, m, redistest.Key("tab")) // fragmentation
	m = step(t, m, redistest.Key("e"))
	if !m.Expanded() {
		t.Fatal("e did not expand")
	}
	frame := ansi.Strip(m.View().Content)
	lines := strings.Split(frame, "\n")
	if !strings.HasPrefix(lines[1], "╭─ Fragmentation") || !strings.HasSuffix(lines[1], "╮") {
		t.Fatalf("expanded pane is not full width under the header: %q", lines[1])
	}
	if strings.Contains(frame, "Limits") {
		t.Fatalf("other panes still shown when expanded:\n%s", frame)
	}
	if m = step(t, m, redistest.Key("esc")); m.Expanded() {
		t.Fatal("esc did not leave the expanded view")
	}
	if m = step(t, step(t, m, redistest.Key("e")), redistest.Key("e")); m.Expanded() {
		t.Fatal("e did not toggle back")
	}
}

func TestKeyFreeze(t *testing.T) {
	t.Parallel()
	samples := synth{n: 120, maxmemory: 256 * mb}.samples()
	m := sized(t, 120, 40, Options{}, samples[:100])
	m = step(t, m, redistest.Key("f"))
	if !m.Frozen() {
		t.Fatal("f did not freeze")
	}
	frozen := m.View().Content
	if !strings.Contains(ansi.Strip(frozen), "FROZEN") {
		t.Fatal("no FROZEN marker")
	}
	// A very different sample arrives: the live data takes it, the screen
	// does not.
	s := samples[100]
	s.Memory.UsedMemory = model.Some(999 * mb)
	m = step(t, m, model.Update{Sample: &s})
	if got := m.View().Content; got != frozen {
		t.Fatalf("the frozen frame changed after a new sample:\n%s", ansi.Strip(got))
	}
	if m.Live().Hist.Len() != 101 {
		t.Fatalf("polling did not go on while frozen: %d samples", m.Live().Hist.Len())
	}
	m = step(t, m, redistest.Key("f"))
	live := ansi.Strip(m.View().Content)
	if m.Frozen() || strings.Contains(live, "FROZEN") {
		t.Fatal("f did not unfreeze")
	}
	if !strings.Contains(live, "999.00M") {
		t.Fatalf("the new sample is not shown after unfreezing:\n%s", live)
	}
}

func TestKeyZoom(t *testing.T) {
	t.Parallel()
	m := sized(t, 120, 40, Options{}, synth{n: 900}.samples())
	if m.Window() != 5*time.Minute {
		t.Fatalf("default window %v", m.Window())
	}
	m = step(t, m, redistest.Key("+"))
	if m.Window() != time.Minute {
		t.Fatalf("+ gave %v, want 1m", m.Window())
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "Memory · used vs RSS · 1m") {
		t.Fatal("the graph title does not show the 1m window")
	}
	m = step(t, m, redistest.Key("+")) // already the shortest
	if m.Window() != time.Minute {
		t.Fatalf("+ past the shortest gave %v", m.Window())
	}
	for _, want := range []time.Duration{5 * time.Minute, 0, 0} { // 15m is not shorter than the history, so: all
		m = step(t, m, redistest.Key("-"))
		if m.Window() != want {
			t.Fatalf("- gave %v, want %v", m.Window(), want)
		}
	}
	m = step(t, m, redistest.Key("="))
	if m.Window() != 5*time.Minute {
		t.Fatalf("= gave %v, want 5m", m.Window())
	}
	// Zooming a frozen display changes what it shows.
	m = step(t, m, redistest.Key("f"))
	m = step(t, m, redistest.Key("+"))
	if !strings.Contains(ansi.Strip(m.View().Content), "Memory · used vs RSS · 1m") {
		t.Fatal("zoom does not apply to the frozen display")
	}
}

func TestZoomSteps(t *testing.T) {
	t.Parallel()
	steps, def := zoomSteps(time.Hour, 0)
	if got := steps; len(got) != 4 || got[0] != time.Minute || got[2] != 15*time.Minute || got[3] != 0 || got[def] != 5*time.Minute {
		t.Fatalf("zoomSteps(1h, 0) = %v, %d", steps, def)
	}
	steps, def = zoomSteps(2*time.Minute, 0)
	if len(steps) != 2 || steps[def] != 0 {
		t.Fatalf("zoomSteps(2m, 0) = %v, %d: the default must fall back to all", steps, def)
	}
	steps, def = zoomSteps(time.Hour, 10*time.Minute)
	if steps[def] != 10*time.Minute {
		t.Fatalf("zoomSteps(1h, 10m) = %v, %d", steps, def)
	}
}

// TestClickFocus: a click inside a pane focuses it.
func TestClickFocus(t *testing.T) {
	t.Parallel()
	m := sized(t, 120, 40, Options{}, synth{n: 10}.samples())
	var limits rect
	for _, r := range m.layout(120, 40).rects {
		if r.id == PaneLimits {
			limits = r
		}
	}
	if limits.w == 0 {
		t.Fatal("no limits pane in the wide layout")
	}
	m = step(t, m, tea.MouseClickMsg{X: limits.x + 3, Y: limits.y + 2, Button: tea.MouseLeft})
	if m.Focused() != PaneLimits {
		t.Fatalf("click focused %v", m.Focused())
	}
	m = step(t, m, tea.MouseClickMsg{X: 5, Y: 0, Button: tea.MouseLeft}) // the header
	if m.Focused() != PaneLimits {
		t.Fatalf("a click on the header moved the focus to %v", m.Focused())
	}
}

func TestKeyQuit(t *testing.T) {
	t.Parallel()
	m := sized(t, 80, 24, Options{}, nil)
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := m.Update(redistest.Key(k))
		if cmd == nil {
			t.Fatalf("%s returned no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Fatalf("%s did not return tea.Quit", k)
		}
	}
}

func TestKeyTheme(t *testing.T) {
	t.Parallel()
	m := sized(t, 80, 24, Options{Theme: themes.NameDark}, nil)
	seen := make([]string, 0, 5)
	seen = append(seen, m.ThemeName())
	for range 4 {
		m = step(t, m, redistest.Key("t"))
		seen = append(seen, m.ThemeName())
	}
	if strings.Join(seen, ",") != "dark,light,high-contrast,mono,dark" {
		t.Fatalf("t cycled %v", seen)
	}
	// auto follows the terminal's background; NO_COLOR makes it mono.
	auto := New(Options{Theme: "auto"})
	auto = step(t, auto, tea.BackgroundColorMsg{Color: lightBG{}})
	if auto.ThemeName() != "light" {
		t.Fatalf("auto on a light background gave %s", auto.ThemeName())
	}
	if nc := New(Options{NoColor: true}); nc.ThemeName() != themes.NameMono {
		t.Fatalf("NO_COLOR gave %s", nc.ThemeName())
	}
	bad := sized(t, 80, 24, Options{Theme: "neon"}, nil)
	if !strings.Contains(ansi.Strip(bad.View().Content), "unknown theme") {
		t.Fatal("an unknown theme is not reported")
	}
}

type lightBG struct{}

func (lightBG) RGBA() (r, g, b, a uint32) { return 0xffff, 0xffff, 0xffff, 0xffff }

// TestExtraPanes: keys, wheel and messages reach the focused extra pane; a
// pane that captures input gets even q.
func TestExtraPanes(t *testing.T) {
	t.Parallel()
	bk := &fakePane{id: PaneBigKeys, title: titleBig, min: 6}
	m := sized(t, 120, 40, Options{ExtraPanes: []Pane{bk}}, synth{n: 5}.samples())
	for m.Focused() != PaneBigKeys {
		m = step(t, m, redistest.Key("tab"))
	}
	m = step(t, m, redistest.Key("s"))
	m = step(t, m, tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	type custom struct{}
	m = step(t, m, custom{})
	if strings.Join(bk.keys, ",") != "s" || bk.wheel != 1 || bk.msgs != 1 {
		t.Fatalf("pane got keys %v, wheel %d, msgs %d", bk.keys, bk.wheel, bk.msgs)
	}
	bk.capture = true
	_, cmd := m.Update(redistest.Key("q"))
	if cmd != nil {
		t.Fatal("q quit while the pane captures input")
	}
	if bk.keys[len(bk.keys)-1] != "q" {
		t.Fatal("q did not reach the capturing pane")
	}
	_, cmd = m.Update(redistest.Key("ctrl+c"))
	if cmd == nil {
		t.Fatal("ctrl+c must quit even while a pane captures input")
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "samples 5") {
		t.Fatal("the extra pane does not render from Data")
	}
}

// TestHostileStrings: escape sequences from the server or the target never
// reach the frame raw.
func TestHostileStrings(t *testing.T) {
	t.Parallel()
	const osc, cls = "\x1b]0;owned\x07", "\x1b[2J"
	s := synth{n: 10, maxmemory: 256 * mb}.sample(9)
	s.Server.RunID = model.Text(osc + cls)
	s.Server.Version = model.Text("7.2" + cls)
	s.Server.Role = model.Text("master" + osc)
	s.Memory.MaxMemoryPolicy = model.Text("allkeys-lru" + cls + "\u202e")
	s.Persistence.RDBLastBgsaveStatus = model.Text("err" + cls)
	m := sized(t, 200, 60, Options{Target: "evil" + osc + ":6379"}, synth{n: 9}.samples())
	m = step(t, m, model.Update{Sample: &s})
	m = step(t, m, model.Update{Caption: &model.Caption{Time: s.Time, Text: "caption " + osc + cls}})
	m = step(t, m, model.Update{Conn: &model.Conn{State: model.ConnReconnecting, Since: s.Time, Err: "dial: " + cls}})

	sgr := regexp.MustCompile(`\x1b\[[0-9;:]*m`)
	for _, frame := range []string{m.View().Content, step(t, m, redistest.Key("tab")).View().Content} {
		rest := sgr.ReplaceAllString(frame, "")
		if i := strings.IndexFunc(rest, func(r rune) bool { return r == 0x1b || r == 0x07 || r == 0x9b || r == 0x202e }); i >= 0 {
			t.Fatalf("raw control in the frame at %d: %q", i, rest[max(i-20, 0):min(i+20, len(rest))])
		}
		plain := ansi.Strip(frame)
		for _, want := range []string{`evil\x1b]0;owned\x07`, `caption \x1b]0;owned\x07\x1b[2J`, `7.2\x1b[2J`, `allkeys-lru\x1b[2J\u202e`} {
			if !strings.Contains(plain, want) {
				t.Errorf("frame lacks the escaped %q", want)
			}
		}
	}
	if v := m.View(); strings.ContainsAny(v.WindowTitle, "\x1b\x07") {
		t.Fatalf("window title not escaped: %q", v.WindowTitle)
	}
}

// TestSource: Init listens on the source; each update re-arms the listen;
// a closed source is reported.
func TestSource(t *testing.T) {
	t.Parallel()
	src := make(chan model.Update, 2)
	m := New(Options{Source: src, Theme: themes.NameDark})
	if m.Init() == nil {
		t.Fatal("Init returned no command")
	}
	s := synth{n: 1}.sample(0)
	src <- model.Update{Sample: &s}
	msg := listen(src)()
	u, ok := msg.(model.Update)
	if !ok || u.Sample == nil {
		t.Fatalf("listen returned %T", msg)
	}
	nm, cmd := m.Update(u)
	m = nm.(Model)
	if cmd == nil || m.Live().Hist.Len() != 1 || !m.Live().Now.Equal(s.Time) {
		t.Fatal("the update was not folded, or the listen not re-armed")
	}
	close(src)
	if _, ok := cmd().(sourceClosedMsg); !ok {
		t.Fatal("a closed source is not reported")
	}
	m = step(t, step(t, m, sourceClosedMsg{}), tea.WindowSizeMsg{Width: 100, Height: 30})
	if !strings.Contains(ansi.Strip(m.View().Content), "source ended") {
		t.Fatal("the footer does not say the source ended")
	}
}

// TestFoldEvents: history events and explicit ones reach Data.Events; the
// caption can be cleared.
func TestFoldEvents(t *testing.T) {
	t.Parallel()
	m := feed(t, New(Options{}), synth{n: 100, bgsave: true, restart: true}.samples())
	kinds := map[model.EventKind]int{}
	for _, e := range m.Live().Events {
		kinds[e.Kind]++
	}
	if kinds[model.EventForkStart] != 1 || kinds[model.EventForkEnd] != 1 || kinds[model.EventRestart] != 1 {
		t.Fatalf("events %v", kinds)
	}
	m = step(t, m, model.Update{Event: &model.Event{Kind: "note", Time: t0.Add(time.Hour)}})
	if got := m.Live().Events[len(m.Live().Events)-1].Kind; got != "note" || !m.Live().Now.Equal(t0.Add(time.Hour)) {
		t.Fatalf("explicit event not folded: %v", got)
	}
	m = step(t, m, model.Update{Caption: &model.Caption{Text: "hello"}})
	m = step(t, m, model.Update{Caption: &model.Caption{}})
	if m.Live().Caption != nil {
		t.Fatal("an empty caption did not clear the line")
	}
}

func TestHeaderConnStates(t *testing.T) {
	t.Parallel()
	base := sized(t, 160, 40, Options{}, synth{n: 30}.samples())
	at := t0.Add(29 * time.Second)
	cases := []struct {
		conn model.Conn
		want string
	}{
		{model.Conn{State: model.ConnLive, Since: t0}, "● live"},
		{model.Conn{State: model.ConnStalled, Since: at.Add(-12 * time.Second)}, "stalled 12s"},
		{model.Conn{State: model.ConnReconnecting, Since: time.Date(2026, 11, 21, 14, 2, 11, 0, time.UTC), Attempt: 3}, "reconnecting (attempt 3) since 14:02:11"},
		{model.Conn{State: model.ConnConnecting}, "connecting"},
	}
	for _, tc := range cases {
		m := step(t, base, model.Update{Conn: &tc.conn})
		head := strings.Split(ansi.Strip(m.View().Content), "\n")[0]
		if !strings.Contains(head, tc.want) {
			t.Errorf("%s: header %q lacks %q", tc.conn.State, head, tc.want)
		}
	}
	rec := sized(t, 160, 40, Options{Recording: true, Replay: true}, nil)
	head := strings.Split(ansi.Strip(rec.View().Content), "\n")[0]
	if !strings.Contains(head, "REC") || !strings.Contains(head, "REPLAY") {
		t.Errorf("header %q lacks REC / REPLAY", head)
	}
}

// TestRun drives the real program: it starts, reads "q" and returns nil.
func TestRun(t *testing.T) {
	t.Parallel()
	src := make(chan model.Update)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := Run(ctx, Options{Source: src, Theme: themes.NameMono},
		tea.WithInput(strings.NewReader("q")), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	// A cancelled context is a normal exit too.
	ctx2, cancel2 := context.WithCancel(context.Background())
	cancel2()
	pr, pw := io.Pipe()
	defer func() { _ = pw.Close() }()
	err = Run(ctx2, Options{Source: src, Theme: themes.NameMono}, tea.WithInput(pr), tea.WithOutput(io.Discard), tea.WithWindowSize(80, 24))
	if err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
}

func TestFailoverRenamesTheTarget(t *testing.T) {
	for _, tc := range []struct{ target, detail, want string }{
		{"redis://10.0.0.1:6379/0 (sentinel mymaster)", "10.0.0.1:6379 → 10.0.0.2:6380", "redis://10.0.0.2:6380/0 (sentinel mymaster)"},
		{"redis://10.0.0.1:6379/0", "10.0.0.9:6379 → 10.0.0.2:6380", "redis://10.0.0.1:6379/0"},
		{"redis://10.0.0.1:6379/0", "no arrow", "redis://10.0.0.1:6379/0"},
	} {
		m := sized(t, 120, 40, Options{Target: tc.target}, synth{n: 3}.samples())
		m = step(t, m, model.Update{Event: &model.Event{Kind: model.EventFailover, Time: t0.Add(5 * time.Second), Detail: tc.detail}})
		if got := m.Live().Target; got != tc.want {
			t.Errorf("%q after %q: %q, want %q", tc.target, tc.detail, got, tc.want)
		}
	}
}

// At 80×24 the real panes' keys do not fit the overlay: it says so and
// scrolls to the last of them.
func TestHelpScrollsWhenItDoesNotFit(t *testing.T) {
	m := sized(t, 80, 24, Options{ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()}}, synth{n: 10}.samples())
	m = step(t, m, redistest.Key("?"))
	f := ansi.Strip(m.View().Content)
	if !strings.Contains(f, "↑↓ scroll · rows 1–") {
		t.Fatalf("the overlay does not say it scrolls:\n%s", f)
	}
	last := ""
	for _, g := range m.helpGroups() {
		for _, b := range g.keys {
			if b.Enabled() && b.Help().Key != "" {
				last = b.Help().Desc
			}
		}
	}
	if strings.Contains(f, last) {
		t.Fatalf("the last key %q is on the first page: the test proves nothing", last)
	}
	for range 60 {
		m = step(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
	}
	f = ansi.Strip(m.View().Content)
	if !strings.Contains(f, last) {
		t.Errorf("scrolled to the end, the last key %q is not shown:\n%s", last, f)
	}
	checkFrame(t, m.View().Content, 80, 24)
	// Scrolled past the end, one ↑ moves at once (the offset is clamped).
	before := f
	m = step(t, m, tea.KeyPressMsg{Code: tea.KeyUp})
	if ansi.Strip(m.View().Content) == before {
		t.Error("↑ after scrolling past the end did not move")
	}
	if m = step(t, m, redistest.Key("esc")); m.HelpShown() {
		t.Error("esc did not close the scrolled help")
	}
}
