package model

import (
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestEstimateBigKeys checks the estimator on a population with one key far
// bigger than the rest together: samples that miss it still hold the true
// total under the cap; samples that catch it do not pretend to know it was
// the only one; a complete pass, several databases scanned one after another
// and a snapshot without moments are not estimated.
func TestEstimateBigKeys(t *testing.T) {
	const n = 20000
	keys := make([]KeyInfo, n)
	var truth, truthStr int64
	for i := range keys {
		keys[i] = KeyInfo{Key: "s:" + string(rune('a'+i%26)), Type: "string", Bytes: int64(50 + i%100), TTL: -1}
		if i == 777 {
			keys[i] = KeyInfo{Key: "big:list", Type: "list", Bytes: 5_000_000, TTL: -1}
		}
		truth += keys[i].Bytes
		if keys[i].Type == "string" {
			truthStr += keys[i].Bytes
		}
	}
	capBytes := truth + truth/10
	r := rand.New(rand.NewPCG(1, 2))
	misses := 0
	for run := range 200 {
		perm := r.Perm(n)
		a := NewBigKeysAgg(BigKeysConfig{}, nil)
		m := n / 20
		for _, i := range perm[:m] {
			a.Add(&keys[i])
		}
		p := &ScanProgress{Phase: ScanScanning, Scanned: int64(m), DBSize: n, DBs: []int{0}}
		e := EstimateBigKeys(a.Snapshot(), p, capBytes)
		if e == nil || e.Fraction != 0.05 || !e.TailBounded {
			t.Fatalf("run %d: estimate %+v", run, e)
		}
		if !e.Total.Bytes.Contains(float64(truth)) || !e.Type("string").Bytes.Contains(float64(truthStr)) ||
			!e.Type("list").Bytes.Contains(5_000_000) || !e.Total.Keys.Contains(n) {
			misses++
		}
		if e.Total.Bytes.Low < float64(a.Snapshot().Bytes) || e.Total.Bytes.High > float64(capBytes) {
			t.Fatalf("run %d: total %+v outside [seen, cap]", run, e.Total.Bytes)
		}
	}
	if misses > 10 {
		t.Errorf("%d of 200 samples missed the truth (want ≤ 5 %%)", misses)
	}

	// Without the cap the high bound is the bulk's: a sample without the
	// big key says so (TailBounded false).
	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	a.Add(&keys[0])
	a.Add(&keys[1])
	p := &ScanProgress{Phase: ScanScanning, Scanned: 2, DBSize: n, DBs: []int{0}}
	if e := EstimateBigKeys(a.Snapshot(), p, 0); e == nil || e.TailBounded {
		t.Errorf("no cap: %+v", e)
	}
	for name, p := range map[string]*ScanProgress{
		"complete":        {Phase: ScanDone, Scanned: n, DBSize: n, DBs: []int{0}},
		"several dbs":     {Phase: ScanScanning, Scanned: 2, DBSize: n, DBs: []int{0, 1}},
		"nothing scanned": {Phase: ScanScanning, DBSize: n},
	} {
		if e := EstimateBigKeys(a.Snapshot(), p, capBytes); e != nil {
			t.Errorf("%s: estimated %+v", name, e.Total)
		}
	}
	// A sampling pass over several databases is estimated even when done.
	p = &ScanProgress{Phase: ScanDone, Scanned: 2, DBSize: n, DBs: []int{0, 1}, SampleFraction: 0.05}
	if EstimateBigKeys(a.Snapshot(), p, capBytes) == nil || p.Complete() {
		t.Error("a done sampling pass is neither estimated nor partial")
	}
	// A recording keeps the moments: a replay estimates as the live pane.
	var back BigKeys
	js, _ := json.Marshal(a.Snapshot())
	live := EstimateBigKeys(a.Snapshot(), &ScanProgress{Phase: ScanScanning, Scanned: 2, DBSize: n}, capBytes)
	if err := json.Unmarshal(js, &back); err != nil || live == nil {
		t.Fatal(err)
	}
	if got := EstimateBigKeys(&back, &ScanProgress{Phase: ScanScanning, Scanned: 2, DBSize: n}, capBytes); got == nil || got.Total != live.Total {
		t.Errorf("a snapshot read back estimates %+v, live %+v", got, live)
	}
	if got := EstimateShort(Interval{Value: 4.1e9, Low: 4.0e9, High: 4.2e9}, Bytes); !strings.HasPrefix(got, "≈ ") || !strings.HasSuffix(got, " ± 3 %") {
		t.Errorf("EstimateShort = %q", got)
	}
}

// TestEstimateKeepsAWholeKeyNameExact: a prefix row that is a whole key name
// ("big:set:visitors") holds that one key. A 5 % sample that caught it must
// not scale it to "≈ 20 keys, 20× its bytes" — its group ("big:") is
// scaled, the key itself stays as seen.
func TestEstimateKeepsAWholeKeyNameExact(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{Depth: 3}, nil)
	for i := range 999 {
		a.Add(&KeyInfo{Key: "session:" + strconv.Itoa(i), Type: "string", Bytes: 80, TTL: -1})
	}
	a.Add(&KeyInfo{Key: "big:set:visitors", Type: "set", Bytes: 2_786_560, Elements: 50_000, TTL: -1})
	p := &ScanProgress{Phase: ScanDone, Scanned: 1000, DBSize: 20_000, DBs: []int{0}, SampleFraction: 0.05}
	e := EstimateBigKeys(a.Snapshot(), p, 400_000_000)
	if e == nil {
		t.Fatal("no estimate")
	}
	key := e.Prefix("big:set:visitors")
	if key.Keys != (Interval{1, 1, 1}) || key.Bytes != (Interval{2_786_560, 2_786_560, 2_786_560}) || !key.Exact {
		t.Errorf("the key's row is scaled: %+v", key)
	}
	if g := e.Prefix("big:"); g.Keys.Value != 20 || g.Bytes.Low != 2_786_560 {
		t.Errorf("its group is not estimated from the sample: %+v", g)
	}
	// A grouped row is not a key: "session:*" holds 999, and is scaled.
	if g := e.Prefix("session:*"); g.Keys.Value != 19_980 || g.Keys.Low == g.Keys.High {
		t.Errorf("session:* is not estimated: %+v", g)
	}
	// The report's Markdown, as `report --scan-sample` writes it, says so.
	st := &ScanState{Progress: *p, Result: a.Snapshot()}
	r := st.Report()
	r.SetEstimate(st, 400_000_000)
	var md strings.Builder
	if err := r.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	if want := "| `big:set:visitors` | 1 | 2.66M | exact: a key seen whole |"; !strings.Contains(md.String(), want) {
		t.Errorf("markdown lacks %q:\n%s", want, md.String())
	}
}

// TestPrefixRowsLeaveOutLoneSmallKeys: ids the normaliser does not
// recognise make one row per key; the table keeps a whole key only when it
// holds 1 % of its group or more, and a grouped node ("user:*:profile",
// whose last segment is spelt as in the keys) is never taken for a key.
func TestPrefixRowsLeaveOutLoneSmallKeys(t *testing.T) {
	a := NewBigKeysAgg(BigKeysConfig{Depth: 3}, nil)
	for i := range 500 {
		a.Add(&KeyInfo{Key: "session:" + strconv.Itoa(i), Type: "string", Bytes: 100, TTL: -1})
		a.Add(&KeyInfo{Key: "user:" + strconv.Itoa(i) + ":profile", Type: "hash", Bytes: 300, TTL: -1})
	}
	a.Add(&KeyInfo{Key: "session:cmpgeasglvezzilm", Type: "string", Bytes: 100, TTL: -1}) // an id read as a word
	a.Add(&KeyInfo{Key: "big:set:visitors", Type: "set", Bytes: 50_000, TTL: -1})
	rows := PrefixRows(a.Snapshot().Prefixes)
	names := map[string]PrefixStat{}
	for _, r := range rows {
		names[r.Prefix] = r
	}
	if _, ok := names["session:cmpgeasglvezzilm"]; ok {
		t.Errorf("a lone 100B key has a row: %v", rows)
	}
	if r, ok := names["big:set:visitors"]; !ok || !r.Key {
		t.Errorf("the big key lost its row: %v", rows)
	}
	if r, ok := names["user:*:profile"]; !ok || r.Key || r.Keys != 500 {
		t.Errorf("user:*:profile: %+v (in %v)", r, rows)
	}
}
