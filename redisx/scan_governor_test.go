package redisx

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// TestScanGovernorBacksOffWhenItHurts: a budgeted scan whose every batch
// holds a real server for milliseconds (hashes of 5,000 fields, MEMORY USAGE
// SAMPLES 5000) makes the probe's PING slower while it scans than in its
// pauses: the governor backs off, and the progress and the report's speed
// line say why and by how much.
func TestScanGovernorBacksOffWhenItHurts(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	fields := make([]any, 0, 2*5000)
	for i := range 5000 {
		fields = append(fields, "f"+strconv.Itoa(i), strings.Repeat("v", 16))
	}
	for i := range 100 {
		if err := c.HSet(ctx, "h:"+strconv.Itoa(i), fields...).Err(); err != nil {
			t.Fatal(err)
		}
	}

	w := NewScanWorker(c, ScanOptions{Rate: 4000, Samples: 5000, Repeat: 1, Interval: 100 * 1e6})
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan model.Update, 64)
	errc := make(chan error, 1)
	go func() { errc <- w.Run(rctx, out) }()
	var st model.ScanState
	var slowed *model.ScanProgress
	for slowed == nil {
		select {
		case u := <-out:
			if u.Scan == nil {
				continue
			}
			st.Apply(u.Scan)
			if p := u.Scan.Progress; p.SlowReason != "" && p.LowestFactor > 0 {
				slowed = &p
			}
		case <-ctx.Done():
			t.Fatalf("the scan never backed off; last progress %+v", st.Progress)
		}
	}
	cancel()
	go func() {
		for range out { // drain until Run returns
		}
	}()
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	close(out)
	if !regexp.MustCompile(`^server latency \+\d+ % while scanning$`).MatchString(slowed.SlowReason) {
		t.Errorf("reason = %q", slowed.SlowReason)
	}
	if slowed.SlowFactor != 0.5 || slowed.Throttle != 0.5 {
		t.Errorf("factor after the first judgement = %v (throttle %v), want 0.5", slowed.SlowFactor, slowed.Throttle)
	}
	if slowed.ProbeOnMicros <= slowed.ProbeOffMicros || slowed.LatencyRise <= defaultHarm.Rise {
		t.Errorf("probe %vµs scanning vs %vµs paused, rise %v", slowed.ProbeOnMicros, slowed.ProbeOffMicros, slowed.LatencyRise)
	}
	var md strings.Builder
	rep := (&model.ScanState{Progress: *slowed}).Report()
	if err := rep.Markdown(&md); err != nil {
		t.Fatal(err)
	}
	want := "- Speed: budget 4.0k keys/s; slowed to 50 % of it at most: " + slowed.SlowReason
	if !strings.Contains(md.String(), want) {
		t.Errorf("report lacks %q:\n%s", want, md.String())
	}
	if rep.Governor.SlowestFactor != 0.5 || rep.Governor.LatencyRise != slowed.LatencyRise {
		t.Errorf("report governor = %+v", rep.Governor)
	}
}
