package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// The done-when at the default interval and thresholds: a list fed
// 1,000 elements a second is flagged within 2 minutes of the scan seeing
// it — by the big-keys check and by the verdict — on synthetic timestamps
// (the re-measure every DefaultWatchInterval, as the live worker does).
func TestKeyWatchFlagsAFillingQueueWithinTwoMinutesByDefault(t *testing.T) {
	const perSec = 1000
	const bytesPerEl = 11 // a small list element in a quicklist
	seen := baseTime      // the scan sized the queue then
	queue := KeyInfo{Key: "jobs:queue", Type: "list", Encoding: "quicklist", Bytes: 5000 * bytesPerEl, Elements: 5000, TTL: -1}
	other := KeyInfo{Key: "cfg", Type: "hash", Encoding: "listpack", Bytes: 900_000, Elements: 40, TTL: -1}
	bk := &BigKeys{Keys: 2, TopBytes: []KeyInfo{other, queue}, TopElements: []KeyInfo{queue, other}}
	st := ScanState{Progress: ScanProgress{Phase: ScanDone, Pass: 1, Scanned: 2, DBSize: 2, DoneAt: seen}, Result: bk}

	watch := NewKeyWatch()
	var flaggedAt time.Duration
	for at := time.Duration(0); at <= 5*time.Minute; at += DefaultWatchInterval {
		el := int64(5000 + perSec*int(at/time.Second))
		keys := WatchKeysFrom(bk, DefaultWatchKeys)
		rs := make([]KeyReading, 0, len(keys))
		for _, k := range keys {
			r := KeyReading{Key: k.Key, DB: k.DB, Type: k.Type, Bytes: k.Bytes, Elements: k.Elements}
			if k.Key == queue.Key {
				r.Bytes, r.Elements = el*bytesPerEl, el
			}
			rs = append(rs, r)
		}
		watch.Observe(seen.Add(at), rs)
		g := watch.Snapshot(seen.Add(at))
		if len(g.Flagged()) > 0 {
			st.ApplyWatch(g)
			flaggedAt = at
			break
		}
	}
	if st.Watch == nil || flaggedAt > 2*time.Minute {
		t.Fatalf("the queue was not flagged within 2 minutes (flagged at %v)", flaggedAt)
	}
	g := st.Watch.Flagged()
	if len(g) != 1 || g[0].Key != queue.Key {
		t.Fatalf("flagged %+v, want only the queue", g)
	}
	if r := g[0].RateText(); r != "↑ +60.0k el/min" {
		t.Errorf("marker %q, want ↑ +60.0k el/min", r)
	}

	// What the checklist and the verdict say: flat memory, the queue growing.
	h := seriesOf(60, 5, nil)
	in := inputsOf(h)
	in.Scan = ScanFactsFrom(&st)
	ch := evalOne(t, "big-keys", in)
	if ch.Status.Rank() > StatusWatch.Rank() || !strings.Contains(ch.Title, "jobs:queue") {
		t.Errorf("big-keys %s %q, want at least watch naming jobs:queue", ch.Status, ch.Title)
	}
	if ev := strings.Join(ch.Evidence, "\n"); !strings.Contains(ev, "growing +60.0k el/min") {
		t.Errorf("big-keys evidence lacks the growth:\n%s", ev)
	}
	if !strings.Contains(strings.Join(ch.Commands, "\n"), "LLEN 'jobs:queue'") {
		t.Errorf("big-keys commands lack LLEN: %q", ch.Commands)
	}
	v := Verdict(in)
	if v.Kind != VerdictDataGrowth || !strings.Contains(v.Summary, "jobs:queue") {
		t.Errorf("verdict %s %q, want data growth naming the queue", v.Kind, v.Summary)
	}
	if !strings.Contains(strings.Join(v.Evidence, "\n"), "growing key: db0 jobs:queue (list): +60,000 elements/min") {
		t.Errorf("verdict evidence lacks the key:\n%s", strings.Join(v.Evidence, "\n"))
	}
}

func TestKeyWatchFlag(t *testing.T) {
	type pt struct{ bytes, el int64 }
	cases := []struct {
		name string
		typ  string
		pts  []pt
		want string // substring of the flag; "" = not flagged
		rate string
	}{
		{"steady", "hash", []pt{{50_000, 100}, {50_000, 100}, {50_000, 100}}, "", ""},
		{"one reading", "list", []pt{{50_000, 100}}, "", ""},
		{"grew once, then stopped", "list", []pt{{10_000, 1000}, {400_000, 40_000}, {400_000, 40_000}}, "", "+19.5k el/min"},
		{"doubled and rising", "zset", []pt{{20_000, 100}, {30_000, 150}, {45_000, 230}}, "2.2×", "↑ +65 el/min"},
		{"a small key doubling is noise", "list", []pt{{1000, 10}, {2000, 20}, {4000, 40}}, "", "+15 el/min"},
		{"+100 KB and rising", "hash", []pt{{5 << 20, 1000}, {5<<20 + 60_000, 1100}, {5<<20 + 120_000, 1200}}, "still rising", "↑ +100 el/min"},
		{"large absolute growth", "string", []pt{{100 << 20, 100 << 20}, {110 << 20, 110 << 20}}, "+10.00M", "↑ +10.00M/min"},
		{"a big key gaining 50 KB", "hash", []pt{{10 << 20, 1000}, {10<<20 + 25_000, 1010}, {10<<20 + 50_000, 1020}}, "", "+10 el/min"},
		{"a stream by its entries", "stream", []pt{{-1, 100_000}, {-1, 106_000}, {-1, 112_000}}, "+12,000 entries", "↑ +6.0k ent/min"},
		{"shrinking", "list", []pt{{400_000, 40_000}, {200_000, 20_000}}, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := NewKeyWatch()
			for i, p := range tc.pts {
				w.Observe(baseTime.Add(time.Duration(i)*time.Minute), []KeyReading{{Key: "k", Type: tc.typ, Bytes: p.bytes, Elements: p.el}})
			}
			g := w.Snapshot(baseTime)
			if len(g.Keys) != 1 {
				t.Fatalf("keys %+v", g.Keys)
			}
			k := g.Keys[0]
			if tc.want == "" && k.Flag != "" || tc.want != "" && !strings.Contains(k.Flag, tc.want) {
				t.Errorf("flag %q, want %q", k.Flag, tc.want)
			}
			if r := k.RateText(); r != tc.rate {
				t.Errorf("rate %q, want %q", r, tc.rate)
			}
		})
	}
}

// Keys that leave the top lists or vanish are forgotten, so the watch stays
// bounded; a key re-created with another type starts over.
func TestKeyWatchForgets(t *testing.T) {
	w := NewKeyWatch()
	w.Observe(baseTime, []KeyReading{{Key: "a", Type: "list", Bytes: 10, Elements: 1}, {Key: "b", Type: "list", Bytes: 10, Elements: 1}})
	w.Observe(baseTime.Add(time.Minute), []KeyReading{{Key: "a", Type: "hash", Bytes: 900_000, Elements: 90_000}, {Key: "b", Gone: true}})
	g := w.Snapshot(baseTime)
	if len(g.Keys) != 1 || g.Keys[0].Key != "a" || g.Keys[0].Readings != 1 || g.Keys[0].Flag != "" {
		t.Errorf("keys %+v, want a alone, one reading, unflagged", g.Keys)
	}
	for i := range 3 * watchPoints {
		w.Observe(baseTime.Add(time.Duration(i)*time.Minute), []KeyReading{{Key: "a", Type: "hash", Bytes: int64(i), Elements: 1}})
	}
	if n := w.Snapshot(baseTime).Keys[0].Readings; n != watchPoints {
		t.Errorf("readings held %d, want %d", n, watchPoints)
	}
}

func TestWatchKeysFromAlternates(t *testing.T) {
	bk := &BigKeys{
		TopBytes:    []KeyInfo{{Key: "b1"}, {Key: "both"}, {Key: "b3"}},
		TopElements: []KeyInfo{{Key: "both"}, {Key: "e2"}, {Key: "e3"}},
	}
	keys := WatchKeysFrom(bk, 4)
	got := make([]string, 0, len(keys))
	for _, k := range keys {
		got = append(got, k.Key)
	}
	if strings.Join(got, ",") != "b1,both,e2,b3" {
		t.Errorf("watched %v, want b1,both,e2,b3", got)
	}
}

func TestKeyTrendJSONRoundTrip(t *testing.T) {
	in := KeyTrend{Key: "q\xff", DB: 2, Type: "list", Bytes: 500, Elements: -1, FirstBytes: 100, FirstElements: -1, Span: 2 * time.Minute, Readings: 3, BytesPerMin: 200, Rising: 2, Flag: "5.0×"}
	js, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(js), `"key_base64":"cf8="`) || !strings.Contains(string(js), `"elements":null`) {
		t.Errorf("json %s", js)
	}
	var back KeyTrend
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back != in {
		t.Errorf("round trip %+v, want %+v", back, in)
	}
}

// Between passes the next pass's partial snapshot may not hold the growing
// key yet: the big-keys check names it all the same.
func TestScanFactsKeepAGrowingKeyTheNewPassHasNotReached(t *testing.T) {
	w := NewKeyWatch()
	for i, el := range []int64{1000, 3000, 5000} {
		w.Observe(baseTime.Add(time.Duration(i)*time.Minute), []KeyReading{{Key: "q", Type: "list", Bytes: el * 10, Elements: el}})
	}
	partial := NewBigKeysAgg(BigKeysConfig{}, nil)
	partial.Add(&KeyInfo{Key: "other", Type: "string", Bytes: 100, Elements: -1, TTL: -1})
	st := ScanState{Progress: ScanProgress{Phase: ScanScanning, Pass: 2, Scanned: 1, DBSize: 10}, Result: partial.Snapshot()}
	st.ApplyWatch(w.Snapshot(baseTime.Add(2 * time.Minute)))
	in := inputsOf(seriesOf(10, 5, nil))
	in.Scan = ScanFactsFrom(&st)
	ch := evalOne(t, "big-keys", in)
	if !strings.Contains(ch.Title, "the biggest, q,") || !strings.Contains(strings.Join(ch.Evidence, "\n"), "growing +2.0k el/min") {
		t.Errorf("big-keys %s %q %q", ch.Status, ch.Title, ch.Evidence)
	}
}
