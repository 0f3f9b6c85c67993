package model

import (
	"encoding/json"
	"strings"
	"testing"
)

// loadThen is 31 samples 10 s apart: used and RSS grow by 300 MiB over the
// first 20, then then(i, s) shapes the rest.
func loadThen(then func(i int, s *Sample)) *History {
	return seriesOf(31, 10, func(i int, s *Sample) {
		if i < 20 {
			s.Memory.UsedMemory = linear(i, 20, 100, 400)
			s.Memory.UsedMemoryRSS = linear(i, 20, 110, 410)
			return
		}
		s.Memory.UsedMemory = Some(400 * mb)
		s.Memory.UsedMemoryRSS = Some(410 * mb)
		if then != nil {
			then(i, s)
		}
	})
}

// atLimit: used climbs to a 400 MiB limit by sample 20, then stays there.
func atLimit(then func(i int, s *Sample)) *History {
	return seriesOf(31, 10, func(i int, s *Sample) {
		s.Memory.MaxMemory = Some(400 * mb)
		if i < 20 {
			s.Memory.UsedMemory = linear(i, 20, 100, 400)
			s.Memory.UsedMemoryRSS = linear(i, 20, 110, 410)
			return
		}
		s.Memory.UsedMemory = Some(400 * mb)
		s.Memory.UsedMemoryRSS = Some(410 * mb)
		if then != nil {
			then(i, s)
		}
	})
}

// TestVerdictPhases walks every verdict kind and every change of regime:
// the verdict names the present phase, Earlier says what came before it.
func TestVerdictPhases(t *testing.T) {
	cases := []struct {
		name       string
		hist       *History
		kind       VerdictKind
		confidence Confidence
		phase      PhaseChange
		summary    []string
		earlier    []string // empty: no Earlier line (the phase is the window)
	}{
		{
			name: "no sample: unknown",
			hist: NewHistory(10),
			kind: VerdictUnknown, confidence: ConfidenceLow, phase: "",
			summary: []string{"no sample"},
		},
		{
			name: "window: data growth, no change of regime",
			hist: seriesOf(31, 10, func(i int, s *Sample) {
				s.Memory.UsedMemory = linear(i, 31, 100, 400)
				s.Memory.UsedMemoryRSS = linear(i, 31, 110, 410)
			}),
			kind: VerdictDataGrowth, confidence: ConfidenceHigh, phase: PhaseWindow,
			summary: []string{"data growth", "used +300.00M"},
		},
		{
			name: "window: stable",
			hist: seriesOf(31, 10, nil),
			kind: VerdictStable, confidence: ConfidenceHigh, phase: PhaseWindow,
			summary: []string{"Stable"},
		},
		{
			name: "fork-start: copy-on-write now, the load is earlier",
			hist: loadThen(func(i int, s *Sample) {
				s.Persistence.RDBBgsaveInProgress = Some(1)
				s.Persistence.CurrentCOWSize = linear(i-20, 11, 0, 60)
			}),
			kind: VerdictCopyOnWrite, confidence: ConfidenceHigh, phase: PhaseForkStart,
			summary: []string{"copy-on-write during the BGSAVE", "copied 60.00M"},
			earlier: []string{"data growth, used +300.00M", "then the BGSAVE started 1m40s ago"},
		},
		{
			name: "fork-start: the child has copied little yet, still the fork",
			hist: loadThen(func(i int, s *Sample) {
				if i >= 28 {
					s.Persistence.RDBBgsaveInProgress = Some(1)
					s.Persistence.CurrentCOWSize = Some(512 * 1024)
				}
			}),
			kind: VerdictCopyOnWrite, confidence: ConfidenceLow, phase: PhaseForkStart,
			summary: []string{"A BGSAVE is running", "copied 512.00K so far", "since the BGSAVE started (4 samples)"},
			earlier: []string{"data growth", "then the BGSAVE started 20s ago"},
		},
		{
			name: "fork-end: flat since, the copy is earlier",
			hist: loadThen(func(i int, s *Sample) {
				if i < 25 {
					s.Persistence.RDBBgsaveInProgress = Some(1)
					s.Persistence.CurrentCOWSize = linear(i-20, 5, 0, 64)
					return
				}
				s.Persistence.RDBLastCOWSize = Some(64 * mb)
				s.Persistence.RDBSaves = Some(2)
			}),
			kind: VerdictStable, confidence: ConfidenceHigh, phase: PhaseForkEnd,
			summary: []string{"Stable", "over the last 50s"},
			earlier: []string{"copy-on-write, a fork copied up to 64.00M", "then the BGSAVE ended 50s ago"},
		},
		{
			name: "fork-end between two polls: seen in the counters only",
			hist: loadThen(func(i int, s *Sample) {
				if i >= 25 {
					s.Persistence.RDBLastCOWSize = Some(30 * mb)
					s.Persistence.RDBSaves = Some(2)
					s.Stats.TotalForks = Some(2)
				}
			}),
			kind: VerdictStable, confidence: ConfidenceHigh, phase: PhaseForkEnd,
			earlier: []string{"then the BGSAVE ended 50s ago"},
		},
		{
			name: "fork-end, then client buffers grow",
			hist: loadThen(func(i int, s *Sample) {
				if i < 23 {
					s.Persistence.RDBBgsaveInProgress = Some(1)
					s.Persistence.CurrentCOWSize = Some(50 * mb)
					return
				}
				s.Memory.MemClientsNormal = linear(i-23, 8, 0.04, 60)
				s.Memory.UsedMemory = linear(i-23, 8, 400, 460)
				s.Memory.UsedMemoryRSS = linear(i-23, 8, 410, 470)
			}),
			kind: VerdictClientBuffers, confidence: ConfidenceHigh, phase: PhaseForkEnd,
			summary: []string{"client output buffers", "+59.96M"},
			earlier: []string{"then the BGSAVE ended 1m10s ago"},
		},
		{
			name: "fork-end, then fragmentation by level",
			hist: loadThen(func(i int, s *Sample) {
				if i < 23 {
					s.Persistence.RDBBgsaveInProgress = Some(1)
					s.Persistence.CurrentCOWSize = Some(50 * mb)
				}
				s.Memory.UsedMemoryRSS = Some(1200 * mb)
				s.Memory.MemFragmentationRatio = Some(3)
			}),
			kind: VerdictFragmentation, confidence: ConfidenceMedium, phase: PhaseForkEnd,
			summary: []string{"RSS is 3.00× used", "stayed there"},
			earlier: []string{"then the BGSAVE ended"},
		},
		{
			name: "restart: only the new run, and said",
			hist: seriesOf(31, 10, func(i int, s *Sample) {
				if i < 15 {
					s.Memory.UsedMemory = Some(900 * mb)
					s.Memory.UsedMemoryRSS = Some(950 * mb)
					return
				}
				s.Server.RunID = "run-2"
				s.Server.Uptime = Some(float64(i))
			}),
			kind: VerdictStable, confidence: ConfidenceMedium, phase: PhaseRestart,
			summary: []string{"Stable", "restarted inside the window"},
			earlier: []string{"stable (used ±0B over 2m20s)", "then the server restarted 2m30s ago"},
		},
		{
			name: "reload: the load from disk is earlier, not data growth",
			hist: seriesOf(31, 10, func(i int, s *Sample) {
				if i < 15 {
					return
				}
				s.Server.RunID = "run-2"
				s.Server.Uptime = Some(float64(i))
				if i < 18 {
					s.Persistence.Loading = Some(1)
					s.Memory.UsedMemory = Some(float64(1+30*(i-15)) * mb)
					s.Memory.UsedMemoryRSS = Some(float64(11+30*(i-15)) * mb)
				}
			}),
			kind: VerdictStable, confidence: ConfidenceMedium, phase: PhaseReload,
			summary: []string{"Stable"},
			earlier: []string{"the server restarted and reloaded its dataset (used +99.00M over 30s)", "finished 2m00s ago"},
		},
		{
			name: "loading now",
			hist: seriesOf(31, 10, func(i int, s *Sample) {
				if i < 28 {
					return
				}
				s.Server.RunID = "run-2"
				s.Server.Uptime = Some(float64(i))
				s.Persistence.Loading = Some(1)
				s.Memory.UsedMemory = Some(float64(30*(i-27)) * mb)
			}),
			kind: VerdictLoading, confidence: ConfidenceHigh, phase: PhaseRestart,
			summary: []string{"Loading the dataset", "used 90.00M so far"},
			earlier: []string{"then the server restarted 20s ago"},
		},
		{
			name: "maxmemory changed, replication buffers grow since",
			hist: seriesOf(31, 10, func(i int, s *Sample) {
				if i < 20 {
					s.Memory.UsedMemory = linear(i, 20, 100, 300)
					s.Memory.UsedMemoryRSS = linear(i, 20, 110, 310)
					return
				}
				s.Memory.MaxMemory = Some(2 * gb)
				s.Memory.MemTotalReplicationBuffers = linear(i-20, 11, 0, 50)
				s.Memory.UsedMemory = linear(i-20, 11, 300, 350)
				s.Memory.UsedMemoryRSS = linear(i-20, 11, 310, 360)
			}),
			kind: VerdictReplicationBuffers, confidence: ConfidenceHigh, phase: PhaseMaxmemory,
			summary: []string{"replication buffers", "+50.00M"},
			earlier: []string{"data growth", "then maxmemory changed (1.00G → 2.00G) 1m40s ago"},
		},
		{
			name: "evictions-start: at the limit, evicting",
			hist: atLimit(func(i int, s *Sample) {
				if i >= 22 {
					s.Stats.EvictedKeys = Some(float64((i - 21) * 500))
				}
			}),
			kind: VerdictEvicting, confidence: ConfidenceHigh, phase: PhaseEvictionsStart,
			summary: []string{"At the limit, evicting", "500 keys evicted in the last 10s", "maxmemory 400.00M (100.0%)", "allkeys-lru", "writes still succeed"},
			earlier: []string{"data growth, used +300.00M", "then evictions started 1m20s ago"},
		},
		{
			name: "evictions resume after a quiet spell: a new phase",
			hist: atLimit(func(i int, s *Sample) {
				switch {
				case i < 22:
				case i < 24:
					s.Stats.EvictedKeys = Some(float64((i - 21) * 500))
				case i < 29:
					s.Stats.EvictedKeys = Some(1000)
				default:
					s.Stats.EvictedKeys = Some(float64(1000 + (i-28)*500))
				}
			}),
			kind: VerdictEvicting, confidence: ConfidenceHigh, phase: PhaseEvictionsStart,
			earlier: []string{"then evictions started 10s ago"},
		},
		{
			name: "evictions over: the phase stays, the state does not",
			hist: atLimit(func(i int, s *Sample) {
				if i >= 22 {
					s.Stats.EvictedKeys = Some(float64((min(i, 24) - 21) * 500))
				}
			}),
			kind: VerdictStable, confidence: ConfidenceHigh, phase: PhaseEvictionsStart,
			summary: []string{"Stable"},
			earlier: []string{"then evictions started"},
		},
		{
			name: "evicting because client buffers grow: the buffers stay the cause",
			hist: atLimit(func(i int, s *Sample) {
				s.Memory.MemClientsNormal = linear(i-20, 11, 0.04, 60)
				s.Memory.UsedMemoryRSS = linear(i-20, 11, 410, 470)
				s.Memory.UsedMemory = linear(i-20, 11, 340, 400)
				s.Stats.EvictedKeys = Some(float64((i - 20) * 500))
			}),
			kind: VerdictClientBuffers, confidence: ConfidenceHigh, phase: PhaseEvictionsStart,
			summary: []string{"client output buffers", "The server is evicting keys to make room"},
			earlier: []string{"then evictions started"},
		},
		{
			name: "oom-start: at the limit, writes refused",
			hist: atLimit(func(i int, s *Sample) {
				s.Memory.MaxMemoryPolicy = "volatile-lru"
				if i >= 26 {
					s.Stats.ErrorstatOOM = Some(float64((i - 25) * 4000))
				}
			}),
			kind: VerdictWritesRefused, confidence: ConfidenceHigh, phase: PhaseOOMStart,
			summary: []string{"writes refused", "4,000 write(s) rejected with OOM in the last 10s", "nothing more can be evicted under volatile-lru"},
			earlier: []string{"data growth", "then writes began failing with OOM 40s ago"},
		},
		{
			name: "mass-delete: used falls, RSS stays",
			hist: loadThen(func(i int, s *Sample) {
				if i >= 24 {
					s.Memory.UsedMemory = Some(float64(400-60*min(i-23, 4)) * mb)
				}
			}),
			kind: VerdictFragmentation, confidence: ConfidenceHigh, phase: PhaseMassDelete,
			summary: []string{"allocator retention", "used -240.00M", "RSS ±0B"},
			earlier: []string{"then used_memory fell by 240.00M (from 400.00M to 160.00M) 1m00s ago"},
		},
		{
			name: "regrowth: a load after a flush is data growth, the flush is earlier",
			hist: seriesOf(31, 10, func(i int, s *Sample) {
				switch {
				case i < 15:
					s.Memory.UsedMemory = Some(400 * mb)
					s.Memory.UsedMemoryRSS = Some(410 * mb)
				case i == 15:
					s.Memory.UsedMemory = Some(2 * mb)
					s.Memory.UsedMemoryRSS = Some(12 * mb)
				default:
					s.Memory.UsedMemory = linear(i-15, 16, 2, 302)
					s.Memory.UsedMemoryRSS = linear(i-15, 16, 12, 312)
				}
			}),
			kind: VerdictDataGrowth, confidence: ConfidenceHigh, phase: PhaseRegrowth,
			summary: []string{"data growth", "used +300.00M"},
			earlier: []string{"used -398.00M and RSS -398.00M over 10s (memory freed)", "then used_memory began rising again"},
		},
		{
			name: "window with too few samples",
			hist: seriesOf(3, 5, func(i int, s *Sample) {
				s.Memory.UsedMemory = linear(i, 3, 100, 140)
				s.Memory.UsedMemoryRSS = linear(i, 3, 110, 150)
			}),
			kind: VerdictDataGrowth, confidence: ConfidenceLow, phase: PhaseWindow,
			summary: []string{"Low confidence: only 10s of history (3 samples)"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := Verdict(inputsOf(tc.hist))
			if v.Kind != tc.kind || v.Confidence != tc.confidence || v.Phase != tc.phase {
				t.Fatalf("got %s/%s in phase %q, want %s/%s in %q\nsummary: %s\nearlier: %s\nevidence: %s",
					v.Kind, v.Confidence, v.Phase, tc.kind, tc.confidence, tc.phase, v.Summary, v.Earlier, strings.Join(v.Evidence, " | "))
			}
			for _, s := range tc.summary {
				if !strings.Contains(v.Summary, s) {
					t.Errorf("summary %q does not say %q", v.Summary, s)
				}
			}
			if len(tc.earlier) == 0 && v.Earlier != "" {
				t.Errorf("earlier %q, want none: the phase is the window", v.Earlier)
			}
			for _, s := range tc.earlier {
				if !strings.Contains(v.Earlier, s) {
					t.Errorf("earlier %q does not say %q", v.Earlier, s)
				}
			}
			// The contract: a label, one paragraph each, a phase start
			// inside the history.
			if v.Kind.Label() == "" || strings.ContainsAny(v.Summary+v.Earlier, "\n") {
				t.Errorf("label %q, summary %q, earlier %q", v.Kind.Label(), v.Summary, v.Earlier)
			}
			if v.Kind != VerdictUnknown && (v.PhaseStart.IsZero() || v.PhaseStart.After(tc.hist.Last().Time)) {
				t.Errorf("phase start %v", v.PhaseStart)
			}
		})
	}
}

// TestVerdictPhaseJSON: the report carries the phase and the earlier line.
func TestVerdictPhaseJSON(t *testing.T) {
	v := Verdict(inputsOf(atLimit(func(i int, s *Sample) { s.Stats.EvictedKeys = Some(float64((i - 20) * 500)) })))
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"kind", "summary", "confidence", "phase", "phase_start", "earlier"} {
		if _, ok := got[k].(string); !ok {
			t.Errorf("%s missing or not a string: %v", k, got[k])
		}
	}
	// The whole window's phase has no earlier line, and says nothing of it.
	b, _ = json.Marshal(Verdict(inputsOf(seriesOf(7, 10, nil))))
	if strings.Contains(string(b), `"earlier"`) {
		t.Errorf("earlier written for a window phase: %s", b)
	}
}

// TestReportShowsThePresentVerdictAndEarlier: the report's verdict section
// names the present phase and says what came before it.
func TestReportShowsThePresentVerdictAndEarlier(t *testing.T) {
	h := atLimit(func(i int, s *Sample) {
		s.Memory.MaxMemoryPolicy = "noeviction"
		if i >= 26 {
			s.Stats.ErrorstatOOM = Some(float64((i - 25) * 4000))
		}
	})
	r := BuildReport(ReportInput{Now: h.Last().Time, Hist: h})
	var b strings.Builder
	if err := r.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"## Verdict: writes-refused (high confidence)", "At the limit, writes refused", "\nEarlier: data growth, used +300.00M", "then writes began failing with OOM 40s ago"} {
		if !strings.Contains(md, want) {
			t.Errorf("the report does not say %q:\n%s", want, md)
		}
	}
}
