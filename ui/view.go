package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/themes"
)

// canvas collects rendered blocks by screen row and joins them left to right.
type canvas struct {
	w    int
	rows [][]segment
}

type segment struct {
	x, w int
	s    string // exactly w cells
}

func newCanvas(w, h int) *canvas { return &canvas{w: w, rows: make([][]segment, h)} }

// put places a block of lines at x, y; every line is fitted to w cells.
func (c *canvas) put(x, y, w int, block string) {
	for i, l := range strings.Split(block, "\n") {
		if y+i < 0 || y+i >= len(c.rows) {
			continue
		}
		c.rows[y+i] = append(c.rows[y+i], segment{x: x, w: w, s: FitWidth(l, w)})
	}
}

func (c *canvas) String() string {
	var b strings.Builder
	b.Grow(len(c.rows) * (c.w + 32))
	for i, row := range c.rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		slices.SortStableFunc(row, func(a, b segment) int { return a.x - b.x })
		col := 0
		for _, sg := range row {
			if sg.x < col {
				continue // overlapping blocks: the first one wins
			}
			if sg.x > col {
				b.WriteString(strings.Repeat(" ", sg.x-col))
				col = sg.x
			}
			b.WriteString(sg.s)
			col += sg.w
		}
		if col < c.w {
			b.WriteString(strings.Repeat(" ", c.w-col))
		}
	}
	return b.String()
}

// render draws the whole screen: exactly m.width × m.height cells.
func (m *Model) render(w, h int) string {
	l := m.layout(w, h)
	st := m.styles
	c := newCanvas(w, h)
	drawPanes(c, l.rects, m.panes, m.view(), st, m.focus)
	if l.hiddenY >= 0 {
		msg := fmt.Sprintf("%d %s hidden: tab to cycle, e to expand", l.hidden, plural(l.hidden, "pane", "panes"))
		c.put(0, l.hiddenY, w, st.Muted.Render(ansi.Truncate(msg, w, "…")))
	}
	if l.mode == modeHelp {
		c.put(l.body.x, l.body.y, l.body.w, m.helpView(m.helpGroups(), l.body.w, l.body.h))
	}
	c.put(0, l.footerY, w, m.footer(l, w))
	return c.String()
}

// drawPanes draws every rect's pane, a collapsed rect as its summary line;
// the pane at index focus is drawn focused (the header never is).
// While the data is stale every pane but the header (which says so) is
// drawn faint.
func drawPanes(c *canvas, rects []rect, panes []Pane, d *Data, st *themes.Styles, focus int) {
	body := paneStyles(d, st)
	for _, r := range rects {
		p := panes[r.pane]
		pst := body
		if r.id == PaneHeader {
			pst = st
		}
		if r.collapsed {
			c.put(r.x, r.y, r.w, summaryLine(p, d, pst, r.w))
			continue
		}
		c.put(r.x, r.y, r.w, p.Render(d, pst, r.w, r.h, r.pane == focus && r.id != PaneHeader))
	}
}

// summaryLine is a collapsed pane: its own summary, or its title.
func summaryLine(p Pane, d *Data, st *themes.Styles, w int) string {
	mark := st.Muted.Render("▸ ")
	if s, ok := p.(Summarizer); ok {
		return mark + s.Summary(d, st, max(w-2, 0))
	}
	return mark + st.Title.Render(p.Title())
}

// footer is the last line: where the user is, and the keys to go on (the
// status message above it while there is one).
func (m *Model) footer(l screenLayout, w int) string {
	var parts []string
	switch l.mode {
	case modeHelp:
		parts = append(parts, "? or esc close help")
	case modeExpanded:
		parts = append(parts, "e/esc back", "tab next pane")
	case modeStacked:
		parts = append(parts, "tab cycle", "e expand")
	default:
		parts = append(parts, "tab focus", "e expand")
	}
	if l.mode == modeHelp {
		parts = append(parts, "q quit")
	} else {
		parts = append(append(parts, actionHints(m.actions)...), "f freeze", "+/- zoom "+windowLabel(m.zooms[m.zoom]), "? help", "q quit")
	}
	return m.footerBlock(parts, w)
}

// helpGroups are the root keys, the caller's actions, then each pane's own,
// in pane order.
func (m *Model) helpGroups() []helpGroup {
	groups := []helpGroup{{title: "Global", keys: m.keys.Bindings()}}
	groups = append(groups, actionGroups(m.actions)...)
	for _, p := range m.panes {
		if ks := p.KeyBindings(); len(ks) > 0 {
			groups = append(groups, helpGroup{title: p.Title(), keys: ks})
		}
	}
	return groups
}

// helpArea is where the ? overlay goes: the body, between header and footer.
func (m *Model) helpArea() (w, h int) {
	l := m.layout(m.width, m.height)
	return l.body.w, l.body.h
}

// tooSmall is the screen shown below MinWidth × MinHeight, centred.
func tooSmall(st *themes.Styles, w, h int) string {
	msg := fmt.Sprintf("terminal too small: need %d×%d, have %d×%d", MinWidth, MinHeight, w, h)
	lines := []string{msg}
	if ansi.StringWidth(msg) > w {
		lines = []string{"terminal too small", fmt.Sprintf("need %d×%d", MinWidth, MinHeight), fmt.Sprintf("have %d×%d", w, h)}
	}
	for i, l := range lines {
		lines[i] = st.Warn.Render(ansi.Truncate(l, w, "…"))
	}
	block := lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, strings.Join(lines, "\n"))
	return FitLines(block, w, h)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
