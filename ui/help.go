package ui

import (
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

// helpView draws the ? overlay in a w×h area: the groups flow down columns,
// as many columns as fit.
func (m *Model) helpView(w, h int) string {
	st := m.styles
	box := st.HelpBox
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := max(h-box.GetVerticalFrameSize(), 1)

	// One entry per line: group titles, then "key  description".
	type entry struct {
		text  string
		width int
	}
	var entries []entry
	keyW := 0
	for _, g := range m.helpGroups() {
		for _, b := range g.keys {
			if b.Enabled() {
				keyW = max(keyW, ansi.StringWidth(b.Help().Key))
			}
		}
	}
	for gi, g := range m.helpGroups() {
		var lines []entry
		for _, b := range g.keys {
			if !b.Enabled() || b.Help().Key == "" {
				continue
			}
			hk := b.Help()
			pad := strings.Repeat(" ", keyW-ansi.StringWidth(hk.Key))
			t := st.HelpKey.Render(hk.Key) + pad + "  " + st.HelpDesc.Render(hk.Desc)
			lines = append(lines, entry{t, keyW + 2 + ansi.StringWidth(hk.Desc)})
		}
		if len(lines) == 0 {
			continue
		}
		if gi > 0 {
			entries = append(entries, entry{"", 0})
		}
		entries = append(entries, entry{st.HelpGroup.Render(g.title), ansi.StringWidth(g.title)})
		entries = append(entries, lines...)
	}
	colW := 0
	for _, e := range entries {
		colW = max(colW, e.width)
	}
	const gutter = 3
	cols := max(1, (len(entries)+ih-1)/ih)
	cols = min(cols, max(1, (iw+gutter)/(colW+gutter)))
	rows := (len(entries) + cols - 1) / cols
	if rows > ih {
		rows = ih // does not fit: the tail is cut, marked below
	}
	out := make([]string, 0, rows)
	for r := range rows {
		var line strings.Builder
		for c := range cols {
			i := c*rows + r
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
	if rows*cols < len(entries) && len(out) > 0 {
		out[len(out)-1] = st.Muted.Render("… (enlarge the terminal for more)")
	}
	body := strings.Join(out, "\n")
	bw := min(w, lipgloss.Width(body)+box.GetHorizontalFrameSize())
	boxed := box.Width(bw).MaxWidth(w).Render(body)
	return FitLines(lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, boxed), w, h)
}
