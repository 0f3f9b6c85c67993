package ui

import (
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// StaleAsOf reports whether the figures on screen are no longer live — the
// link is stalled or reconnecting — and the time of the last sample they
// come from. Nothing is stale before the first sample (there is nothing to
// mistake for current).
func (d *Data) StaleAsOf() (time.Time, bool) {
	switch d.Conn.State {
	case model.ConnStalled, model.ConnReconnecting:
	default:
		return time.Time{}, false
	}
	s := d.Last()
	if s == nil {
		return time.Time{}, false
	}
	return s.Time, true
}

// asOf is "as of 14:02:09", the clock time of the last sample.
func asOf(t time.Time) string { return "as of " + t.Format("15:04:05") }

// pausedText is what the verdict and the checklist say while the data is
// stale: they judge the last sample, not the server now.
func pausedText(t time.Time) string { return "paused: last data " + t.Format("15:04:05") }

// paneStyles are the styles a body pane is drawn with: faint when its
// figures are stale.
func paneStyles(d *Data, st *themes.Styles) *themes.Styles {
	if _, stale := d.StaleAsOf(); stale {
		return st.Stale()
	}
	return st
}
