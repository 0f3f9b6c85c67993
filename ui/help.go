package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// helpGroup is one titled block of the ? overlay.
type helpGroup struct {
	title string
	keys  []key.Binding
}

// helpGroups are the root keys, then each pane's own, in pane order.
func (m *Model) helpGroups() []helpGroup {
	groups := []helpGroup{{title: "Global", keys: m.keys.Bindings()}}
	groups = append(groups, m.actionGroups()...)
	for _, p := range m.panes {
		if ks := p.KeyBindings(); len(ks) > 0 {
			groups = append(groups, helpGroup{title: p.Title(), keys: ks})
		}
	}
	return groups
}

// helpEntry is one line of the ? overlay.
type helpEntry struct {
	text  string
	width int
}

// helpEntries are the overlay's lines: group titles, then "key  description".
func (m *Model) helpEntries() []helpEntry {
	st := m.styles
	var entries []helpEntry
	keyW := 0
	for _, g := range m.helpGroups() {
		for _, b := range g.keys {
			if b.Enabled() {
				keyW = max(keyW, ansi.StringWidth(b.Help().Key))
			}
		}
	}
	for gi, g := range m.helpGroups() {
		var lines []helpEntry
		for _, b := range g.keys {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			hk := b.Help()
			pad := strings.Repeat(" ", keyW-ansi.StringWidth(hk.Key))
			t := st.HelpKey.Render(hk.Key) + pad + "  " + st.HelpDesc.Render(hk.Desc)
			lines = append(lines, helpEntry{t, keyW + 2 + ansi.StringWidth(hk.Desc)})
		}
		if len(lines) == 0 {
			continue
		}
		if gi > 0 {
			entries = append(entries, helpEntry{"", 0})
		}
		entries = append(entries, helpEntry{st.HelpGroup.Render(g.title), ansi.StringWidth(g.title)})
		entries = append(entries, lines...)
	}
	return entries
}

const helpGutter = 3

// helpGeometry is how the entries flow in a w×h area: the columns, the
// column width, the rows the columns need and the rows shown (fewer when
// it does not fit: the overlay then scrolls).
func (m *Model) helpGeometry(entries []helpEntry, w, h int) (cols, colW, total, rows int) {
	box := m.styles.HelpBox
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := max(h-box.GetVerticalFrameSize(), 1)
	for _, e := range entries {
		colW = max(colW, e.width)
	}
	cols = max(1, (len(entries)+ih-1)/ih)
	cols = min(cols, max(1, (iw+helpGutter)/(colW+helpGutter)))
	total = (len(entries) + cols - 1) / cols
	rows = total
	if total > ih {
		rows = max(ih-1, 1) // the last line says where it stands
	}
	return cols, colW, total, rows
}

// clampHelp keeps the overlay's scroll within its rows on this screen.
func (m *Model) clampHelp() {
	l := m.layout(m.width, m.height)
	_, _, total, rows := m.helpGeometry(m.helpEntries(), l.body.w, l.body.h)
	m.helpOff = clamp(m.helpOff, 0, max(total-rows, 0))
}

// helpView draws the ? overlay in a w×h area: the groups flow down columns,
// as many columns as fit; when they do not fit, ↑↓ scroll them.
func (m *Model) helpView(w, h int) string {
	st := m.styles
	box := st.HelpBox
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := max(h-box.GetVerticalFrameSize(), 1)
	entries := m.helpEntries()
	cols, colW, total, rows := m.helpGeometry(entries, w, h)
	gutter := helpGutter
	off := clamp(m.helpOff, 0, max(total-rows, 0))
	out := make([]string, 0, rows+1)
	for r := off; r < off+rows; r++ {
		var line strings.Builder
		for c := range cols {
			i := c*total + r
			if i >= len(entries) {
				break
			}
			if c > 0 {
				line.WriteString(strings.Repeat(" ", gutter))
			}
			line.WriteString(FitWidth(entries[i].text, colW))
		}
		out = append(out, ansi.Truncate(line.String(), iw, ""))
	}
	if rows < total && ih > 1 {
		out = append(out, st.Muted.Render(ansi.Truncate(fmt.Sprintf("↑↓ scroll · rows %d–%d of %d", off+1, off+rows, total), iw, "…")))
	}
	body := strings.Join(out, "\n")
	bw := min(w, lipgloss.Width(body)+box.GetHorizontalFrameSize())
	boxed := box.Width(bw).MaxWidth(w).Render(body)
	return FitLines(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, boxed), w, h)
}
