package model

import (
	"slices"
	"strings"
	"testing"
)

// Issue 14, part b: the six gaps of what the guides teach that the
// checklist did not weigh, each a part of an existing check, driven through
// every status that check can take with the new part.

// series is 11 samples a second apart, each changed by mod.
func series(mod func(i int, s *Sample)) func() Inputs {
	return func() Inputs { return inputsOf(seriesOf(11, 1, mod)) }
}

func backlogCases() []ruleCase {
	backlog := func(b, used, limit float64) func(s *Sample) {
		return func(s *Sample) {
			s.Memory.MemReplicationBacklog = Some(b)
			s.Memory.MemTotalReplicationBuffers = Some(b)
			s.Memory.UsedMemory = Some(used)
			s.Memory.MaxMemory = Some(limit)
			s.Stats.ReplBacklogSize = Some(b)
		}
	}
	return []ruleCase{
		{"small backlog", one(backlog(12*mb, 100*mb, gb)), StatusOK, "No replicas connected"},
		{"backlog a third of used", one(backlog(30*mb, 100*mb, gb)), StatusWatch, "30.0%"},
		{"38 MB of backlog in 45 MB used", one(backlog(38*mb, 45*mb, 0)), StatusWarn, "Replication backlog holds 38.00M, 84.4% of used_memory"},
		{"backlog past half of maxmemory", one(backlog(38*mb, 45*mb, 64*mb)), StatusCrit, "59.4% of maxmemory"},
		{"no replication figures", one(func(s *Sample) {
			s.Memory.MemClientsSlaves = None()
			s.Memory.MemTotalReplicationBuffers = None()
			s.Server.Version = "4.0.14"
		}), StatusUnknown, "older than 5.0"},
	}
}

func TestBacklogRule(t *testing.T) {
	reached := runRuleCases(t, CheckReplicationBuffers, backlogCases())
	wantAll(t, reached, StatusOK, StatusWatch, StatusWarn, StatusCrit, StatusUnknown)

	// With the write rate known, the advice sizes the backlog for a
	// one-minute outage: 100 KB/s × 60 s.
	in := pair(func(s *Sample) {
		s.Memory.MemReplicationBacklog = Some(38 * mb)
		s.Memory.UsedMemory = Some(45 * mb)
		s.Stats.MasterReplOffset = Some(1_000_000)
	}, func(s *Sample) {
		s.Memory.MemReplicationBacklog = Some(38 * mb)
		s.Memory.UsedMemory = Some(45 * mb)
		s.Stats.MasterReplOffset = Some(1_000_000 + 60*100_000)
	})()
	ch := evalOne(t, CheckReplicationBuffers, in)
	if ch.Status != StatusWarn || !slices.Contains(ch.Commands, "redis-cli CONFIG SET repl-backlog-size 6000000") {
		t.Fatalf("%s %q commands %q", ch.Status, ch.Title, ch.Commands)
	}
	if ev := strings.Join(ch.Evidence, "\n"); !strings.Contains(ev, "the backlog covers 6m38s of disconnect") {
		t.Fatalf("evidence:\n%s", ev)
	}
}

func growthCases() []ruleCase {
	keys := func(ks ...ScanKey) *ScanFacts {
		return &ScanFacts{Scanned: 1000, Total: Some(1000), Complete: true, Keys: ks}
	}
	queue := keys(ScanKey{Key: "queue", Type: "list", Encoding: "quicklist", Bytes: Some(354_000), Elements: Some(900), PrevBytes: Some(56_000)})
	tiny := keys(ScanKey{Key: "tiny", Type: "list", Encoding: "quicklist", Bytes: Some(7_000), Elements: Some(90), PrevBytes: Some(3_000)})
	rising := keys(ScanKey{Key: "feed", Type: "zset", Encoding: "skiplist", Bytes: Some(1_150_000), Elements: Some(900), PrevBytes: Some(1_000_000)})
	stream := keys(ScanKey{Key: "events", Type: "stream", Encoding: "stream", Bytes: Some(900_000), Elements: Some(20_000)})
	shortStream := keys(ScanKey{Key: "events", Type: "stream", Encoding: "stream", Bytes: Some(300_000), Elements: Some(5_000)})
	huge := keys(ScanKey{Key: "blob", Type: "string", Encoding: "raw", Bytes: Some(30 * mb), TTL: Some(-1)})
	big := func(s *Sample) { s.Memory.UsedMemory = Some(gb) }
	return []ruleCase{
		{"no scan", one(nil), StatusUnknown, "no scan yet"},
		{"a small key doubling is noise", withScan(one(big), tiny), StatusOK, "No big key"},
		{"a short stream", withScan(one(big), shortStream), StatusOK, "No big key"},
		{"a queue grew 6×", withScan(one(big), queue), StatusWatch, "queue"},
		{"a key grew 150 KB (15 %)", withScan(one(big), rising), StatusWatch, "feed"},
		{"a stream of 20,000 entries", withScan(one(big), stream), StatusWatch, "events"},
		{"one key holds 30 % of memory", withScan(one(nil), huge), StatusCrit, "blob"},
	}
}

func TestGrowthRule(t *testing.T) {
	cases := growthCases()
	reached := runRuleCases(t, CheckBigKeys, cases)
	wantAll(t, reached, StatusOK, StatusWatch, StatusCrit, StatusUnknown)
	for _, tc := range cases {
		ch := evalOne(t, CheckBigKeys, tc.in())
		ev := strings.Join(ch.Evidence, "\n")
		switch tc.name {
		case "a queue grew 6×":
			if !strings.Contains(ev, "grew +291.02K since the last scan (54.69K → 345.70K, 6.3×)") {
				t.Errorf("%s: evidence:\n%s", tc.name, ev)
			}
		case "a stream of 20,000 entries":
			if !strings.Contains(ev, "stream of 20,000 entries (> 10,000): trim it") || !strings.Contains(ch.Advice, "XTRIM key MAXLEN ~ 10000") ||
				!slices.Contains(ch.Commands, "redis-cli -n 0 XINFO STREAM 'events'") {
				t.Errorf("%s: evidence:\n%s\nadvice %s\ncommands %q", tc.name, ev, ch.Advice, ch.Commands)
			}
		}
	}
}

func allKeysEncodingCases() []ruleCase {
	// 1,000 hashes of 5 fields, hashtable for one long value each; the top
	// lists hold 97 of them.
	top := make([]ScanKey, 0, 97)
	for i := range 97 {
		top = append(top, ScanKey{Key: "h:" + strings.Repeat("x", i%7), Type: "hash", Encoding: "hashtable", Bytes: Some(1200), Elements: Some(5)})
	}
	scan := func(n int64) *ScanFacts {
		return &ScanFacts{Scanned: int(n) + 10, Complete: true, Keys: top[:min(int(n), 97)], Encodings: []EncodingStat{
			{Type: "hash", Encoding: "hashtable", Keys: n, Bytes: n * 1200, ElementsLog2: []int64{0, 0, 0, n}},
			{Type: "string", Encoding: "embstr", Keys: 10, Bytes: 600},
		}}
	}
	cfg := &Extras{Config: configOf()}
	odd := &Extras{Config: configOf("hash-max-listpack-entries", "100")}
	lists := &Extras{Config: configOf("list-max-listpack-size", "128")}
	shortLists := &ScanFacts{Scanned: 20, Complete: true, Encodings: []EncodingStat{
		{Type: "list", Encoding: "quicklist", Keys: 20, Bytes: 20 * 2000, ElementsLog2: []int64{0, 0, 0, 20}},
	}}
	return []ruleCase{
		{"no scan", withEx(one(nil), cfg), StatusUnknown, "no scan yet"},
		{"CONFIG denied", withScan(withEx(one(nil), &Extras{Config: &Config{Err: noperm}}), scan(1000)), StatusUnknown, "CONFIG is not allowed"},
		{"compact", withScan(withEx(one(nil), cfg), &ScanFacts{Scanned: 10, Complete: true, Encodings: []EncodingStat{
			{Type: "hash", Encoding: "listpack", Keys: 10, Bytes: 1000, ElementsLog2: []int64{0, 0, 0, 10}},
		}}), StatusOK, "No collection"},
		{"50 hashtable hashes under the limit", withScan(withEx(one(nil), cfg), scan(50)), StatusWatch, "50 hash keys of 50 are hashtable under hash-max-listpack-entries (128)"},
		{"1,000 among all keys, 97 in the top lists", withScan(withEx(one(nil), cfg), scan(1000)), StatusWarn, "1,000 hash keys of 1,000 are hashtable"},
		{"a limit that is not a power of two", withScan(withEx(one(nil), odd), scan(50)), StatusWatch, "at least 50 hash keys"},
		{"7.2: short lists as quicklists", withScan(withEx(one(func(s *Sample) { s.Server.Version = "7.2.4" }), lists), shortLists), StatusWatch, "20 list keys of 20 are quicklist"},
		{"7.0: every list is a quicklist", withScan(withEx(one(nil), lists), shortLists), StatusOK, "No collection"},
	}
}

func overheadCases() []ruleCase {
	tiny := func(keys, over, used float64) func(s *Sample) {
		return func(s *Sample) {
			s.Keyspace[0].Keys = Some(keys)
			s.Memory.UsedMemory = Some(used)
			s.Memory.UsedMemoryOverhead = Some(over)
			s.Memory.UsedMemoryDataset = Some(used - over)
			s.Memory.UsedMemoryStartup = Some(mb)
		}
	}
	cfg := &Extras{Config: configOf()}
	prefixes := &ScanFacts{
		Scanned: 200_000, Complete: true,
		Prefixes:  []ScanPrefix{{Prefix: "tiny", Keys: 200_000, Bytes: 200_000 * 72}},
		Encodings: []EncodingStat{{Type: "string", Encoding: "embstr", Keys: 199_990, Bytes: 199_990 * 72}, {Type: "string", Encoding: "raw", Keys: 10, Bytes: 10 * 90}},
		Keys:      []ScanKey{{Key: "tiny:raw:1", Type: "string", Encoding: "raw", Bytes: Some(90)}},
	}
	return []ruleCase{
		{"no scan, few keys", withEx(one(nil), cfg), StatusUnknown, "no scan yet"},
		{"many keys, little overhead", withScan(withEx(one(tiny(200_000, 10*mb, 100*mb)), cfg), prefixes), StatusOK, "No collection"},
		{"200k tiny keys, overhead 56 %", withScan(withEx(one(tiny(200_000, 46*mb, 80*mb)), cfg), prefixes), StatusWatch, "Per-key overhead is 56.2% of used memory over 200,000 keys"},
		{"overhead 70 %, no scan yet", withEx(one(tiny(300_000, 71*mb, 100*mb)), cfg), StatusWarn, "Per-key overhead is 70.0%"},
	}
}

func TestEncodingsAllKeysAndOverhead(t *testing.T) {
	reached := runRuleCases(t, CheckEncodings, allKeysEncodingCases())
	wantAll(t, reached, StatusOK, StatusWatch, StatusWarn, StatusUnknown)
	reached = runRuleCases(t, CheckEncodings, overheadCases())
	wantAll(t, reached, StatusOK, StatusWatch, StatusWarn, StatusUnknown)
	for _, tc := range overheadCases() {
		if tc.name != "200k tiny keys, overhead 56 %" {
			continue
		}
		ch := evalOne(t, CheckEncodings, tc.in())
		ev := strings.Join(ch.Evidence, "\n")
		for _, want := range []string{"prefix tiny — 200,000 small keys, 72B each", "string keys scanned by encoding: embstr 199,990, raw 10", "raw-encoded strings among the top keys: prefix tiny (1)"} {
			if !strings.Contains(ev, want) {
				t.Errorf("evidence lacks %q:\n%s", want, ev)
			}
		}
		if !strings.Contains(ch.Advice, "Bucket small objects into hashes") {
			t.Errorf("advice: %s", ch.Advice)
		}
	}
}

func onReadCases() []ruleCase {
	// 11 samples a second apart; the O(N) read starts in the later half.
	reads := func(name string, later, usec float64) func(i int, s *Sample) {
		return func(i int, s *Sample) {
			calls := 0.0
			if i > 5 {
				calls = later * float64(i-5)
			}
			s.Commands = []CommandStat{{Name: name, Calls: Some(calls), Usec: Some(calls * usec)}}
		}
	}
	steady := func(i int, s *Sample) {
		s.Commands = []CommandStat{{Name: "lrange", Calls: Some(50 * float64(i)), Usec: Some(500 * float64(i))}}
	}
	return []ruleCase{
		{"no commandstats", series(nil), StatusOK, "Client buffers small"},
		{"steady LRANGE", series(steady), StatusOK, "Client buffers small"},
		{"HGETALL rising", series(reads("hgetall", 500, 20)), StatusWatch, "O(N) reads rising: HGETALL 500 calls/s (was 0.0), 20µs a call"},
		{"slow SMEMBERS", series(reads("smembers", 50, 4000)), StatusWarn, "SMEMBERS"},
		{"KEYS", series(reads("keys", 2, 300)), StatusWarn, "KEYS"},
		{"buffers past a quarter of memory", series(func(_ int, s *Sample) { s.Memory.MemClientsNormal = Some(40 * mb) }), StatusCrit, "40.0%"},
		{"no client figures", one(func(s *Sample) {
			s.Memory.MemClientsNormal = None()
			s.Server.Version = "4.0.14"
		}), StatusUnknown, "older than 5.0"},
	}
}

func TestONReadsRule(t *testing.T) {
	reached := runRuleCases(t, CheckClientBuffers, onReadCases())
	wantAll(t, reached, StatusOK, StatusWatch, StatusWarn, StatusCrit, StatusUnknown)
}

func ttlShareCases() []ruleCase {
	// The window starts with 1,000 keys, 950 with a TTL.
	grow := func(keys, exp float64) func(i int, s *Sample) {
		return func(i int, s *Sample) {
			f := float64(i) / 10
			s.Keyspace[0].Keys = Some(1000 + f*(keys-1000))
			s.Keyspace[0].Expires = Some(950 + f*(exp-950))
		}
	}
	return []ruleCase{
		{"steady", series(grow(1000, 950)), StatusOK, "Most keys have a TTL"},
		{"keys with a TTL expire, nothing new", series(grow(600, 550)), StatusOK, "Most keys have a TTL"},
		{"new keys without a TTL: 95 % → 79 %", series(grow(1200, 950)), StatusWatch, "Keys with a TTL fell from 95.0% to 79.2% in 10s"},
		{"a deploy dropped the TTLs: 95 % → 47.5 %", series(grow(2000, 950)), StatusWarn, "Keys with a TTL fell from 95.0% to 47.5%"},
		{"95 % without, noeviction, near the limit", one(func(s *Sample) {
			s.Keyspace[0].Expires = Some(50)
			s.Memory.MaxMemoryPolicy = "noeviction"
			s.Memory.UsedMemory = Some(0.95 * gb)
		}), StatusCrit, "95.0%"},
		{"keyspace not read", one(func(s *Sample) {
			s.Keyspace = nil
			s.Sections = []string{"memory"}
		}), StatusUnknown, "INFO keyspace"},
	}
}

func TestTTLShareRule(t *testing.T) {
	reached := runRuleCases(t, CheckTTLDiscipline, ttlShareCases())
	wantAll(t, reached, StatusOK, StatusWatch, StatusWarn, StatusCrit, StatusUnknown)
	ch := evalOne(t, CheckTTLDiscipline, ttlShareCases()[3].in())
	if ev := strings.Join(ch.Evidence, "\n"); !strings.Contains(ev, "keys with a TTL: 950 of 1,000 (95.0%) 10s ago → 950 of 2,000 (47.5%) now") ||
		!strings.Contains(ev, "keys without a TTL: +1,000 over 10s") {
		t.Fatalf("evidence:\n%s", ev)
	}
}

func TestElementsLog2UnderLimit(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	for _, n := range []int64{0, 1, 2, 5, 64, 128, 129, 200, 600} {
		a.Add(&KeyInfo{Key: "k", Type: "hash", Encoding: "hashtable", Bytes: 100, Elements: n, TTL: -1})
	}
	a.Add(&KeyInfo{Key: "s", Type: "string", Encoding: "raw", Bytes: 100, Elements: 3, TTL: -1})
	snap := a.Snapshot()
	var hs EncodingStat
	for _, e := range snap.Encodings {
		if e.Type == "hash" {
			hs = e
		}
		if e.Type == "string" && e.ElementsLog2 != nil {
			t.Fatalf("a string has no element histogram: %+v", e)
		}
	}
	for _, c := range []struct {
		limit int64
		want  int64
		exact bool
	}{{128, 6, true}, {512, 8, true}, {100, 5, false}, {1, 2, true}} {
		if n, exact := hs.UnderLimit(c.limit); n != c.want || exact != c.exact {
			t.Errorf("under %d: %d (exact %v), want %d (%v); buckets %v", c.limit, n, exact, c.want, c.exact, hs.ElementsLog2)
		}
	}
	merged := MergeBigKeys([]NodeBigKeys{{Node: "a", Keys: snap}, {Node: "b", Keys: snap}})
	for _, e := range merged.Encodings {
		if e.Type == "hash" {
			if n, _ := e.UnderLimit(128); n != 12 {
				t.Fatalf("merged under 128: %d, want 12", n)
			}
		}
	}
}

func wantAll(t *testing.T, reached map[Status]bool, want ...Status) {
	t.Helper()
	for _, st := range want {
		if !reached[st] {
			t.Errorf("the table never reaches %s", st)
		}
	}
}
