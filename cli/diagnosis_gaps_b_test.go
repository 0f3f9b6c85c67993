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
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// Issue 14, part b: six gaps of what the guides teach, each reproduced on a
// real server and asserted as the user sees it — in the JSON report or on
// the live rig's rendered frame (the check's expanded details when the
// evidence is only there).

// gapCheck (one check of the JSON report) is in diagnosis_gaps_a_test.go.

// reportCheck runs `report --scan --format json` against addr and returns
// the named check.
func reportCheck(t *testing.T, addr, id string) gapCheck {
	t.Helper()
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+addr)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var rep struct {
		Checklist []gapCheck `json:"checklist"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, c := range rep.Checklist {
		if c.ID == id {
			t.Logf("report: %s %s %q\n  evidence: %s\n  commands: %q", c.ID, c.Status, c.Title, strings.Join(c.Evidence, "\n            "), c.Commands)
			return c
		}
	}
	t.Fatalf("no %s check in the report", id)
	return gapCheck{}
}

func (c gapCheck) shows(t *testing.T, wants ...string) {
	t.Helper()
	all := c.Title + "\n" + strings.Join(c.Evidence, "\n") + "\n" + c.Advice + "\n" + untargeted(strings.Join(c.Commands, "\n"))
	for _, w := range wants {
		if !strings.Contains(all, w) {
			t.Errorf("%s: %q missing from the check as the report writes it", c.ID, w)
		}
	}
}

// pipe runs fn in one pipeline.
func pipe(t *testing.T, c *redis.Client, fn func(p redis.Pipeliner)) {
	t.Helper()
	if _, err := c.Pipelined(t.Context(), func(p redis.Pipeliner) error { fn(p); return nil }); err != nil {
		t.Fatal(err)
	}
}

// flatFrame joins the frame's lines without the box borders and collapses
// spaces, so a sentence wrapped over two lines reads whole.
var spaces = regexp.MustCompile(`\s+`)

func flatFrame(frame string) string {
	var b strings.Builder
	for _, line := range strings.Split(frame, "\n") {
		b.WriteString(strings.Trim(line, "│╭╮╰╯─ "))
		b.WriteString(" ")
	}
	return spaces.ReplaceAllString(b.String(), " ")
}

// checkLine is the checklist row of a check on the frame: its status word
// and title, as drawn.
func checkLine(r *liveRig, id string) string {
	r.t.Helper()
	d := r.m.Live().Checklist
	if d == nil {
		return ""
	}
	for _, c := range d.Checks {
		if c.ID == id {
			return string(c.Status) + " " + model.Sanitize(c.Title, 0)
		}
	}
	return ""
}

// frameRow is the checklist row on the frame that holds text, from its
// status mark on ("~ watch   1 big key(s)…"); "" when no row does.
func frameRow(r *liveRig, text string) string {
	r.t.Helper()
	for _, line := range strings.Split(r.frame(), "\n") {
		if i := strings.Index(line, text); i >= 0 {
			row := line[:i+len(text)]
			for _, mark := range []string{"✓ ok", "~ watch", "! warn", "✗ crit", "? unknown"} {
				if j := strings.LastIndex(row, mark); j >= 0 {
					return row[j:]
				}
			}
		}
	}
	return ""
}

// openCheck focuses the checklist, selects the check with the keys a user
// presses (up to the top, down to its row), opens its details and expands
// the pane; it returns the flattened frame.
func openCheck(r *liveRig, id string) string {
	r.t.Helper()
	for r.m.Focused() != ui.PaneChecklist {
		r.press("tab")
	}
	checks := r.m.Live().Checklist.Checks
	for range checks {
		r.press("up")
	}
	for i, c := range checks {
		if c.ID == id {
			break
		}
		if i == len(checks)-1 {
			r.t.Fatalf("no %s check on screen", id)
		}
		r.press("down")
	}
	r.press("enter")
	r.press("e")
	frame := r.frame()
	if !strings.Contains(frame, id) {
		r.t.Fatalf("the details of %s are not on screen:\n%s", id, frame)
	}
	return flatFrame(frame)
}

func rigOn(t *testing.T, addr string, scan *app.ScanConfig) *liveRig {
	t.Helper()
	o := redisx.DefaultOptions()
	o.Addr = addr
	return startLive(t, connectMain(t, o), rigOptions{scan: scan, w: 220, h: 70})
}

// Gap 4: 38 MB of replication backlog in about 40 MB used was "ok".
func TestGapReplicationBacklog(t *testing.T) {
	master := redistest.StartServer(t, "repl-backlog-size 38mb", "repl-diskless-sync-delay 0")
	replica := redistest.StartServer(t, fmt.Sprintf("replicaof 127.0.0.1 %d", master.Port))
	rc := demo.NewClient(replica.Addr)
	defer func() { _ = rc.Close() }()
	deadline := time.Now().Add(trustSafety)
	for {
		info, err := rc.Info(t.Context(), "replication").Result()
		if err == nil && strings.Contains(info, "master_link_status:up") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the replica never linked: %v %s", err, info)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// 40 MB written over one key: the data stays 100 KB, the backlog fills.
	mc := demo.NewClient(master.Addr)
	defer func() { _ = mc.Close() }()
	v := strings.Repeat("x", 100_000)
	for range 4 {
		pipe(t, mc, func(p redis.Pipeliner) {
			for range 100 {
				p.Set(t.Context(), "k", v, 0)
			}
		})
	}
	ch := reportCheck(t, master.Addr, model.CheckReplicationBuffers)
	// 38 MB of backlog: 7.0+ count the shared buffer actually used (≈ 38M),
	// 6.2 the backlog allocated with its bookkeeping (≈ 40M).
	if ch.Status != "warn" || !regexp.MustCompile(`^Replication backlog holds (3[0-9]|4[0-2])\.`).MatchString(ch.Title) {
		t.Fatalf("replication-buffers: %s %q, want warn on the backlog", ch.Status, ch.Title)
	}
	ch.shows(t, "of used_memory", "backlog share of used_memory:", "mem_replication_backlog: ", "repl_backlog_size: 38.00M",
		"Size repl-backlog-size to the outage you want to survive", "redis-cli CONFIG GET repl-backlog-size")
}

// Gap 5a: a queue that grew 6× between two passes was not flagged (it
// stays under every size threshold: 1 % of memory needs 100 KB).
func TestGapGrowingQueue(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	item := strings.Repeat("q", 100)
	push := func(n int) {
		pipe(t, c, func(p redis.Pipeliner) {
			for range n {
				p.RPush(t.Context(), "queue", item)
			}
		})
	}
	push(56)
	r := rigOn(t, srv.Addr, &app.ScanConfig{Repeat: 200 * time.Millisecond})
	r.until("a first full pass", scanDone)
	if row := frameRow(r, "No big key among the keys scanned"); row != "✓ ok      No big key among the keys scanned" {
		t.Fatalf("before the growth, the big-keys row: %q\n%s", row, r.frame())
	}
	push(354 - 56)
	r.until("a pass that measured the growth", func(ui.Model) bool {
		return strings.HasPrefix(checkLine(r, model.CheckBigKeys), "watch 1 big key(s); the biggest, queue")
	})
	if row := frameRow(r, "1 big key(s); the biggest, queue"); row != "~ watch   1 big key(s); the biggest, queue" {
		t.Fatalf("the big-keys row: %q\n%s", row, r.frame())
	}
	flat := untargetedCheck(r, model.CheckBigKeys)
	m := regexp.MustCompile(`db0 queue \(list\): ([0-9.]+K), 354 elements — grew \+[0-9.]+K since the last scan \(([0-9.]+K) → ([0-9.]+K), ([0-9.]+)×\)`).FindStringSubmatch(flat)
	if m == nil {
		t.Fatalf("no growth evidence in the details:\n%s", flat)
	}
	t.Logf("on screen: queue %s → %s (%s×)", m[2], m[3], m[4])
	for _, want := range []string{"A key that keeps growing between passes", "$ redis-cli -n 0 MEMORY USAGE 'queue' SAMPLES 5"} {
		if !strings.Contains(flat, want) {
			t.Errorf("details lack %q:\n%s", want, flat)
		}
	}
}

// Gap 5b: a stream with more entries than a named threshold.
func TestGapLongStream(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	for range 3 {
		pipe(t, c, func(p redis.Pipeliner) {
			for range 4000 {
				p.XAdd(t.Context(), &redis.XAddArgs{Stream: "events", Values: []any{"f", "v"}})
			}
		})
	}
	ch := reportCheck(t, srv.Addr, model.CheckBigKeys)
	if ch.Status != "watch" || !strings.Contains(ch.Title, "events") {
		t.Fatalf("big-keys: %s %q", ch.Status, ch.Title)
	}
	ch.shows(t, "db0 events (stream): ", ", 12,000 entries — ", "stream of 12,000 entries (> 10,000): trim it", "XTRIM key MAXLEN ~ 10000",
		"redis-cli -n 0 XINFO STREAM 'events'", "redis-cli -n 0 XINFO GROUPS 'events'")
}

// Gap 6: 1,000 hashes under the entry limit, hashtable-encoded for one long
// value each, were counted among the top keys only.
func TestGapEncodingsAmongAllKeys(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	long := strings.Repeat("L", 100) // past hash-max-listpack-value 64
	pipe(t, c, func(p redis.Pipeliner) {
		for i := range 1000 {
			p.HSet(t.Context(), fmt.Sprintf("h:%d", i), "a", "1", "b", "2", "c", "3", "long", long)
		}
	})
	if enc, _ := c.ObjectEncoding(t.Context(), "h:7").Result(); enc != "hashtable" {
		t.Fatalf("h:7 is %q, want hashtable", enc)
	}
	// 7.0 renamed the compact encoding's settings (6.2: hash-max-ziplist-*);
	// the check names the ones this server has.
	compact := "listpack"
	if redistest.Version(t, srv.Addr).Major < 7 {
		compact = "ziplist"
	}
	limit := c.ConfigGet(t.Context(), "hash-max-"+compact+"-entries").Val()["hash-max-"+compact+"-entries"]
	ch := reportCheck(t, srv.Addr, model.CheckEncodings)
	if ch.Status != "warn" || !strings.HasPrefix(ch.Title, "1,000 hash keys of 1,000 are hashtable under hash-max-"+compact+"-entries ("+limit+")") {
		t.Fatalf("encodings: %s %q", ch.Status, ch.Title)
	}
	// The top lists hold about 100 of them (ties at the cut differ by
	// server: on Valkey 8.0.1 the report lists 102); the count is over
	// every key.
	ch.shows(t, "1,000 of 1,000 hash keys scanned are hashtable with ≤ "+limit+" fields (hash-max-"+compact+"-entries "+limit+"): a field or value is longer than hash-max-"+compact+"-value (64 bytes)",
		"… and ", "counted among all 1,000 keys scanned", "redis-cli CONFIG GET hash-max-"+compact+"-*")
}

// Gap 7: 200k tiny keys, the overhead over half of used memory.
func TestGapPerKeyOverhead(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	for b := range 20 {
		pipe(t, c, func(p redis.Pipeliner) {
			for i := range 10_000 {
				n := b*10_000 + i
				p.Set(t.Context(), fmt.Sprintf("tiny:%d", n), fmt.Sprintf("v%d", n), 0)
			}
		})
	}
	ch := reportCheck(t, srv.Addr, model.CheckEncodings)
	if ch.Status != "watch" && ch.Status != "warn" || !strings.HasPrefix(ch.Title, "Per-key overhead is ") || !strings.Contains(ch.Title, "over 200,000 keys: bucket small keys into hashes") {
		t.Fatalf("encodings: %s %q", ch.Status, ch.Title)
	}
	ch.shows(t, "used_memory_overhead: ", "keys: 200,000 — ", "prefix tiny:* — 200,000 small keys", "string keys scanned by encoding: embstr 200,000",
		"Bucket small objects into hashes", "redis-cli MEMORY STATS")
}

// Gap 10: O(N) reads rising in INFO commandstats.
func TestGapONReadsRising(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	pipe(t, c, func(p redis.Pipeliner) {
		for i := range 2000 {
			p.HSet(t.Context(), "profile:big", fmt.Sprintf("f%d", i), "value")
		}
	})
	r := rigOn(t, srv.Addr, nil)
	// Quiet first: the earlier half of the window has no HGETALL.
	r.until("3 s of quiet samples", func(ui.Model) bool { return r.folded >= 30 })
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() {
		for ctx.Err() == nil {
			_ = c.HGetAll(ctx, "profile:big").Err()
		}
	})
	defer func() { stop(); wg.Wait() }()
	r.until("the O(N) reads rising on screen", func(ui.Model) bool {
		return strings.Contains(r.frame(), "O(N) reads rising: HGETALL")
	})
	line := frameRow(r, "O(N) reads rising: HGETALL")
	if line != "~ watch   O(N) reads rising: HGETALL" && line != "! warn    O(N) reads rising: HGETALL" {
		t.Fatalf("client-buffers row: %q\n%s", line, r.frame())
	}
	line = checkLine(r, model.CheckClientBuffers)
	flat := untargetedCheck(r, model.CheckClientBuffers)
	m := regexp.MustCompile(`HGETALL: ([0-9,.]+) calls/s \(earlier ([0-9,.]+)\), (\S+) a call`).FindStringSubmatch(flat)
	if m == nil {
		t.Fatalf("no HGETALL evidence in the details:\n%s", flat)
	}
	t.Logf("on screen: %s; HGETALL %s calls/s (earlier %s), %s a call", line, m[1], m[2], m[3])
	for _, want := range []string{"rising: HGETALL", "SCAN family", "$ redis-cli INFO commandstats", "$ redis-cli SLOWLOG GET 10"} {
		if !strings.Contains(flat, want) {
			t.Errorf("details lack %q:\n%s", want, flat)
		}
	}
}

// Gap 11: the share of keys with a TTL falls (a deploy dropped the TTLs).
func TestGapTTLShareFalls(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	pipe(t, c, func(p redis.Pipeliner) {
		for i := range 1000 {
			p.Set(t.Context(), fmt.Sprintf("sess:%d", i), "x", time.Hour)
		}
	})
	r := rigOn(t, srv.Addr, nil)
	r.until("samples with every key expiring", func(ui.Model) bool {
		return r.folded >= 5 && strings.HasPrefix(checkLine(r, model.CheckTTLDiscipline), "ok Most keys have a TTL")
	})
	// The deploy: the same writer, without EX.
	pipe(t, c, func(p redis.Pipeliner) {
		for i := range 1500 {
			p.Set(t.Context(), fmt.Sprintf("sess:new:%d", i), "x", 0)
		}
	})
	r.until("the fall on screen", func(ui.Model) bool {
		return strings.Contains(r.frame(), "Keys with a TTL fell from 100.0% to 40.0%")
	})
	if row := frameRow(r, "Keys with a TTL fell from 100.0% to 40.0% in "); row != "! warn    Keys with a TTL fell from 100.0% to 40.0% in " {
		t.Fatalf("ttl-discipline row: %q\n%s", row, r.frame())
	}
	line := checkLine(r, model.CheckTTLDiscipline)
	flat := untargetedCheck(r, model.CheckTTLDiscipline)
	m := regexp.MustCompile(`keys with a TTL: 1,000 of 1,000 \(100.0%\) (\S+) ago → 1,000 of 2,500 \(40.0%\) now`).FindStringSubmatch(flat)
	if m == nil {
		t.Fatalf("no before/after evidence in the details:\n%s", flat)
	}
	t.Logf("on screen: %s; before/after over %s", line, m[1])
	for _, want := range []string{"keys without a TTL: +1,500 over", "a deploy that dropped EXPIRE", "$ redis-cli INFO keyspace"} {
		if !strings.Contains(flat, want) {
			t.Errorf("details lack %q:\n%s", want, flat)
		}
	}
}

// untargetedCheck is openCheck's text with the test server's -h/-p taken
// out of the commands.
func untargetedCheck(r *liveRig, id string) string { return untargeted(openCheck(r, id)) }
