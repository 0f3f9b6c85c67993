package ui

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// foldBackfill seeds the history with what Prometheus kept of the time
// before the first live poll, and keeps the store's one status line.
func (d *Data) foldBackfill(b *model.Backfill) {
	line := *b
	line.Samples = nil // the history holds them; the line does not
	d.Prometheus = &line
	if len(b.Samples) == 0 {
		return
	}
	evs := d.Hist.Seed(b.Samples)
	if last := b.Samples[len(b.Samples)-1].Time; last.After(d.Now) {
		d.Now = last
	}
	if len(evs) > 0 {
		// The seeded events are older than every event held.
		d.Events = append(slices.Clone(evs), d.Events...)
		if over := len(d.Events) - maxDataEvents; over > 0 {
			d.Events = d.Events[over:]
		}
	}
}

// prometheusLine is the status bar's one line about Prometheus: where the
// history came from, or why it did not.
func prometheusLine(b *model.Backfill, st *themes.Styles, w int) string {
	style := st.Muted
	if b.Failed {
		style = st.Warn
	}
	return style.Render(model.Sanitize("⟲ "+b.Status, max(w, 1)))
}

// backfillColumn is the graph column where the history read from
// Prometheus ends, when that is inside the plotted span.
func backfillColumn(d *Data, start time.Time, span time.Duration, plotW int) (int, bool) {
	end, ok := d.Hist.BackfillEnd()
	if !ok || span <= 0 || plotW <= 0 || end.Before(start) || end.After(start.Add(span)) {
		return 0, false
	}
	col := int(float64(end.Sub(start)) / float64(span) * float64(plotW))
	return clamp(col, 0, plotW-1), true
}

// foldNodeBackfill seeds a node's kept samples (and its open view) with
// the history Prometheus holds of it, and keeps its status.
func (m *Multi) foldNodeBackfill(id string, b *model.Backfill) {
	if m.prom == nil {
		m.prom = map[string]*model.Backfill{}
	}
	line := *b
	line.Samples = nil
	m.prom[id] = &line
	if len(b.Samples) > 0 {
		h := m.hists[id]
		if h == nil {
			h = model.NewHistory(m.opts.NodeHistory)
			m.hists[id] = h
		}
		h.Seed(b.Samples)
	}
	if nm := m.nodes[id]; nm != nil {
		m.nodes[id] = updateNode(nm, model.Update{Backfill: b})
	}
}

// promSummary is the overview's one line about Prometheus: for how many
// nodes history was read, and the first failure; nil without --prometheus.
func (m *Multi) promSummary() *model.Backfill {
	if len(m.prom) == 0 {
		return nil
	}
	ids := slices.Sorted(maps.Keys(m.prom))
	read, failed := 0, ""
	for _, id := range ids {
		b := m.prom[id]
		switch {
		case b.Failed && failed == "":
			failed = b.Status
		case !b.Failed && strings.Contains(b.Status, "of history before live"):
			read++
		}
	}
	out := &model.Backfill{Status: fmt.Sprintf("Prometheus: history read for %d of %d %s", read, len(ids), plural(len(ids), "server", "servers"))}
	if failed != "" {
		out.Status += " · " + failed
		out.Failed = true
	}
	return out
}
