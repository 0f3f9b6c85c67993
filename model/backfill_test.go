package model

import (
	"strings"
	"testing"
	"time"
)

// TestHistorySeed: samples from before the first live poll go in front,
// marked; those overlapping the live ones are dropped; a gap in the stored
// data stays a gap; a restart across the seam is an event; a full ring
// keeps the newest.
func TestHistorySeed(t *testing.T) {
	live := []Sample{smp(10, 100, 200, 0, "b", 5), smp(11, 110, 210, 0, "b", 6)}
	past := []Sample{smp(0, 10, 20, 0, "a", 50), gap(2), smp(4, 40, 60, 0, "a", 54), smp(10, 999, 999, 0, "b", 5)}
	h := NewHistory(10)
	for _, s := range live {
		h.Add(s)
	}
	evs := h.Seed(past)
	if h.Len() != 5 {
		t.Fatalf("len %d, want 3 seeded + 2 live", h.Len())
	}
	for i, want := range []struct {
		sec        int
		backfilled bool
		gap        bool
	}{{0, true, false}, {2, true, true}, {4, true, false}, {10, false, false}, {11, false, false}} {
		s := h.At(i)
		if s.Time != t0.Add(time.Duration(want.sec)*time.Second) || s.Backfilled != want.backfilled || s.IsGap() != want.gap {
			t.Errorf("At(%d) = %s backfilled %v gap %v, want %+v", i, s.Time, s.Backfilled, s.IsGap(), want)
		}
	}
	kinds := map[EventKind]int{}
	for _, e := range evs {
		kinds[e.Kind]++
	}
	if kinds[EventGapStart] != 1 || kinds[EventGapEnd] != 1 || kinds[EventRestart] != 1 {
		t.Errorf("events %+v: want the stored gap and the restart at the seam", evs)
	}
	if end, ok := h.BackfillEnd(); !ok || end != t0.Add(4*time.Second) {
		t.Errorf("BackfillEnd = %s %v", end, ok)
	}
	if got := h.SourceSplit(t0, t0.Add(11*time.Second)); got != "4.0s of Prometheus history + 7.0s live" {
		t.Errorf("SourceSplit = %q", got)
	}
	if got := h.SourceSplit(t0.Add(10*time.Second), t0.Add(11*time.Second)); got != "" {
		t.Errorf("SourceSplit of live samples only = %q, want empty", got)
	}

	small := NewHistory(3)
	small.Add(smp(10, 1, 1, 0, "a", 10))
	small.Seed([]Sample{smp(1, 1, 1, 0, "a", 1), smp(2, 1, 1, 0, "a", 2), smp(3, 1, 1, 0, "a", 3)})
	if small.Len() != 3 || small.At(0).Time != t0.Add(2*time.Second) || small.Last().Time != t0.Add(10*time.Second) {
		t.Errorf("a full ring keeps the newest: first %s last %s", small.At(0).Time, small.Last().Time)
	}
}

// TestVerdictSaysItsHistory: a verdict over backfilled and live samples
// names data growth from both and says how much of each it stood on.
func TestVerdictSaysItsHistory(t *testing.T) {
	h := NewHistory(200)
	past := make([]Sample, 0, 60)
	for i := range 60 {
		past = append(past, smp(i, 10e6+float64(i)*1e6, 12e6+float64(i)*1e6, 0, "a", float64(100+i)))
	}
	for i := 60; i < 70; i++ {
		h.Add(smp(i, 10e6+float64(i)*1e6, 12e6+float64(i)*1e6, 0, "a", float64(100+i)))
	}
	h.Seed(past)
	v := Verdict(Inputs{Now: h.Last().Time, Hist: h})
	if v.Kind != VerdictDataGrowth || !strings.Contains(v.Summary, "From 59s of Prometheus history + 10s live.") {
		t.Errorf("verdict %s: %q", v.Kind, v.Summary)
	}
	if len(v.Evidence) == 0 || !strings.Contains(v.Evidence[0], "(59s of Prometheus history + 10s live)") {
		t.Errorf("evidence %q", v.Evidence)
	}
	if v.Confidence == ConfidenceLow {
		t.Errorf("confidence low with 70 samples over 69s: %q", v.Summary)
	}
}
