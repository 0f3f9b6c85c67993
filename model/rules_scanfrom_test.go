package model

import (
	"strings"
	"testing"
)

func TestScanFactsFrom(t *testing.T) {
	if ScanFactsFrom(nil) != nil || ScanFactsFrom(&ScanState{}) != nil {
		t.Fatal("no scan must give nil facts (rules: no scan yet)")
	}
	started := ScanFactsFrom(&ScanState{Progress: ScanProgress{Phase: ScanScanning, DBSize: 50}})
	if started == nil || started.Scanned != 0 || started.Total.V != 50 {
		t.Fatalf("a scan that sized nothing yet: %+v", started)
	}

	// First pass, then a second in which one key grew.
	keys := func(logBytes int64) []KeyInfo {
		return []KeyInfo{
			{Key: "user:1:profile", Type: "hash", Encoding: "hashtable", Bytes: 300_000, Elements: 200, TTL: -1},
			{Key: "user:2:profile", Type: "hash", Encoding: "listpack", Bytes: 2_000, Elements: 20, TTL: 3600},
			{Key: "log", Type: "stream", Encoding: "stream", Bytes: logBytes, Elements: 100, TTL: -1},
			{Key: "queue", Type: "list", Encoding: "quicklist", Bytes: 80_000, Elements: 5000, TTL: -1},
		}
	}
	agg := NewBigKeysAgg(BigKeysConfig{TopN: 10}, nil)
	for _, k := range keys(2 << 20) {
		agg.Add(&k)
	}
	first := agg.Snapshot()
	agg = NewBigKeysAgg(BigKeysConfig{TopN: 10}, first)
	for _, k := range keys(9 << 20) {
		agg.Add(&k)
	}
	st := &ScanState{Progress: ScanProgress{Phase: ScanDone, Scanned: 4, DBSize: 4}, Result: agg.Snapshot(), Prev: first}
	f := ScanFactsFrom(st)
	if f.Scanned != 4 || !f.Complete || f.NoTTLKeys != 3 || f.TTLKeys != 1 {
		t.Fatalf("totals: %+v", f)
	}
	if len(f.Keys) != 4 {
		t.Fatalf("keys deduplicated over the two top lists: %d", len(f.Keys))
	}
	var log ScanKey
	for _, k := range f.Keys {
		if k.Key == "log" {
			log = k
		}
	}
	if log.PrevBytes.V != 2<<20 || log.Bytes.V != 9<<20 || log.TTL.V != -1 {
		t.Fatalf("growth of log: %+v", log)
	}
	for _, p := range f.Prefixes {
		if strings.Count(p.Prefix, ":") > 1 {
			t.Errorf("only depth-1 prefixes: %q", p.Prefix)
		}
	}
	// The facts drive the rules.
	s := sampleAt(0)
	s.Memory.UsedMemory = Some(gb)
	ch := evalOne(t, CheckBigKeys, Inputs{Hist: histOf(s), Scan: f})
	if ch.Status != StatusWatch || !strings.Contains(strings.Join(ch.Evidence, "\n"), "grew +7.00M since the last scan") {
		t.Fatalf("big-keys from scan facts: %s %q %q", ch.Status, ch.Title, ch.Evidence)
	}
}
