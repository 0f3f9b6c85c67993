package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/themes"
)

// Frame draws the standard pane box: the styles' border with the title set
// into its top edge, around body cut and padded to fit. The result is exactly
// h lines of exactly w cells (for w, h ≥ 1). Panes call it from Render:
//
//	inner := InnerSize(st, w, h) // what body may use
//	return Frame(st, p.Title(), body, w, h, focused)
func Frame(st *themes.Styles, title, body string, w, h int, focused bool) string {
	if w <= 0 || h <= 0 {
		return strings.Repeat("\n", max(h-1, 0))
	}
	box := st.PaneFrame(focused)
	b := box.GetBorderStyle()
	sgr := st.BorderSGR
	if focused {
		sgr = st.BorderFocusSGR
	}
	paint := func(s string) string {
		if sgr == "" {
			return s
		}
		return sgr + s + ansi.ResetStyle
	}
	fw, fh := box.GetHorizontalFrameSize(), box.GetVerticalFrameSize()
	iw, ih := w-fw, h-fh
	if iw < 1 || ih < 0 {
		// Too small for a border: the title, then the body, bare.
		return FitLines(title+"\n"+body, w, h)
	}
	tstyle := st.Title
	if focused {
		tstyle = st.TitleFocus
	}

	var out strings.Builder
	out.Grow((w + 16) * h)
	// Top edge: ╭─ Title ─────╮
	t := ansi.Truncate(title, max(iw-3, 0), "…")
	top := b.Top
	if t != "" && iw >= 4 {
		fill := max(iw-1-ansi.StringWidth(t)-2, 0)
		out.WriteString(paint(b.TopLeft + top))
		out.WriteString(tstyle.Render(" " + t + " "))
		out.WriteString(paint(strings.Repeat(top, fill) + b.TopRight))
	} else {
		out.WriteString(paint(b.TopLeft + strings.Repeat(top, iw) + b.TopRight))
	}
	lines := fitLineSlice(body, iw, ih)
	left, right := paint(b.Left), paint(b.Right)
	for _, l := range lines {
		out.WriteByte('\n')
		out.WriteString(left)
		out.WriteString(l)
		out.WriteString(right)
	}
	if h >= 2 {
		out.WriteByte('\n')
		out.WriteString(paint(b.BottomLeft + strings.Repeat(b.Bottom, iw) + b.BottomRight))
	}
	return out.String()
}

// InnerSize is the room inside a pane's border.
func InnerSize(st *themes.Styles, w, h int) (iw, ih int) {
	box := st.Pane
	return max(w-box.GetHorizontalFrameSize(), 0), max(h-box.GetVerticalFrameSize(), 0)
}

// FitLines cuts or pads s to exactly h lines of exactly w cells each
// (ANSI-aware: styles are kept, cuts never split an escape sequence).
func FitLines(s string, w, h int) string {
	return strings.Join(fitLineSlice(s, w, h), "\n")
}

func fitLineSlice(s string, w, h int) []string {
	if h <= 0 {
		return nil
	}
	src := strings.Split(s, "\n")
	out := make([]string, h)
	for i := range out {
		l := ""
		if i < len(src) {
			l = src[i]
		}
		out[i] = FitWidth(l, w)
	}
	return out
}

// FitWidth cuts or pads one line to exactly w cells.
func FitWidth(l string, w int) string {
	if w <= 0 {
		return ""
	}
	lw := cellWidth(l)
	if lw > w {
		l = ansi.Truncate(l, w, "")
		lw = ansi.StringWidth(l)
	}
	if lw < w {
		l += strings.Repeat(" ", w-lw)
	}
	return l
}
