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

// helpBlocks are the overlay's groups as lines: each a title, then
// "key  description", the keys padded to one width across every group.
func helpBlocks(st *themes.Styles, groups []helpGroup) [][]helpEntry {
	var blocks [][]helpEntry
	keyW := 0
	for _, g := range groups {
		for _, b := range g.keys {
			if b.Enabled() {
				keyW = max(keyW, ansi.StringWidth(b.Help().Key))
			}
		}
	}
	for _, g := range groups {
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
		title := helpEntry{st.HelpGroup.Render(g.title), ansi.StringWidth(g.title)}
		blocks = append(blocks, append([]helpEntry{title}, lines...))
	}
	return blocks
}

const helpGutter = 3

// helpLayout is how the groups flow in a w×h area: the columns, the column
// width, the rows the columns need and the rows shown (fewer when it does
// not fit: the overlay then scrolls). A group is never split across two
// columns and every column starts with a group's title, so the titles of
// side-by-side groups sit on the same row; one blank line separates two
// groups in a column.
func helpLayout(st *themes.Styles, groups []helpGroup, w, h int) (cols [][]helpEntry, colW, total, rows int) {
	box := st.HelpBox
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := max(h-box.GetVerticalFrameSize(), 1)
	blocks := helpBlocks(st, groups)
	n, tallest := 0, 0
	for i, b := range blocks {
		for _, e := range b {
			colW = max(colW, e.width)
		}
		n += len(b)
		if i > 0 {
			n++
		}
		tallest = max(tallest, len(b))
	}
	maxCols := max(1, (iw+helpGutter)/(colW+helpGutter))
	if n <= ih || maxCols == 1 {
		cols = packHelp(blocks, n)
	} else {
		for height := max((n+maxCols-1)/maxCols, tallest); ; height++ {
			if cols = packHelp(blocks, height); len(cols) <= maxCols {
				break
			}
		}
	}
	for _, c := range cols {
		total = max(total, len(c))
	}
	rows = total
	if total > ih {
		rows = max(ih-1, 1) // the last line says where it stands
	}
	return cols, colW, total, rows
}

// packHelp fills columns of at most height lines with whole groups, in
// order (a group taller than height gets a column of its own).
func packHelp(blocks [][]helpEntry, height int) [][]helpEntry {
	var cols [][]helpEntry
	for _, b := range blocks {
		if n := len(cols); n > 0 && len(cols[n-1])+1+len(b) <= height {
			cols[n-1] = append(append(cols[n-1], helpEntry{}), b...)
			continue
		}
		cols = append(cols, append([]helpEntry{}, b...))
	}
	return cols
}

// helpView draws the ? overlay of groups in a w×h area, scrolled to the
// chrome's offset.
func (c *chrome) helpView(groups []helpGroup, w, h int) string {
	st := c.styles
	box := st.HelpBox
	iw := max(w-box.GetHorizontalFrameSize(), 1)
	ih := max(h-box.GetVerticalFrameSize(), 1)
	cols, colW, total, rows := helpLayout(st, groups, w, h)
	off := clamp(c.helpOff, 0, max(total-rows, 0))
	out := make([]string, 0, rows+1)
	for r := off; r < off+rows; r++ {
		var line strings.Builder
		for ci, col := range cols {
			if ci > 0 {
				line.WriteString(strings.Repeat(" ", helpGutter))
			}
			var e helpEntry
			if r < len(col) {
				e = col[r]
			}
			line.WriteString(FitWidth(e.text, colW))
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
