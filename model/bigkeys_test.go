package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestNormalisedSegments(t *testing.T) {
	cases := map[string]string{
		"user":                                 "user",
		"1001":                                 "*",
		"user1001":                             "user*",
		"a3f9c0":                               "*",
		"v2":                                   "v*",
		"v2_beta3":                             "v*_beta*",
		"2024-01-01":                           "*",
		"feed":                                 "feed",
		"deadbeef":                             "deadbeef", // hex letters without digits stay a word
		"k3z9q":                                "k*z*q",
		"zq9xk3mv7tr2pw8n":                     "*", // a long token with digits is an id
		"550e8400-e29b-41d4-a716-446655440000": "*",
		"caf\xc3\xa9":                          "café",
		"bkvlvfpldavthumi":                     "*", // a random token of letters: few vowels
		"QzXkWmBvTrPnLsHd":                     "*",
		"userNotificationSettings":             "userNotificationSettings", // a word: a vowel in 2.4
		"notifications":                        "notifications",
		"transcriptions":                       "transcriptions",
		"xkcdqwrtplmnbvzz":                     "*",         // consonants in a row
		"strengths":                            "strengths", // few vowels but short
		"bad\xffbyte":                          `bad\xffbyte`,
		"":                                     "",
	}
	for in, want := range cases {
		if got := string(appendNormalised(nil, in)); got != want {
			t.Errorf("normalise(%q) = %q, want %q", in, got, want)
		}
	}
	long := strings.Repeat("abcde", 100) // word-like (a vowel in 2.5): cut, not grouped
	if got := string(appendNormalised(nil, long)); len(got) > maxSegment+len(Ellipsis) || !strings.HasSuffix(got, Ellipsis) {
		t.Errorf("a long segment is not cut: %d bytes", len(got))
	}
}

func TestTTLBuckets(t *testing.T) {
	cases := []struct {
		ttl  int64
		want string
	}{
		{-1, "no expiry"},
		{0, "< 1h"},
		{3599, "< 1h"},
		{3600, "1–4h"},
		{4*3600 - 1, "1–4h"},
		{4 * 3600, "4–12h"},
		{12 * 3600, "12–24h"},
		{24*3600 - 1, "12–24h"},
		{24 * 3600, "1–7d"},
		{7*24*3600 - 1, "1–7d"},
		{7 * 24 * 3600, "> 7d"},
		{1 << 40, "> 7d"},
	}
	for _, c := range cases {
		if got := ttlBounds[TTLBucketIndex(c.ttl)].label; got != c.want {
			t.Errorf("ttl %d → %q, want %q", c.ttl, got, c.want)
		}
	}
}

func key(name string, typ, enc string, b, elems, ttl int64) *KeyInfo {
	return &KeyInfo{Key: name, Type: typ, Encoding: enc, Bytes: b, Elements: elems, TTL: ttl}
}

func TestAggregateTotalsAndTops(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{TopN: 3}, nil)
	keys := []*KeyInfo{
		key("user:1:feed", "list", "quicklist", 5000, 300, -1),
		key("user:2:feed", "list", "listpack", 300, 20, 100),
		key("user:2:name", "string", "embstr", 60, -1, 7200),
		key("session:abc123def456", "string", "embstr", 80, -1, 600),
		key("big", "string", "raw", 1<<20, -1, -1),
		key("hash:9", "hash", "hashtable", 9000, 9000, 90000),
		key("nobytes", "string", "int", -1, -1, -1),
	}
	for _, k := range keys {
		a.Add(k)
	}
	s := a.Snapshot()
	var wantBytes int64
	for _, k := range keys {
		wantBytes += max(k.Bytes, 0)
	}
	if s.Keys != int64(len(keys)) || s.Bytes != wantBytes || s.UnknownBytes != 1 {
		t.Fatalf("totals: keys %d bytes %d unknown %d, want %d %d 1", s.Keys, s.Bytes, s.UnknownBytes, len(keys), wantBytes)
	}
	gotTop := make([]string, 0, len(s.TopBytes))
	for _, k := range s.TopBytes {
		gotTop = append(gotTop, k.Key)
	}
	if strings.Join(gotTop, ",") != "big,hash:9,user:1:feed" {
		t.Errorf("top by bytes = %v", gotTop)
	}
	gotEl := make([]string, 0, len(s.TopElements))
	for _, k := range s.TopElements {
		gotEl = append(gotEl, k.Key)
	}
	if strings.Join(gotEl, ",") != "hash:9,user:1:feed,user:2:feed" {
		t.Errorf("top by elements = %v", gotEl)
	}
	if s.NoTTLKeys != 3 || s.NoTTLBytes != 5000+1<<20 {
		t.Errorf("no-TTL: %d keys %d bytes", s.NoTTLKeys, s.NoTTLBytes)
	}
	// TTL buckets and types add up to the totals.
	var tk, tb int64
	for _, b := range s.TTL {
		tk += b.Keys
		tb += b.Bytes
	}
	if tk != s.Keys || tb != s.Bytes {
		t.Errorf("ttl buckets sum to %d keys %d bytes, want %d %d", tk, tb, s.Keys, s.Bytes)
	}
	var yk, yb int64
	for _, ty := range s.Types {
		yk += ty.Keys
		yb += ty.Bytes
	}
	if yk != s.Keys || yb != s.Bytes {
		t.Errorf("types sum to %d keys %d bytes", yk, yb)
	}
	if s.Types[0].Type != "string" || s.Types[0].Keys != 4 {
		t.Errorf("types[0] = %+v", s.Types[0])
	}
	var sk int64
	for _, b := range s.Sizes {
		sk += b.Keys
		if b.Min > 1 && (b.Bytes < b.Keys*b.Min || b.Bytes >= b.Keys*2*b.Min) {
			t.Errorf("size bucket %d holds %d bytes in %d keys", b.Min, b.Bytes, b.Keys)
		}
	}
	if sk != s.Keys {
		t.Errorf("size histogram holds %d keys", sk)
	}
	enc := map[string]int64{}
	for _, e := range s.Encodings {
		enc[e.Type+"/"+e.Encoding] = e.Keys
	}
	if enc["list/quicklist"] != 1 || enc["list/listpack"] != 1 || enc["string/embstr"] != 2 {
		t.Errorf("encodings = %v", enc)
	}
}

func prefixMap(s *BigKeys) map[string]PrefixStat {
	m := map[string]PrefixStat{}
	for _, p := range s.Prefixes {
		m[p.Prefix] = p
	}
	return m
}

func TestPrefixTree(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	a.Add(key("user:1001:feed", "list", "", 100, 1, -1))
	a.Add(key("user:42:feed", "list", "", 50, 1, 60))
	a.Add(key("user:42:posts", "list", "", 10, 1, -1))
	a.Add(key("user:7", "string", "", 5, -1, -1))
	a.Add(key("plain", "string", "", 1, -1, -1))
	a.Add(key("a/b:c", "string", "", 1, -1, -1))
	m := prefixMap(a.Snapshot())
	want := map[string][2]int64{
		"user:":          {4, 165},
		"user:*:":        {3, 160},
		"user:*:feed":    {2, 150},
		"user:*:posts":   {1, 10},
		"user:*":         {1, 5},
		"plain":          {1, 1},
		"a/b:":           {1, 1},
		"a/b:c":          {1, 1},
		"user:*:feed:x:": {0, 0},
	}
	for p, w := range want {
		got := m[p]
		if got.Keys != w[0] || got.Bytes != w[1] {
			t.Errorf("prefix %q: %d keys %d bytes, want %v", p, got.Keys, got.Bytes, w)
		}
	}
	if m["user:*:feed"].NoTTLKeys != 1 || m["user:*:feed"].NoTTLBytes != 100 {
		t.Errorf("no-TTL of user:*:feed = %+v", m["user:*:feed"])
	}
	if d := m["user:*:"].Depth; d != 2 {
		t.Errorf("depth of user:*: = %d", d)
	}

	// Several delimiters and depth 1.
	b := NewBigKeysAgg(BigKeysConfig{Delimiters: ":/", Depth: 1}, nil)
	b.Add(key("a/b:c", "string", "", 3, -1, -1))
	b.Add(key("a:x", "string", "", 4, -1, -1))
	mb := prefixMap(b.Snapshot())
	if mb["a/"].Keys != 1 || mb["a:"].Keys != 1 || len(mb) != 2 {
		t.Errorf("delimiters ':/' depth 1: %v", mb)
	}
}

func TestPrefixTreeCapAndSums(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{MaxNodes: 50}, nil)
	r := rand.New(rand.NewPCG(1, 2))
	var total int64
	for i := range 20000 {
		// Words without digits do not normalise away: many distinct prefixes.
		name := fmt.Sprintf("%s:%s:%d", word(r), word(r), i)
		b := int64(r.IntN(1000))
		total += b
		a.Add(key(name, "string", "", b, -1, -1))
	}
	s := a.Snapshot()
	if len(s.Prefixes) > 2*50 {
		t.Fatalf("%d prefix nodes with a cap of 50", len(s.Prefixes))
	}
	// Depth-1 nodes add up to the totals; children add up to their parent.
	k1, b1, others, _ := walkPrefixes(s.Prefixes, func(p PrefixStat, ck, cb int64) {
		if ck > 0 && (ck != p.Keys || cb != p.Bytes) {
			t.Errorf("children of %q add to %d/%d, node has %d/%d", p.Prefix, ck, cb, p.Keys, p.Bytes)
		}
	})
	if k1 != 20000 || b1 != total {
		t.Errorf("depth-1 nodes add to %d keys %d bytes, want 20000 %d", k1, b1, total)
	}
	if others == 0 {
		t.Error("no (other) bucket although the tree was full")
	}
}

// walkPrefixes adds up the depth-1 prefixes and counts the (other) and
// named nodes; child sees each node with the sums of its direct children.
func walkPrefixes(ps []PrefixStat, child func(p PrefixStat, keys, bytes int64)) (k1, b1 int64, others, named int) {
	for i, p := range ps {
		if p.Other {
			others++
		} else {
			named++
		}
		if p.Depth == 1 {
			k1 += p.Keys
			b1 += p.Bytes
		}
		var ck, cb int64
		for _, c := range ps[i+1:] {
			if c.Depth <= p.Depth {
				break
			}
			if c.Depth == p.Depth+1 {
				ck += c.Keys
				cb += c.Bytes
			}
		}
		child(p, ck, cb)
	}
	return k1, b1, others, named
}

func word(r *rand.Rand) string {
	b := make([]byte, 3+r.IntN(5))
	for i := range b {
		b[i] = "ghijklmnopqrstuvwxyz"[r.IntN(20)] // never hex, never digits
	}
	return string(b)
}

func TestTopListDedupeAndOrder(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{TopN: 2}, nil)
	a.Add(key("a", "string", "raw", 10, -1, -1))
	a.Add(key("b", "string", "raw", 10, -1, -1))
	a.Add(key("c", "string", "raw", 10, -1, -1))
	a.Add(key("b", "string", "raw", 30, -1, -1)) // SCAN returned b again, grown
	s := a.Snapshot()
	if len(s.TopBytes) != 2 || s.TopBytes[0].Key != "b" || s.TopBytes[0].Bytes != 30 || s.TopBytes[1].Key != "a" {
		t.Errorf("top = %+v", s.TopBytes)
	}
	// Arrival order does not change the kept set on ties.
	x := NewBigKeysAgg(BigKeysConfig{TopN: 2}, nil)
	for _, n := range []string{"c", "b", "a"} {
		x.Add(key(n, "string", "raw", 10, -1, -1))
	}
	if got := x.Snapshot().TopBytes; got[0].Key != "a" || got[1].Key != "b" {
		t.Errorf("tie order = %v, %v", got[0].Key, got[1].Key)
	}
	// Same name in two databases is two keys.
	y := NewBigKeysAgg(BigKeysConfig{}, nil)
	y.Add(&KeyInfo{Key: "k", DB: 0, Type: "string", Bytes: 5, Elements: -1, TTL: -1})
	y.Add(&KeyInfo{Key: "k", DB: 1, Type: "string", Bytes: 6, Elements: -1, TTL: -1})
	if got := y.Snapshot().TopBytes; len(got) != 2 || got[0].DB != 1 {
		t.Errorf("two dbs: %+v", got)
	}
}

func TestTopListDoesNotRetainCallerBuffers(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{TopN: 1}, nil)
	buf := []byte("bigkey")
	k := &KeyInfo{Key: string(buf), Type: "string", Bytes: 100, Elements: -1, TTL: -1}
	a.Add(k)
	k.Key = "changed"
	if got := a.Snapshot().TopBytes[0].Key; got != "bigkey" {
		t.Errorf("kept key = %q", got)
	}
}

func TestGrowthBetweenPasses(t *testing.T) {
	first := NewBigKeysAgg(BigKeysConfig{TopN: 2}, nil)
	first.Add(key("grows", "list", "quicklist", 1000, 10, -1))
	first.Add(key("shrinks", "hash", "hashtable", 900, 5, -1))
	first.Add(key("small", "string", "int", 10, -1, -1))
	prev := first.Snapshot()

	second := NewBigKeysAgg(BigKeysConfig{TopN: 2}, prev)
	second.Add(key("small", "string", "int", 5000, -1, -1)) // not followed: it was not in the top
	second.Add(key("shrinks", "hash", "hashtable", 400, 5, -1))
	second.Add(key("grows", "list", "quicklist", 3000, 30, -1))
	second.Add(key("grows", "list", "quicklist", 3000, 30, -1)) // SCAN duplicate
	g := second.Snapshot().Growth
	if len(g) != 2 || g[0].Key != "grows" || g[0].Delta != 2000 || g[1].Key != "shrinks" || g[1].Delta != -500 {
		t.Errorf("growth = %+v", g)
	}
}

func TestKeyInfoJSONBinarySafe(t *testing.T) {
	for _, name := range []string{"plain", "caf\u00e9", "\x1b]0;owned\x07", "bin\xff\xfe\x00end"} {
		k := KeyInfo{Key: name, DB: 3, Type: "hash", Encoding: "listpack", Bytes: 120, Elements: 4, TTL: -1}
		b, err := json.Marshal(k)
		if err != nil {
			t.Fatal(err)
		}
		var back KeyInfo
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back != k {
			t.Errorf("round trip of %q: %+v via %s", name, back, b)
		}
		var raw map[string]any
		_ = json.Unmarshal(b, &raw)
		for _, f := range []string{"key", "db", "type", "encoding", "bytes", "elements", "ttl_seconds"} {
			if _, ok := raw[f]; !ok {
				t.Errorf("%s: no %q in %s", name, f, b)
			}
		}
	}
	s, _ := json.Marshal(KeyInfo{Key: "s", Type: "string", Bytes: -1, Elements: -1, TTL: -1})
	if !bytes.Contains(s, []byte(`"bytes":null`)) || !bytes.Contains(s, []byte(`"elements":null`)) || !bytes.Contains(s, []byte(`"ttl_seconds":-1`)) {
		t.Errorf("unknowns: %s", s)
	}
	g := Growth{Key: "\xff", Before: 1, After: 3, Delta: 2}
	b, _ := json.Marshal(g)
	var gb Growth
	if err := json.Unmarshal(b, &gb); err != nil || gb != g {
		t.Errorf("growth round trip: %+v %v via %s", gb, err, b)
	}
}

func TestScanStateApplyAndReport(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	a.Add(key("x:1", "string", "raw", 100, -1, -1))
	var st ScanState
	st.Apply(&ScanUpdate{Progress: ScanProgress{Phase: ScanScanning, Pass: 1, Scanned: 1, DBSize: 4, KeysPerSec: 1}, Result: a.Snapshot()})
	if st.Progress.Fraction() != 0.25 {
		t.Errorf("fraction = %v", st.Progress.Fraction())
	}
	if eta, ok := st.Progress.ETA().Get(); !ok || eta != 3 {
		t.Errorf("eta = %v %v", eta, ok)
	}
	// An update without a result keeps the last snapshot.
	st.Apply(&ScanUpdate{Progress: ScanProgress{Phase: ScanPaused, Pass: 1, Scanned: 1, DBSize: 4}})
	if st.Result == nil || st.Progress.ETA().Valid {
		t.Fatal("paused update lost the result or kept an ETA")
	}
	if l := st.Progress.Line(); l != "paused · 25% · 1/4 keys" {
		t.Errorf("line = %q", l)
	}
	st.Apply(&ScanUpdate{Progress: ScanProgress{Phase: ScanDone, Pass: 1, Scanned: 4, DBSize: 4, Elapsed: 2e9, Samples: 5}})
	if l := st.Progress.Line(); l != "done · 100% · 4/4 keys · in 2.0s" {
		t.Errorf("line = %q", l)
	}
	r := st.Report()
	if !r.Complete || r.KeysPerSecond != 2 || len(r.TopBytes) != 1 || r.TopBytes[0].Key != "x:1" || len(r.TTL) != NumTTLBuckets {
		t.Errorf("report = %+v", r)
	}
	// A new pass keeps the previous complete one until it has data.
	prev := st.Result
	st.Apply(&ScanUpdate{Progress: ScanProgress{Phase: ScanScanning, Pass: 2}, Prev: prev})
	if st.Result != nil || st.Best() != prev {
		t.Error("new pass: Best should be the previous pass")
	}
	r2 := st.Report()
	if r2.Complete || len(r2.TopBytes) != 1 || len(r2.Notes) == 0 {
		t.Errorf("report during pass 2 = %+v", r2)
	}
	// The JSON has the documented keys.
	var empty ScanState
	b, err := json.Marshal(empty.Report())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{`"complete":false`, `"scanned":0`, `"dbsize":0`, `"elapsed_seconds":0`, `"keys_per_second":0`, `"top":[]`, `"prefixes":[]`, `"types":[]`, `"ttl_buckets":[`} {
		if !bytes.Contains(b, []byte(f)) {
			t.Errorf("empty report JSON lacks %s: %s", f, b)
		}
	}
}

func TestReportMarkdownEscapes(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	a.Add(key("\x1b]0;owned\x07", "string", "raw", 500, -1, -1))
	a.Add(key("pipe|`tick`:1", "hash", "listpack", 400, 3, 100))
	st := ScanState{Progress: ScanProgress{Phase: ScanDone, Scanned: 2, DBSize: 2, Samples: 5}, Result: a.Snapshot()}
	var buf bytes.Buffer
	if err := st.Report().Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.ContainsAny(out, "\x1b\x07") {
		t.Errorf("raw control characters in Markdown:\n%q", out)
	}
	for _, want := range []string{`\x1b]0;owned\x07`, `pipe\|'tick'`, "## Big keys", "| no expiry | 1 |", "complete"} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
}

func TestParseKeySizes(t *testing.T) {
	ks := ParseKeySizes(map[string]string{
		"db0_distrib_strings_sizes": "2=1,4=1,8=2,1K=3,1M=1",
		"db0_distrib_lists_items":   "1=5,64=2",
		"db12_distrib_hashes_items": "4=1,bad,8=x,=3,16=-1",
		"used_memory":               "123",
		"dbx_distrib_sets_items":    "1=1",
	})
	if ks == nil || len(ks.Hists) != 3 {
		t.Fatalf("hists = %+v", ks)
	}
	s := ks.Hists[1] // sorted by db, kind: lists_items, strings_sizes, then db12
	if s.Kind != "strings_sizes" || s.Total() != 8 || s.Buckets[3].Min != 1024 || s.Buckets[4].Min != 1<<20 {
		t.Errorf("strings = %+v", s)
	}
	if h := ks.Hists[2]; h.DB != 12 || len(h.Buckets) != 1 || h.Buckets[0].Min != 4 {
		t.Errorf("db12 = %+v", h)
	}
	if ParseKeySizes(map[string]string{"used_memory": "1"}) != nil {
		t.Error("no histogram should give nil")
	}
	if _, ok := parseSuffixed("9E"); ok {
		t.Error("9E overflows int64 and must be refused")
	}
}

func FuzzParseKeySizes(f *testing.F) {
	f.Add("db0_distrib_strings_sizes", "2=1,4=1,1K=1")
	f.Add("db1_distrib_x", "1E=1,,=,5")
	f.Fuzz(func(t *testing.T, name, value string) {
		ks := ParseKeySizes(map[string]string{name: value})
		if ks == nil {
			return
		}
		for _, h := range ks.Hists {
			for _, b := range h.Buckets {
				if b.Min < 0 || b.Count < 0 {
					t.Fatalf("negative bucket %+v", b)
				}
			}
		}
	})
}

func FuzzPrefixTree(f *testing.F) {
	f.Add("user:1001:feed", ":")
	f.Add("a::b\xff:", ":/")
	f.Fuzz(func(t *testing.T, name, delims string) {
		a := NewBigKeysAgg(BigKeysConfig{Delimiters: delims}, nil)
		a.Add(key(name, "string", "", 7, -1, -1))
		var sum int64
		for _, p := range a.Snapshot().Prefixes {
			if p.Depth == 1 {
				sum += p.Keys
			}
			if p.Depth > 3 {
				t.Fatalf("depth %d", p.Depth)
			}
		}
		if sum != 1 {
			t.Fatalf("depth-1 keys = %d", sum)
		}
	})
}

// TestAggregationMemoryBounded feeds 1,000,000 synthetic keys (unique names,
// thousands of prefixes, every type and TTL class) and checks the live heap
// after GC: the aggregation must stay under 4 MiB with the default config
// (top 100 ×2, 1000 prefix nodes), however many keys it has seen.
func TestAggregationMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("1M keys")
	}
	const n = 1_000_000
	const budget = 4 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	r := rand.New(rand.NewPCG(7, 7))
	types := []string{"string", "list", "hash", "set", "zset", "stream", "ReJSON-RL"}
	encs := []string{"embstr", "raw", "int", "listpack", "quicklist", "hashtable", "skiplist", "intset"}
	var k KeyInfo
	for i := range n {
		k = KeyInfo{
			Key:      word(r) + ":" + word(r) + ":" + strconv.Itoa(i) + ":" + word(r),
			DB:       r.IntN(4),
			Type:     types[r.IntN(len(types))],
			Encoding: encs[r.IntN(len(encs))],
			Bytes:    int64(r.ExpFloat64() * 2000),
			Elements: int64(r.IntN(100000)) - 1,
			TTL:      int64(r.IntN(20*86400)) - 1,
		}
		a.Add(&k)
		if i%100_000 == 0 {
			_ = a.Snapshot() // snapshots along the way, as the worker sends them
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := float64(after.HeapAlloc) - float64(before.HeapAlloc)
	t.Logf("heap grew by %.0f KiB for %d keys (budget %d KiB)", grown/1024, n, budget/1024)
	if grown > budget {
		t.Errorf("heap grew by %.0f bytes, budget %d", grown, budget)
	}
	s := a.Snapshot()
	if s.Keys != n || len(s.TopBytes) != DefaultTopN || len(s.Prefixes) > 2*DefaultMaxNodes {
		t.Errorf("keys %d, top %d, prefixes %d", s.Keys, len(s.TopBytes), len(s.Prefixes))
	}
	runtime.KeepAlive(a)
}

func TestPrefixRowsMergeAPassThroughNode(t *testing.T) {
	all := []PrefixStat{
		{Prefix: "key:", Depth: 1, Keys: 5, Bytes: 50},
		{Prefix: "key:*", Depth: 2, Keys: 5, Bytes: 50},
		{Prefix: "user:", Depth: 1, Keys: 4, Bytes: 40},
		{Prefix: "user:*:", Depth: 2, Keys: 4, Bytes: 40},
		{Prefix: "user:*:feed", Depth: 3, Keys: 3, Bytes: 30},
		{Prefix: "user:*:posts", Depth: 3, Keys: 1, Bytes: 10},
		{Prefix: "a:", Depth: 1, Keys: 2, Bytes: 20},
		{Prefix: "a:(other)", Depth: 2, Keys: 2, Bytes: 20, Other: true},
	}
	rows := PrefixRows(all)
	got := make([]string, 0, len(rows))
	for _, p := range rows {
		got = append(got, strings.Repeat(" ", p.Depth-1)+p.Prefix)
	}
	want := []string{"key:*", "user:*:", " user:*:feed", " user:*:posts", "a:", " a:(other)"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("rows %q, want %q", got, want)
	}
	for in, out := range map[string]string{"key:": "key:*", "key:*": "key:*", "tiny": "tiny", "a.b.": "a.b.*", "user:*:feed": "user:*:feed"} {
		if p := PrefixPattern(in); p != out {
			t.Errorf("PrefixPattern(%q) = %q, want %q", in, p, out)
		}
	}
}
