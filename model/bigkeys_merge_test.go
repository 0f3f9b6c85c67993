package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"
)

// randomKeys makes n distinct keys of mixed types, sizes and TTLs, spread
// over a few prefixes (few enough that no tree reaches its cap).
func randomKeys(r *rand.Rand, n int) []KeyInfo {
	words := []string{"user", "session", "feed", "cart", "cache"}
	kinds := []struct{ typ, enc string }{
		{"string", "embstr"},
		{"string", "raw"},
		{"string", "int"},
		{"hash", "listpack"},
		{"hash", "hashtable"},
		{"list", "quicklist"},
		{"zset", "skiplist"},
		{"set", "intset"},
	}
	ttls := []int64{-1, -1, 30, 5000, 20000, 50000, 200000, 1 << 30}
	out := make([]KeyInfo, 0, n)
	for i := range n {
		k := kinds[r.IntN(len(kinds))]
		name := fmt.Sprintf("%s:%s:%d", words[r.IntN(len(words))], words[r.IntN(len(words))], i)
		if i%7 == 0 {
			name = fmt.Sprintf("flat%d", i) // no delimiter: a depth-1 leaf
		}
		b := int64(r.IntN(1 << uint(r.IntN(20)+1)))
		if i%50 == 0 {
			b = -1 // MEMORY USAGE unavailable
		}
		elems := int64(-1)
		if k.typ != "string" {
			elems = int64(r.IntN(5000))
		}
		out = append(out, KeyInfo{Key: name, DB: i % 2, Type: k.typ, Encoding: k.enc, Bytes: b, Elements: elems, TTL: ttls[r.IntN(len(ttls))]})
	}
	return out
}

// TestMergeEqualsOneAggregation: merging the nodes' snapshots gives what
// one aggregation of every key gives (under the caps), plus the node of each
// top key.
func TestMergeEqualsOneAggregation(t *testing.T) {
	cases := []struct {
		name  string
		cfg   BigKeysConfig
		nodes int
		keys  int
		seed  uint64
	}{
		{"one node", BigKeysConfig{}, 1, 500, 1},
		{"three nodes", BigKeysConfig{}, 3, 3000, 2},
		{"small top", BigKeysConfig{TopN: 3}, 3, 2000, 3},
		{"more nodes than keys", BigKeysConfig{TopN: 5}, 8, 4, 4},
		{"depth 1", BigKeysConfig{Depth: 1, TopN: 10}, 4, 1000, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(c.seed, 9))
			all := NewBigKeysAgg(c.cfg, nil)
			aggs := make([]*BigKeysAgg, c.nodes)
			for i := range aggs {
				aggs[i] = NewBigKeysAgg(c.cfg, nil)
			}
			nodeOf := map[string]string{}
			for _, k := range randomKeys(r, c.keys) {
				n := r.IntN(c.nodes)
				aggs[n].Add(&k)
				all.Add(&k)
				nodeOf[k.Key] = fmt.Sprintf("10.0.0.%d:7000", n)
			}
			parts := make([]NodeBigKeys, 0, c.nodes+1)
			for i, a := range aggs {
				parts = append(parts, NodeBigKeys{Node: fmt.Sprintf("10.0.0.%d:7000", i), Keys: a.Snapshot()})
			}
			parts = append(parts, NodeBigKeys{Node: "10.0.0.99:7000"}) // a node with no snapshot yet
			got, want := MergeBigKeys(parts), all.Snapshot()

			for _, list := range [][]KeyInfo{got.TopBytes, got.TopElements} {
				for i := range list {
					if list[i].Node != nodeOf[list[i].Key] {
						t.Errorf("%q: node %q, want %q", list[i].Key, list[i].Node, nodeOf[list[i].Key])
					}
					list[i].Node = ""
				}
			}
			if len(got.TopBytes) != min(c.keys, want.Config.TopN) && c.keys > 50 {
				t.Errorf("top by bytes holds %d keys", len(got.TopBytes))
			}
			if !reflect.DeepEqual(got, want) {
				for _, f := range []struct {
					name string
					a, b any
				}{
					{"totals", [5]int64{got.Keys, got.Bytes, got.NoTTLKeys, got.NoTTLBytes, got.UnknownBytes}, [5]int64{want.Keys, want.Bytes, want.NoTTLKeys, want.NoTTLBytes, want.UnknownBytes}},
					{"top bytes", got.TopBytes, want.TopBytes},
					{"top elements", got.TopElements, want.TopElements},
					{"types", got.Types, want.Types},
					{"encodings", got.Encodings, want.Encodings},
					{"ttl", got.TTL, want.TTL},
					{"sizes", got.Sizes, want.Sizes},
					{"prefixes", got.Prefixes, want.Prefixes},
					{"config", got.Config, want.Config},
				} {
					if !reflect.DeepEqual(f.a, f.b) {
						t.Errorf("%s differ:\n got %+v\nwant %+v", f.name, f.a, f.b)
					}
				}
				t.FailNow()
			}
		})
	}
}

func TestMergeEmpty(t *testing.T) {
	for _, parts := range [][]NodeBigKeys{nil, {{Node: "a:1"}}} {
		got := MergeBigKeys(parts)
		if got == nil {
			t.Fatal("nil merge")
		}
		if got.Keys != 0 || len(got.TopBytes) != 0 || len(got.Prefixes) != 0 || len(got.TTL) != NumTTLBuckets || got.Config.TopN != DefaultTopN {
			t.Errorf("empty merge: %+v", got)
		}
	}
}

// TestMergeTopAcrossNodes: the biggest keys of every node compete for one
// list, cut to TopN; ties are ordered by db, name and node.
func TestMergeTopAcrossNodes(t *testing.T) {
	snap := func(keys ...*KeyInfo) *BigKeys {
		a := NewBigKeysAgg(BigKeysConfig{TopN: 3}, nil)
		for _, k := range keys {
			a.Add(k)
		}
		return a.Snapshot()
	}
	parts := []NodeBigKeys{
		{Node: "a:7000", Keys: snap(key("a1", "string", "raw", 900, -1, -1), key("a2", "string", "raw", 100, -1, -1), key("a3", "list", "quicklist", 50, 7000, -1))},
		{Node: "b:7001", Keys: snap(key("b1", "string", "raw", 1000, -1, -1), key("b2", "string", "raw", 100, -1, -1))},
		{Node: "c:7002", Keys: snap(key("c1", "hash", "hashtable", 950, 10, 60), key("tie", "string", "raw", 100, -1, -1))},
	}
	got := MergeBigKeys(parts)
	names := make([]string, 0, len(got.TopBytes))
	for _, k := range got.TopBytes {
		names = append(names, k.Key+"@"+k.Node)
	}
	if want := "b1@b:7001 c1@c:7002 a1@a:7000"; strings.Join(names, " ") != want {
		t.Errorf("top bytes %v, want %s", names, want)
	}
	if got.TopElements[0].Key != "a3" || got.TopElements[0].Node != "a:7000" || len(got.TopElements) != 2 {
		t.Errorf("top elements %+v", got.TopElements)
	}
	// Ties: same bytes on three nodes, TopN 2 keeps the first names.
	tie := MergeBigKeys([]NodeBigKeys{
		{Node: "z:1", Keys: snap(key("k", "string", "raw", 5, -1, -1))},
		{Node: "a:1", Keys: snap(key("k", "string", "raw", 5, -1, -1))}, // the same name on two nodes (a slot moving)
		{Node: "m:1", Keys: snap(key("j", "string", "raw", 5, -1, -1))},
	})
	tie.TopBytes = tie.TopBytes[:2]
	if tie.TopBytes[0].Key != "j" || tie.TopBytes[1].Key != "k" || tie.TopBytes[1].Node != "a:1" {
		t.Errorf("tie order %+v", tie.TopBytes)
	}
	// The merge does not change the nodes' snapshots.
	if parts[0].Keys.TopBytes[0].Node != "" {
		t.Error("a node's snapshot was written to")
	}
}

// TestMergePrefixesBounded: many distinct prefixes on each node are cut back
// to MaxNodes; the sums still hold and the biggest prefixes stay.
func TestMergePrefixesBounded(t *testing.T) {
	cases := []struct {
		name     string
		maxNodes int
		nodes    int
	}{
		{"cap 10, 3 nodes", 10, 3},
		{"cap 50, 4 nodes", 50, 4},
		{"cap 1, 2 nodes", 1, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := BigKeysConfig{MaxNodes: c.maxNodes}
			r := rand.New(rand.NewPCG(uint64(c.maxNodes), 3))
			parts := make([]NodeBigKeys, c.nodes)
			var total, keys int64
			for n := range parts {
				a := NewBigKeysAgg(cfg, nil)
				// One big prefix every node shares, then many small ones
				// of the node's own.
				for i := range 20 {
					a.Add(key(fmt.Sprintf("hot:item:%d", i), "string", "raw", 100000, -1, -1))
					total += 100000
					keys++
				}
				for i := range 2000 {
					b := int64(r.IntN(100))
					a.Add(key(fmt.Sprintf("%s%d:%s:%d", word(r), n, word(r), i), "string", "raw", b, -1, 5))
					total += b
					keys++
				}
				parts[n] = NodeBigKeys{Node: fmt.Sprintf("n%d:7000", n), Keys: a.Snapshot()}
			}
			got := MergeBigKeys(parts)
			k1, b1, others, named := walkPrefixes(got.Prefixes, func(p PrefixStat, ck, cb int64) {
				if ck > 0 && (ck > p.Keys || cb > p.Bytes) {
					t.Errorf("children of %q hold %d/%d, more than its %d/%d", p.Prefix, ck, cb, p.Keys, p.Bytes)
				}
			})
			if named > c.maxNodes || len(got.Prefixes) > 2*c.maxNodes+1 {
				t.Errorf("%d named prefixes, %d in all, with a cap of %d", named, len(got.Prefixes), c.maxNodes)
			}
			if others == 0 {
				t.Error("no (other) bucket although the nodes held more prefixes than the cap")
			}
			if k1 != keys || b1 != total || got.Keys != keys || got.Bytes != total {
				t.Errorf("depth-1 prefixes add to %d keys %d bytes; merged %d/%d; want %d %d", k1, b1, got.Keys, got.Bytes, keys, total)
			}
			if p := got.Prefixes[0]; p.Prefix != "hot:" || p.Keys != int64(20*c.nodes) || p.Bytes != int64(20*100000*c.nodes) {
				t.Errorf("the biggest prefix is %+v, want hot: with every node's keys", p)
			}
		})
	}
}

func TestMergeTypeAndEncodingCaps(t *testing.T) {
	parts := make([]NodeBigKeys, 3)
	var keys, bytes int64
	for n := range parts {
		b := &BigKeys{}
		for i := range 40 {
			v := int64((n*40 + i) * 10)
			b.Types = append(b.Types, TypeStat{Type: fmt.Sprintf("mod%d-%d", n, i), Keys: 1, Bytes: v, Elements: 2})
			keys++
			bytes += v
		}
		for i := range 100 {
			b.Encodings = append(b.Encodings, EncodingStat{Type: "t", Encoding: fmt.Sprintf("e%d-%d", n, i), Keys: int64(i + 1), Bytes: 1})
		}
		parts[n] = NodeBigKeys{Node: fmt.Sprintf("n%d:1", n), Keys: b}
	}
	got := MergeBigKeys(parts)
	if len(got.Types) != maxTypes+1 {
		t.Errorf("%d types, want %d (the cap and (other))", len(got.Types), maxTypes+1)
	}
	var k, b, e int64
	other := false
	for _, ts := range got.Types {
		k, b, e = k+ts.Keys, b+ts.Bytes, e+ts.Elements
		other = other || ts.Type == otherName
	}
	if k != keys || b != bytes || e != 2*keys || !other {
		t.Errorf("types add to %d keys %d bytes %d elements (other %v), want %d %d %d", k, b, e, other, keys, bytes, 2*keys)
	}
	if first := got.Types[0]; first.Type != "mod2-39" && (first.Type != otherName || got.Types[1].Type != "mod2-39") {
		t.Errorf("the biggest named type is not kept: %+v", got.Types[:2])
	}
	if len(got.Encodings) != maxEncodings+1 {
		t.Errorf("%d encodings, want %d", len(got.Encodings), maxEncodings+1)
	}
	var ek int64
	for _, es := range got.Encodings {
		ek += es.Keys
	}
	if ek != 3*5050 {
		t.Errorf("encodings add to %d keys, want %d", ek, 3*5050)
	}
}

func TestMergeGrowthAndKeySizes(t *testing.T) {
	mk := func(node string, deltas ...int64) NodeBigKeys {
		b := &BigKeys{Config: BigKeysConfig{TopN: 2}}
		for i, d := range deltas {
			b.Growth = append(b.Growth, Growth{Key: fmt.Sprintf("%s-%d", node, i), Before: 100, After: 100 + d, Delta: d})
		}
		return NodeBigKeys{Node: node, Keys: b}
	}
	got := MergeBigKeys([]NodeBigKeys{mk("a", 5, -3, 1), mk("b", 50, 0, -30)})
	deltas := make([]int64, 0, len(got.Growth))
	for _, g := range got.Growth {
		deltas = append(deltas, g.Delta)
	}
	if fmt.Sprint(deltas) != "[50 5 1 0]" {
		t.Errorf("growth deltas %v, want the 2×TopN largest", deltas)
	}

	ks := MergeKeySizes([]*KeySizes{
		nil,
		{Hists: []KeySizeHist{{DB: 0, Kind: "strings_sizes", Buckets: []KeySizeBucket{{Min: 2, Count: 1}, {Min: 1024, Count: 3}}}}},
		{Hists: []KeySizeHist{
			{DB: 0, Kind: "strings_sizes", Buckets: []KeySizeBucket{{Min: 1024, Count: 4}, {Min: 8, Count: 2}}},
			{DB: 0, Kind: "lists_items", Buckets: []KeySizeBucket{{Min: 1, Count: 9}}},
		}},
	})
	want := &KeySizes{Hists: []KeySizeHist{
		{DB: 0, Kind: "lists_items", Buckets: []KeySizeBucket{{Min: 1, Count: 9}}},
		{DB: 0, Kind: "strings_sizes", Buckets: []KeySizeBucket{{Min: 2, Count: 1}, {Min: 8, Count: 2}, {Min: 1024, Count: 7}}},
	}}
	if !reflect.DeepEqual(ks, want) {
		t.Errorf("keysizes %+v, want %+v", ks, want)
	}
	if MergeKeySizes([]*KeySizes{nil, nil}) != nil {
		t.Error("no histogram should merge to nil")
	}
}

func TestMergeScanProgress(t *testing.T) {
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	prog := func(phase ScanPhase, scanned, dbsize int64, rate float64) ScanProgress {
		return ScanProgress{
			Phase: phase, Pass: 1, Scanned: scanned, DBSize: dbsize, KeysPerSec: rate, Rate: 1000, Throttle: 1, Samples: 5,
			Method: "pipeline", DBs: []int{0}, StartedAt: t0, Elapsed: time.Second,
		}
	}
	failed := prog(ScanFailed, 10, 100, 0)
	failed.Err = "dial tcp: connection refused"
	slowed := prog(ScanScanning, 40, 100, 400)
	slowed.Throttle, slowed.Elapsed, slowed.StartedAt = 0.25, 3*time.Second, t0.Add(-time.Minute)
	doneA, doneB := prog(ScanDone, 100, 100, 90), prog(ScanDone, 50, 50, 10)
	doneA.DoneAt, doneB.DoneAt = t0.Add(time.Minute), t0.Add(2*time.Minute)
	unlimited := prog(ScanScanning, 1, 10, 5)
	unlimited.Rate = 0
	cases := []struct {
		name    string
		parts   []ScanProgress
		phase   ScanPhase
		scanned int64
		dbsize  int64
		rate    float64
		err     string
		budget  int
	}{
		{"none", nil, ScanIdle, 0, 0, 0, "", 0},
		{"all done", []ScanProgress{doneA, doneB}, ScanDone, 150, 150, 100, "", 2000},
		{"one still scanning", []ScanProgress{doneA, slowed}, ScanScanning, 140, 200, 490, "", 2000},
		{"scanning beats a failure, which is still named", []ScanProgress{slowed, failed}, ScanScanning, 50, 200, 400, "b:7001: dial tcp: connection refused", 2000},
		{"a failure and the rest done", []ScanProgress{doneA, failed}, ScanFailed, 110, 200, 90, "b:7001: dial tcp: connection refused", 2000},
		{"paused", []ScanProgress{doneA, prog(ScanPaused, 5, 100, 0)}, ScanPaused, 105, 200, 90, "", 2000},
		{"not started yet", []ScanProgress{doneA, {}}, ScanScanning, 100, 100, 90, "", 0},
		{"all idle", []ScanProgress{{}, {Phase: ScanIdle}}, ScanIdle, 0, 0, 0, "", 0},
		{"an unlimited node makes the budget unlimited", []ScanProgress{slowed, unlimited}, ScanScanning, 41, 110, 405, "", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts := make([]NodeScanProgress, len(c.parts))
			for i, p := range c.parts {
				parts[i] = NodeScanProgress{Node: string(rune('a'+i)) + ":700" + fmt.Sprint(i), Progress: p}
			}
			got := MergeScanProgress(parts)
			if got.Phase != c.phase || got.Scanned != c.scanned || got.DBSize != c.dbsize || got.KeysPerSec != c.rate || got.Err != c.err || got.Rate != c.budget {
				t.Errorf("got phase %s scanned %d dbsize %d rate %v err %q budget %d", got.Phase, got.Scanned, got.DBSize, got.KeysPerSec, got.Err, got.Rate)
			}
			if got.Phase == ScanDone && (got.DoneAt != doneB.DoneAt || got.Fraction() != 1) {
				t.Errorf("done at %v, fraction %v", got.DoneAt, got.Fraction())
			}
			if got.Phase != ScanDone && !got.DoneAt.IsZero() {
				t.Errorf("done at %v while %s", got.DoneAt, got.Phase)
			}
		})
	}
	got := MergeScanProgress([]NodeScanProgress{{Node: "a:1", Progress: doneA}, {Node: "b:2", Progress: slowed}})
	if got.Throttle != 0.25 || got.Elapsed != 3*time.Second || !got.StartedAt.Equal(t0.Add(-time.Minute)) || got.Samples != 5 || fmt.Sprint(got.DBs) != "[0]" {
		t.Errorf("throttle %v elapsed %v started %v samples %d dbs %v", got.Throttle, got.Elapsed, got.StartedAt, got.Samples, got.DBs)
	}
	// Notes: one every node has is plain; one node's own names it.
	withNotes := func(notes ...string) ScanProgress { p := doneA; p.Notes = notes; return p }
	got = MergeScanProgress([]NodeScanProgress{
		{Node: "a:1", Progress: withNotes("MEMORY USAGE: NOPERM", "OBJECT ENCODING: renamed")},
		{Node: "b:2", Progress: withNotes("MEMORY USAGE: NOPERM")},
	})
	if want := []string{"MEMORY USAGE: NOPERM", "a:1: OBJECT ENCODING: renamed"}; !reflect.DeepEqual(got.Notes, want) {
		t.Errorf("notes %q, want %q", got.Notes, want)
	}
}

// TestKeyInfoNodeJSON: the node is written for a cluster's key and left out
// for a single server's, so single-server reports keep their shape.
func TestKeyInfoNodeJSON(t *testing.T) {
	single, err := json.Marshal(KeyInfo{Key: "k", Type: "string", Bytes: 5, Elements: -1, TTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(single, []byte("node")) {
		t.Errorf("single-server key has a node: %s", single)
	}
	in := KeyInfo{Key: "k", Type: "string", Bytes: 5, Elements: -1, TTL: -1, Node: "10.0.0.1:7000"}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"node":"10.0.0.1:7000"`)) {
		t.Errorf("cluster key: %s", b)
	}
	var back KeyInfo
	if err := json.Unmarshal(b, &back); err != nil || back != in {
		t.Errorf("round trip %+v (%v), want %+v", back, err, in)
	}
}

// TestReportMarkdownNodeColumn: the big-key table has a node column only
// when the keys have nodes, and a node's text is escaped like any cell.
func TestReportMarkdownNodeColumn(t *testing.T) {
	mk := func(node string) string {
		st := ScanState{Progress: ScanProgress{Phase: ScanDone}}
		st.Result = MergeBigKeys([]NodeBigKeys{{Node: node, Keys: func() *BigKeys {
			a := NewBigKeysAgg(BigKeysConfig{}, nil)
			a.Add(key("big", "string", "raw", 5000, -1, -1))
			return a.Snapshot()
		}()}})
		var b bytes.Buffer
		if err := st.Report().Markdown(&b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	single := mk("")
	if !strings.Contains(single, "| # | key | db | type |") || !strings.Contains(single, "| 1 | `big` | 0 | string |") {
		t.Errorf("single-server table changed:\n%s", single)
	}
	cluster := mk("10.0.0.1:7000|\x1b[31m")
	if !strings.Contains(cluster, "| # | key | node | db | type |") || !strings.Contains(cluster, "| 1 | `big` | 10.0.0.1:7000\\|\\x1b[31m | 0 | string |") {
		t.Errorf("cluster table:\n%s", cluster)
	}
}
