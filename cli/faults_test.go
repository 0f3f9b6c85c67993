package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// pressNow sends a key to the UI from another goroutine and waits for
// Update to return: it must, whatever the server does, because the UI
// never waits on the network (the bound is a deadlock guard).
func pressNow(t *testing.T, r *liveRig, k string) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.press(k)
	}()
	select {
	case <-done:
	case <-time.After(trustSafety):
		t.Fatalf("the UI did not return from the %q key", k)
	}
}

// recordedSamples reads a recording and returns its samples.
func recordedSamples(t *testing.T, path string) []*model.Sample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	rec, err := model.ReadRecording(f)
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	var out []*model.Sample
	for _, l := range rec.Lines {
		if l.Sample != nil {
			out = append(out, l.Sample)
		}
	}
	return out
}

// checkRecording: the recording holds exactly the samples the poller sent,
// in order, gaps included, and they are what the UI folded.
func checkRecording(t *testing.T, r *liveRig, path string) (gaps int) {
	t.Helper()
	rec := recordedSamples(t, path)
	if int64(len(rec)) != r.mon.Polled() || len(rec) != r.folded {
		t.Errorf("recording holds %d samples; the poller sent %d, the UI folded %d", len(rec), r.mon.Polled(), r.folded)
	}
	var ui []*model.Sample
	for _, u := range r.updates {
		if u.Sample != nil {
			ui = append(ui, u.Sample)
		}
	}
	for i := range min(len(rec), len(ui)) {
		if !rec[i].Time.Equal(ui[i].Time) || rec[i].Err != ui[i].Err {
			t.Errorf("sample %d: recorded %v %q, UI %v %q", i, rec[i].Time, rec[i].Err, ui[i].Time, ui[i].Err)
			break
		}
		if rec[i].IsGap() {
			gaps++
		}
	}
	return gaps
}

func eventKinds(d *ui.Data) map[model.EventKind]bool {
	kinds := map[model.EventKind]bool{}
	for _, e := range d.Events {
		kinds[e.Kind] = true
	}
	return kinds
}

func fillKeys(t *testing.T, addr string, n int) {
	t.Helper()
	fillKeysTTL(t, addr, n, 0, 0)
}

// fillKeysTTL is fillKeys with every ttlEvery-th key expiring after ttl
// (none when ttlEvery is 0).
func fillKeysTTL(t *testing.T, addr string, n, ttlEvery int, ttl time.Duration) {
	t.Helper()
	w := demo.NewClient(addr)
	defer func() { _ = w.Close() }()
	p := w.Pipeline()
	for i := range n {
		var exp time.Duration
		if ttlEvery > 0 && i%ttlEvery == 0 {
			exp = ttl
		}
		p.Set(t.Context(), "key:"+strconv.Itoa(i), "value", exp)
	}
	if _, err := p.Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// TestFaultStalledKilledRestarted: SIGSTOP (stalled, for how long), SIGCONT
// (live), kill (reconnecting, attempts growing, since when), restart with a
// new run_id (live, restart marked). A scan paused mid-pass before the
// restart does not resume the old run's cursor on the new run (it would
// miss keys): it starts a new pass and counts every key. The UI answers
// keys all along; the history marks the gaps; the recording keeps every
// sample the poller sent.
func TestFaultStalledKilledRestarted(t *testing.T) {
	srv := redistest.StartServer(t, "save 3600 1")
	const n = 3000
	fillKeys(t, srv.Addr, n)
	o := redisx.DefaultOptions()
	o.Addr, o.DialTimeout, o.CommandTimeout = srv.Addr, 300*time.Millisecond, 300*time.Millisecond
	c := connectMain(t, o)
	rec := filepath.Join(t.TempDir(), "faults.jsonl")
	r := startLive(t, c, rigOptions{
		scan:   &app.ScanConfig{Rate: 1000, ProgressEvery: 50 * time.Millisecond},
		record: rec, keep: true, w: 120, h: 40,
	})
	r.until("live, and the scan under way", func(m ui.Model) bool {
		s := m.Live().Scan
		return m.Live().Conn.State == model.ConnLive && r.folded >= 2 && s != nil && s.Progress.Scanned > 0
	})
	r.press("s")
	r.until("the scan paused mid-pass", func(m ui.Model) bool { return m.Live().Scan.Progress.Phase == model.ScanPaused })
	if p := r.m.Live().Scan.Progress; p.Scanned >= n {
		t.Fatalf("the pass ended before the pause: %d keys", p.Scanned)
	}
	runID := r.m.Live().Last().Server.RunID

	// SIGSTOP: stalled, and the UI keeps answering.
	if err := srv.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Signal(syscall.SIGCONT) })
	r.until("stalled", func(m ui.Model) bool { return m.Live().Conn.State == model.ConnStalled })
	since := r.m.Live().Conn.Since
	r.until("stalled for a while", func(m ui.Model) bool { return m.Live().Now.Sub(since) >= time.Second })
	if f := r.frame(); !regexp.MustCompile(`◌ stalled [1-9][0-9.]*s`).MatchString(f) {
		t.Errorf("the header does not say for how long it is stalled:\n%s", f)
	}
	for _, k := range []string{"?", "?", "tab", "f", "f", "+", "-", "t"} {
		pressNow(t, r, k)
	}
	if cmd := r.press("x"); cmd == nil {
		t.Error("x gave no export command while stalled")
	}
	if err := srv.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	r.until("live after SIGCONT", func(m ui.Model) bool {
		d := m.Live()
		return d.Conn.State == model.ConnLive && d.Last() != nil && d.Hist.Last() == d.Last()
	})

	// Save, kill, and watch the reconnection attempts grow.
	w := demo.NewClient(srv.Addr)
	if err := w.Save(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	srv.Kill()
	r.until("reconnecting (attempt 3)", func(m ui.Model) bool {
		c := m.Live().Conn
		return c.State == model.ConnReconnecting && c.Attempt >= 3
	})
	reconnSince := r.m.Live().Conn.Since
	if f := r.frame(); !strings.Contains(f, "reconnecting (attempt 3) since "+reconnSince.Format("15:04:05")) {
		t.Errorf("header:\n%s", f)
	}
	pressNow(t, r, "?")
	pressNow(t, r, "?")
	ctx, cancel := context.WithTimeout(t.Context(), trustSafety)
	defer cancel()
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	r.until("live on the new server run", func(m ui.Model) bool {
		d := m.Live()
		return d.Conn.State == model.ConnLive && d.Last() != nil && d.Last().Server.RunID != runID && d.Hist.Last() == d.Last()
	})
	r.worker.SetRate(0)
	r.press("s")
	r.until("the scan complete", scanDone)
	d := r.m.Live()
	if p := d.Scan.Progress; p.Scanned != n || p.Pass != 2 {
		t.Errorf("the scan after the restart counted %d keys in pass %d, want %d in a new pass 2", p.Scanned, p.Pass, n)
	}
	kinds := eventKinds(d)
	if !kinds[model.EventRestart] || !kinds[model.EventGapStart] || !kinds[model.EventGapEnd] {
		t.Errorf("events %v", d.Events)
	}
	r.drain()
	if gaps := checkRecording(t, r, rec); gaps < 2 {
		t.Errorf("recording holds %d gap samples", gaps)
	}
	r.stop()
}

// TestFaultSlowAndCutNetwork: every byte goes through a proxy that adds
// latency; mid-scan the proxy slows to a crawl, then cuts every connection.
// The poller marks the gap and reconnects; the scan reports the failure,
// resumes from its cursor on a new connection, in the same pass, and
// completes with exactly the server's key count (none counted twice, none
// missed); the UI answers keys throughout; the recording keeps every sample.
func TestFaultSlowAndCutNetwork(t *testing.T) {
	srv := redistest.StartServer(t)
	const n = 6000
	fillKeys(t, srv.Addr, n)
	px := redistest.StartDelayProxy(t, srv.Addr, time.Millisecond)
	o := redisx.DefaultOptions()
	o.Addr, o.DialTimeout, o.CommandTimeout = px.Addr(), time.Second, time.Second
	c := connectMain(t, o)
	rec := filepath.Join(t.TempDir(), "cut.jsonl")
	r := startLive(t, c, rigOptions{
		scan:   &app.ScanConfig{Rate: 2000, ProgressEvery: 50 * time.Millisecond},
		record: rec, keep: true, w: 120, h: 40,
	})
	r.until("the scan under way", func(m ui.Model) bool {
		s := m.Live().Scan
		return s != nil && s.Progress.Scanned >= 200 && m.Live().Conn.State == model.ConnLive
	})
	px.SetDelay(200*time.Millisecond, 200*time.Millisecond) // a crawl: the pass cannot end before the cut
	if scanDone(r.m) {
		t.Fatal("the scan finished before the cut")
	}
	pass := r.m.Live().Scan.Progress.Pass
	pressNow(t, r, "?") // keys answer on a slow link
	pressNow(t, r, "?")
	px.Cut()
	sawFailure, sawGap := false, false
	r.until("a scan error and a poll gap", func(m ui.Model) bool {
		d := m.Live()
		sawFailure = sawFailure || (d.Scan != nil && d.Scan.Progress.Phase == model.ScanFailed && d.Scan.Progress.Err != "")
		sawGap = sawGap || (d.Hist.Last() != nil && d.Hist.Last().IsGap())
		return sawFailure && sawGap
	})
	for _, k := range []string{"?", "?", "tab", "f", "f"} {
		pressNow(t, r, k)
	}
	px.SetDelay(time.Millisecond, time.Millisecond)
	r.worker.SetRate(0)
	r.until("the scan complete after the cut, live again", func(m ui.Model) bool {
		d := m.Live()
		return scanDone(m) && d.Conn.State == model.ConnLive && d.Last() != nil && d.Hist.Last() == d.Last()
	})
	p := r.m.Live().Scan.Progress
	if p.Scanned != n || p.DBSize != n || p.Pass != pass {
		t.Errorf("after the cut: scanned %d of dbsize %d in pass %d (was pass %d), want %d in the same pass", p.Scanned, p.DBSize, p.Pass, pass, n)
	}
	if res := r.m.Live().Scan.Result; res == nil || res.Keys != n {
		t.Errorf("the aggregation counted %v keys", res)
	}
	if kinds := eventKinds(r.m.Live()); !kinds[model.EventGapStart] || !kinds[model.EventGapEnd] {
		t.Errorf("gap not marked: %v", r.m.Live().Events)
	}
	r.drain()
	if gaps := checkRecording(t, r, rec); gaps < 1 {
		t.Error("the recording holds no gap sample")
	}
	r.stop()
}
