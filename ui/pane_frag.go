package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// Fragmentation bands (mem_fragmentation_ratio), from the seeds.
const (
	fragHealthy  = 1.3
	fragWatch    = 1.5
	fragSerious  = 2.0
	fragGaugeMin = 1.0
	fragGaugeMax = 3.0
	// Below this much used memory the ratio says little: the process's fixed
	// RSS dominates. The same threshold as the fragmentation check, so the
	// pane and the checklist never disagree about it.
	smallDataset = model.ThresholdSmallDataset
)

// fragPane shows mem_fragmentation_ratio on a banded gauge and which layer
// (allocator fragmentation, allocator RSS, process RSS) holds the waste.
type fragPane struct{}

func newFragPane() *fragPane { return &fragPane{} }

func (*fragPane) ID() PaneID                                       { return PaneFrag }
func (*fragPane) Title() string                                    { return "Fragmentation" }
func (*fragPane) MinHeight() int                                   { return 6 }
func (*fragPane) KeyBindings() []key.Binding                       { return nil }
func (*fragPane) HandleKey(tea.KeyPressMsg, *Data) (bool, tea.Cmd) { return false, nil }

// fragLevel is the band of a ratio, in words.
func fragLevel(r float64) (themes.Level, string) {
	switch {
	case r < 1:
		return themes.LevelWarn, "below 1"
	case r <= fragHealthy:
		return themes.LevelOK, "healthy"
	case r <= fragWatch:
		return themes.LevelWatch, "watch"
	case r <= fragSerious:
		return themes.LevelWarn, "serious"
	default:
		return themes.LevelCrit, "critical"
	}
}

func (p *fragPane) Render(d *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	return Frame(st, p.Title(), p.body(d, st, iw, ih), w, h, focused)
}

// Summary is the collapsed line.
func (p *fragPane) Summary(d *Data, st *themes.Styles, w int) string {
	line := st.Title.Render("Fragmentation") + "  "
	s := d.Last()
	if s == nil {
		return cut(line+st.Muted.Render("no sample yet"), w)
	}
	line += p.ratioText(s, st)
	if b, ok := s.Memory.MemFragmentationBytes.Get(); ok {
		line += st.Muted.Render(" · ") + st.Label.Render("frag ") + st.Value.Render(model.Bytes(b))
	}
	return cut(line, w)
}

func (p *fragPane) ratioText(s *model.Sample, st *themes.Styles) string {
	r, ok := s.Memory.MemFragmentationRatio.Get()
	if !ok {
		return st.Unknown.Render(model.Dash + " not reported")
	}
	if used, ok := s.Memory.UsedMemory.Get(); ok && used < smallDataset {
		return st.Value.Render(model.Ratio(r)) + " " + st.Unknown.Render("(small dataset)")
	}
	lvl, word := fragLevel(r)
	return st.ForLevel(lvl).Render(model.Ratio(r) + " " + word)
}

func (p *fragPane) body(d *Data, st *themes.Styles, iw, ih int) string {
	s := d.Last()
	if s == nil {
		return st.Muted.Render("waiting for the first sample…")
	}
	m := &s.Memory
	lines := []string{kv(st, "ratio", p.ratioText(s, st))}
	if iw >= 12 {
		lines = append(lines, p.gauge(st, m.MemFragmentationRatio, iw))
		if iw >= 30 {
			lines = append(lines, fragTicks(st, iw))
		}
	}
	// Caveats in words, before the breakdown: they change how to read it.
	if used, ok := m.UsedMemory.Get(); ok && used < smallDataset {
		lines = append(lines, wrapStyled(st.Watch, "only "+model.Bytes(used)+" used: the ratio is meaningless for a dataset this small", iw)...)
	}
	if r, ok := m.MemFragmentationRatio.Get(); ok && r < 1 {
		lines = append(lines, wrapStyled(st.Warn, "ratio below 1: RSS is less than used — part of the dataset may be swapped out", iw)...)
	}
	if m.ActiveDefragRunning.IsTrue() {
		lines = append(lines, st.Accent.Render("active defrag is running"))
	}
	lines = append(lines, kv(st, "RSS − used", st.Value.Render(model.OptBytes(m.MemFragmentationBytes))))

	// The three layers (Redis 5.0+): which one wastes the memory.
	type layer struct {
		name    string
		ratio   model.Opt
		bytes   model.Opt
		remedy  string
		present bool
	}
	layers := []layer{
		{"allocator frag", m.AllocatorFragRatio, m.AllocatorFragBytes, "activedefrag can reclaim it", false},
		{"allocator RSS", m.AllocatorRSSRatio, m.AllocatorRSSBytes, "MEMORY PURGE can release it", false},
		{"process RSS", m.RSSOverheadRatio, m.RSSOverheadBytes, "Lua, modules, fork or non-allocator memory", false},
	}
	reported := false
	for i := range layers {
		layers[i].present = layers[i].ratio.Valid || layers[i].bytes.Valid
		reported = reported || layers[i].present
	}
	if reported {
		var biggest *layer
		for i, l := range layers {
			val := st.Value.Render(padLeft(model.OptRatio(l.ratio), 5)) + "  " + st.Value.Render(padLeft(model.OptBytes(l.bytes), 8))
			lines = append(lines, kv(st, l.name, val))
			if v, ok := l.bytes.Get(); ok && v > 0 && (biggest == nil || v > biggest.bytes.V) {
				biggest = &layers[i]
			}
		}
		if biggest != nil {
			lines = append(lines, wrapStyled(st.Muted, "largest: "+biggest.name+" — "+biggest.remedy, iw)...)
		}
	} else {
		lines = append(lines, wrapStyled(st.Unknown, "layer breakdown not reported by this server (Redis 5.0+)", iw)...)
	}

	return joinLines(wrapToHeight(lines, ih), iw)
}

// gauge draws the ratio on a 1.0–3.0 scale with the bands in their colours.
func (p *fragPane) gauge(st *themes.Styles, o model.Opt, w int) string {
	r, ok := o.Get()
	return gauge(st, w, func(i int) gaugeCell {
		v := fragGaugeMin + (float64(i)+0.5)/float64(w)*(fragGaugeMax-fragGaugeMin)
		lvl, _ := fragLevel(v)
		return gaugeCell{filled: ok && v <= r, level: lvl}
	})
}

// fragTicks labels the band edges under the gauge.
func fragTicks(st *themes.Styles, w int) string {
	cells := []rune(strings.Repeat(" ", w))
	put := func(v float64, label string) {
		col := int((v - fragGaugeMin) / (fragGaugeMax - fragGaugeMin) * float64(w))
		col = clamp(col, 0, w-len(label))
		copy(cells[col:], []rune(label))
	}
	for _, t := range []struct {
		v float64
		l string
	}{{1.0, "1.0"}, {fragHealthy, "1.3"}, {fragWatch, "1.5"}, {fragSerious, "2.0"}, {fragGaugeMax, "3.0+"}} {
		put(t.v, t.l)
	}
	return st.Muted.Render(string(cells))
}

// wrapToHeight keeps the first h lines.
func wrapToHeight(lines []string, h int) []string {
	if len(lines) > h {
		return lines[:max(h, 0)]
	}
	return lines
}

func padLeft(s string, w int) string {
	if n := w - len([]rune(s)); n > 0 {
		return strings.Repeat(" ", n) + s
	}
	return s
}
