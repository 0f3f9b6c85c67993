package redisx

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// feedHarm runs the governor through cycles ends of pause (judgements)
// with a probe every 50 ms: onRTT while scanning, offRTT during the pauses.
// It returns the time reached (just after the last judgement).
func feedHarm(g *harmGovernor, t time.Time, cycles int, onRTT, offRTT func(i int) time.Duration) time.Time {
	for i := 0; cycles > 0; i++ {
		t = t.Add(probeEvery)
		wasOff := g.off
		g.advance(t)
		if wasOff && !g.off {
			cycles--
		}
		if g.off {
			g.observe(t, offRTT(i))
		} else {
			g.observe(t, onRTT(i))
		}
	}
	return t
}

func TestHarmGovernor(t *testing.T) {
	g := newHarmGovernor(defaultHarm)
	t0 := time.Unix(1000, 0)
	flat := func(d time.Duration) func(int) time.Duration { return func(int) time.Duration { return d } }

	// Client-side noise: the probe is slow and jumpy, but as slow during the
	// pauses as while scanning. Nobody is hurt: full speed all along.
	noisy := func(i int) time.Duration { return time.Duration(200+(i*7919)%3000) * time.Microsecond }
	now := feedHarm(&g, t0, 10, noisy, noisy)
	if g.factor != 1 || !g.judged {
		t.Fatalf("factor under client noise = %v (judged %v), want 1", g.factor, g.judged)
	}

	// The scan makes the probe 40 % slower: each judgement halves the
	// speed, down to the floor and no further; the reason says by how much.
	// (A steady cycle first: the judgement also weighs the pause before.)
	now = feedHarm(&g, now, 1, flat(500*time.Microsecond), flat(500*time.Microsecond))
	now = feedHarm(&g, now, 1, flat(700*time.Microsecond), flat(500*time.Microsecond))
	if g.factor != 0.5 {
		t.Errorf("factor after one hurting slice = %v, want 0.5", g.factor)
	}
	if r := slowReason(false, g.factor, g.hurtRise); r != "server latency +40 % while scanning" {
		t.Errorf("reason = %q", r)
	}
	now = feedHarm(&g, now, 10, flat(700*time.Microsecond), flat(500*time.Microsecond))
	if g.factor != minFactor {
		t.Errorf("factor floor = %v, want %v", g.factor, minFactor)
	}
	if g.onMed != 700*time.Microsecond || g.offMed != 500*time.Microsecond {
		t.Errorf("medians %v / %v", g.onMed, g.offMed)
	}

	// A rise below the floor (+30 µs on 50 µs) is nobody's harm: it
	// recovers, a step a slice, back to full speed.
	now = feedHarm(&g, now, 3, flat(80*time.Microsecond), flat(50*time.Microsecond))
	if g.factor <= minFactor || g.factor >= 1 {
		t.Errorf("factor while recovering = %v", g.factor)
	}
	if r := slowReason(false, g.factor, g.hurtRise); r != "server latency +40 % while scanning" {
		t.Errorf("reason while recovering = %q", r)
	}
	now = feedHarm(&g, now, 25, flat(50*time.Microsecond), flat(50*time.Microsecond))
	if g.factor != 1 || slowReason(false, g.factor, g.hurtRise) != "" {
		t.Errorf("after recovery: factor %v, reason %q", g.factor, slowReason(false, g.factor, g.hurtRise))
	}

	// Between calm and harm (+15 %) the factor holds.
	now = feedHarm(&g, now, 1, flat(500*time.Microsecond), flat(500*time.Microsecond))
	g.factor = 0.5
	feedHarm(&g, now, 3, flat(575*time.Microsecond), flat(500*time.Microsecond))
	if g.factor != 0.5 {
		t.Errorf("factor in the dead band = %v, want 0.5", g.factor)
	}

	// Too few probes (the probe failed): no judgement, and a pause that
	// outlived its slice never holds the scan.
	h := newHarmGovernor(defaultHarm)
	h.observe(t0, time.Millisecond)
	h.observe(t0.Add(defaultHarm.On), time.Millisecond)
	if h.pausedUntil(t0.Add(defaultHarm.On)).IsZero() {
		t.Error("no pause after the scan slice")
	}
	if !h.pausedUntil(t0.Add(defaultHarm.On + defaultHarm.Off)).IsZero() {
		t.Error("a pause the probe never ended still holds the scan")
	}
	h.observe(t0.Add(defaultHarm.On+defaultHarm.Off), 10*time.Millisecond)
	if h.judged || h.factor != 1 {
		t.Errorf("judged on 2 probes: factor %v", h.factor)
	}
}

func TestSlowReason(t *testing.T) {
	cases := []struct {
		fork       bool
		factor     float64
		rise, want string
	}{
		{false, 1, "", ""},
		{true, 1, "", "a fork is running (BGSAVE or AOF rewrite)"},
		{true, 0.5, "", "a fork is running (BGSAVE or AOF rewrite); server latency +120 % while scanning"},
	}
	for _, c := range cases {
		if got := slowReason(c.fork, c.factor, 1.2); got != c.want {
			t.Errorf("slowReason(%v, %v) = %q, want %q", c.fork, c.factor, got, c.want)
		}
	}
	if got := slowReason(false, 0.5, 0.001); got != "server latency +1 % while scanning" {
		t.Errorf("a tiny rise reads %q", got)
	}
}

func TestPacerFactors(t *testing.T) {
	p := newPacer(1000)
	if p.Factor() != 1 || p.Budget() != 1000 {
		t.Fatalf("factor %v budget %d", p.Factor(), p.Budget())
	}
	p.SetFork(true)
	if p.Factor() != forkFactor {
		t.Errorf("factor during a fork = %v", p.Factor())
	}
	p.SetFork(false)
	// An unlimited pacer ignores latency and forks: it was asked for speed.
	u := newPacer(0)
	u.SetFork(true)
	for i := range 200 {
		u.Probe(time.Unix(int64(i), 0), time.Duration(i)*time.Millisecond)
	}
	if !u.PausedUntil(time.Unix(100, 0)).IsZero() {
		t.Error("an unlimited scan pauses")
	}
	if u.Factor() != 1 {
		t.Errorf("unlimited factor = %v", u.Factor())
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := u.Wait(ctx, 1_000_000); err != nil {
		t.Errorf("unlimited wait: %v", err)
	}
	// A budgeted pacer waits in steps no larger than its bucket.
	if err := p.Wait(ctx, 3*countFor(0, 1000)/2); err != nil {
		t.Errorf("wait: %v", err)
	}
	p.SetBudget(-5)
	if p.Budget() != 0 {
		t.Errorf("negative budget = %d", p.Budget())
	}
}

func TestCountFor(t *testing.T) {
	cases := []struct{ explicit, rate, want int }{
		{0, 0, DefaultScanCount}, {0, 5000, 25}, {0, 100, 10}, {0, 1_000_000, maxBudgetCount}, {7, 5000, 7},
	}
	for _, c := range cases {
		if got := countFor(c.explicit, c.rate); got != c.want {
			t.Errorf("countFor(%d, %d) = %d, want %d", c.explicit, c.rate, got, c.want)
		}
	}
}

func TestTypeOfEncoding(t *testing.T) {
	cases := map[string]string{
		"int": "string", "embstr": "string", "quicklist": "list", "linkedlist": "list", "skiplist": "zset",
		"intset": "set", "stream": "stream", "listpackex": "hash", "listpack": "", "hashtable": "", "ziplist": "", "future": "",
	}
	for enc, want := range cases {
		if got := typeOfEncoding(enc, false); got != want {
			t.Errorf("typeOfEncoding(%q) = %q, want %q", enc, got, want)
		}
	}
	if typeOfEncoding("raw", false) != "string" || typeOfEncoding("raw", true) != "" {
		t.Error("raw is a string only when no module is loaded")
	}
	for _, typ := range []string{"list", "hash", "set", "zset", "stream"} {
		if lengthCommand(typ) == "" {
			t.Errorf("no length command for %s", typ)
		}
	}
	if lengthCommand("string") != "" || lengthCommand("ReJSON-RL") != "" {
		t.Error("strings and module types have no length command")
	}
}

func TestRateMeter(t *testing.T) {
	var m rateMeter
	t0 := time.Unix(1000, 0)
	m.reset(t0, 0)
	if m.perSecond() != 0 {
		t.Error("one point has no rate")
	}
	for i := 1; i <= 20; i++ {
		m.add(t0.Add(time.Duration(i)*500*time.Millisecond), int64(i*1000))
	}
	if r := m.perSecond(); r != 2000 {
		t.Errorf("rate = %v, want 2000", r)
	}
}

// TestScanWorkerDegradesWhenDenied runs the scan as an ACL user who may not
// use OBJECT or MEMORY (as on some managed services): types come from TYPE,
// bytes are unknown, and the progress says why.
func TestScanWorkerDegradesWhenDenied(t *testing.T) {
	s := redistest.StartServer(t, "user limited on >lim-pass ~* +@all -object -memory")
	admin := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	plantSmall(t, admin, "d", 300, 30*time.Minute)
	admin.RPush(ctx, "l", 1, 2, 3)
	c := redis.NewClient(&redis.Options{Addr: s.Addr, Username: "limited", Password: "lim-pass", Protocol: 2, DisableIdentity: true})
	defer func() { _ = c.Close() }()

	w := NewScanWorker(c, ScanOptions{Once: true, Count: 50})
	st := finalState(t, runScan(ctx, t, w))
	r := st.Result
	if r.Keys != 301 || r.UnknownBytes != 301 {
		t.Errorf("keys %d, unknown bytes %d", r.Keys, r.UnknownBytes)
	}
	types := map[string]int64{}
	for _, ty := range r.Types {
		types[ty.Type] = ty.Keys
	}
	if types["string"] != 300 || types["list"] != 1 {
		t.Errorf("types = %v", types)
	}
	if len(r.TopElements) == 0 || r.TopElements[0].Key != "l" || r.TopElements[0].Elements != 3 {
		t.Errorf("top elements = %+v", r.TopElements)
	}
	notes := strings.Join(st.Progress.Notes, "; ")
	if !strings.Contains(notes, "OBJECT ENCODING") || !strings.Contains(notes, "MEMORY USAGE") {
		t.Errorf("notes = %q", notes)
	}
	var ttl int64
	for _, b := range r.TTL {
		if b.Label == "< 1h" {
			ttl = b.Keys
		}
	}
	if ttl != 100 {
		t.Errorf("keys in < 1h = %d, want 100", ttl)
	}
	_ = model.ScanDone
}

// TestScanWorkerSkipsTTLWithoutExpires: in a database where INFO keyspace
// says no key expires, the worker sends no TTL at all; where some do, it
// sends one per key.
func TestScanWorkerSkipsTTLWithoutExpires(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	plantSmall(t, c, "plain", 500, 0)
	c2 := redis.NewClient(&redis.Options{Addr: s.Addr, DB: 2, Protocol: 2, DisableIdentity: true})
	defer func() { _ = c2.Close() }()
	plantSmall(t, c2, "exp", 300, time.Hour)

	ttlCalls := func() int64 {
		for _, l := range strings.Split(c.Info(ctx, "commandstats").Val(), "\n") {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "cmdstat_ttl:calls="); ok {
				n, _, _ := strings.Cut(rest, ",")
				v, _ := strconv.ParseInt(n, 10, 64)
				return v
			}
		}
		return 0
	}
	w := NewScanWorker(c, ScanOptions{Once: true, DBs: []int{0}})
	st := finalState(t, runScan(ctx, t, w))
	if n := ttlCalls(); n != 0 || st.Result.NoTTLKeys != 500 {
		t.Errorf("db without expires: %d TTL calls, %d keys without TTL", n, st.Result.NoTTLKeys)
	}
	w = NewScanWorker(c, ScanOptions{Once: true, DBs: []int{0, 2}})
	st = finalState(t, runScan(ctx, t, w))
	if n := ttlCalls(); n != 300 || st.Result.NoTTLKeys != 500+200 {
		t.Errorf("db with expires: %d TTL calls (want 300), %d keys without TTL", n, st.Result.NoTTLKeys)
	}
}

// TestScanWorkerStartsFromACursor resumes a pass where an earlier run said
// it stood (ScanProgress.DB and Cursor): here, from the start of db 1.
func TestScanWorkerStartsFromACursor(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	plantSmall(t, c, "zero", 100, 0)
	c1 := redis.NewClient(&redis.Options{Addr: s.Addr, DB: 1, Protocol: 2, DisableIdentity: true})
	defer func() { _ = c1.Close() }()
	plantSmall(t, c1, "one", 40, 0)
	w := NewScanWorker(c, ScanOptions{Once: true, DBs: []int{0, 1}, StartDB: 1, StartCursor: 0})
	st := finalState(t, runScan(ctx, t, w))
	if st.Result.Keys != 40 || st.Progress.DBSize != 140 {
		t.Errorf("resumed at db 1: %d keys of %d", st.Result.Keys, st.Progress.DBSize)
	}
	for _, k := range st.Result.TopBytes {
		if k.DB != 1 {
			t.Fatalf("a key of db %d in a pass resumed at db 1", k.DB)
		}
	}
}
