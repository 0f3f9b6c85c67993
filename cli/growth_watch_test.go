package cli

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/ui"
)

// feedQueue pushes perSec elements a second onto key (a tenth every
// 100 ms) until the test ends.
func feedQueue(t *testing.T, addr, key string, perSec int) {
	t.Helper()
	c := demo.NewClient(addr)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait(); _ = c.Close() })
	item := strings.Repeat("j", 16)
	batch := make([]any, perSec/10)
	for i := range batch {
		batch[i] = item
	}
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				c.RPush(ctx, key, batch...)
			}
		}
	})
}

// Issue 17, item 4: a list fed 1,000 elements a second is flagged by the
// monitor between full passes — the scan makes one pass (no repeat) and
// the re-measure of the top keys (every 2 s here, a minute by default:
// TestKeyWatchFlagsAFillingQueueWithinTwoMinutesByDefault holds the default
// to 2 minutes) finds it filling. Asserted on the rendered frame: the
// growth column of the big-keys table and the big-keys check's details.
func TestMonitorFlagsAFillingQueueBetweenPasses(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	pipe(t, c, func(p redis.Pipeliner) {
		for i := range 300 {
			p.Set(t.Context(), fmt.Sprintf("user:%d", i), strings.Repeat("u", 200), 0)
		}
		for range 50 {
			p.RPush(t.Context(), "jobs:queue", strings.Repeat("j", 16), strings.Repeat("j", 16))
		}
	})
	feedQueue(t, srv.Addr, "jobs:queue", 1000)

	r := rigOn(t, srv.Addr, &app.ScanConfig{WatchEvery: 2 * time.Second})
	r.until("a first full pass", scanDone)
	marker := regexp.MustCompile(`jobs:queue .*↑ \+[0-9.]+k el/min`)
	r.until("the queue flagged in the big-keys table", func(ui.Model) bool { return marker.MatchString(r.frame()) })
	if p := r.m.Live().Scan.Progress; p.Pass != 1 || p.Phase != model.ScanDone {
		t.Fatalf("the flag should come between passes: pass %d, %s", p.Pass, p.Phase)
	}
	row := marker.FindString(r.frame())
	t.Logf("on screen: %s", row)
	for _, col := range []string{"growth/min", "bytes", "elements"} {
		if !strings.Contains(r.frame(), col) {
			t.Errorf("the big-keys table lacks the %q column:\n%s", col, r.frame())
		}
	}
	flat := untargetedCheck(r, model.CheckBigKeys)
	if !regexp.MustCompile(`db0 jobs:queue \(list\): .* growing \+[0-9.]+k el/min: (grew \+[0-9,]+ elements in [0-9ms.]+ and still rising|[0-9.]+× in)`).MatchString(flat) {
		t.Errorf("the big-keys details do not flag the growth:\n%s", flat)
	}
	for _, want := range []string{"A key growing minute after minute between passes", "$ redis-cli -n 0 LLEN 'jobs:queue'"} {
		if !strings.Contains(flat, want) {
			t.Errorf("details lack %q:\n%s", want, flat)
		}
	}
}
