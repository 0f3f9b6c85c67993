package ui

// Screen sizes the layout switches on.
const (
	// MinWidth × MinHeight is the smallest screen drawn; below it the UI says
	// "terminal too small".
	MinWidth  = 60
	MinHeight = 15
	// WideWidth × WideHeight and above shows every pane at once.
	WideWidth  = 120
	WideHeight = 40

	maxHeaderLines = 3
	footerLines    = 1
	// wideRowPanes is the height of the fragmentation / limits / persistence
	// row in the wide layout: their content is about 12 lines.
	wideRowPanes = 14
	// graphShare is the part of the room left after that row which the graph
	// gets when extra panes share it (percent).
	graphShare = 45
)

type layoutMode int

const (
	modeTooSmall layoutMode = iota
	modeWide
	modeStacked
	modeExpanded
	modeHelp
)

// rect is a pane's place on the screen. A collapsed rect is one summary line.
type rect struct {
	pane       int // index into Model.panes
	id         PaneID
	x, y, w, h int
	collapsed  bool
}

// screenLayout is the result of layout: where every pane goes.
type screenLayout struct {
	mode      layoutMode
	w, h      int
	rects     []rect // boxes and summary lines, header first
	body      rect   // the area under the header, above the footer
	hidden    int    // panes with no line at all (stacked, very short screens)
	collapsed int    // panes shown as a summary line
	hiddenY   int    // the line saying what is hidden (-1: none)
	footerY   int
}

// frameLayout starts the layout of either root: the too-small screen, or
// the header (pane 0, headerH lines), the footer and the body between them
// — all of it for the ? overlay. footerH is the footer's height (the key
// hints, and the status message's own lines while there is one). ok is
// false when there is nothing more to place.
func frameLayout(w, h, footerH int, help bool, headerH func() int) (l screenLayout, ok bool) {
	l = screenLayout{w: w, h: h, hiddenY: -1}
	if w < MinWidth || h < MinHeight {
		l.mode = modeTooSmall
		return l, false
	}
	hh := headerH()
	l.rects = append(l.rects, rect{pane: 0, id: PaneHeader, w: w, h: hh})
	l.footerY = h - footerH
	l.body = rect{x: 0, y: hh, w: w, h: h - hh - footerH}
	if help {
		l.mode = modeHelp
		return l, false
	}
	return l, true
}

// layout computes every pane rectangle from the terminal size and the panes'
// own minimum sizes (which include their border: lipgloss v2 sizes are
// border-box).
func (m *Model) layout(w, h int) screenLayout {
	l, ok := frameLayout(w, h, m.footerHeight(w), m.help, func() int {
		if p, ok := m.panes[0].(PreferredHeighter); ok {
			return clamp(p.PreferredHeight(m.view(), w), 1, maxHeaderLines+captionRoom(h))
		}
		return 1
	})
	if !ok {
		return l
	}
	switch {
	case m.expanded:
		l.mode = modeExpanded
		l.rects = append(l.rects, rect{pane: m.focus, id: m.panes[m.focus].ID(), x: 0, y: l.body.y, w: w, h: l.body.h})
	case w >= WideWidth && h >= WideHeight:
		l.mode = modeWide
		m.layoutWide(&l)
	default:
		l.mode = modeStacked
		m.layoutStacked(&l)
	}
	return l
}

// layoutWide: the graph across the top, fragmentation / limits / persistence
// side by side under it, extra panes side by side below.
func (m *Model) layoutWide(l *screenLayout) {
	var core, extra []int
	for i, p := range m.panes {
		switch p.ID() {
		case PaneHeader, PaneMemory:
		case PaneFrag, PaneLimits, PanePersist:
			core = append(core, i)
		default:
			extra = append(extra, i)
		}
	}
	mem := m.indexOf(PaneMemory)
	avail := l.body.h
	rowB := wideRowPanes
	for _, i := range core {
		rowB = max(rowB, m.panes[i].MinHeight())
	}
	graphH := avail - rowB
	extraH := 0
	if len(extra) > 0 {
		rest := avail - rowB
		extraMin := 0
		for _, i := range extra {
			extraMin = max(extraMin, m.panes[i].MinHeight())
		}
		graphH = max(m.panes[mem].MinHeight(), rest*graphShare/100)
		extraH = rest - graphH
		if extraH < extraMin {
			extraH = min(extraMin, rest-m.panes[mem].MinHeight())
			graphH = rest - extraH
		}
	}
	y := l.body.y
	l.rects = append(l.rects, rect{pane: mem, id: PaneMemory, x: 0, y: y, w: l.w, h: graphH})
	y += graphH
	l.addRow(m, core, y, rowB)
	y += rowB
	if extraH > 0 {
		l.addRow(m, extra, y, extraH)
	}
}

// addRow places panes side by side, sharing the width.
func (l *screenLayout) addRow(m *Model, idx []int, y, h int) {
	x := 0
	for k, w := range splitWidth(l.w, len(idx)) {
		i := idx[k]
		l.rects = append(l.rects, rect{pane: i, id: m.panes[i].ID(), x: x, y: y, w: w, h: h})
		x += w
	}
}

// layoutStacked: the focused pane gets the room; every other pane is one
// summary line, in pane order around it. When even those lines do not fit,
// the ones farthest from the focus are dropped and a line says so.
func (m *Model) layoutStacked(l *screenLayout) {
	var others []int
	for i, p := range m.panes {
		if i != m.focus && p.ID() != PaneHeader {
			others = append(others, i)
		}
	}
	avail := l.body.h
	need := max(m.panes[m.focus].MinHeight(), 3)
	shown := len(others)
	for shown > 0 && avail-shown-boolInt(shown < len(others)) < need {
		shown--
	}
	keep := make(map[int]bool, shown)
	// Keep the summaries nearest the focus (cyclic distance in pane order).
	for len(keep) < shown {
		best, bestDist := -1, 1<<30
		for _, i := range others {
			if keep[i] {
				continue
			}
			dist := abs(i - m.focus)
			if dist < bestDist {
				best, bestDist = i, dist
			}
		}
		keep[best] = true
	}
	l.collapsed = shown
	l.hidden = len(others) - shown
	focusH := avail - shown - boolInt(l.hidden > 0)
	y := l.body.y
	for i := range m.panes {
		switch {
		case i == m.focus:
			l.rects = append(l.rects, rect{pane: i, id: m.panes[i].ID(), y: y, w: l.w, h: focusH})
			y += focusH
		case keep[i]:
			l.rects = append(l.rects, rect{pane: i, id: m.panes[i].ID(), y: y, w: l.w, h: 1, collapsed: true})
			y++
		}
	}
	if l.hidden > 0 {
		l.hiddenY = y
	}
}

// splitWidth divides w into n widths that add up to w, the first ones one
// cell wider when it does not divide evenly.
func splitWidth(w, n int) []int {
	if n <= 0 {
		return nil
	}
	out := make([]int, n)
	for i := range out {
		out[i] = w / n
		if i < w%n {
			out[i]++
		}
	}
	return out
}

func clamp(v, lo, hi int) int { return max(lo, min(hi, v)) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// The overview's layout: its header, then its panes stacked, each wanting a
// height; the focused one is served first, and one that gets less than its
// framed minimum is its summary line. Every size is a count of content
// lines plus the styles' frame.
const (
	// overviewTallHeader is the screen height from which the overview's
	// header has its third line (the imbalance): below it the line would
	// leave the nodes table fewer rows than it keeps (overviewKeptNodeRows).
	overviewTallHeader = 20
	// nodesTableLines are the nodes table's lines besides its rows: the
	// column titles and the selected node's details.
	nodesTableLines = 2
	// overviewKeptNodeRows are the rows the nodes table keeps when another
	// pane has focus: it is the map.
	overviewKeptNodeRows = 3
	// overviewBigKeysLines is what the big keys pane asks for in the
	// overview: its progress, column titles and key hints, and nine keys.
	overviewBigKeysLines = 3 + 9
)

// headerLines is the overview header's height for a screen of height h
// (a demo caption adds the lines it wraps to).
func (m *Multi) headerLines(w, h int) int {
	n := 2
	if h >= overviewTallHeader {
		n = 3
	}
	return n + len(captionLines(m.caption, m.styles, w, captionRoom(h)))
}

// layout computes the overview's rectangles for a w×h screen: rect.pane is
// an index into m.panes() (pane 0 the header, pane s+1 section s).
func (m *Multi) layout(w, h int) screenLayout {
	l, ok := frameLayout(w, h, m.footerHeight(w), m.help, func() int { return m.headerLines(w, h) })
	if !ok {
		return l
	}
	l.mode = modeStacked
	got := m.sectionHeights(l.body.h)
	panes := m.panes()
	fv := m.styles.Pane.GetVerticalFrameSize()
	y := l.body.y
	for s, sh := range got {
		p := panes[s+1]
		l.rects = append(l.rects, rect{pane: s + 1, id: p.ID(), y: y, w: w, h: sh, collapsed: sh < fv+minSectionLines})
		if sh < fv+minSectionLines {
			l.collapsed++
		}
		y += sh
	}
	return l
}

// sectionHeights shares body lines between the sections (in section
// order): the focused one first gets what it wants, the others what is
// left, at least their summary line.
func (m *Multi) sectionHeights(body int) []int {
	fv := m.styles.Pane.GetVerticalFrameSize()
	n := 2
	if m.bk != nil {
		n = 3
	}
	want := []int{
		secNodes:   m.nodeCount() + nodesTableLines + fv,
		secChecks:  len(m.checks) + fv,
		secBigKeys: overviewBigKeysLines + fv,
	}[:n]
	if m.checkOpen {
		want[secChecks] = max(want[secChecks], body/2)
	}
	got := make([]int, n)
	for s := range got {
		got[s] = 1
	}
	left := body - n
	give := func(s multiSection) {
		extra := min(want[s]-got[s], left)
		if extra <= 0 || got[s]+extra < fv+minSectionLines {
			return
		}
		got[s] += extra
		left -= extra
	}
	// The nodes table keeps a few rows whatever has focus: it is the map.
	if m.section != secNodes {
		all := want[secNodes]
		want[secNodes] = min(all, overviewKeptNodeRows+nodesTableLines+fv)
		give(secNodes)
		want[secNodes] = all
	}
	give(m.section)
	for s := range n {
		give(multiSection(s))
	}
	// What nobody wanted goes to the nodes table (it scrolls) or the last
	// pane.
	if left > 0 {
		last := n - 1
		if got[last] > 1 || got[secNodes] == 1 {
			got[last] += left
		} else {
			got[secNodes] += left
		}
	}
	return got
}
