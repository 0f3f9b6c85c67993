package model

import (
	"testing"
	"time"
)

// TestThroughputOf: counters become rates over the recent span, clients
// are the newest sample's, and a figure not yet known is absent (the first
// sample has no rates; instantaneous_ops_per_sec stands in for ops/s).
func TestThroughputOf(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	at := func(i int) Sample {
		return Sample{Time: t0.Add(time.Duration(i) * time.Second), Stats: Stats{
			TotalCommandsProcessed:   Some(float64(1000 + 250*i)),
			InstantaneousOpsPerSec:   Some(240),
			TotalConnectionsReceived: Some(float64(10 + i)),
			TotalNetInputBytes:       Some(float64(4096 * i)),
			TotalNetOutputBytes:      Some(float64(8192 * i)),
			ConnectedClients:         Some(7),
			BlockedClients:           Some(2),
		}}
	}
	h := NewHistory(60)
	if got := ThroughputOf(h); got != (Throughput{}) {
		t.Fatalf("empty history: %+v", got)
	}
	h.Add(at(0))
	first := ThroughputOf(h)
	if first.OpsPerSec != Some(240) || first.ConnPerSec.Valid || first.NetInPerSec.Valid || first.Clients != Some(7) {
		t.Fatalf("one sample: %+v", first)
	}
	for i := 1; i <= 20; i++ {
		h.Add(at(i))
	}
	got := ThroughputOf(h)
	want := Throughput{
		OpsPerSec: Some(250), Clients: Some(7), Blocked: Some(2),
		ConnPerSec: Some(1), NetInPerSec: Some(4096), NetOutPerSec: Some(8192),
	}
	if got != want {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

// TestPersistFacts: "never" and "none since start" only when the server
// says so, and never for a server that forked or saved.
func TestPersistFacts(t *testing.T) {
	now := time.Date(2026, 11, 21, 14, 0, 0, 0, time.UTC)
	start := float64(now.Add(-time.Hour).Unix())
	base := func() *Sample {
		return &Sample{
			Time:   now,
			Server: Server{Uptime: Some(3600)},
			Stats:  Stats{LatestForkUsec: Some(0), TotalForks: Some(0)},
			Persistence: Persistence{
				RDBLastSaveTime: Some(start), RDBLastBgsaveTimeSec: Some(-1), AOFLastRewriteTimeSec: Some(-1),
				RDBBgsaveInProgress: Some(0), AOFRewriteInProgress: Some(0),
			},
		}
	}
	cases := []struct {
		name            string
		edit            func(s *Sample)
		never, noSave   bool
		knownNoSave     bool
		neverBg, neverA bool
	}{
		{"fresh server, no rdb_saves (before 7.0)", func(*Sample) {}, true, true, true, true, true},
		{"fresh server, rdb_saves 0", func(s *Sample) { s.Persistence.RDBSaves = Some(0) }, true, true, true, true, true},
		{"a BGSAVE ran", func(s *Sample) {
			s.Stats.LatestForkUsec, s.Stats.TotalForks = Some(310), Some(1)
			s.Persistence.RDBLastBgsaveTimeSec, s.Persistence.RDBLastSaveTime = Some(0), Some(start+600)
		}, false, false, true, false, true},
		{"a foreground SAVE (no fork)", func(s *Sample) {
			s.Persistence.RDBSaves, s.Persistence.RDBLastSaveTime = Some(1), Some(start+600)
		}, true, false, true, true, true},
		{"a fork of 0 µs reported without the counters", func(s *Sample) {
			s.Stats.TotalForks = None()
			s.Persistence.RDBLastBgsaveTimeSec = Some(3)
		}, false, false, true, false, true},
		{"a BGSAVE running", func(s *Sample) { s.Persistence.RDBBgsaveInProgress = Some(1) }, false, true, true, true, true},
		{"nothing reported", func(s *Sample) { *s = Sample{Time: now} }, false, false, false, false, false},
	}
	for _, tc := range cases {
		s := base()
		tc.edit(s)
		none, known := NoSaveSinceStart(s)
		if NeverForked(s) != tc.never || none != tc.noSave || known != tc.knownNoSave ||
			NeverBgsaved(s) != tc.neverBg || NeverRewroteAOF(s) != tc.neverA {
			t.Errorf("%s: never forked %v, no save %v (known %v), never bgsaved %v, never rewrote %v",
				tc.name, NeverForked(s), none, known, NeverBgsaved(s), NeverRewroteAOF(s))
		}
	}
}

// TestBytesNoNegativeZero: a value that rounds to nothing has no sign.
func TestBytesNoNegativeZero(t *testing.T) {
	for v, want := range map[float64]string{-0.4: "0B", -1e-9: "0B", -0.6: "-1B", -2048: "-2.00K"} {
		if got := Bytes(v); got != want {
			t.Errorf("Bytes(%g) = %q, want %q", v, got, want)
		}
	}
}
