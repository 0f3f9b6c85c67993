package model

import "time"

// RecentRate is a counter's per-second rate "now": over the samples of the
// last ThresholdRecentRateSpan before the newest one. It is the one
// definition every face of the tool shows — the limits pane, the checklist
// and the report — so a figure never reads 0/s in one place and 34/s in
// another.
type RecentRate struct {
	// PerSec is absent when there are not two samples of the same server
	// run, or when the counter went back.
	PerSec Opt
	// Span is the time between the two samples the rate is taken from.
	Span time.Duration
}

// Recent is the rate of a counter over the last ThresholdRecentRateSpan of
// samples, ending at the newest non-gap one. It is anchored on that sample,
// not on a clock, so a pane drawn a second later and the checklist
// evaluated at the poll agree. With fewer than two samples in the span (a
// poll interval longer than it) the two newest samples are used.
func (h *History) Recent(get Getter) RecentRate {
	last := h.LastOK()
	if last == nil {
		return RecentRate{}
	}
	first, _ := h.span(last.Time, ThresholdRecentRateSpan)
	if first == nil || first == last {
		first = h.PrevOK()
	}
	if first == nil || first == last || restarted(first, last) {
		return RecentRate{}
	}
	return RecentRate{PerSec: rateBetween(first, last, get), Span: last.Time.Sub(first.Time)}
}

// Phrase is "12.5/s over the last 10s", or "—" when there is no rate.
func (r RecentRate) Phrase() string {
	if !r.PerSec.Valid {
		return Dash
	}
	return Rate(r.PerSec.V) + " over the last " + Duration(r.Span)
}
