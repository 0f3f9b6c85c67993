package model

import (
	"strings"
	"testing"
	"time"
)

// One figure, one meaning: the recent rate every face shows.
func TestRecentRate(t *testing.T) {
	evicting := func(step int, perSec func(sec int) float64) func(i int, s *Sample) {
		return func(i int, s *Sample) {
			total := 0.0
			for sec := range i * step {
				total += perSec(sec)
			}
			s.Stats.EvictedKeys = Some(total)
		}
	}
	cases := []struct {
		name     string
		h        *History
		want     Opt
		wantSpan time.Duration
	}{
		{"no sample", NewHistory(4), None(), 0},
		{"one sample", histOf(sampleAt(0)), None(), 0},
		{"steady 10/s", seriesOf(61, 1, evicting(1, func(int) float64 { return 10 })), Some(10), 10 * time.Second},
		// The case: 35 s after evictions stopped the pane said 0/s
		// and the checklist 34.4/s (over a minute). Now both say 0.
		{"stopped 35 s ago", seriesOf(61, 1, evicting(1, func(sec int) float64 {
			if sec < 25 {
				return 34
			}
			return 0
		})), Some(0), 10 * time.Second},
		{"polls slower than the span: the two newest", seriesOf(5, 30, evicting(30, func(int) float64 { return 2 })), Some(2), 30 * time.Second},
		{"restart in between", histOf(sampleAt(0), func() Sample {
			s := sampleAt(5)
			s.Server.RunID = "run-2"
			s.Server.Uptime = Some(1)
			return s
		}()), None(), 0},
		{"counter went back", histOf(func() Sample { s := sampleAt(0); s.Stats.EvictedKeys = Some(50); return s }(), sampleAt(5)), None(), 5 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.h.Recent(GetEvict)
			if r.PerSec != tc.want || r.Span != tc.wantSpan {
				t.Errorf("got %+v over %s, want %+v over %s", r.PerSec, r.Span, tc.want, tc.wantSpan)
			}
		})
	}
}

// The evictions check and the report read the same recent rate.
func TestEvictionsCheckAndReportAgree(t *testing.T) {
	h := seriesOf(61, 1, func(i int, s *Sample) {
		s.Stats.EvictedKeys = Some(float64(min(i, 25) * 34))
	})
	in := inputsOf(h)
	ch := evalOne(t, CheckEvictions, in)
	if ch.Status != StatusOK || ch.Title != "No evictions in the last 10s" {
		t.Errorf("35 s after the burst: %s %q", ch.Status, ch.Title)
	}
	rep := BuildReport(ReportInput{Now: in.Now, Hist: h})
	if rep.Rates.EvictedKeysPerSec != Some(0) || rep.Rates.IntervalSeconds != Some(10) {
		t.Errorf("report rates %+v", rep.Rates)
	}
	h = seriesOf(61, 1, func(i int, s *Sample) { s.Stats.EvictedKeys = Some(float64(i * 34)) })
	ch = evalOne(t, CheckEvictions, inputsOf(h))
	want := "Evicting " + Rate(h.Recent(GetEvict).PerSec.V)
	if !strings.HasPrefix(ch.Title, want) || !strings.Contains(strings.Join(ch.Evidence, "\n"), "eviction rate: 34/s over the last 10s") {
		t.Errorf("evicting now: %q %v, want %q", ch.Title, ch.Evidence, want)
	}
}

// The fork graded on its own stall and the memory at the fork, in ms/GB,
// through every status.
func TestForkCostGrades(t *testing.T) {
	fork := func(usec, rss float64) *History {
		s := sampleAt(0)
		s.Stats.LatestForkUsec = Some(usec)
		s.Memory.UsedMemoryRSS = Some(rss)
		s.Memory.UsedMemory = Some(rss * 0.9)
		s.Memory.TotalSystemMemory = Some(64 * gb)
		return histOf(s)
	}
	cases := []struct {
		name   string
		h      *History
		status Status
		grade  string
		title  string // in the fork check's title; "" = the fork check says nothing of it
	}{
		{"fast small fork", fork(2_300, 36*mb), StatusOK, "", ""},
		{"39 ms of 200 MB is not terrible", fork(39_000, 200*mb), StatusWatch, "", "Forking takes 39.00 ms"},
		{"excellent per GB, but the stall is felt", fork(40_000, 6*gb), StatusWatch, "excellent", "Forking takes 40.00 ms (6.7ms/GB excellent)"},
		{"good: the guide's hardware", fork(80_000, 6.1*gb), StatusWatch, "good", "13.1ms/GB good"},
		{"poor", fork(120_000, 2*gb), StatusWatch, "poor", "60.0ms/GB poor"},
		{"terrible: old Xen", fork(1_460_000, 6.1*gb), StatusWarn, "terrible", "239.3ms/GB terrible"},
		{"a long stall on a small dataset", fork(600_000, 500*mb), StatusWarn, "", "Forking stalls every client for 600.00 ms"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fc, ok := tc.h.LatestForkCost()
			if !ok || fc.Status != tc.status || fc.Grade != tc.grade {
				t.Fatalf("cost %+v (ok %v), want %s %q", fc, ok, tc.status, tc.grade)
			}
			ch := evalOne(t, CheckFork, inputsOf(tc.h))
			ev := strings.Join(ch.Evidence, "\n")
			if ch.Status != tc.status || !strings.Contains(ch.Title, tc.title) || !strings.Contains(ev, "latest_fork_usec: ") {
				t.Errorf("check %s %q\n%s", ch.Status, ch.Title, ev)
			}
			if tc.grade == "" && strings.Contains(ch.Title+ev, "ms/GB ") {
				t.Errorf("graded per GB under 1 GB: %q\n%s", ch.Title, ev)
			}
			if tc.status != StatusOK && ch.Advice == "" {
				t.Error("no advice")
			}
			if tc.grade != "terrible" && strings.Contains(ch.Advice, "instance") {
				t.Errorf("advice to leave the instance type for a %q fork: %s", tc.grade, ch.Advice)
			}
		})
	}
	if _, ok := histOf(func() Sample { s := sampleAt(0); s.Stats.LatestForkUsec = Some(0); return s }()).LatestForkCost(); ok {
		t.Error("latest_fork_usec 0 is no fork")
	}
}

// The same fork keeps its grade as memory moves on: it is weighed against
// the sample that first showed it, not today's used_memory.
func TestForkGradedAtTheFork(t *testing.T) {
	h := seriesOf(120, 1, func(i int, s *Sample) {
		s.Stats.LatestForkUsec = Some(500)
		s.Memory.UsedMemoryRSS = Some(float64(1+i) * gb / 10)
		if i >= 30 { // a fork at 3 GB of RSS
			s.Stats.LatestForkUsec = Some(60_000)
			s.Stats.TotalForks = Some(2)
		}
	})
	fc, ok := h.LatestForkCost()
	if !ok || fc.Before || fc.Mem != 3.1*gb || fc.Time != baseTime.Add(30*time.Second) {
		t.Fatalf("memory at the fork %+v", fc)
	}
	a := fc.PerGB()
	h.Add(func() Sample {
		s := sampleAt(200)
		s.Stats.LatestForkUsec, s.Stats.TotalForks = Some(60_000), Some(2)
		s.Memory.UsedMemoryRSS = Some(20 * gb)
		return s
	}())
	if fc, _ := h.LatestForkCost(); fc.PerGB() != a || h.Clone() == nil {
		t.Errorf("regraded with today's memory: %s, was %s", fc.PerGB(), a)
	}
	if c, _ := h.Clone().LatestForkCost(); c.PerGB() != a {
		t.Errorf("a clone grades differently: %s", c.PerGB())
	}
	// The report states the same grade, in the same unit.
	rep := BuildReport(ReportInput{Now: h.Last().Time, Hist: h})
	var md strings.Builder
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if rep.Fork == nil || rep.Fork.Grade != "good" || !strings.Contains(md.String(), "| latest fork, graded | 60.00 ms, RSS 3.10G at the fork (sample of 10:00:30) = "+a) {
		t.Errorf("report fork %+v\n%s", rep.Fork, md.String())
	}
	// A fork already there in the first sample says so.
	fc, _ = histOf(func() Sample { s := sampleAt(0); s.Stats.LatestForkUsec = Some(20_000); return s }()).LatestForkCost()
	if !fc.Before || !strings.Contains(fc.Evidence(), "the fork may be older") {
		t.Errorf("a fork older than the history: %+v %q", fc, fc.Evidence())
	}
}

// A partial scan is "partial (N % scanned)" and never ok, in every
// scan-based check.
func TestPartialScanIsNeverOK(t *testing.T) {
	small := ScanKey{Key: "k", Type: typeString, Encoding: "embstr", Bytes: Some(100), Elements: Some(10), TTL: Some(-1)}
	big := ScanKey{Key: "blob", Type: typeString, Encoding: "raw", Bytes: Some(2 * mb), Elements: Some(2 * mb), TTL: Some(-1)}
	facts := func(complete bool, scanned int, keys ...ScanKey) *ScanFacts {
		return &ScanFacts{Scanned: scanned, Total: Some(20_000), Complete: complete, Keys: keys, NoTTLKeys: scanned}
	}
	cases := []struct {
		name   string
		id     string
		scan   *ScanFacts
		status Status
		title  string
	}{
		{"big keys: complete, none", CheckBigKeys, facts(true, 20_000, small), StatusOK, "No big key among the keys scanned"},
		{"big keys: 6 %, none so far", CheckBigKeys, facts(false, 1_200, small), StatusUnknown, "Big keys: partial (6 % scanned) — no big key among the 1,200 keys scanned so far"},
		{"big keys: 6 %, one found", CheckBigKeys, facts(false, 1_200, big), StatusWatch, "1 big key(s); the biggest, blob, holds 2.00M — partial (6 % scanned)"},
		{"big keys: a few keys only", CheckBigKeys, facts(false, 3, small), StatusUnknown, "partial (<1 % scanned)"},
		{"encodings: complete, none", CheckEncodings, facts(true, 20_000, small), StatusOK, "No collection just past"},
		{"encodings: 50 %, none so far", CheckEncodings, facts(false, 10_000, small), StatusUnknown, "Encodings: partial (50 % scanned)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := inputsOf(histOf(sampleAt(0)))
			in.Scan = tc.scan
			in.Extras = &Extras{Config: configOf()}
			ch := evalOne(t, tc.id, in)
			if ch.Status != tc.status || !strings.Contains(ch.Title, tc.title) {
				t.Errorf("%s %q, want %s %q", ch.Status, ch.Title, tc.status, tc.title)
			}
			if strings.Contains(ch.Title, "\n") || ch.Advice == "" || (ch.Status == StatusUnknown && ch.Reason == "") {
				t.Errorf("contract: %+v", ch)
			}
			if !tc.scan.Complete && !strings.Contains(strings.Join(ch.Evidence, "\n"), "partial (") {
				t.Errorf("evidence does not say partial: %v", ch.Evidence)
			}
		})
	}
}

// The evidence reminder does not rank above the findings: last, and watch
// however bad they are.
func TestEvidenceReminderHasItsOwnPlace(t *testing.T) {
	bad := seriesOf(30, 10, func(_ int, s *Sample) {
		s.Memory.MemFragmentationRatio = Some(2.5)
		s.Persistence.RDBLastBgsaveStatus = "err"
	})
	cl := Evaluate(inputsOf(bad))
	ev, ok := cl.Reminder()
	if !ok || ev.Status != StatusWatch || cl[len(cl)-1].ID != CheckEvidence {
		t.Fatalf("reminder %+v, order %s", ev, ids(cl))
	}
	f := cl.Findings()
	if len(f) != len(cl)-1 || f[0].Status != StatusCrit {
		t.Errorf("findings %s", ids(f))
	}
	if _, ok := f.Reminder(); ok {
		t.Error("the findings hold the reminder")
	}
	var b strings.Builder
	rep := BuildReport(ReportInput{Now: bad.Last().Time, Hist: bad})
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	if !strings.Contains(md, "\n✓ Evidence saved") || strings.Contains(md, "| evidence |") {
		t.Errorf("the report's reminder is not in its own place:\n%s", md)
	}
}
