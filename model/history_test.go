package model

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func smp(sec int, used, rss, evicted float64, runID string, uptime float64) Sample {
	s := Sample{Time: t0.Add(time.Duration(sec) * time.Second)}
	s.Memory.UsedMemory = Some(used)
	s.Memory.UsedMemoryRSS = Some(rss)
	s.Stats.EvictedKeys = Some(evicted)
	s.Server.RunID = Text(runID)
	s.Server.Uptime = Some(uptime)
	return s
}

func gap(sec int) Sample {
	return Sample{Time: t0.Add(time.Duration(sec) * time.Second), Err: "connection refused"}
}

func TestHistoryRingKeepsNewest(t *testing.T) {
	h := NewHistory(3)
	for i := range 5 {
		h.Add(smp(i, float64(i), 0, 0, "a", float64(100+i)))
	}
	if h.Len() != 3 || h.Capacity() != 3 {
		t.Fatalf("len %d cap %d", h.Len(), h.Capacity())
	}
	for i, want := range []float64{2, 3, 4} {
		if got := h.At(i).Memory.UsedMemory.V; got != want {
			t.Errorf("At(%d) used = %v, want %v", i, got, want)
		}
	}
	if h.Last().Memory.UsedMemory.V != 4 {
		t.Error("Last is not the newest")
	}
}

func TestHistoryRates(t *testing.T) {
	tests := []struct {
		name    string
		samples []Sample
		want    Opt
	}{
		{"none", nil, None()},
		{"one", []Sample{smp(0, 1, 1, 10, "a", 1)}, None()},
		{"steady", []Sample{smp(0, 1, 1, 10, "a", 1), smp(2, 1, 1, 30, "a", 3)}, Some(10)},
		{"gap between is skipped", []Sample{smp(0, 1, 1, 10, "a", 1), gap(1), smp(4, 1, 1, 50, "a", 5)}, Some(10)},
		{"counter reset", []Sample{smp(0, 1, 1, 100, "a", 100), smp(1, 1, 1, 5, "a", 101)}, None()},
		{"restart by run_id", []Sample{smp(0, 1, 1, 10, "a", 100), smp(1, 1, 1, 20, "b", 101)}, None()},
		{"restart by uptime", []Sample{smp(0, 1, 1, 10, "", 100), smp(1, 1, 1, 20, "", 1)}, None()},
		{"absent counter", []Sample{{Time: t0}, {Time: t0.Add(time.Second)}}, None()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory(10)
			for _, s := range tt.samples {
				h.Add(s)
			}
			if got := h.Rate(GetEvict); got != tt.want {
				t.Errorf("Rate = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestHistoryEvents(t *testing.T) {
	h := NewHistory(10)
	var kinds []EventKind
	add := func(s Sample) {
		for _, e := range h.Add(s) {
			kinds = append(kinds, e.Kind)
		}
	}
	add(smp(0, 1, 1, 0, "a", 10))
	fork := smp(1, 1, 1, 0, "a", 11)
	fork.Persistence.RDBBgsaveInProgress = Some(1)
	add(fork)
	add(smp(2, 1, 1, 0, "a", 12))
	add(gap(3))
	add(gap(4))
	add(smp(5, 1, 1, 0, "b", 1))
	want := []EventKind{EventForkStart, EventForkEnd, EventGapStart, EventGapEnd, EventRestart}
	if len(kinds) != len(want) {
		t.Fatalf("events %v, want %v", kinds, want)
	}
	for i := range want {
		if kinds[i] != want[i] {
			t.Fatalf("events %v, want %v", kinds, want)
		}
	}
	if len(h.Events()) != len(want) {
		t.Errorf("Events() holds %d", len(h.Events()))
	}
}

func TestHistoryWindowFigures(t *testing.T) {
	h := NewHistory(100)
	for i := range 10 {
		h.Add(smp(i*10, float64(100+i), float64(200-i), 0, "a", float64(i*10)))
	}
	now := t0.Add(90 * time.Second)
	if got := h.Delta(now, 0, GetUsed); got != Some(9) {
		t.Errorf("Delta all = %+v", got)
	}
	// the window (now-30s, now] holds the samples at 60, 70, 80, 90 s.
	if got := h.Delta(now, 30*time.Second, GetUsed); got != Some(3) {
		t.Errorf("Delta 30s = %+v", got)
	}
	if got := h.Max(now, 0, GetRSS); got != Some(200) {
		t.Errorf("Max = %+v", got)
	}
	if got := h.Min(now, 30*time.Second, GetRSS); got != Some(191) {
		t.Errorf("Min = %+v", got)
	}
	if got := len(h.Series(now, 30*time.Second, GetUsed)); got != 4 {
		t.Errorf("Series len = %d", got)
	}
	// a restart inside the window: the delta only spans the new run.
	h.Add(smp(100, 50, 60, 0, "b", 1))
	h.Add(smp(110, 55, 60, 0, "b", 11))
	if got := h.Delta(t0.Add(110*time.Second), 0, GetUsed); got != Some(5) {
		t.Errorf("Delta across restart = %+v", got)
	}
	if got := h.RateOver(t0.Add(110*time.Second), 0, GetUsed); got != Some(0.5) {
		t.Errorf("RateOver across restart = %+v", got)
	}
}

func TestHistorySeriesGapsAreAbsent(t *testing.T) {
	h := NewHistory(10)
	h.Add(smp(0, 1, 1, 0, "a", 1))
	h.Add(gap(1))
	h.Add(smp(2, 3, 1, 0, "a", 3))
	s := h.Series(t0.Add(2*time.Second), 0, GetUsed)
	if len(s) != 3 || s[1].V.Valid || !s[0].V.Valid || !s[2].V.Valid {
		t.Fatalf("series %+v", s)
	}
}

func TestEventsBounded(t *testing.T) {
	h := NewHistory(4)
	for i := range 2 * maxEvents {
		h.Add(gap(2 * i))
		h.Add(smp(2*i+1, 1, 1, 0, "a", float64(i)))
	}
	if n := len(h.Events()); n != maxEvents {
		t.Fatalf("events = %d, want %d", n, maxEvents)
	}
}

func TestOptJSON(t *testing.T) {
	b, _ := Some(1464896).MarshalJSON()
	if string(b) != "1464896" {
		t.Errorf("got %s", b)
	}
	b, _ = None().MarshalJSON()
	if string(b) != "null" {
		t.Errorf("got %s", b)
	}
	var o Opt
	if err := o.UnmarshalJSON([]byte("1.5")); err != nil || o != Some(1.5) {
		t.Errorf("unmarshal: %+v %v", o, err)
	}
	b, _ = Text("a\x1bb").MarshalJSON()
	if string(b) != `"a\u001bb"` {
		t.Errorf("text json %s", b)
	}
}

func TestSampleKeyspaceTotals(t *testing.T) {
	s := Sample{Keyspace: []DBKeys{{DB: 0, Keys: Some(3), Expires: Some(1)}, {DB: 2, Keys: Some(4), Expires: Some(0)}}}
	if s.TotalKeys() != Some(7) || s.TotalExpires() != Some(1) {
		t.Errorf("totals %+v %+v", s.TotalKeys(), s.TotalExpires())
	}
	empty := Sample{Sections: []string{"keyspace"}}
	if empty.TotalKeys() != Some(0) {
		t.Errorf("an empty keyspace section means 0 keys, got %+v", empty.TotalKeys())
	}
	if (&Sample{}).TotalKeys().Valid {
		t.Error("no keyspace section: the total must be absent")
	}
}
