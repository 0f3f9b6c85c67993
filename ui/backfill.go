package ui

import (
	"slices"
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
