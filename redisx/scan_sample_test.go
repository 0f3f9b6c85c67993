package redisx

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// TestScanWorkerSampleFraction runs a sampling pass (report --scan-sample)
// over two databases of different sizes: each is stopped at its own share
// of DBSIZE (SCAN's last batch may take a little more), so the sample is
// alike in both; the pass ends done but not complete, its progress says the
// share, and its aggregate can be estimated.
func TestScanWorkerSampleFraction(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	c2 := redis.NewClient(&redis.Options{Addr: s.Addr, DB: 2, Protocol: 2, DisableIdentity: true})
	defer func() { _ = c2.Close() }()
	plantSmall(t, c, "a", 20000, 0)
	plantSmall(t, c2, "b", 5000, 0)

	w := NewScanWorker(c, ScanOptions{DBs: []int{0, 2}, Once: true, Count: 100, SampleFraction: 0.1})
	st := finalState(t, runScan(scanCtx(t), t, w))
	p := &st.Progress
	if p.Complete() || p.SampleFraction != 0.1 || p.DBSize != 25000 {
		t.Fatalf("progress %+v: want a done, not complete, 10 %% pass over 25000 keys", p)
	}
	// 10 % of each database, plus at most one SCAN batch (COUNT 100 may
	// return a few more) each.
	perDB := map[int]int64{}
	for _, pr := range st.Result.Prefixes {
		if pr.Depth == 1 {
			perDB[map[string]int{"a:": 0, "b:": 2}[pr.Prefix]] += pr.Keys
		}
	}
	for db, want := range map[int]int64{0: 2000, 2: 500} {
		if got := perDB[db]; got < want || got > want+200 {
			t.Errorf("db %d: %d keys sampled, want %d to %d", db, got, want, want+200)
		}
	}
	if p.Scanned != st.Result.Keys || p.Scanned != perDB[0]+perDB[2] {
		t.Errorf("scanned %d, aggregated %d, per db %v", p.Scanned, st.Result.Keys, perDB)
	}
	e := model.EstimateBigKeys(st.Result, p, 1<<30)
	if e == nil || !e.Total.Keys.Contains(25000) {
		t.Errorf("estimate of the keys: %+v", e)
	}
}
