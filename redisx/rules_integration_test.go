package redisx

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// These tests make the checklist's rules and the verdict fire for real:
// each starts a redis-server, drives it into a memory situation with a plain
// client, reads INFO the way the poller does, and judges the samples.
//
// Samples are stamped at rlStep intervals rather than wall-clock times, so a
// slow machine cannot change what the window sees; every figure in them is
// what the server reported.
const rlStep = 10 * time.Second

// safetyWait bounds how long a test waits for the server to show something;
// it is a deadlock guard, not a speed assertion.
const safetyWait = 30 * time.Second

// rlRig is one server under test with its history.
type rlRig struct {
	t    *testing.T
	ctx  context.Context
	srv  *redisproc.Server
	c    *redis.Client
	hist *model.History
	n    int
}

func newRig(t *testing.T, config ...string) *rlRig {
	t.Helper()
	srv := redistest.StartServer(t, config...)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	c := redis.NewClient(&redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1, ReadTimeout: 10 * time.Second})
	t.Cleanup(func() { _ = c.Close() })
	return &rlRig{t: t, ctx: ctx, srv: srv, c: c, hist: model.NewHistory(1000)}
}

// sample reads INFO everything (errorstats included) into the history.
func (r *rlRig) sample() *model.Sample {
	r.t.Helper()
	text, err := r.c.Do(r.ctx, "info", "everything").Text()
	if err != nil {
		r.t.Fatalf("INFO: %v", err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.n) * rlStep)
	r.n++
	r.hist.Add(SampleFromInfo(ParseInfo(text), at, 0))
	return r.hist.Last()
}

// waitRSS lets serverCron refresh used_memory_rss (every 100 ms) after a
// burst of writes, so the sample reflects them.
func (r *rlRig) waitRSS() { time.Sleep(250 * time.Millisecond) }

func (r *rlRig) inputs(ex *model.Extras) model.Inputs {
	return model.Inputs{Now: r.hist.Last().Time, Hist: r.hist, Extras: ex}
}

func (r *rlRig) check(in model.Inputs, id string) model.Check {
	r.t.Helper()
	ch, ok := model.Evaluate(in).Find(id)
	if !ok {
		r.t.Fatalf("no check %s", id)
	}
	return ch
}

func (r *rlRig) value(n int) string { return strings.Repeat("v", n) }

// fill writes n keys name:i of size bytes in pipelines, with an optional TTL.
func (r *rlRig) fill(prefix string, n, size int, ttl time.Duration) {
	r.t.Helper()
	v := r.value(size)
	for start := 0; start < n; start += 1000 {
		pipe := r.c.Pipeline()
		for i := start; i < min(start+1000, n); i++ {
			pipe.Set(r.ctx, fmt.Sprintf("%s:%d", prefix, i), v, ttl)
		}
		if _, err := pipe.Exec(r.ctx); err != nil {
			r.t.Fatalf("fill: %v", err)
		}
	}
}

func describe(ch model.Check) string {
	return fmt.Sprintf("%s %s: %s\n  %s", ch.ID, ch.Status, ch.Title, strings.Join(ch.Evidence, "\n  "))
}

// A noeviction server filled past 85 %: headroom is crit once writes fail
// with OOM (errorstat_OOM counted), and the verdict says writes are refused
// at the limit (issue 14: it said data growth).
func TestRulesFireHeadroomOOM(t *testing.T) {
	r := newRig(t, "maxmemory 24mb", "maxmemory-policy noeviction")
	r.sample()
	v := r.value(4096)
	oom := 0
	for i := 0; oom < 20 && i < 20000; i += 100 {
		pipe := r.c.Pipeline()
		for j := i; j < i+100; j++ {
			pipe.Set(r.ctx, fmt.Sprintf("k:%d", j), v, 0)
		}
		cmds, _ := pipe.Exec(r.ctx)
		for _, cmd := range cmds {
			if err := cmd.Err(); err != nil {
				if !strings.HasPrefix(err.Error(), "OOM") {
					t.Fatalf("unexpected error: %v", err)
				}
				oom++
			}
		}
	}
	if oom == 0 {
		t.Fatal("the server never refused a write")
	}
	r.waitRSS()
	s := r.sample()
	if used, limit := s.Memory.UsedMemory.V, s.Memory.MaxMemory.V; used < 0.85*limit {
		t.Fatalf("filled to %.0f of %.0f only", used, limit)
	}
	in := r.inputs(nil)
	ch := r.check(in, model.CheckHeadroom)
	if ch.Status != model.StatusCrit || !strings.Contains(ch.Title, "OOM") {
		t.Fatalf("headroom: %s", describe(ch))
	}
	if !strings.Contains(strings.Join(ch.Evidence, "\n"), fmt.Sprintf("+%d", oom)) {
		t.Errorf("the evidence should count the %d OOM replies: %s", oom, describe(ch))
	}
	if ch := r.check(in, model.CheckPolicyFits); ch.Status != model.StatusOK {
		t.Errorf("noeviction without TTLs is a store: %s", describe(ch))
	}
	if v := model.Verdict(in); v.Kind != model.VerdictWritesRefused {
		t.Fatalf("verdict %s: %s", v.Kind, v.Summary)
	}
}

// volatile-lru on keys without a TTL: nothing can be evicted.
func TestRulesFirePolicyFits(t *testing.T) {
	r := newRig(t, "maxmemory 64mb", "maxmemory-policy volatile-lru")
	r.fill("user", 3000, 100, 0)
	r.sample()
	r.sample()
	in := r.inputs(nil)
	ch := r.check(in, model.CheckPolicyFits)
	if ch.Status != model.StatusWarn || !strings.Contains(ch.Title, "volatile-lru but only 0 of 3,000 keys have a TTL") {
		t.Fatalf("policy-fits: %s", describe(ch))
	}
	// The same server once most keys expire: the policy fits.
	r.fill("user", 3000, 100, time.Hour)
	r.sample()
	if ch := r.check(r.inputs(nil), model.CheckPolicyFits); ch.Status != model.StatusOK {
		t.Fatalf("policy-fits with TTLs: %s", describe(ch))
	}
	if v := model.Verdict(r.inputs(nil)); v.Kind != model.VerdictStable {
		t.Fatalf("verdict %s: %s", v.Kind, v.Summary)
	}
}

// A BGSAVE made slow with rdb-key-save-delay while a client rewrites every
// key: the fork child copies pages, the verdict is copy-on-write.
func TestRulesFireCopyOnWrite(t *testing.T) {
	r := newRig(t, "rdb-key-save-delay 100")
	const keys, size = 20000, 2000
	r.fill("doc", keys, size, 0)
	r.waitRSS()
	r.sample()
	if err := r.c.BgSave(r.ctx).Err(); err != nil {
		t.Fatalf("BGSAVE: %v", err)
	}
	t.Cleanup(func() { _ = r.c.ConfigSet(context.Background(), "rdb-key-save-delay", "0").Err() })
	// The child reports its copy-on-write about once a second: keep
	// rewriting until it shows, the save ends, or the safety bound.
	var best *model.Sample
	for deadline := time.Now().Add(safetyWait); time.Now().Before(deadline); {
		r.fill("doc", keys, size, 0) // same sizes: used stays flat
		s := r.sample()
		if !s.ForkRunning() {
			break
		}
		if s.Persistence.CurrentCOWSize.V > 0.6*s.Memory.UsedMemory.V {
			best = s
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if best == nil {
		t.Fatalf("no copy-on-write seen during the save: last %+v", r.hist.Last().Persistence)
	}
	in := r.inputs(nil)
	if v := model.Verdict(in); v.Kind != model.VerdictCopyOnWrite {
		t.Fatalf("verdict %s: %s", v.Kind, v.Summary)
	}
	ch := r.check(in, model.CheckFork)
	if ch.Status != model.StatusWarn || !strings.Contains(ch.Title, "Copy-on-write") {
		t.Fatalf("fork: %s", describe(ch))
	}
}

// A subscriber that stops reading while a publisher floods: the server holds
// the messages in the subscriber's output buffer.
func TestRulesFireClientBuffers(t *testing.T) {
	r := newRig(t, "client-output-buffer-limit pubsub 0 0 0")
	r.sample()
	d := net.Dialer{Timeout: 5 * time.Second}
	sub, err := d.DialContext(r.ctx, "tcp", r.srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close() })
	if _, err := sub.Write([]byte("CLIENT SETNAME stuck-subscriber\r\nSUBSCRIBE news\r\n")); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(sub)
	if line, err := br.ReadString('\n'); err != nil || line != "+OK\r\n" {
		t.Fatalf("SETNAME: %q %v", line, err)
	}
	// From here on the subscriber reads nothing. Publish 48 MiB; the server
	// keeps what the socket does not take in the subscriber's output buffer.
	msg := r.value(64 << 10)
	for range 16 {
		pipe := r.c.Pipeline()
		for range 48 {
			pipe.Publish(r.ctx, "news", msg)
		}
		if _, err := pipe.Exec(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	// mem_clients_normal is refreshed by the server's client cron, so it lags
	// used_memory while the buffer fills: wait until it accounts for the
	// growth (what is left over would read as data growth).
	first := r.hist.At(0).Memory
	settled := func(m model.Memory) bool {
		dUsed := m.UsedMemory.V - first.UsedMemory.V
		dClients := m.MemClientsNormal.V - first.MemClientsNormal.V
		return m.MemClientsNormal.V >= 20<<20 && dUsed-dClients < 4<<20
	}
	for deadline := time.Now().Add(safetyWait); !settled(r.sample().Memory); {
		if time.Now().After(deadline) {
			m := r.hist.Last().Memory
			t.Fatalf("mem_clients_normal %.0f never accounted for used_memory %.0f", m.MemClientsNormal.V, m.UsedMemory.V)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cl := connectRig(t, r)
	ex := cl.ReadExtras(r.ctx, r.hist.Last().Time)
	in := r.inputs(&ex)
	ch := r.check(in, model.CheckClientBuffers)
	if ch.Status != model.StatusCrit || !strings.Contains(strings.Join(ch.Evidence, "\n"), "name=stuck-subscriber") {
		t.Fatalf("client-buffers: %s", describe(ch))
	}
	if v := model.Verdict(in); v.Kind != model.VerdictClientBuffers {
		t.Fatalf("verdict %s: %s", v.Kind, v.Summary)
	}
}

// connectRig opens a redisx client (guarded, read-only) on the rig's server.
func connectRig(t *testing.T, r *rlRig) *Client {
	t.Helper()
	o := DefaultOptions()
	o.Addr = r.srv.Addr
	c, err := Connect(r.ctx, o)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// A churn of mixed-size values, most of them deleted: used falls back, RSS
// stays up — fragmentation.
func TestRulesFireFragmentation(t *testing.T) {
	r := newRig(t, "activedefrag no")
	r.sample()
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 80000
	for start := 0; start < n; start += 2000 {
		pipe := r.c.Pipeline()
		for i := start; i < start+2000; i++ {
			pipe.Set(r.ctx, fmt.Sprintf("churn:%d", i), r.value(40+rng.IntN(900)), 0)
		}
		if _, err := pipe.Exec(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.waitRSS()
	r.sample()
	for start := 0; start < n; start += 2000 {
		pipe := r.c.Pipeline()
		for i := start; i < start+2000; i++ {
			if i%5 != 0 {
				pipe.Del(r.ctx, fmt.Sprintf("churn:%d", i))
			}
		}
		if _, err := pipe.Exec(r.ctx); err != nil {
			t.Fatal(err)
		}
	}
	r.waitRSS()
	s := r.sample()
	t.Logf("after the churn: used %s, RSS %s, ratio %v", model.Bytes(s.Memory.UsedMemory.V), model.Bytes(s.Memory.UsedMemoryRSS.V), s.Memory.MemFragmentationRatio.V)
	in := r.inputs(&model.Extras{Config: &model.Config{Values: map[string]string{"activedefrag": "no"}}})
	ch := r.check(in, model.CheckFragmentation)
	if ch.Status != model.StatusCrit {
		t.Fatalf("fragmentation: %s", describe(ch))
	}
	if v := model.Verdict(in); v.Kind != model.VerdictFragmentation {
		t.Fatalf("verdict %s: %s", v.Kind, v.Summary)
	}
	if ch := r.check(in, model.CheckRSSVsUsed); ch.Status == model.StatusOK || ch.Status == model.StatusUnknown {
		t.Errorf("rss-vs-used: %s", describe(ch))
	}
}

// A user restricted to read commands and INFO (no CONFIG, no CLIENT, no
// MEMORY): the checklist still comes, and the checks that need the denied
// commands say unknown and why.
func TestRulesRestrictedUser(t *testing.T) {
	r := newRig(t, "maxmemory 64mb")
	if err := r.c.Do(r.ctx, "acl", "setuser", "ro", "on", ">ropw", "~*", "+@read", "+@connection", "+info", "-config", "-client", "-memory").Err(); err != nil {
		t.Fatal(err)
	}
	r.fill("k", 500, 100, time.Hour)
	o := DefaultOptions()
	o.Addr, o.Username, o.Password = r.srv.Addr, "ro", "ropw"
	cl, err := Connect(r.ctx, o)
	if err != nil {
		t.Fatalf("Connect as ro: %v", err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	// The restricted user's own INFO feeds the samples.
	for range 3 {
		text, err := cl.Raw().Do(r.ctx, "info", "everything").Text()
		if err != nil {
			t.Fatalf("INFO as ro: %v", err)
		}
		r.hist.Add(SampleFromInfo(ParseInfo(text), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.n)*rlStep), 0))
		r.n++
	}
	ex := cl.ReadExtras(r.ctx, r.hist.Last().Time)
	if len(ex.Unavailable) < 3 {
		t.Fatalf("CONFIG, CLIENT LIST and MEMORY DOCTOR should be denied: %+v", ex.Unavailable)
	}
	cls := model.Evaluate(r.inputs(&ex))
	want := map[string]string{
		model.CheckEncodings:    "", // no scan comes first; checked below with a scan
		model.CheckActiveDefrag: "CONFIG is not allowed for this user",
	}
	for id, reason := range want {
		ch, _ := cls.Find(id)
		if ch.Status != model.StatusUnknown || !strings.Contains(ch.Reason, reason) {
			t.Errorf("%s: %s %q, want unknown (%s)", id, ch.Status, ch.Reason, reason)
		}
	}
	in := r.inputs(&ex)
	in.Scan = &model.ScanFacts{Scanned: 1, Complete: true, Keys: []model.ScanKey{{Key: "k:1", Type: "string", Bytes: model.Some(150)}}}
	if ch := r.check(in, model.CheckEncodings); ch.Status != model.StatusUnknown || !strings.Contains(ch.Reason, "CONFIG is not allowed for this user") {
		t.Errorf("encodings with a scan: %s %q", ch.Status, ch.Reason)
	}
	// Client buffers are still judged from INFO, and say what they cannot name.
	ch, _ := cls.Find(model.CheckClientBuffers)
	if ch.Status == model.StatusUnknown || !strings.Contains(strings.Join(ch.Evidence, "\n"), "which clients: unknown (CLIENT LIST is not allowed for this user)") {
		t.Errorf("client-buffers: %s", describe(ch))
	}
	for _, ch := range cls {
		if ch.Status == model.StatusUnknown && ch.Reason == "" {
			t.Errorf("%s is unknown without a reason", ch.ID)
		}
	}
	if ch, _ := cls.Find(model.CheckHeadroom); ch.Status != model.StatusOK {
		t.Errorf("headroom needs only INFO: %s", describe(ch))
	}
}

// TestRulesOnFixtures judges every real INFO capture (Redis 4.0 – 7.4,
// Valkey 8.0, a sentinel, a cluster node, a replica): every check comes
// back, an unknown one says why, and nothing prints NaN or Inf.
func TestRulesOnFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/info/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures: %v", err)
	}
	wantUnknown := map[string]map[string]string{
		"redis-4.0.14":   {model.CheckScripts: "older than 5.0", model.CheckClientBuffers: "older than 5.0", model.CheckActiveDefrag: "older than 5.0"},
		"redis-6.0.20":   {model.CheckSwapAndHost: "host facts not read yet"},
		"redis-7.4.1-se": {model.CheckFragmentation: "a Sentinel holds no data", model.CheckEvictions: "a Sentinel holds no data"},
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), "-full-localcapture.txt")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			info := ParseInfo(string(raw))
			at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			h := model.NewHistory(10)
			h.Add(SampleFromInfo(info, at, 0))
			h.Add(SampleFromInfo(info, at.Add(rlStep), 0))
			in := model.Inputs{Now: at.Add(rlStep), Hist: h}
			cl := model.Evaluate(in)
			v := model.Verdict(in)
			if len(cl) != len(model.RuleIDs()) {
				t.Fatalf("%d checks", len(cl))
			}
			for _, ch := range cl {
				text := ch.Title + "\n" + strings.Join(ch.Evidence, "\n") + "\n" + ch.Advice
				if ch.Status == model.StatusUnknown && ch.Reason == "" {
					t.Errorf("%s unknown without a reason", ch.ID)
				}
				for _, bad := range []string{"NaN", "Inf", "n/a"} {
					if strings.Contains(text, bad) {
						t.Errorf("%s says %s: %q", ch.ID, bad, text)
					}
				}
			}
			for prefix, want := range wantUnknown {
				if !strings.HasPrefix(name, prefix) {
					continue
				}
				for id, reason := range want {
					ch, _ := cl.Find(id)
					if ch.Status != model.StatusUnknown || !strings.Contains(ch.Reason, reason) {
						t.Errorf("%s: %s %q, want unknown (%s)", id, ch.Status, ch.Reason, reason)
					}
				}
			}
			if v.Summary == "" || strings.Contains(v.Summary, "NaN") {
				t.Errorf("verdict %q", v.Summary)
			}
			t.Logf("%s: verdict %s; worst %s (%d unknown)", name, v.Kind, cl.Worst(), cl.Count(model.StatusUnknown))
		})
	}
}
