package cli

import (
	"context"
	"encoding/json"
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

// report --growth-wait: the report scans once, waits, re-measures the top
// keys and writes their growth — in the JSON (bigkeys.key_growth, the
// big-keys check, the verdict's evidence) and in the Markdown.
func TestReportGrowthWait(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	pipe(t, c, func(p redis.Pipeliner) {
		for i := range 100 {
			p.Set(t.Context(), fmt.Sprintf("user:%d", i), strings.Repeat("u", 200), 0)
		}
		p.HSet(t.Context(), "steady", "a", strings.Repeat("s", 3000))
		p.RPush(t.Context(), "jobs:queue", "first")
	})
	feedQueue(t, srv.Addr, "jobs:queue", 1000)

	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--growth-wait", "2s", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var rep struct {
		BigKeys struct {
			KeyGrowth struct {
				Keys []struct {
					Key            string  `json:"key"`
					Elements       *int64  `json:"elements"`
					FirstElements  *int64  `json:"first_elements"`
					SpanSeconds    float64 `json:"span_seconds"`
					ElementsPerMin float64 `json:"elements_per_minute"`
					Flag           string  `json:"flag"`
				} `json:"keys"`
			} `json:"key_growth"`
		} `json:"bigkeys"`
		Verdict   model.VerdictResult `json:"verdict"`
		Checklist []gapCheck          `json:"checklist"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	byKey := map[string]int{}
	for i, k := range rep.BigKeys.KeyGrowth.Keys {
		byKey[k.Key] = i
	}
	qi, ok := byKey["jobs:queue"]
	if !ok {
		t.Fatalf("the queue was not re-measured: %s", out[:min(len(out), 2000)])
	}
	q := rep.BigKeys.KeyGrowth.Keys[qi]
	if q.Flag == "" || q.Elements == nil || q.FirstElements == nil || *q.Elements-*q.FirstElements < 1000 || q.SpanSeconds < 2 || q.ElementsPerMin < 20_000 {
		t.Errorf("queue %+v: want a flag, ≥ 1,000 more elements over ≥ 2 s (about 60,000 a minute)", q)
	}
	if si, ok := byKey["steady"]; !ok || rep.BigKeys.KeyGrowth.Keys[si].Flag != "" {
		t.Errorf("the steady hash: re-measured %v, flagged %+v", ok, rep.BigKeys.KeyGrowth.Keys)
	}
	var bigKeys gapCheck
	for _, ch := range rep.Checklist {
		if ch.ID == model.CheckBigKeys {
			bigKeys = ch
		}
	}
	bigKeys.shows(t, "db0 jobs:queue (list)", "growing +", "el/min", "redis-cli -n 0 LLEN 'jobs:queue'")
	if !strings.Contains(strings.Join(rep.Verdict.Evidence, "\n"), "growing key: db0 jobs:queue (list): +") {
		t.Errorf("the verdict does not weigh the growing queue: %+v", rep.Verdict)
	}

	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "--growth-wait", "1s", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("markdown report: exit %d: %s", code, errOut)
	}
	// A second of a queue already thousands long is not a flag (it has not
	// doubled nor gained 10,000): the row shows the rate all the same.
	if !regexp.MustCompile("### Growth of the top keys \\(re-measured\\)[\\s\\S]*\\| `jobs:queue` \\| 0 \\| list \\|.*\\| [0-9.]+s \\| \\+[0-9.]+[KM] \\| \\+[0-9,]+ \\|").MatchString(md) {
		t.Errorf("the Markdown lacks the re-measured growth:\n%s", md)
	}

	if code, _, errOut := runCLI(t, "report", "--growth-wait", "1s", "redis://"+srv.Addr); code != 2 || !strings.Contains(errOut, "needs --scan") {
		t.Errorf("--growth-wait without --scan: exit %d, %q", code, errOut)
	}
}
