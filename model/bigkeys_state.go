package model

import (
	"strconv"
	"strings"
	"time"
)

// ScanPhase is what the big-key worker is doing.
type ScanPhase string

// The phases of a scan.
const (
	ScanIdle     ScanPhase = "idle"     // not started (or --no-scan)
	ScanScanning ScanPhase = "scanning" // a pass is running
	ScanPaused   ScanPhase = "paused"   // paused by the user; the cursor is kept
	ScanDone     ScanPhase = "done"     // the pass went over every database
	ScanFailed   ScanPhase = "error"    // the pass cannot go on (Err says why); it retries
)

// ScanProgress is where a pass stands. Every figure comes from the worker;
// nothing here reads a clock.
type ScanProgress struct {
	Phase ScanPhase `json:"state"`
	Pass  int       `json:"pass"` // 1 for the first pass, +1 on each restart
	// Scanned counts keys looked at in this pass; Skipped those that vanished
	// between SCAN and the per-key commands (included in Scanned).
	Scanned int64 `json:"scanned"`
	Skipped int64 `json:"skipped"`
	// DBSize is the number of keys in the scanned databases when the pass
	// started (DBSIZE), the denominator of the progress bar.
	DBSize     int64   `json:"dbsize"`
	KeysPerSec float64 `json:"keys_per_second"` // recent rate (about the last few seconds)
	// OpsPerSec is the commands a second the scan sends now (SCAN and the
	// per-key commands): its share of the server's instantaneous_ops_per_sec.
	OpsPerSec float64       `json:"ops_per_second,omitempty"`
	StartedAt time.Time     `json:"started_at,omitzero"`
	DoneAt    time.Time     `json:"done_at,omitzero"`
	Elapsed   time.Duration `json:"elapsed_ns"` // time spent scanning, pauses excluded
	// DB and Cursor are the resume point: every key before Cursor in DB (and
	// every earlier database) has been counted. DBs lists the databases of
	// the pass, in order.
	DB     int    `json:"db"`
	Cursor uint64 `json:"cursor"`
	DBs    []int  `json:"dbs,omitempty"`
	// Rate is the keys/s budget (0 = unlimited); Throttle the fraction of it
	// allowed now (1 = full speed; less while latency is high or a fork runs).
	Rate     int     `json:"rate"`
	Throttle float64 `json:"throttle"`
	Samples  int     `json:"samples"` // MEMORY USAGE SAMPLES
	// SlowReason says why a budgeted scan runs below its budget now
	// ("server latency +40 % while scanning", "a fork is running …"), ""
	// at full speed; SlowFactor is the share of the budget it is allowed
	// then (Throttle when below 1, else 0).
	SlowReason string  `json:"slow_reason,omitempty"`
	SlowFactor float64 `json:"slow_factor,omitempty"`
	// The harm probe (a PING on its own connection, timed while scanning
	// and during short pauses of the scan): the medians of its last
	// judgement in µs, and their ratio − 1. Zero before the first one and
	// for an unlimited scan.
	ProbeOnMicros  float64 `json:"probe_scanning_us,omitempty"`
	ProbeOffMicros float64 `json:"probe_paused_us,omitempty"`
	LatencyRise    float64 `json:"latency_rise,omitempty"`
	// LowestFactor and LowestReason are the slowest this pass has been
	// (0 and "" when never slowed): the report's account of the pass.
	LowestFactor float64 `json:"lowest_factor,omitempty"`
	LowestReason string  `json:"lowest_reason,omitempty"`
	// SampleFraction is the share of each database a sampling pass
	// (report --scan-sample) stops at; 0 for a full pass. Such a pass is
	// done without being complete: its figures are estimates.
	SampleFraction float64 `json:"sample_fraction,omitempty"`
	// Method says how keys are inspected ("pipeline"); Notes say what the
	// server would not let the worker read ("OBJECT ENCODING: NOPERM …").
	Method string   `json:"method,omitempty"`
	Notes  []string `json:"notes,omitempty"`
	Err    string   `json:"err,omitempty"`
	// RetryAt is when a failed pass tries again (zero: it will not, the
	// worker gave up).
	RetryAt time.Time `json:"retry_at,omitzero"`
}

// Fraction is the share of the pass done, 0–1 (1 when done).
func (p *ScanProgress) Fraction() float64 {
	if p.Phase == ScanDone && p.SampleFraction <= 0 {
		return 1
	}
	if p.DBSize <= 0 {
		return 0
	}
	return min(float64(p.Scanned)/float64(p.DBSize), 1)
}

// Complete reports whether the pass went over every key: done, and not a
// sampling pass.
func (p *ScanProgress) Complete() bool { return p.Phase == ScanDone && p.SampleFraction <= 0 }

// ETA is the time left at the recent rate, absent when it cannot be told
// (no rate yet, paused, done).
func (p *ScanProgress) ETA() Opt {
	if p.Phase != ScanScanning || p.KeysPerSec <= 0 || p.DBSize <= 0 {
		return None()
	}
	left := max(p.DBSize-p.Scanned, 0)
	return Some(float64(left) / p.KeysPerSec)
}

// ScanUpdate is what the big-key worker sends (as Update.Scan): its progress,
// and a fresh snapshot of the aggregates when they changed.
type ScanUpdate struct {
	Progress ScanProgress `json:"progress"`
	// Result is the pass's aggregation so far; nil means unchanged since the
	// previous update (pauses, errors).
	Result *BigKeys `json:"result,omitempty"`
	// Prev is the last complete pass, sent once when a new pass starts, so
	// the pane can keep showing it while the new one fills.
	Prev *BigKeys `json:"prev,omitempty"`
	// KeySizes are INFO KEYSIZES histograms (Redis 8.0+), sent when read.
	KeySizes *KeySizes `json:"keysizes,omitempty"`
}

// ScanState is what the UI keeps of the scan: the latest progress and
// snapshots. It only holds immutable snapshots, so copying the struct is a
// valid snapshot of it.
type ScanState struct {
	Progress ScanProgress `json:"progress"`
	Result   *BigKeys     `json:"result,omitempty"`
	Prev     *BigKeys     `json:"prev,omitempty"`
	KeySizes *KeySizes    `json:"keysizes,omitempty"`
	// Watch is the latest re-measure of the top keys (Update.Watch).
	Watch *KeyGrowth `json:"key_growth,omitempty"`
}

// Apply folds one update in.
func (s *ScanState) Apply(u *ScanUpdate) {
	if u == nil {
		return
	}
	if u.Progress.Pass != s.Progress.Pass && u.Result == nil {
		// A new pass that has not aggregated anything yet: the old pass's
		// result is no longer current.
		s.Result = nil
	}
	s.Progress = u.Progress
	if u.Result != nil {
		s.Result = u.Result
	}
	if u.Prev != nil {
		s.Prev = u.Prev
	}
	if u.KeySizes != nil {
		s.KeySizes = u.KeySizes
	}
}

// Update is the scan update that makes a fresh ScanState this one (the
// re-measures, Watch, travel apart, as Update.Watch).
func (s *ScanState) Update() ScanUpdate {
	return ScanUpdate{Progress: s.Progress, Result: s.Result, Prev: s.Prev, KeySizes: s.KeySizes}
}

// ApplyWatch keeps the latest re-measure of the top keys.
func (s *ScanState) ApplyWatch(g *KeyGrowth) {
	if g != nil {
		s.Watch = g
	}
}

// Best is the snapshot to show: the current pass's, or while it has seen
// nothing yet, the previous complete pass's.
func (s *ScanState) Best() *BigKeys {
	if s == nil {
		return nil
	}
	if s.Result != nil && (s.Result.Keys > 0 || s.Prev == nil) {
		return s.Result
	}
	return s.Prev
}

// Line is the progress as one line of plain text, for a terminal status
// line (the report's stderr progress): "scanning 45% · 450.0k/1.0M keys ·
// 123.4k keys/s · ETA 4.4s". Server text in it (Err) is escaped.
func (p *ScanProgress) Line() string {
	count := Count(float64(p.Scanned)) + "/" + Count(float64(p.DBSize)) + " keys"
	pct := strconv.FormatFloat(100*p.Fraction(), 'f', 0, 64) + "%"
	parts := []string{string(p.Phase), pct, count}
	switch p.Phase {
	case ScanScanning:
		parts = append(parts, Count(p.KeysPerSec)+" keys/s")
		if eta, ok := p.ETA().Get(); ok {
			parts = append(parts, "ETA "+Duration(time.Duration(eta*float64(time.Second))))
		}
	case ScanDone:
		parts = append(parts, "in "+Duration(p.Elapsed))
	case ScanFailed:
		parts = append(parts, Sanitize(p.Err, 120))
	case ScanIdle, ScanPaused:
	}
	return strings.Join(parts, " · ")
}
