package model

import (
	"fmt"
	"sort"
	"time"
)

// Backfill is what a history store (Prometheus) says about the time before
// the first live poll: the samples read from it, oldest first, and one line
// for the status bar — how the series were found and how much was read, or
// why nothing was. An update with no samples only changes the line (the
// store went down, or came back).
type Backfill struct {
	Time    time.Time `json:"time"`
	Samples []Sample  `json:"samples,omitempty"`
	Status  string    `json:"status"`
	// Failed is true when Status says what went wrong.
	Failed bool `json:"failed,omitempty"`
}

// Seed puts samples from before the first live poll at the front of the
// history: those older than the oldest sample held, marked Backfilled,
// then the samples held, as if they had been added in that order (the
// events are found again across the whole run; the oldest samples fall
// off when the ring is full). It returns the events the seeded samples
// reveal, the one where they meet the live ones included.
func (h *History) Seed(past []Sample) []Event {
	if h.n > 0 {
		first := h.At(0).Time
		past = past[:sort.Search(len(past), func(i int) bool { return !past[i].Time.Before(first) })]
	}
	if len(past) == 0 {
		return nil
	}
	n := NewHistory(len(h.buf))
	var evs []Event
	for _, s := range past {
		s.Backfilled = true
		evs = append(evs, n.Add(s)...)
	}
	for i := range h.n {
		got := n.Add(*h.At(i))
		if i == 0 {
			evs = append(evs, got...)
		}
	}
	*h = *n
	return evs
}

// BackfillEnd is the time of the newest backfilled sample held: where the
// stored history ends and live polling begins.
func (h *History) BackfillEnd() (time.Time, bool) {
	for i := h.n - 1; i >= 0; i-- {
		if s := h.At(i); s.Backfilled {
			return s.Time, true
		}
	}
	return time.Time{}, false
}

// SourceSplit says where the history between from and to came from, when
// part of it was backfilled: "1m of Prometheus history + 30s live". Empty
// when it is all live.
func (h *History) SourceSplit(from, to time.Time) string {
	end, ok := h.BackfillEnd()
	if !ok || end.Before(from) {
		return ""
	}
	end = minTime(end, to)
	stored := end.Sub(from)
	live := to.Sub(end)
	// The first live poll follows the last scrape read: the time between
	// them is counted as live.
	return fmt.Sprintf("%s of Prometheus history + %s live", Duration(stored.Round(time.Second)), Duration(live.Round(time.Second)))
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
