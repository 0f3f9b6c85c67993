package ui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// fakePane stands in for the big-keys and checklist panes: it records what
// reaches it, and can misbehave (lines too wide, too many lines) to prove the
// root keeps the frame intact anyway.
type fakePane struct {
	id       PaneID
	title    string
	min      int
	unruly   bool
	capture  bool
	keys     []string
	wheel    int
	msgs     int
	bindings []key.Binding
}

func (f *fakePane) ID() PaneID                 { return f.id }
func (f *fakePane) Title() string              { return f.title }
func (f *fakePane) MinHeight() int             { return f.min }
func (f *fakePane) KeyBindings() []key.Binding { return f.bindings }
func (f *fakePane) CapturesInput() bool        { return f.capture }

func (f *fakePane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	if f.unruly {
		return strings.Repeat(strings.Repeat("x", w+7)+"\n", h+3)
	}
	body := fmt.Sprintf("samples %d", d.Hist.Len())
	return Frame(st, f.title, body, w, h, focused)
}

func (f *fakePane) HandleKey(msg tea.KeyPressMsg, _ *Data) (bool, tea.Cmd) {
	f.keys = append(f.keys, msg.String())
	return true, nil
}

func (f *fakePane) HandleMouse(msg tea.MouseMsg, _ *Data) (bool, tea.Cmd) {
	if _, ok := msg.(tea.MouseWheelMsg); ok {
		f.wheel++
	}
	return true, nil
}

func (f *fakePane) HandleMsg(tea.Msg, *Data) tea.Cmd {
	f.msgs++
	return nil
}

func extraPanes(unruly bool) []Pane {
	return []Pane{
		&fakePane{
			id: PaneBigKeys, title: titleBig, min: 6, unruly: unruly,
			bindings: []key.Binding{key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "pause scan"))},
		},
		&fakePane{
			id: PaneChecklist, title: titleCheck, min: 6,
			bindings: []key.Binding{key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "toggle"))},
		},
	}
}

// TestLayoutInvariants: at every size, every line fits the width exactly and
// the frame is exactly the terminal's height — with 0, 1 and many samples,
// with and without extra panes (one of them unruly), and in every mode.
func TestLayoutInvariants(t *testing.T) {
	t.Parallel()
	many := synth{n: 600, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()
	datasets := map[string][]model.Sample{"zero": nil, "one": many[:1], "many": many}
	wStep, hStep := 4, 4
	if testing.Short() || raceEnabled {
		wStep, hStep = 13, 9
	}
	for name, samples := range datasets {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			base := New(Options{Theme: themes.NameDark, Target: testTarget, ExtraPanes: extraPanes(true)})
			base = feed(t, base, samples)
			plain := feed(t, New(Options{Theme: themes.NameMono}), samples)
			for w := 20; w <= 220; w += wStep {
				for h := 8; h <= 70; h += hStep {
					m := step(t, base, tea.WindowSizeMsg{Width: w, Height: h})
					checkFrame(t, m.View().Content, w, h)
					for _, k := range []string{"tab", "e", "?"} {
						checkFrame(t, step(t, m, redistest.Key(k)).View().Content, w, h)
					}
					checkFrame(t, step(t, plain, tea.WindowSizeMsg{Width: w, Height: h}).View().Content, w, h)
				}
			}
		})
	}
}

// TestLayoutModes checks what each size shows.
func TestLayoutModes(t *testing.T) {
	t.Parallel()
	samples := synth{n: 120, maxmemory: 256 * mb}.samples()
	titles := []string{"Memory", "Fragmentation", "Limits", "Persistence", "Big keys", "Checklist"}

	wide := sized(t, 120, 40, Options{ExtraPanes: extraPanes(false)}, samples)
	frame := ansi.Strip(wide.View().Content)
	for _, title := range titles {
		if !strings.Contains(frame, "╭─ "+title) {
			t.Errorf("120x40: no box titled %q:\n%s", title, frame)
		}
	}

	small := sized(t, 80, 24, Options{ExtraPanes: extraPanes(false)}, samples)
	frame = ansi.Strip(small.View().Content)
	if !strings.Contains(frame, "╭─ Memory") {
		t.Errorf("80x24: the focused pane (Memory) is not a box:\n%s", frame)
	}
	for _, title := range []string{"Fragmentation", "Limits", "Persistence", "Big keys", "Checklist"} {
		if !strings.Contains(frame, "▸ "+title) {
			t.Errorf("80x24: no summary line for %q:\n%s", title, frame)
		}
		if strings.Contains(frame, "╭─ "+title) {
			t.Errorf("80x24: %q should be collapsed:\n%s", title, frame)
		}
	}

	// Very short: summaries that do not fit are dropped, and a line says so.
	// (The header is one line at every width; a demo caption takes the
	// line that makes the body too short.)
	short := sized(t, 80, 15, Options{ExtraPanes: extraPanes(false)}, samples)
	short = step(t, short, model.Update{Caption: &model.Caption{Text: "watch the graph"}})
	frame = ansi.Strip(short.View().Content)
	if !strings.Contains(frame, "hidden: tab to cycle, e to expand") {
		t.Errorf("80x15: no line saying what was hidden:\n%s", frame)
	}

	tiny := sized(t, 59, 20, Options{}, samples)
	frame = ansi.Strip(tiny.View().Content)
	if !strings.Contains(frame, "terminal too small: need 60×15, have 59×20") {
		t.Errorf("59x20: no too-small message:\n%s", frame)
	}
	checkFrame(t, tiny.View().Content, 59, 20)
}

func TestSplitWidth(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		w, n int
		want []int
	}{{10, 3, []int{4, 3, 3}}, {120, 3, []int{40, 40, 40}}, {5, 1, []int{5}}, {7, 0, nil}} {
		got := splitWidth(tc.w, tc.n)
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("splitWidth(%d, %d) = %v, want %v", tc.w, tc.n, got, tc.want)
		}
	}
}

// TestCellWidth: the fast path agrees with ansi.StringWidth.
func TestCellWidth(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"", "plain", "\x1b[1;38;2;1;2;3mbold\x1b[m", "╭─ Memory ─╮", "█▌░┃", "Δused −5m · … —", "日本", "e\u0301",
		"a\x1b]0;t\x07b", "🔥", "\x1b[", "a\tb", "×µ·", "☺\ufe0f", "\u00ad",
	} {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, ansi.StringWidth = %d", s, got, want)
		}
	}
}
