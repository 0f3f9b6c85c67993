package model

import "time"

// ScanFacts are the big-key scan results the rules read (big-keys,
// ttl-discipline, encodings). The scan worker's state is richer; it hands the
// rules this flat, bounded summary, so the rules do not depend on how the
// worker aggregates. Nil in Inputs means no scan has run.
type ScanFacts struct {
	Time     time.Time // when the facts were taken
	Scanned  int       // keys visited in the current (or last) pass
	Total    Opt       // keys in the keyspace when the pass started (DBSIZE), absent when unknown
	Complete bool      // at least one full pass finished
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
		return "scan in progress: " + exactCount(float64(s.Scanned)) + " of " + exactCount(t) + " keys (" + sharePct(float64(s.Scanned)/t) + ")"
	}
	return "scan in progress: " + exactCount(float64(s.Scanned)) + " keys so far"
}

// soFar marks a finding that covers only the keys scanned so far.
func (s *ScanFacts) soFar(title string) string {
	if s.Complete {
		return title
	}
	return title + " so far"
}
