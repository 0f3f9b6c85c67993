package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/themes"
)

// The one table renderer: the big keys' views and the overview's nodes
// table fit cells to columns, head them and scroll their rows the same way.

// column is one table column: its title, width and alignment.
type column struct {
	title string
	w     int
	right bool
}

// fitCell pads or cuts an already-escaped cell to exactly w cells.
func fitCell(s string, w int, right bool) string {
	sw := cellWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = cellWidth(s)
	}
	pad := strings.Repeat(" ", max(w-sw, 0))
	if right {
		return pad + s
	}
	return s + pad
}

// tableRow fits cells (already escaped) to their columns, one space apart.
func tableRow(cols []column, cells []string) string {
	var b strings.Builder
	n := len(cols)
	for _, c := range cols {
		n += c.w
	}
	b.Grow(n + n/4) // a few cells draw with multi-byte runes (—, └, ⇄)
	for i, c := range cols {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(fitCell(cells[i], c.w, c.right))
	}
	return b.String()
}

// tableHead is the column titles, the sort column's marked ▼ (sortCol -1:
// none).
func tableHead(cols []column, sortCol int) string {
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
		if i == sortCol {
			titles[i] += "▼"
		}
	}
	return tableRow(cols, titles)
}

// tableWindow is the rows [first, last) of total shown in n lines, scrolled
// so the selected row shows.
func tableWindow(sel, n, total int) (first, last int) {
	if sel >= n {
		first = sel - n + 1
	}
	return first, min(total, first+n)
}

// tableLines draws a header and rows (cells already escaped), the selected
// row marked in a two-cell gutter, scrolled so the selection shows. It
// returns at most h lines.
func tableLines(st *themes.Styles, cols []column, cells [][]string, sel, h int, sortCol int) []string {
	out := []string{st.Label.Render("  " + tableHead(cols, sortCol))}
	rows := h - 1
	if rows <= 0 {
		return out[:min(h, 1)]
	}
	first, last := tableWindow(sel, rows, len(cells))
	// Rows are wrapped in the style's escape codes directly: a lipgloss
	// Render per row measures every line again, which is most of the cost of
	// a full table.
	text := wrapperOf(st.Text)
	for r := first; r < last; r++ {
		l := tableRow(cols, cells[r])
		if r == sel {
			out = append(out, st.Accent.Render("▸ ")+st.Value.Render(l))
		} else {
			out = append(out, "  "+text.wrap(l))
		}
	}
	return out
}

// fitByPriority keeps the columns that fit w cells (one space apart),
// taking them by priority (lower first; within one, in order), and widens
// the first column up to maxW with what is left.
func fitByPriority(cands []column, prio []int, w, maxW int) []column {
	keep := make([]bool, len(cands))
	used := -1
	top := 0
	for _, p := range prio {
		top = max(top, p)
	}
	for p := range top + 1 {
		for i, c := range cands {
			if prio[i] == p && used+1+c.w <= w {
				keep[i] = true
				used += 1 + c.w
			}
		}
	}
	out := make([]column, 0, len(cands))
	for i, c := range cands {
		if keep[i] {
			out = append(out, c)
		}
	}
	if len(out) > 0 && keep[0] && maxW > 0 {
		out[0].w = min(maxW, out[0].w+max(w-used, 0))
	}
	return out
}
