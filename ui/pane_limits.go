package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// Headroom marks on the used / maxmemory gauge (fractions of maxmemory).
const (
	limitWatch = 0.75
	limitWarn  = 0.85
)

// limitsPane: used against maxmemory, what the server does at the limit
// (evictions, OOM rejections), and the memory eviction does not count.
type limitsPane struct{}

func newLimitsPane() *limitsPane { return &limitsPane{} }

func (*limitsPane) ID() PaneID                                       { return PaneLimits }
func (*limitsPane) Title() string                                    { return "Limits & eviction" }
func (*limitsPane) MinHeight() int                                   { return 6 }
func (*limitsPane) KeyBindings() []key.Binding                       { return nil }
func (*limitsPane) HandleKey(tea.KeyPressMsg, *Data) (bool, tea.Cmd) { return false, nil }

func (p *limitsPane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	return Frame(st, p.Title(), p.body(d, st, iw, ih), w, h, focused)
}

// usage is used / maxmemory and its level; ok is false without a limit.
func usage(s *model.Sample, oomRising bool) (frac float64, lvl themes.Level, ok bool) {
	used, ok1 := s.Memory.UsedMemory.Get()
	limit, ok2 := s.Memory.MaxMemory.Get()
	if !ok1 || !ok2 || limit <= 0 {
		return 0, themes.LevelUnknown, false
	}
	frac = used / limit
	switch {
	case oomRising || frac >= 1:
		lvl = themes.LevelCrit
	case frac >= limitWarn:
		lvl = themes.LevelWarn
	case frac >= limitWatch:
		lvl = themes.LevelWatch
	default:
		lvl = themes.LevelOK
	}
	return frac, lvl, true
}

// oomRising reports OOM rejections counted within the window.
func oomRising(d *Data) bool {
	v, ok := d.Hist.Delta(d.Now, d.Window, model.GetOOM).Get()
	return ok && v > 0
}

// Summary is the collapsed line.
func (p *limitsPane) Summary(d *Data, st *themes.Styles, w int) string {
	line := st.Title.Render("Limits") + "  "
	s := d.Last()
	if s == nil {
		return cut(line+st.Muted.Render("no sample yet"), w)
	}
	line += p.usedText(d, s, st) +
		st.Muted.Render(" · ") + st.Label.Render("evicted ") + st.Value.Render(model.OptRate(d.Hist.Recent(model.GetEvict).PerSec)) +
		st.Muted.Render(" · ") + st.Label.Render("OOM ") + st.Value.Render(oomText(s))
	return cut(line, w)
}

func (p *limitsPane) usedText(d *Data, s *model.Sample, st *themes.Styles) string {
	used := model.OptBytes(s.Memory.UsedMemory)
	limit, ok := s.Memory.MaxMemory.Get()
	switch {
	case !ok:
		return st.Value.Render(used) + st.Muted.Render(" / ") + st.Unknown.Render(model.Dash)
	case limit == 0:
		return st.Value.Render(used) + st.Muted.Render(" / ") + st.Watch.Render("no limit")
	}
	txt := used + " / " + model.Bytes(limit)
	if frac, lvl, ok := usage(s, oomRising(d)); ok {
		return st.ForLevel(lvl).Render(txt + "  " + model.Percent(frac*100) + " " + lvl.String())
	}
	return st.Value.Render(txt)
}

func oomText(s *model.Sample) string {
	if v, ok := s.Stats.ErrorstatOOM.Get(); ok {
		return model.Count(v)
	}
	if s.HasSection("errorstats") {
		return "0" // the section is there and has no OOM line
	}
	return model.Dash
}

func (p *limitsPane) body(d *Data, st *themes.Styles, iw, ih int) string {
	s := d.Last()
	if s == nil {
		return st.Muted.Render("waiting for the first sample…")
	}
	m := &s.Memory
	used := model.OptBytes(m.UsedMemory)
	var lines []string
	switch limit, ok := m.MaxMemory.Get(); {
	case !ok:
		lines = append(lines, kv(st, "used / limit", st.Value.Render(used)+st.Muted.Render(" / ")+st.Unknown.Render(model.Dash+" not reported")))
	case limit == 0:
		lines = append(lines, kv(st, "used / limit", st.Value.Render(used)+st.Muted.Render(" / ")+st.Watch.Render("no limit")))
		msg := "grows until the host's RAM or the OOM killer stops it"
		if ram, ok := m.TotalSystemMemory.Get(); ok && ram > 0 {
			msg = "grows until the host's RAM (" + model.Bytes(ram) + ") or the OOM killer stops it"
		}
		lines = append(lines, wrapStyled(st.Watch, msg, iw)...)
	default:
		lines = append(lines, kv(st, "used / limit", st.Value.Render(used+" / "+model.Bytes(limit))))
		if frac, lvl, ok := usage(s, oomRising(d)); ok {
			tag := st.ForLevel(lvl).Render(" " + model.Percent(frac*100) + " " + lvl.String())
			lines = append(lines, limitGauge(st, frac, lvl, max(iw-ansi.StringWidth(tag), 1))+tag)
		}
	}
	policy := model.Sanitize(string(m.MaxMemoryPolicy), iw)
	if policy == "" {
		policy = model.Dash
	}
	lines = append(lines, kv(st, "policy", st.Value.Render(policy)))

	rate := func(get model.Getter, total model.Opt) string {
		// The recent rate the checklist and the report show too.
		out := st.Value.Render(padLeft(model.OptRate(d.Hist.Recent(get).PerSec), 8))
		if total.Valid {
			out += st.Muted.Render("  total " + model.Count(total.V))
		}
		return out
	}
	lines = append(lines,
		kv(st, "evicted", rate(model.GetEvict, s.Stats.EvictedKeys)),
		kv(st, "expired", rate(model.GetExpire, s.Stats.ExpiredKeys)),
	)
	oom := st.Value.Render(padLeft(oomText(s), 8))
	if dv, ok := d.Hist.Delta(d.Now, d.Window, model.GetOOM).Get(); ok {
		style := st.Muted
		if dv > 0 {
			style = st.Crit
		}
		oom += style.Render("  +" + model.Count(dv) + " " + windowPhrase(d.Window))
	} else if !s.Stats.ErrorstatOOM.Valid && !s.HasSection("errorstats") {
		oom += st.Muted.Render("  no errorstats (Redis < 6.2)")
	}
	lines = append(lines, kv(st, "OOM rejected", oom))

	clients := st.Value.Render(padLeft(model.OptBytes(m.MemClientsNormal), 8))
	if n, ok := s.Stats.ConnectedClients.Get(); ok {
		clients += st.Muted.Render("  " + model.Count(n) + " connected")
	}
	lines = append(lines,
		kv(st, "client bufs", clients),
		kv(st, "repl buffers", st.Value.Render(padLeft(model.OptBytes(replBuffers(m)), 8))),
	)

	keys, expires := s.TotalKeys(), s.TotalExpires()
	lines = append(lines, kv(st, "keys", st.Value.Render(padLeft(model.OptCount(keys), 8))))
	ttl := st.Value.Render(padLeft(model.OptCount(expires), 8))
	if keys.Valid && expires.Valid {
		ttl += st.Muted.Render(" / ") + st.Value.Render(model.Count(max(keys.V-expires.V, 0)))
	}
	lines = append(lines,
		kv(st, "TTL / no TTL", ttl),
		kv(st, "not counted", st.Value.Render(padLeft(model.OptBytes(m.MemNotCountedForEvict), 8))+st.Muted.Render(" for eviction")),
	)
	return joinLines(wrapToHeight(lines, ih), iw)
}

// replBuffers is the memory held for replication: the 7.0+ total, or the
// replica output buffers plus the backlog on older servers.
func replBuffers(m *model.Memory) model.Opt {
	if m.MemTotalReplicationBuffers.Valid {
		return m.MemTotalReplicationBuffers
	}
	a, ok1 := m.MemClientsSlaves.Get()
	b, ok2 := m.MemReplicationBacklog.Get()
	if !ok1 && !ok2 {
		return model.None()
	}
	return model.Some(a + b)
}

// limitGauge draws used / maxmemory with the 75 % and 85 % marks.
func limitGauge(st *themes.Styles, frac float64, lvl themes.Level, w int) string {
	watchCol := int(limitWatch * float64(w))
	warnCol := int(limitWarn * float64(w))
	return gauge(st, w, func(i int) gaugeCell {
		v := (float64(i) + 0.5) / float64(w)
		c := gaugeCell{filled: v <= frac, level: lvl}
		switch i {
		case watchCol:
			c.mark, c.level = true, themes.LevelWatch
		case warnCol:
			c.mark, c.level = true, themes.LevelWarn
		}
		return c
	})
}

// windowPhrase is "in 5m", or "overall" for the whole history.
func windowPhrase(w time.Duration) string {
	if w <= 0 {
		return "overall"
	}
	return "in " + windowLabel(w)
}
