package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/themes"
)

// labelW is the width of the label column in the figure panes.
const labelW = 15

// kv is a figure line: a muted label padded to labelW, then the value.
func kv(st *themes.Styles, label, value string) string {
	pad := max(labelW-ansi.StringWidth(label), 1)
	return st.Label.Render(label) + strings.Repeat(" ", pad) + value
}

// gaugeCell says how one cell of a gauge is drawn: filled or empty, in the
// colour of a level, possibly with a threshold mark over it.
type gaugeCell struct {
	filled bool
	mark   bool
	level  themes.Level
}

// gauge draws a bar of w cells. cell(i) decides each cell; runs of equal
// cells are styled together to keep the output short.
func gauge(st *themes.Styles, w int, cell func(i int) gaugeCell) string {
	if w <= 0 {
		return ""
	}
	var b, run strings.Builder
	var runStyle lipgloss.Style
	flush := func() {
		if run.Len() > 0 {
			b.WriteString(runStyle.Render(run.String()))
			run.Reset()
		}
	}
	type runKey struct {
		ch    string
		level themes.Level
	}
	var prev runKey
	for i := range w {
		c := cell(i)
		k := runKey{"░", -1}
		s := st.GaugeEmpty
		switch {
		case c.mark && c.filled:
			k, s = runKey{"▌", c.level}, st.ForLevel(c.level)
		case c.mark:
			k, s = runKey{"┃", c.level}, st.ForLevel(c.level)
		case c.filled:
			k, s = runKey{"█", c.level}, st.ForLevel(c.level)
		}
		if i == 0 || k != prev {
			flush()
			runStyle = s
			prev = k
		}
		run.WriteString(k.ch)
	}
	flush()
	return b.String()
}

// cut truncates a styled line to w cells with an ellipsis.
func cut(s string, w int) string {
	if w <= 0 {
		return ""
	}
	return ansi.Truncate(s, w, "…")
}

// joinLines cuts each line to w and joins them.
func joinLines(lines []string, w int) string {
	for i, l := range lines {
		lines[i] = cut(l, w)
	}
	return strings.Join(lines, "\n")
}

// wrapStyled word-wraps plain text to w cells and styles each line.
func wrapStyled(style lipgloss.Style, text string, w int) []string {
	if w <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wrap(text, w, ""), "\n")
	for i, l := range lines {
		lines[i] = style.Render(strings.TrimRight(l, " "))
	}
	return lines
}

// firstFit returns the first variant at most w cells wide, or the last one
// cut to w.
func firstFit(w int, variants ...string) string {
	for _, v := range variants {
		if ansi.StringWidth(v) <= w {
			return v
		}
	}
	if len(variants) == 0 {
		return ""
	}
	return cut(variants[len(variants)-1], w)
}
