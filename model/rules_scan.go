package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ScanFacts are the big-key scan results the rules read (big-keys,
// ttl-discipline, encodings). The scan worker's state is richer; it hands the
// rules this flat, bounded summary, so the rules do not depend on how the
// worker aggregates. Nil in Inputs means no scan has run.
type ScanFacts struct {
	Time     time.Time // when the facts were taken
	Scanned  int       // keys visited in the current (or last) pass
	Total    Opt       // keys in the keyspace when the pass started (DBSIZE), absent when unknown
	Complete bool      // at least one full pass finished
	// Sample is the share of the keyspace a sampling pass (report
	// --scan-sample) stopped at by choice, once it has; 0 otherwise.
	Sample float64
	// Keys are the biggest keys found (top-N by bytes and by elements), in
	// any order.
	Keys []ScanKey
	// Prefixes are key namespaces with their totals, in any order.
	Prefixes []ScanPrefix
	// Encodings count every key scanned by type and encoding, with the
	// collections' element counts (EncodingStat.ElementsLog2), so the
	// encodings check counts among all keys, not the top ones only.
	Encodings []EncodingStat
	// NoTTLKeys / NoTTLBytes are the "no expiry" TTL bucket over the keys
	// scanned; TTLKeys / TTLBytes sum every other bucket.
	NoTTLKeys  int
	NoTTLBytes float64
	TTLKeys    int
	TTLBytes   float64
	// Growing are the re-measured keys whose growth is flagged, fastest
	// first (KeyGrowth.Flagged).
	Growing []KeyTrend
}

// ScanKey is one key the scan sized. Key is a server string: escape it
// before drawing.
type ScanKey struct {
	Key      string `json:"key"`
	DB       int    `json:"db"`
	Type     string `json:"type"`     // string, list, set, zset, hash, stream, …
	Encoding string `json:"encoding"` // OBJECT ENCODING; "" when unknown
	Bytes    Opt    `json:"bytes"`    // MEMORY USAGE
	Elements Opt    `json:"elements"` // STRLEN / LLEN / HLEN / SCARD / ZCARD / XLEN
	// TTL in seconds; -1 means no expiry (as the TTL command says), absent
	// means unknown.
	TTL Opt `json:"ttl"`
	// PrevBytes is MEMORY USAGE at the previous pass, when the key was seen
	// then; it tells a growing key.
	PrevBytes Opt `json:"prev_bytes"`
	// Watch is the key's growth from the re-measures between passes
	// (bigkeys_watch.go), nil when it was not re-measured.
	Watch *KeyTrend `json:"watch,omitempty"`
}

// ScanPrefix is one key namespace.
type ScanPrefix struct {
	Prefix     string  `json:"prefix"` // server string (escape before drawing); * stands for a normalised segment
	Keys       int     `json:"keys"`
	Bytes      float64 `json:"bytes"`
	NoTTLKeys  int     `json:"no_ttl_keys"`
	NoTTLBytes float64 `json:"no_ttl_bytes"`
}

// scanReason says why scan facts cannot be used, or "".
func scanReason(s *ScanFacts) string {
	switch {
	case s == nil:
		return "no scan yet"
	case s.Scanned == 0:
		return "the scan has not sized any key yet"
	}
	return ""
}

// progress describes how far the scan got, for evidence.
func (s *ScanFacts) progress() string {
	if s.Complete {
		return "scan complete: " + exactCount(float64(s.Scanned)) + " keys sized"
	}
	if t, ok := s.Total.Get(); ok && t > 0 {
		return s.Partial() + ": " + exactCount(float64(s.Scanned)) + " of " + exactCount(t) + " keys sized"
	}
	return s.Partial() + ": " + exactCount(float64(s.Scanned)) + " keys sized " + s.soFar()
}

// Partial is how far an incomplete pass got — "partial (6 % scanned)" —
// or "" once a full pass finished. Every scan-based check says it while a
// pass is incomplete, and is never ok then: the keys not yet scanned may
// hold what it looks for.
func (s *ScanFacts) Partial() string {
	if s == nil || s.Complete {
		return ""
	}
	if s.Sample > 0 {
		return fmt.Sprintf("a %s sample (--scan-sample)", sharePercent(s.Sample))
	}
	t, ok := s.Total.Get()
	if !ok || t <= 0 {
		return "partial (" + exactCount(float64(s.Scanned)) + " keys scanned, total unknown)"
	}
	// Rounded down, and never 100 % before the pass ends.
	pct := min(int(100*float64(s.Scanned)/t), 99)
	if pct < 1 {
		return "partial (<1 % scanned)"
	}
	return fmt.Sprintf("partial (%d %% scanned)", pct)
}

// partialCheck is what a scan-based check says when it found nothing in an
// incomplete pass: unknown, "partial (N % scanned)", with what it found so
// far — never ok. Other checks keep their finding and add the partial note
// to the title (withPartial).
func (s *ScanFacts) partialCheck(topic, soFar string) Check {
	part := s.Partial()
	ch := Check{
		Status:   StatusUnknown,
		Title:    topic + ": " + part + " — " + soFar,
		Evidence: []string{s.progress()},
		Advice:   "Let the scan finish (the big-keys pane shows its progress): the keys not scanned yet may hold what this check looks for.",
		Reason:   part + ": the pass has not seen every key yet",
	}
	if s.Sample > 0 {
		ch.Advice = "This pass sized a sample by choice: its totals are estimates (the big-keys section), but a sample misses most single keys — one big key among a million is left out 19 times in 20 at 5 %. Run report --scan without --scan-sample for the full pass."
		ch.Reason = part + ": a sample does not see every key"
	}
	return ch
}

// soFar ends a partial finding: "so far" while a pass runs, "in the
// sample" for a sampling pass that stopped by choice.
func (s *ScanFacts) soFar() string {
	if s != nil && s.Sample > 0 {
		return "in the sample"
	}
	return "so far"
}

// sharePercent is a share as a percentage without useless decimals: "5 %",
// "2.5 %", "0.05 %" (one decimal from 1 % up, every digit below).
func sharePercent(f float64) string {
	pct := strconv.FormatFloat(100*f, 'f', -1, 64)
	if f >= 0.01 {
		pct = strings.TrimSuffix(strconv.FormatFloat(100*f, 'f', 1, 64), ".0")
	}
	return pct + " %"
}

// withPartial adds "— partial (N % scanned)" to a finding's title while the
// pass is incomplete.
func (s *ScanFacts) withPartial(title string) string {
	if p := s.Partial(); p != "" {
		return title + " — " + p
	}
	return title
}
