package redisx

import (
	"context"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// TestScanDoesNotResumeAcrossARestart: a pass paused mid-way, the server
// restarted from its snapshot (same keys, a new run_id, tables hashed with a
// new seed): the old cursor means nothing there, so the worker starts a new
// pass and counts every key exactly once, instead of resuming and missing
// some while counting others twice.
func TestScanDoesNotResumeAcrossARestart(t *testing.T) {
	s := redistest.StartServer(t, "save 3600 1")
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	const n = 5000
	plantSmall(t, c, "r", n, 0)
	if err := c.Save(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	w := NewScanWorker(c, ScanOptions{Once: true, Rate: 1000, Interval: 20 * time.Millisecond})
	out := make(chan model.Update, 256)
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(ctx, out) }()
	var st model.ScanState
	next := func() {
		t.Helper()
		select {
		case u := <-out:
			st.Apply(u.Scan)
		case <-time.After(scanWait):
			t.Fatal("no scan update")
		}
	}
	for st.Progress.Scanned == 0 {
		next()
	}
	w.SetPaused(true)
	for st.Progress.Phase != model.ScanPaused {
		next()
	}
	if st.Progress.Scanned >= n {
		t.Fatal("the pass ended before the pause")
	}
	rctx, cancel := context.WithTimeout(ctx, scanWait)
	defer cancel()
	if err := s.Restart(rctx); err != nil {
		t.Fatal(err)
	}
	w.SetRate(0)
	w.SetPaused(false)
	for st.Progress.Phase != model.ScanDone {
		next()
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	if st.Progress.Pass != 2 || st.Progress.Scanned != n || st.Result.Keys != n {
		t.Errorf("pass %d scanned %d, aggregated %d keys; want a new pass with exactly %d", st.Progress.Pass, st.Progress.Scanned, st.Result.Keys, n)
	}
}
