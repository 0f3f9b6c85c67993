package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// linear returns v0 + (v1-v0)·i/(n-1) in MiB.
func linear(i, n int, v0, v1 float64) Opt {
	return Some((v0 + (v1-v0)*float64(i)/float64(n-1)) * mb)
}

func TestVerdict(t *testing.T) {
	const n = 31 // 5 minutes at one sample every 10 s
	cases := []struct {
		name       string
		hist       *History
		want       VerdictKind
		confidence Confidence
		summary    []string
	}{
		{
			name: "data growth",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.UsedMemory = linear(i, n, 100, 400)
				s.Memory.UsedMemoryRSS = linear(i, n, 110, 410)
			}),
			want: VerdictDataGrowth, confidence: ConfidenceHigh,
			summary: []string{"data growth", "used +300.00M", "RSS +300.00M", "5m00s", "reaches maxmemory in"},
		},
		{
			name: "fragmentation: RSS climbs, used flat",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.UsedMemoryRSS = linear(i, n, 110, 300)
				s.Memory.MemFragmentationRatio = Some(s.Memory.UsedMemoryRSS.V / s.Memory.UsedMemory.V)
			}),
			want: VerdictFragmentation, confidence: ConfidenceHigh,
			summary: []string{"fragmentation", "RSS +190.00M", "3.00× used"},
		},
		{
			name: "allocator retention: used falls, RSS stays",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.UsedMemory = linear(i, n, 400, 100)
				s.Memory.UsedMemoryRSS = Some(420 * mb)
			}),
			want: VerdictFragmentation, confidence: ConfidenceHigh,
			summary: []string{"allocator retention", "used -300.00M", "RSS ±0B"},
		},
		{
			name: "copy-on-write during a BGSAVE",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				if i >= 10 {
					s.Persistence.RDBBgsaveInProgress = Some(1)
					s.Persistence.CurrentCOWSize = linear(i-10, n-10, 0, 80)
				}
				s.Memory.UsedMemory = linear(i, n, 100, 101)
			}),
			want: VerdictCopyOnWrite, confidence: ConfidenceHigh,
			summary: []string{"copy-on-write during the BGSAVE", "copied 80.00M"},
		},
		{
			name: "copy-on-write of a fork that has ended",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				switch {
				case i >= 10 && i < 20:
					s.Persistence.RDBBgsaveInProgress = Some(1)
					s.Persistence.CurrentCOWSize = linear(i-10, 10, 0, 60)
				case i >= 20:
					s.Persistence.RDBLastCOWSize = Some(64 * mb)
					s.Persistence.RDBSaves = Some(2)
					s.Stats.TotalForks = Some(2)
				}
			}),
			// The fork ended 100 s ago: what memory does now is nothing;
			// the copy is said in Earlier (TestVerdictPhases).
			want: VerdictStable, confidence: ConfidenceHigh,
			summary: []string{"Stable"},
		},
		{
			name: "client output buffers",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.MemClientsNormal = linear(i, n, 0.04, 60)
				s.Memory.UsedMemory = linear(i, n, 100, 160)
				s.Memory.UsedMemoryRSS = linear(i, n, 110, 170)
			}),
			want: VerdictClientBuffers, confidence: ConfidenceHigh,
			summary: []string{"client output buffers", "grew +59.96M"},
		},
		{
			name: "replication buffers",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.MemTotalReplicationBuffers = linear(i, n, 1, 51)
				s.Memory.UsedMemory = linear(i, n, 100, 150)
				s.Memory.UsedMemoryRSS = linear(i, n, 110, 160)
			}),
			want: VerdictReplicationBuffers, confidence: ConfidenceHigh,
			summary: []string{"replication buffers", "+50.00M"},
		},
		{
			name:       "stable",
			hist:       seriesOf(n, 10, nil),
			want:       VerdictStable,
			confidence: ConfidenceHigh,
			summary:    []string{"Stable", "used 100.00M (±0B)"},
		},
		{
			name: "stable but fragmented: the level speaks",
			hist: seriesOf(n, 10, func(_ int, s *Sample) {
				s.Memory.UsedMemoryRSS = Some(300 * mb)
				s.Memory.MemFragmentationRatio = Some(3)
			}),
			want: VerdictFragmentation, confidence: ConfidenceMedium,
			summary: []string{"RSS is 3.00× used", "stayed there"},
		},
		{
			name: "too short: three samples over 10 s",
			hist: seriesOf(3, 5, func(i int, s *Sample) {
				s.Memory.UsedMemory = linear(i, 3, 100, 140)
				s.Memory.UsedMemoryRSS = linear(i, 3, 110, 150)
			}),
			want: VerdictDataGrowth, confidence: ConfidenceLow,
			summary: []string{"data growth", "Low confidence: only 10s of history (3 samples)"},
		},
		{
			name:       "one sample",
			hist:       histOf(sampleAt(0)),
			want:       VerdictUnknown,
			confidence: ConfidenceLow,
			summary:    []string{"only one sample so far"},
		},
		{
			name: "one sample during a big fork",
			hist: histOf(func() Sample {
				s := sampleAt(0)
				s.Persistence.RDBBgsaveInProgress = Some(1)
				s.Persistence.CurrentCOWSize = Some(50 * mb)
				return s
			}()),
			want: VerdictCopyOnWrite, confidence: ConfidenceLow,
			summary: []string{"copied 50.00M", "only one sample so far"},
		},
		{
			name:       "no sample",
			hist:       NewHistory(10),
			want:       VerdictUnknown,
			confidence: ConfidenceLow,
			summary:    []string{"no sample from the server yet"},
		},
		{
			name: "mixed causes",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.MemClientsNormal = linear(i, n, 0.04, 40)
				s.Memory.UsedMemory = linear(i, n, 100, 180)
				s.Memory.UsedMemoryRSS = linear(i, n, 110, 190)
			}),
			want: VerdictDataGrowth, confidence: ConfidenceMedium,
			summary: []string{"data growth"},
		},
		{
			name: "a restart in the window: only the new run counts",
			hist: seriesOf(n, 10, func(i int, s *Sample) {
				if i < 15 {
					s.Memory.UsedMemory = Some(900 * mb) // the old run, before the restart
					s.Memory.UsedMemoryRSS = Some(950 * mb)
					return
				}
				s.Server.RunID = "run-2"
				s.Server.Uptime = Some(float64(i))
			}),
			want: VerdictStable, confidence: ConfidenceMedium,
			summary: []string{"Stable", "restarted inside the window"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := inputsOf(tc.hist)
			if in.Now.IsZero() {
				in.Now = baseTime
			}
			v := Verdict(in)
			if v.Kind != tc.want || v.Confidence != tc.confidence {
				t.Fatalf("got %s/%s, want %s/%s\nsummary: %s\nevidence: %s", v.Kind, v.Confidence, tc.want, tc.confidence, v.Summary, strings.Join(v.Evidence, " | "))
			}
			for _, s := range tc.summary {
				if !strings.Contains(v.Summary, s) {
					t.Errorf("summary %q does not say %q", v.Summary, s)
				}
			}
			if strings.Contains(v.Summary, "\n") {
				t.Errorf("summary must be one paragraph: %q", v.Summary)
			}
		})
	}
}

func TestVerdictWindow(t *testing.T) {
	// Growth ended 10 minutes ago: the 5-minute window sees a stable server,
	// a 15-minute window sees the growth.
	h := seriesOf(91, 10, func(i int, s *Sample) {
		v := min(float64(i), 30)
		s.Memory.UsedMemory = Some((100 + 10*v) * mb)
		s.Memory.UsedMemoryRSS = Some((110 + 10*v) * mb)
	})
	in := inputsOf(h)
	if v := Verdict(in); v.Kind != VerdictStable || v.Span != 5*time.Minute {
		t.Fatalf("default window: %s over %s", v.Kind, v.Span)
	}
	in.Window = 15 * time.Minute
	if v := Verdict(in); v.Kind != VerdictDataGrowth {
		t.Fatalf("15m window: %s (%s)", v.Kind, v.Summary)
	}
}

func TestVerdictAndChecklistJSON(t *testing.T) {
	h := seriesOf(7, 10, nil)
	d := Diagnose(inputsOf(h))
	b, err := json.Marshal(struct {
		Checklist Checklist     `json:"checklist"`
		Verdict   VerdictResult `json:"verdict"`
	}{d.Checks, d.Verdict})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Checklist []map[string]any `json:"checklist"`
		Verdict   map[string]any   `json:"verdict"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kind", "summary", "confidence"} {
		if _, ok := got.Verdict[k].(string); !ok {
			t.Errorf("verdict.%s missing or not a string: %v", k, got.Verdict[k])
		}
	}
	if len(got.Checklist) != len(RuleIDs()) {
		t.Fatalf("%d checks", len(got.Checklist))
	}
	for _, c := range got.Checklist {
		for _, k := range []string{"id", "status", "title", "advice"} {
			if _, ok := c[k].(string); !ok {
				t.Errorf("check %v: %s missing or not a string", c["id"], k)
			}
		}
		for _, k := range []string{"evidence", "commands"} {
			if _, ok := c[k].([]any); !ok {
				t.Errorf("check %v: %s is not an array: %v", c["id"], k, c[k])
			}
		}
		switch c["status"] {
		case "ok", "watch", "warn", "crit", "unknown":
		default:
			t.Errorf("check %v: status %v", c["id"], c["status"])
		}
	}
	if d.Time != h.Last().Time {
		t.Errorf("diagnosis time %v", d.Time)
	}
}

// BenchmarkDiagnose is the cost the UI pays per sample: a full checklist and
// verdict over a 15-minute history polled every second.
func BenchmarkDiagnose(b *testing.B) {
	h := NewHistory(901)
	for i := range 900 {
		s := sampleAt(i)
		s.Memory.UsedMemory = Some((100 + float64(i)/10) * mb)
		h.Add(s)
	}
	in := inputsOf(h)
	in.Extras = &Extras{Config: configOf(), Host: localHost()}
	b.ReportAllocs()
	for b.Loop() {
		_ = Diagnose(in)
	}
}

// TestVerdictNowWinsOverAnOlderCause: a load four minutes ago dominates the
// five-minute window, but the last minute is a BGSAVE copying pages: the
// verdict names what is happening now, and keeps the window's cause in its
// evidence.
func TestVerdictNowWinsOverAnOlderCause(t *testing.T) {
	const n = 31 // 5 minutes at one sample every 10 s
	h := seriesOf(n, 10, func(i int, s *Sample) {
		switch {
		case i < 20: // the load: used and RSS grow by 300 MB
			s.Memory.UsedMemory = linear(i, 20, 100, 400)
			s.Memory.UsedMemoryRSS = linear(i, 20, 110, 410)
		default: // flat, and a BGSAVE copies 60 MB in the last 100 s
			s.Memory.UsedMemory = Some(400 * mb)
			s.Memory.UsedMemoryRSS = Some(410 * mb)
			s.Persistence.RDBBgsaveInProgress = Some(1)
			s.Persistence.CurrentCOWSize = linear(i-20, n-20, 0, 60)
		}
	})
	v := Verdict(Inputs{Hist: h})
	if v.Kind != VerdictCopyOnWrite {
		t.Fatalf("verdict %s (%s), want copy-on-write", v.Kind, v.Summary)
	}
	if !strings.Contains(strings.Join(v.Evidence, "\n"), "over the whole 5m00s window: data-growth") {
		t.Errorf("evidence lacks the window's cause: %v", v.Evidence)
	}
	if v.Confidence == ConfidenceLow {
		t.Errorf("a full minute of a clear cause should not be low confidence: %s", v.Summary)
	}
	// With only the load in the history, the verdict stays data growth.
	if v := Verdict(Inputs{Hist: seriesOf(20, 10, func(i int, s *Sample) {
		s.Memory.UsedMemory = linear(i, 20, 100, 400)
		s.Memory.UsedMemoryRSS = linear(i, 20, 110, 410)
	})}); v.Kind != VerdictDataGrowth {
		t.Errorf("load only: %s", v.Kind)
	}
}

// TestEvictionsJudgeTheLastMinute: a burst of evictions three minutes ago is
// over; the check says so instead of "thrashing" for the whole window
// ("now" is the recent span, ThresholdRecentRateSpan).
func TestEvictionsJudgeTheLastMinute(t *testing.T) {
	const n = 31
	mk := func(burstEnd int) *History {
		return seriesOf(n, 10, func(i int, s *Sample) {
			s.Stats.EvictedKeys = Some(float64(min(i, burstEnd) * 5000))
		})
	}
	old := Evaluate(Inputs{Hist: mk(12)})
	if c, _ := old.Find(CheckEvictions); c.Status != StatusOK || !strings.Contains(c.Title, "No evictions in the last 10s") {
		t.Errorf("a burst that ended 3 minutes ago: %s %q", c.Status, c.Title)
	}
	now := Evaluate(Inputs{Hist: mk(n)})
	if c, _ := now.Find(CheckEvictions); c.Status == StatusOK {
		t.Errorf("evicting 500/s now: %s %q", c.Status, c.Title)
	}
}

// TestVerdictPaceIsTheNewestStretch: the time to maxmemory is read on the
// window's newest stretch. A load that stopped a minute ago leaves the
// window's average climbing; the verdict and the trend check must say it
// stopped, not promise the limit. At the limit they say so.
func TestVerdictPaceIsTheNewestStretch(t *testing.T) {
	const n = 31 // 5 minutes, one sample every 10 s; maxmemory 1G (sampleAt)
	cases := []struct {
		name     string
		used     func(i int) float64 // MiB
		say, not []string
		evidence string
	}{
		{
			name:     "stopped a minute ago",
			used:     func(i int) float64 { return 100 + 20*float64(min(i, 24)) },
			say:      []string{"data growth", "The growth has stopped: used is flat over the last 1m00s."},
			not:      []string{"reaches maxmemory"},
			evidence: "used rose over the window but is flat over the last 1m00s: no time to maxmemory (1.00G) while it holds",
		},
		{
			name:     "faster now than on average",
			used:     func(i int) float64 { return 100 + float64(i) + 15*float64(max(i-24, 0)) },
			say:      []string{"At the pace of the last 1m00s it reaches maxmemory in 8m22s"},
			evidence: "at the pace of the last 1m00s, used reaches maxmemory (1.00G) in 8m22s",
		},
		{
			name:     "at the limit",
			used:     func(i int) float64 { return 720 + 10*float64(i) },
			say:      []string{"Used is at maxmemory now."},
			not:      []string{"reaches maxmemory in"},
			evidence: "used is within 1 % of maxmemory (1.00G) now",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := seriesOf(n, 10, func(i int, s *Sample) {
				s.Memory.UsedMemory = Some(tc.used(i) * mb)
				s.Memory.UsedMemoryRSS = Some((tc.used(i) + 10) * mb)
			})
			in := inputsOf(h)
			v := Verdict(in)
			for _, s := range tc.say {
				if !strings.Contains(v.Summary, s) {
					t.Errorf("verdict %q does not say %q", v.Summary, s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(v.Summary, s) {
					t.Errorf("verdict %q says %q", v.Summary, s)
				}
			}
			var found bool
			for _, ch := range Evaluate(in) {
				for _, e := range ch.Evidence {
					found = found || strings.Contains(e, tc.evidence)
				}
			}
			if !found {
				t.Errorf("no check's evidence says %q", tc.evidence)
			}
		})
	}
}
