//go:build linux

package main

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// TestEstimateCoverage is the issue-17 check on the bench dataset at a size
// a test can load (200,000 keys, the same generator and seed, the six big
// keys included; the 1M-key figure is the bench row): over 20 partial
// passes at 5 % and at 10 % of the keys — 20 SCAN start points, see
// estimate.go — the 95 % intervals hold the full pass's total bytes, every
// type's bytes and the ten biggest prefixes' bytes in at least 19 runs each.
// Not timed; the widths are logged.
func TestEstimateCoverage(t *testing.T) {
	srv := redistest.StartServer(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true})
	defer func() { _ = rdb.Close() }()
	ctx := t.Context()
	if err := loadDataset(ctx, rdb, 200_000); err != nil {
		t.Fatal(err)
	}
	keys, err := readScanOrder(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 200_000 {
		t.Fatalf("read %d keys in SCAN order, want 200000", len(keys))
	}
	capBytes, err := usedMemoryBytes(ctx, rdb)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for i := range keys {
		sum += keys[i].Bytes
	}
	t.Logf("used_memory %d, the keys' MEMORY USAGE add up to %d", capBytes, sum)
	for _, res := range estimateCoverage(keys, capBytes, 20, []float64{0.05, 0.10}) {
		if len(res.figures) < 1+6+10 {
			t.Fatalf("%d figures checked, want the total, six types and ten prefixes", len(res.figures))
		}
		for _, f := range res.figures {
			if f.hits < 19 {
				t.Errorf("at %.0f %%: %s (%.0f bytes) held in %d/20 runs: %v (total ≈ %v)", 100*res.fraction, f.name, f.truth, f.hits, f.misses, res.figures[0].misses)
			}
		}
		t.Logf("at %.0f %%: %s", 100*res.fraction, estimateWidths(res))
	}
}
