package ui

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// headerPane is the status bar at the top: what we watch, how the link is,
// and the frozen / recording / replay markers. It has no border and no focus.
type headerPane struct {
	plain *themes.Styles // to measure without colour
}

func newHeaderPane() *headerPane { return &headerPane{plain: themes.NewStyles(themes.Mono())} }

func (*headerPane) ID() PaneID                 { return PaneHeader }
func (*headerPane) Title() string              { return "Status" }
func (*headerPane) KeyBindings() []key.Binding { return nil }
func (*headerPane) MinHeight() int             { return 1 }

func (*headerPane) HandleKey(tea.KeyPressMsg, *Data) (bool, tea.Cmd) { return false, nil }

// headerSegLines is the header's own line: one at every width, so the
// panes under it never move; segments are dropped by priority to fit.
const headerSegLines = 1

// headerSeg is one item of the header; low priority items are dropped first
// when the screen is narrow.
type headerSeg struct {
	text string
	prio int // higher stays longer
}

// PreferredHeight is the number of lines the header needs at width w: its
// segments, and the caption wrapped whole (layout caps it: captionRoom).
func (p *headerPane) PreferredHeight(d *Data, w int) int {
	n := len(packSegs(p.segments(d, p.plain), w, headerSegLines)) + len(captionLines(d.Caption, p.plain, w, 0))
	if d.Prometheus != nil {
		n++
	}
	return n
}

func (p *headerPane) Render(d *Data, st *themes.Styles, w, h int, _ bool) string {
	if h <= 0 {
		return ""
	}
	segs := p.segments(d, st)
	promLines := 0
	if d.Prometheus != nil && h >= 2 {
		promLines = 1
	}
	capLines := 0
	if d.Caption != nil && h-promLines >= 2 {
		// The caption gets what the segments leave, at least a line.
		capLines = h - promLines - len(packSegs(segs, w, min(h-promLines-1, headerSegLines)))
	}
	lines := packSegs(segs, w, min(h-capLines-promLines, headerSegLines))
	if promLines == 1 {
		lines = append(lines, prometheusLine(d.Prometheus, st, w))
	}
	if capLines > 0 {
		lines = append(lines, captionLines(d.Caption, st, w, capLines)...)
	}
	return FitLines(strings.Join(lines, "\n"), w, h)
}

// captionRoom is the most lines the caption may take on a screen h lines
// high: enough for the longest scenario caption at 80×24 (four lines), more
// on taller screens, two on the smallest.
func captionRoom(h int) int { return max(2, h/6) }

// captionLines is the caption word-wrapped to w cells, the lines after the
// first indented under its text, at most most lines (0: all of them); only
// a caption longer than that is cut, with "…". The stage ("[2/9]") is left
// out when the text already starts with it ("Stage 2/9: …").
func captionLines(c *model.Caption, st *themes.Styles, w, most int) []string {
	if c == nil || w <= 0 {
		return nil
	}
	text := model.Sanitize(c.Text, 0)
	prefix := "▶ "
	if c.Of > 0 && !strings.HasPrefix(text, fmt.Sprintf("Stage %d/%d", c.Stage, c.Of)) {
		prefix = fmt.Sprintf("▶ [%d/%d] ", c.Stage, c.Of)
	}
	lines := wrapIndented(prefix+text, w, captionIndent)
	if most > 0 && len(lines) > most {
		lines = lines[:most]
		lines[most-1] = cut(lines[most-1]+"…", w)
	}
	for i, l := range lines {
		lines[i] = st.Caption.Render(l)
	}
	return lines
}

// captionIndent lines the caption's continuation lines up under its text
// (after "▶ ").
const captionIndent = 2

// wrapIndented word-wraps plain text to w cells, the lines after the first
// indented by indent spaces; a word longer than a line is broken. Lines
// carry no trailing blanks.
func wrapIndented(text string, w, indent int) []string {
	if w <= 0 {
		return nil
	}
	wrapped := ansi.Wrap(text, w, "")
	first, rest, _ := strings.Cut(wrapped, "\n")
	if rest == "" || !strings.HasPrefix(text, first) {
		lines := strings.Split(wrapped, "\n")
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		return lines
	}
	lines := []string{strings.TrimRight(first, " ")}
	if w <= 2*indent {
		indent = 0
	}
	rest = strings.TrimLeft(strings.TrimPrefix(text, first), " ")
	pad := strings.Repeat(" ", indent)
	for l := range strings.SplitSeq(ansi.Wrap(rest, w-indent, ""), "\n") {
		lines = append(lines, pad+strings.TrimRight(l, " "))
	}
	return lines
}

func (p *headerPane) segments(d *Data, st *themes.Styles) []headerSeg {
	segs := []headerSeg{{st.Accent.Bold(true).Render("redis-memtop"), 1}}
	if d.Target != "" {
		segs = append(segs, headerSeg{st.Value.Render(model.Sanitize(d.Target, 40)), 6})
	}
	s := d.Last()
	// Figures of a server that stopped answering are drawn faint; the link
	// state says since when.
	fst := paneStyles(d, st)
	if s != nil {
		st := fst
		id := productName(s.Server.Product)
		if v := model.Sanitize(string(s.Server.Version), 16); v != "" {
			id += " " + v
		}
		if r := model.Sanitize(string(s.Server.Role), 12); r != "" {
			id += " " + r
		}
		segs = append(segs,
			headerSeg{st.Text.Render(id), 5},
			headerSeg{st.Label.Render("up ") + st.Text.Render(model.Seconds(s.Server.Uptime)), 2},
			headerSeg{maxmemorySeg(s, st), 4},
			headerSeg{st.Label.Render("poll ") + st.Text.Render(latency(s)), 2},
		)
		tp := model.ThroughputOf(d.Hist)
		if seg := loadSeg(tp, scanOps(d), st); seg != "" {
			segs = append(segs, headerSeg{seg, 7})
		}
		if seg := trafficSeg(tp, st); seg != "" {
			segs = append(segs, headerSeg{seg, 4}) // before maxmemory, which the panes show too
		}
	}
	segs = append(segs, headerSeg{connSeg(d, st), 9})
	if d.Frozen {
		segs = append(segs, headerSeg{st.Badge.Render(" FROZEN "), 10})
	}
	if d.Recording {
		segs = append(segs, headerSeg{st.Badge.Render(" REC "), 10})
	}
	if d.Replay {
		segs = append(segs, headerSeg{st.Badge.Render(" REPLAY "), 10})
	}
	if r := d.ReplayPos; r != nil {
		segs = append(segs, headerSeg{replaySeg(r, st), 8})
	}
	return segs
}

// replaySeg is the replay's position bar: 02:13 / 15:00 [████░░░░] 4× ⏸.
func replaySeg(r *model.ReplayState, st *themes.Styles) string {
	const barW = 16
	filled := int(r.Fraction()*barW + 0.5)
	bar := strings.Repeat("█", filled) + strings.Repeat("░", barW-filled)
	speed := fmt.Sprintf("%g×", r.Speed)
	if r.Speed == 0 {
		speed = "max"
	}
	state := "▶"
	switch {
	case r.Done:
		state = "end"
	case r.Paused:
		state = "paused"
	}
	return st.Text.Render(model.Duration(r.Pos.Sub(r.Start).Truncate(time.Second))+" / "+model.Duration(r.End.Sub(r.Start).Truncate(time.Second))) +
		" " + st.Accent.Render(bar) + " " + st.Label.Render(speed+" "+state)
}

func latency(s *model.Sample) string {
	if s.Latency <= 0 {
		return model.Dash
	}
	return model.Duration(s.Latency)
}

func maxmemorySeg(s *model.Sample, st *themes.Styles) string {
	mm := s.Memory.MaxMemory
	policy := model.Sanitize(string(s.Memory.MaxMemoryPolicy), 24)
	val := model.OptBytes(mm)
	if v, ok := mm.Get(); ok && v == 0 {
		val = "no limit"
	}
	out := st.Label.Render("maxmemory ") + st.Text.Render(val)
	if policy != "" {
		out += st.Muted.Render(" · ") + st.Text.Render(policy)
	}
	return out
}

// connSeg is the link state: live, stalled 12s, reconnecting (attempt 3)
// since 14:02:11.
func connSeg(d *Data, st *themes.Styles) string {
	c := d.Conn
	switch c.State {
	case model.ConnLive:
		return st.OK.Render("● live")
	case model.ConnStalled:
		txt := "◌ stalled"
		if !c.Since.IsZero() && !d.Now.Before(c.Since) {
			txt += " " + model.Duration(d.Now.Sub(c.Since).Truncate(1e9))
		}
		return st.Warn.Render(txt) + staleNote(d, st)
	case model.ConnReconnecting:
		txt := "✕ reconnecting"
		if c.Attempt > 0 {
			txt += fmt.Sprintf(" (attempt %d)", c.Attempt)
		}
		if !c.Since.IsZero() {
			txt += " since " + c.Since.Format("15:04:05")
		}
		return st.Crit.Render(txt) + staleNote(d, st)
	case model.ConnConnecting, "":
		return st.Muted.Render("… connecting")
	default:
		return st.Muted.Render(model.Sanitize(string(c.State), 20))
	}
}

// staleNote is " · figures as of 14:02:09" while the figures are stale.
func staleNote(d *Data, st *themes.Styles) string {
	t, ok := d.StaleAsOf()
	if !ok {
		return ""
	}
	return st.Muted.Render(" · figures " + asOf(t))
}

// loadSeg is the load as redis-cli --stat shows it: requests per second
// and the clients (blocked ones only when there are).
func loadSeg(tp model.Throughput, scan float64, st *themes.Styles) string {
	var parts []string
	if v, ok := tp.OpsPerSec.Get(); ok {
		ops := st.Text.Render(model.Count(roundRate(v))) + st.Label.Render(" ops/s")
		// Our own scan's commands are part of the server's figure: an idle
		// server being scanned must not read as a busy one.
		if scan > 0 && v > 0 {
			ops += st.Label.Render(" (scan " + model.Count(roundRate(min(scan, v))) + ")")
		}
		parts = append(parts, ops)
	}
	if v, ok := tp.Clients.Get(); ok {
		c := st.Text.Render(model.Count(v)) + st.Label.Render(" "+plural(int(v), "client", "clients"))
		if b, ok := tp.Blocked.Get(); ok && b > 0 {
			c += st.Label.Render(" (") + st.Warn.Render(model.Count(b)+" blocked") + st.Label.Render(")")
		}
		parts = append(parts, c)
	}
	return strings.Join(parts, st.Muted.Render(" · "))
}

// scanOps is the commands a second our scan sends now, 0 when it is not
// scanning.
func scanOps(d *Data) float64 {
	if d.Scan == nil || d.Scan.Progress.Phase != model.ScanScanning {
		return 0
	}
	return d.Scan.Progress.OpsPerSec
}

// roundRate drops the decimals of a rate of 10/s or more: 120/s, not
// 120.74/s.
func roundRate(v float64) float64 {
	if v >= 10 {
		return math.Round(v)
	}
	return v
}

// trafficSeg is new connections per second and the network in / out.
func trafficSeg(tp model.Throughput, st *themes.Styles) string {
	var parts []string
	if v, ok := tp.ConnPerSec.Get(); ok {
		parts = append(parts, st.Text.Render(model.Count(roundRate(v)))+st.Label.Render(" conn/s"))
	}
	in, ok1 := tp.NetInPerSec.Get()
	out, ok2 := tp.NetOutPerSec.Get()
	if ok1 && ok2 {
		parts = append(parts, st.Label.Render("net in ")+st.Text.Render(model.Bytes(in)+"/s")+
			st.Label.Render(" out ")+st.Text.Render(model.Bytes(out)+"/s"))
	}
	return strings.Join(parts, st.Muted.Render(" · "))
}

func productName(p model.Product) string {
	switch p {
	case model.ProductRedis:
		return "Redis"
	case model.ProductValkey:
		return "Valkey"
	case model.ProductKeyDB:
		return "KeyDB"
	case model.ProductDragonfly:
		return "Dragonfly"
	case model.ProductElastiCache:
		return "ElastiCache"
	case model.ProductMemoryDB:
		return "MemoryDB"
	case model.ProductUnknown, "":
		return "server"
	default:
		return model.Sanitize(string(p), 16)
	}
}

// packSegs lays segments out on at most maxLines lines of width w, separated
// by two spaces, dropping the lowest-priority ones until they fit. A segment
// wider than w is cut.
func packSegs(segs []headerSeg, w, maxLines int) []string {
	if maxLines <= 0 || w <= 0 {
		return nil
	}
	for {
		lines := packOnce(segs, w)
		if len(lines) <= maxLines || len(segs) <= 1 {
			if len(lines) > maxLines {
				lines = lines[:maxLines]
			}
			return lines
		}
		lowest := 0
		for i, s := range segs {
			if s.prio < segs[lowest].prio {
				lowest = i
			}
		}
		segs = append(segs[:lowest:lowest], segs[lowest+1:]...)
	}
}

func packOnce(segs []headerSeg, w int) []string {
	const sep = "  "
	var lines []string
	var cur strings.Builder
	curW := 0
	for _, s := range segs {
		t := s.text
		tw := ansi.StringWidth(t)
		if tw > w {
			t = ansi.Truncate(t, w, "…")
			tw = ansi.StringWidth(t)
		}
		if curW > 0 && curW+len(sep)+tw > w {
			lines = append(lines, cur.String())
			cur.Reset()
			curW = 0
		}
		if curW > 0 {
			cur.WriteString(sep)
			curW += len(sep)
		}
		cur.WriteString(t)
		curW += tw
	}
	if curW > 0 {
		lines = append(lines, cur.String())
	}
	return lines
}
