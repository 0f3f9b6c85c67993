package ui

import (
	"fmt"
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// demoHelpActions are the demo's keys and the scan's, as `demo` gives them.
func demoHelpActions() []Action {
	act := func(k, h string) Action {
		return Action{Group: "Demo", Key: key.NewBinding(key.WithKeys(k), key.WithHelp(k, h)), Do: func() string { return "" }}
	}
	return append([]Action{act("n", "next stage"), act("p", "pause / resume the workload"), act("r", "restart the scenario")}, ScanActions(nil)...)
}

// TestHelpGolden draws the ? overlay of a demo (its keys, the scan's, the
// big-key and checklist panes') at 80×24 and 120×40. Every column starts
// with a group's title, so titles side by side sit on one row.
func TestHelpGolden(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			opts := Options{Actions: demoHelpActions(), ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()}}
			m := sized(t, sz[0], sz[1], opts, synth{n: 600, maxmemory: 256 * mb}.samples())
			m = step(t, m, redistest.Key("?"))
			frame := m.View().Content
			checkFrame(t, frame, sz[0], sz[1])
			text := ansi.Strip(frame)
			if !strings.Contains(text, "n          next stage") {
				t.Errorf("the help does not list n next stage:\n%s", text)
			}
			golden.RequireEqual(t, text)
		})
	}
}

// TestHelpTitlesAlign: at 120×40 the overlay has two columns, and the
// second starts with its group's title on the row of the first's — not a
// blank line, not a title left at the foot of a column.
func TestHelpTitlesAlign(t *testing.T) {
	t.Parallel()
	opts := Options{Actions: demoHelpActions(), ExtraPanes: []Pane{NewBigKeysPane(), NewChecklistPane()}}
	m := sized(t, 120, 40, opts, synth{n: 600, maxmemory: 256 * mb}.samples())
	m = step(t, m, redistest.Key("?"))
	lines := strings.Split(ansi.Strip(m.View().Content), "\n")
	row := func(s string) int {
		for i, l := range lines {
			if strings.Contains(l, "│ "+s+" ") || strings.Contains(l, "   "+s+" ") {
				return i
			}
		}
		t.Fatalf("no %q title in\n%s", s, strings.Join(lines, "\n"))
		return -1
	}
	if g, b := row("Global"), row("Big keys"); g != b {
		t.Errorf("Global is on row %d, Big keys (the second column's first group) on row %d:\n%s", g, b, strings.Join(lines, "\n"))
	}
	for i, l := range lines {
		cells := strings.Split(strings.Trim(l, "│ "), "   ")
		if len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "Checklist" && i+1 < len(lines) && strings.TrimSpace(strings.Trim(lines[i+1], "│")) == "" {
			t.Errorf("the Checklist title is left at the foot of a column:\n%s", strings.Join(lines, "\n"))
		}
	}
}
