package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/themes"
)

// The ? overlay of both roots: built from the key bindings (each root gives
// its groups), flowing down as many columns as fit, scrolling when even
// then it does not.

// helpGroup is one titled block of the ? overlay.
type helpGroup struct {
	title string
	keys  []key.Binding
}

// actionGroups are the caller's actions, grouped by their heading.
func actionGroups(actions []Action) []helpGroup {
	var groups []helpGroup
	for _, a := range actions {
		title := a.Group
		if title == "" {
			title = "Actions"
		}
		if n := len(groups); n > 0 && groups[n-1].title == title {
			groups[n-1].keys = append(groups[n-1].keys, a.Key)
			continue
		}
		groups = append(groups, helpGroup{title: title, keys: []key.Binding{a.Key}})
	}
	return groups
}

// helpEntry is one line of the ? overlay.
type helpEntry struct {
	text  string
	width int
}

// helpEntries are the overlay's lines: group titles, then "key  description".
func helpEntries(st *themes.Styles, groups []helpGroup) []helpEntry {
	var entries []helpEntry
	keyW := 0
	for _, g := range groups {
		for _, b := range g.keys {
			if b.Enabled() {
				keyW = max(keyW, ansi.StringWidth(b.Help().Key))
			}
		}
	}
	for gi, g := range groups {
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
func helpGeometry(st *themes.Styles, entries []helpEntry, w, h int) (cols, colW, total, rows int) {
	box := st.HelpBox
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

// helpView draws the ? overlay of groups in a w×h area, scrolled to the
// chrome's offset.
func (c *chrome) helpView(groups []helpGroup, w, h int) string {
	st := c.styles
	box := st.HelpBox
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := max(h-box.GetVerticalFrameSize(), 1)
	entries := helpEntries(st, groups)
	cols, colW, total, rows := helpGeometry(st, entries, w, h)
	off := clamp(c.helpOff, 0, max(total-rows, 0))
	out := make([]string, 0, rows+1)
	for r := off; r < off+rows; r++ {
		var line strings.Builder
		for col := range cols {
			i := col*total + r
			if i >= len(entries) {
				break
			}
			if col > 0 {
				line.WriteString(strings.Repeat(" ", helpGutter))
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
