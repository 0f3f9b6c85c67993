package ui

import (
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/guptarohit/asciigraph"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// memoryPane graphs used_memory and used_memory_rss over the window, with the
// maxmemory ceiling, fork / restart / gap marks, and the figures beside it.
type memoryPane struct{}

func newMemoryPane() *memoryPane { return &memoryPane{} }

func (*memoryPane) ID() PaneID     { return PaneMemory }
func (*memoryPane) Title() string  { return "Memory" }
func (*memoryPane) MinHeight() int { return 8 }

// KeyBindings: the zoom keys act on this pane but belong to the root (they
// are listed under Global in the help).
func (*memoryPane) KeyBindings() []key.Binding { return nil }

func (*memoryPane) HandleKey(tea.KeyPressMsg, *Data) (bool, tea.Cmd) { return false, nil }

// Graph geometry. asciigraph puts each y label, padded to labelW+1, then the
// axis, then one cell per segment between two points.
const (
	yLabelW     = 8 // "1023.99M"
	graphGutter = yLabelW + 2
	numbersW    = 24 // the figures column beside the graph
	numbersSep  = " │ "
	numbersSepW = 3
	minPlotW    = 8
)

// Sentinel colours given to asciigraph, swapped for the theme's SGR after.
const (
	sgrCeiling = "\x1b[31m"
	sgrRSS     = "\x1b[32m"
	sgrUsed    = "\x1b[33m"
	sgrAxis    = "\x1b[34m"
	sgrLabel   = "\x1b[35m"
	sgrReset   = "\x1b[0m"
)

func (p *memoryPane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	title := "Memory · used vs RSS · " + windowLabel(d.Window)
	if t, stale := d.StaleAsOf(); stale {
		title += " · " + asOf(t)
	}
	return Frame(st, title, p.body(d, st, iw, ih), w, h, focused)
}

// Summary is the collapsed line.
func (p *memoryPane) Summary(d *Data, st *themes.Styles, w int) string {
	s := d.Last()
	line := st.Title.Render("Memory") + "  "
	if s == nil {
		return ansi.Truncate(line+st.Muted.Render("no sample yet"), w, "…")
	}
	line += st.Label.Render("used ") + st.Used.Render(model.OptBytes(s.Memory.UsedMemory)) +
		"  " + st.Label.Render("RSS ") + st.RSS.Render(model.OptBytes(s.Memory.UsedMemoryRSS)) +
		"  " + st.Label.Render("Δ"+windowLabel(d.Window)+" ") + st.Text.Render(signedBytes(windowDelta(d, model.GetUsed)))
	return ansi.Truncate(line, w, "…")
}

func (p *memoryPane) body(d *Data, st *themes.Styles, iw, ih int) string {
	if iw <= 0 || ih <= 0 {
		return ""
	}
	if d.Hist.Len() == 0 {
		msg := "waiting for the first sample…"
		if d.Conn.Err != "" {
			msg = "no data yet: " + model.Sanitize(d.Conn.Err, iw)
		}
		return centerBlock(st.Muted.Render(ansi.Truncate(msg, iw, "…")), iw, ih)
	}
	switch {
	case iw >= numbersW+numbersSepW+graphGutter+minPlotW*2 && ih >= 4:
		// A rule between the plot and the figures: a line ending at the
		// plot's edge stops there, it does not run into a label.
		gw := iw - numbersW - numbersSepW
		g, cl := p.graph(d, st, gw, ih)
		nums := p.numbers(d, st, cl.drawn)
		sep := numbersSep
		if st.GraphAxis != "" {
			sep = st.GraphAxis + sep + ansi.ResetStyle
		}
		return joinColumns(g, gw, nums, numbersW, ih, sep)
	case ih >= 5 && iw >= graphGutter+minPlotW:
		top := p.compactNumbers(d, st, iw)
		g, _ := p.graph(d, st, iw, ih-1)
		return top + "\n" + strings.Join(g, "\n")
	default:
		return strings.Join(p.numbers(d, st, false), "\n")
	}
}

// numbers is the figures column: each line a label and a right-aligned value.
// The maxmemory row carries the ceiling's mark only when the graph draws
// the ceiling (ceilDrawn).
func (p *memoryPane) numbers(d *Data, st *themes.Styles, ceilDrawn bool) []string {
	s := d.Last()
	if s == nil {
		s = &model.Sample{}
	}
	m := &s.Memory
	wl := windowLabel(d.Window)
	row := func(label, value string, vs lipgloss.Style) string {
		pad := numbersW - ansi.StringWidth(label) - ansi.StringWidth(value)
		return st.Label.Render(label) + strings.Repeat(" ", max(pad, 1)) + vs.Render(value)
	}
	dataset := model.OptBytes(m.UsedMemoryDataset)
	if pct, ok := m.UsedMemoryDatasetPerc.Get(); ok {
		dataset += " " + strconv.FormatFloat(pct, 'f', 0, 64) + "%"
	}
	limit := model.OptBytes(m.MaxMemory)
	if v, ok := m.MaxMemory.Get(); ok && v == 0 {
		limit = "no limit"
	}
	ceilMark := " "
	if ceilDrawn {
		ceilMark = "┄"
	}
	// The series' rows carry the series' own mark and colour, as the legend.
	mark := func(m string, ms lipgloss.Style, label, value string, vs lipgloss.Style) string {
		pad := numbersW - ansi.StringWidth(m) - 1 - ansi.StringWidth(label) - ansi.StringWidth(value)
		return ms.Render(m) + " " + st.Label.Render(label) + strings.Repeat(" ", max(pad, 1)) + vs.Render(value)
	}
	return []string{
		mark("━", st.Used, "used", model.OptBytes(m.UsedMemory), st.Used.Bold(true)),
		mark("━", st.RSS, "RSS", model.OptBytes(m.UsedMemoryRSS), st.RSS.Bold(true)),
		row("peak", model.OptBytes(m.UsedMemoryPeak), st.Value),
		row("dataset", dataset, st.Value),
		row("overhead", model.OptBytes(m.UsedMemoryOverhead), st.Value),
		row("Δused "+wl, signedBytes(windowDelta(d, model.GetUsed)), st.Value),
		row("ΔRSS "+wl, signedBytes(windowDelta(d, model.GetRSS)), st.Value),
		mark(ceilMark, st.Max, "maxmemory", limit, st.Max),
	}
}

func (p *memoryPane) compactNumbers(d *Data, st *themes.Styles, w int) string {
	s := d.Last()
	if s == nil {
		return st.Muted.Render("no successful sample yet")
	}
	line := st.Label.Render("used ") + st.Used.Bold(true).Render(model.OptBytes(s.Memory.UsedMemory)) +
		"  " + st.Label.Render("RSS ") + st.RSS.Bold(true).Render(model.OptBytes(s.Memory.UsedMemoryRSS)) +
		"  " + st.Label.Render("peak ") + st.Value.Render(model.OptBytes(s.Memory.UsedMemoryPeak)) +
		"  " + st.Label.Render("Δ"+windowLabel(d.Window)+" ") + st.Value.Render(signedBytes(windowDelta(d, model.GetUsed)))
	return ansi.Truncate(line, w, "…")
}

// columnData is one plot column: the value of each series (NaN = gap or no
// data) and what happened in it.
type columnData struct {
	used, rss, ceiling float64
	fork, gap          bool
}

// bucket maps the history onto cols+1 points across the window: each point
// takes the largest value among the samples since the previous point (so a
// spike survives zooming out), or holds the previous sample when none fell in
// it and that one is recent; a gap sample, or nothing recent, is NaN.
func bucket(d *Data, cols int) (pts []columnData, start time.Time, span time.Duration) {
	h := d.Hist
	now := d.Now
	start = d.WindowStart()
	span = now.Sub(start)
	if span <= 0 {
		span = max(d.Interval, time.Second)
		start = now.Add(-span)
	}
	stale := 3 * max(d.Interval, time.Second)
	n := h.Len()
	idx := h.Since(start)
	var hold *model.Sample
	if idx > 0 {
		hold = h.At(idx - 1)
	}
	pts = make([]columnData, cols+1)
	nan := math.NaN()
	for j := range pts {
		tj := start.Add(time.Duration(float64(span) * float64(j) / float64(cols)))
		if j == cols {
			tj = now
		}
		c := columnData{used: nan, rss: nan, ceiling: nan}
		ok := false
		for idx < n && !h.At(idx).Time.After(tj) {
			s := h.At(idx)
			idx++
			hold = s
			if s.IsGap() {
				c.gap = true
				continue
			}
			ok = true
			c.used = maxNaN(c.used, s.Memory.UsedMemory)
			c.rss = maxNaN(c.rss, s.Memory.UsedMemoryRSS)
			if v, valid := s.Memory.MaxMemory.Get(); valid && v > 0 {
				c.ceiling = maxNaN(c.ceiling, s.Memory.MaxMemory)
			}
			c.fork = c.fork || s.ForkRunning()
		}
		if !ok && hold != nil && !hold.IsGap() && tj.Sub(hold.Time) <= stale {
			c.used = optNaN(hold.Memory.UsedMemory)
			c.rss = optNaN(hold.Memory.UsedMemoryRSS)
			if v, valid := hold.Memory.MaxMemory.Get(); valid && v > 0 {
				c.ceiling = v
			}
			c.fork = hold.ForkRunning()
		}
		if !ok && hold != nil && hold.IsGap() {
			c.gap = true
		}
		pts[j] = c
	}
	return pts, start, span
}

func maxNaN(cur float64, o model.Opt) float64 {
	v, ok := o.Get()
	if !ok {
		return cur
	}
	if math.IsNaN(cur) || v > cur {
		return v
	}
	return cur
}

func optNaN(o model.Opt) float64 {
	if v, ok := o.Get(); ok {
		return v
	}
	return math.NaN()
}

// graph renders the plot, the marker row and the legend row in exactly rows
// lines of width w, and says what it made of the maxmemory ceiling.
func (p *memoryPane) graph(d *Data, st *themes.Styles, w, rows int) ([]string, ceilingLegend) {
	plotW := w - graphGutter
	if plotW < 2 || rows < 2 {
		return make([]string, rows), ceilingLegend{}
	}
	extra := 0 // marker and legend rows
	switch {
	case rows >= 6:
		extra = 2
	case rows >= 4:
		extra = 1
	}
	plotRows := rows - extra

	pts, start, span := bucket(d, plotW)
	used := make([]float64, len(pts))
	rss := make([]float64, len(pts))
	ceil := make([]float64, len(pts))
	top := 0.0
	anyValue := false
	for i, c := range pts {
		used[i], rss[i], ceil[i] = c.used, c.rss, c.ceiling
		top = math.Max(top, nanZero(c.used))
		top = math.Max(top, nanZero(c.rss))
		anyValue = anyValue || !math.IsNaN(c.used) || !math.IsNaN(c.rss)
	}
	if !anyValue {
		// Nothing to scale on: no axis that would invent values.
		msg := "no memory figures in this window"
		if last := d.Hist.Last(); last != nil && last.IsGap() {
			msg = "no answer from the server: " + model.Sanitize(last.Err, max(w-40, 10))
		}
		lines := strings.Split(centerBlock(p.muted(st, cut(msg, w)), w, plotRows), "\n")
		if extra >= 1 {
			lines = append(lines, p.markerRow(d, st, pts, start, span, plotW, w))
		}
		if extra >= 2 {
			lines = append(lines, FitWidth("", w))
		}
		return lines, ceilingLegend{}
	}
	// The ceiling follows maxmemory: each column draws the limit of its own
	// samples, where it is on the graph's scale; far above the data it would
	// flatten everything, and the legend says so instead.
	cl := ceilingOf(d, ceil, top)
	topCeil := 0.0
	for _, v := range ceil {
		topCeil = math.Max(topCeil, nanZero(v))
	}
	showCeil := topCeil > 0
	upper := top * 1.1
	if showCeil {
		upper = math.Max(upper, topCeil*1.05)
	}
	if upper <= 0 {
		upper = 1024 // nothing to scale on: a sane empty axis, never an interval of 0
	}

	series := [][]float64{rss, used}
	colors := []asciigraph.AnsiColor{2, 3}
	chars := []asciigraph.CharSet{asciigraph.DefaultCharSet, asciigraph.DefaultCharSet}
	if showCeil {
		dash := asciigraph.CreateCharSet("┄")
		dash.VerticalLine = "┆"
		series = append([][]float64{ceil}, series...)
		colors = append([]asciigraph.AnsiColor{1}, colors...)
		chars = append([]asciigraph.CharSet{dash}, chars...)
	}
	out := asciigraph.PlotMany(series,
		asciigraph.Height(plotRows-1), // asciigraph draws Height+1 rows
		asciigraph.LowerBound(0),
		asciigraph.UpperBound(upper),
		asciigraph.Offset(2),
		asciigraph.SeriesColors(colors...),
		asciigraph.SeriesChars(chars...),
		asciigraph.AxisColor(4),
		asciigraph.LabelColor(5),
		asciigraph.YAxisValueFormatter(func(v float64) string {
			b := model.Bytes(v)
			return strings.Repeat(" ", max(yLabelW-len(b), 0)) + b
		}),
	)
	out = thinLabels(out, plotRows)
	out = strings.NewReplacer(
		sgrCeiling, ansi.ResetStyle+st.GraphMax,
		sgrRSS, ansi.ResetStyle+st.GraphRSS,
		sgrUsed, ansi.ResetStyle+st.GraphUsed,
		sgrAxis, ansi.ResetStyle+st.GraphAxis,
		sgrLabel, ansi.ResetStyle+st.GraphLabel,
		sgrReset, ansi.ResetStyle,
	).Replace(out)
	lines := strings.Split(out, "\n")
	// asciigraph's row count can be off by one from rounding: fit it.
	for len(lines) < plotRows {
		lines = append([]string{""}, lines...)
	}
	lines = lines[len(lines)-plotRows:]
	for i := range lines {
		lines[i] = FitWidth(lines[i], w)
	}
	if extra >= 1 {
		lines = append(lines, p.markerRow(d, st, pts, start, span, plotW, w))
	}
	if extra >= 2 {
		lines = append(lines, p.legendRow(d, st, pts, cl, w))
	}
	return lines, cl
}

// thinLabels keeps a y label every few rows (counted from the 0 at the
// bottom, plus the top one): a label on every row is noise.
func thinLabels(plot string, rows int) string {
	step := 1
	switch {
	case rows > 30:
		step = 4
	case rows > 16:
		step = 3
	case rows > 8:
		step = 2
	}
	if step == 1 {
		return plot
	}
	lines := strings.Split(plot, "\n")
	blank := strings.Repeat(" ", yLabelW+1)
	for i, l := range lines {
		fromBottom := len(lines) - 1 - i
		if i == 0 || fromBottom%step == 0 || !strings.HasPrefix(l, sgrLabel) {
			continue
		}
		rest := l[len(sgrLabel):]
		if j := strings.Index(rest, sgrAxis); j >= 0 {
			lines[i] = sgrLabel + blank + rest[j:]
		}
	}
	return strings.Join(lines, "\n")
}

func (p *memoryPane) muted(st *themes.Styles, s string) string { return st.Muted.Render(s) }

func nanZero(v float64) float64 {
	if math.IsNaN(v) {
		return 0
	}
	return v
}

// markerRow marks, under each plot column, a running fork (━), a restart (R),
// a Sentinel failover (F), a gap (×) and where the history read from
// Prometheus ends and live polling begins (│).
func (p *memoryPane) markerRow(d *Data, st *themes.Styles, pts []columnData, start time.Time, span time.Duration, plotW, w int) string {
	cells := make([]rune, plotW)
	for i := range cells {
		cells[i] = ' '
		// Column i draws the segment between points i and i+1.
		a, b := pts[i], pts[i+1]
		switch {
		case b.gap || (a.gap && math.IsNaN(b.used) && math.IsNaN(b.rss)):
			cells[i] = '×'
		case b.fork:
			cells[i] = '━'
		}
	}
	end := start.Add(span)
	for _, e := range d.Events {
		if e.Time.Before(start) || e.Time.After(end) {
			continue
		}
		col := plotColumn(e.Time, start, span, plotW)
		switch e.Kind {
		case model.EventRestart:
			cells[col] = 'R'
		case model.EventGapStart:
			cells[col] = '×'
		case model.EventFailover:
			cells[col] = 'F' // Sentinel switched to another master
		case model.EventForkStart, model.EventForkEnd, model.EventGapEnd:
			// the fork bar and gap columns already show these
		}
	}
	if col, ok := backfillColumn(d, start, span, plotW); ok {
		cells[col] = '│'
	}
	var b strings.Builder
	b.WriteString(strings.Repeat(" ", graphGutter))
	b.WriteString(st.Mark.Render(string(cells)))
	return FitWidth(b.String(), w)
}

// plotColumn is the plot column (0..plotW-1) whose segment ends at time t:
// where a mark for something that happened at t goes (an event, the end of
// a history). t must lie in [start, start+span].
func plotColumn(t, start time.Time, span time.Duration, plotW int) int {
	col := int(float64(t.Sub(start)) / float64(span) * float64(plotW))
	return clamp(col-1, 0, plotW-1)
}

// legendRow: the window's start on the left, "now" on the right, and the
// legend in between — as much of it as fits.
func (p *memoryPane) legendRow(d *Data, st *themes.Styles, pts []columnData, cl ceilingLegend, w int) string {
	left := strings.Repeat(" ", graphGutter) + st.Muted.Render("−"+windowLabel(d.Window))
	if d.Window == 0 {
		left = strings.Repeat(" ", graphGutter) + st.Muted.Render(d.WindowStart().Format("15:04:05"))
	}
	right := st.Muted.Render("now")
	items := []string{st.Used.Render("━ used"), st.RSS.Render("━ RSS")}
	if cl.text != "" {
		style := st.Muted
		if cl.drawn {
			style = st.Max
		}
		items = append(items, style.Render(cl.text))
	}
	var fork, gaps bool
	for _, c := range pts {
		fork = fork || c.fork
		gaps = gaps || c.gap
	}
	restart := false
	for _, e := range d.Events {
		if e.Kind == model.EventRestart && !e.Time.Before(d.WindowStart()) {
			restart = true
		}
	}
	if fork {
		items = append(items, st.Mark.Render("━")+st.Muted.Render(" fork"))
	}
	if restart {
		items = append(items, st.Mark.Render("R")+st.Muted.Render(" restart"))
	}
	if gaps {
		items = append(items, st.Mark.Render("×")+st.Muted.Render(" gap"))
	}
	if _, ok := backfillColumn(d, d.WindowStart(), d.Now.Sub(d.WindowStart()), 1); ok {
		// Before the legend's other marks: it says where the data comes from.
		items = append(items[:2:2], append([]string{st.Mark.Render("│") + st.Muted.Render(" Prometheus│live")}, items[2:]...)...)
	}
	for len(items) > 0 {
		mid := strings.Join(items, "  ")
		gap := w - ansi.StringWidth(left) - ansi.StringWidth(mid) - ansi.StringWidth(right)
		if gap >= 2 {
			lpad := gap / 2
			return left + strings.Repeat(" ", lpad) + mid + strings.Repeat(" ", gap-lpad) + right
		}
		items = items[:len(items)-1]
	}
	gap := max(w-ansi.StringWidth(left)-ansi.StringWidth(right), 1)
	return FitWidth(left+strings.Repeat(" ", gap)+right, w)
}

// ceilingLegend is what the legend says of the maxmemory line.
type ceilingLegend struct {
	text  string
	drawn bool // the line of the limit now is on the graph
}

// ceilingOf blanks the columns whose limit is off the graph's scale (more
// than twice the data's top), and words the legend from the limit now —
// the newest sample's, as the header shows it — and the one before it
// when maxmemory changed inside the window.
func ceilingOf(d *Data, ceil []float64, top float64) ceilingLegend {
	onScale := func(v float64) bool { return v > 0 && (top == 0 || v <= 2*top) }
	now := model.None()
	if s := d.Last(); s != nil {
		now = s.Memory.MaxMemory
	}
	was := 0.0 // the latest limit in the window other than now's
	for i, v := range ceil {
		if math.IsNaN(v) {
			continue
		}
		if !now.Valid || v != now.V {
			was = v
		}
		if !onScale(v) {
			ceil[i] = math.NaN()
		}
	}
	wasText := ""
	if was > 0 {
		wasText = "was " + model.Bytes(was)
	}
	switch v, ok := now.Get(); {
	case ok && v > 0 && onScale(v):
		if wasText != "" {
			return ceilingLegend{text: "┄ maxmemory " + model.Bytes(v) + " (" + wasText + ")", drawn: true}
		}
		return ceilingLegend{text: "┄ maxmemory", drawn: true}
	case ok && v > 0:
		text := "maxmemory " + model.Bytes(v) + " (off scale)"
		if wasText != "" {
			text = "maxmemory " + model.Bytes(v) + " (off scale, " + wasText + ")"
		}
		return ceilingLegend{text: text}
	case wasText != "" && ok:
		return ceilingLegend{text: "maxmemory none now (" + wasText + ")"}
	case wasText != "":
		return ceilingLegend{text: "maxmemory not reported now (" + wasText + ")"}
	}
	return ceilingLegend{}
}

// joinColumns puts the graph lines and the figures side by side.
func joinColumns(left []string, lw int, right []string, rw, rows int, sep string) string {
	var b strings.Builder
	for i := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		b.WriteString(FitWidth(l, lw))
		b.WriteString(sep)
		b.WriteString(FitWidth(r, rw))
	}
	return b.String()
}

// centerBlock centres one line in a w×h area.
func centerBlock(s string, w, h int) string {
	pad := max((w-ansi.StringWidth(s))/2, 0)
	lines := make([]string, h)
	lines[h/2] = strings.Repeat(" ", pad) + s
	return strings.Join(lines, "\n")
}

// windowDelta is the change of a figure over the window, absent until the
// window holds two successful samples (one sample shows no change, not 0).
func windowDelta(d *Data, get model.Getter) model.Opt {
	ok := 0
	for i := d.Hist.Since(d.WindowStart()); i < d.Hist.Len() && ok < 2; i++ {
		if !d.Hist.At(i).IsGap() {
			ok++
		}
	}
	if ok < 2 {
		return model.None()
	}
	return d.Hist.Delta(d.Now, d.Window, get)
}

// signedBytes is a delta: +1.20M, -340.00K, 0B, or — when unknown.
func signedBytes(o model.Opt) string {
	v, ok := o.Get()
	if !ok {
		return model.Dash
	}
	if v > 0 {
		return "+" + model.Bytes(v)
	}
	return model.Bytes(v)
}

// windowLabel names a graph window: 1m, 5m, 15m, 1h, all.
func windowLabel(d time.Duration) string {
	switch {
	case d <= 0:
		return "all"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	default:
		return model.Duration(d)
	}
}
