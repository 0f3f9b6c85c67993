package ui

import (
	"fmt"
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

// headerSeg is one item of the header; low priority items are dropped first
// when the screen is narrow.
type headerSeg struct {
	text string
	prio int // higher stays longer
}

// PreferredHeight is the number of lines the header needs at width w.
func (p *headerPane) PreferredHeight(d *Data, w int) int {
	n := len(packSegs(p.segments(d, p.plain), w, maxHeaderLines))
	if d.Caption != nil {
		n++
	}
	if d.Prometheus != nil {
		n++
	}
	return n
}

func (p *headerPane) Render(d *Data, st *themes.Styles, w, h int, _ bool) string {
	if h <= 0 {
		return ""
	}
	capLines, promLines := 0, 0
	if d.Caption != nil && h >= 2 {
		capLines = 1
	}
	if d.Prometheus != nil && h-capLines >= 2 {
		promLines = 1
	}
	lines := packSegs(p.segments(d, st), w, h-capLines-promLines)
	if capLines == 1 {
		lines = append(lines, captionLine(d.Caption, st, w))
	}
	if promLines == 1 {
		lines = append(lines, prometheusLine(d.Prometheus, st, w))
	}
	return FitLines(strings.Join(lines, "\n"), w, h)
}

func captionLine(c *model.Caption, st *themes.Styles, w int) string {
	prefix := "▶ "
	if c.Of > 0 {
		prefix = fmt.Sprintf("▶ [%d/%d] ", c.Stage, c.Of)
	}
	room := max(w-ansi.StringWidth(prefix), 1)
	return st.Caption.Render(prefix + model.Sanitize(c.Text, room))
}

func (p *headerPane) segments(d *Data, st *themes.Styles) []headerSeg {
	segs := []headerSeg{{st.Accent.Bold(true).Render("redis-memtop"), 1}}
	if d.Target != "" {
		segs = append(segs, headerSeg{st.Value.Render(model.Sanitize(d.Target, 40)), 6})
	}
	s := d.Last()
	if s != nil {
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
		return st.Warn.Render(txt)
	case model.ConnReconnecting:
		txt := "✕ reconnecting"
		if c.Attempt > 0 {
			txt += fmt.Sprintf(" (attempt %d)", c.Attempt)
		}
		if !c.Since.IsZero() {
			txt += " since " + c.Since.Format("15:04:05")
		}
		return st.Crit.Render(txt)
	case model.ConnConnecting, "":
		return st.Muted.Render("… connecting")
	default:
		return st.Muted.Render(model.Sanitize(string(c.State), 20))
	}
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
