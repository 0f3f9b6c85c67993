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

func TestLatencyGovernor(t *testing.T) {
	g := newLatencyGovernor()
	for range 10 {
		g.observe(1000*time.Microsecond, 1000) // 1 µs a key: the baseline
	}
	if g.factor != 1 {
		t.Fatalf("factor at baseline = %v", g.factor)
	}
	// The server gets busy: 5× the latency halves the speed, again and
	// again, down to the floor and no further.
	for range 3 {
		g.observe(5000*time.Microsecond, 1000)
	}
	if g.factor > 0.25 {
		t.Errorf("factor under load = %v, want ≤ 0.25", g.factor)
	}
	for range 50 {
		g.observe(50*time.Millisecond, 1000)
	}
	if g.factor != minFactor {
		t.Errorf("factor floor = %v, want %v", g.factor, minFactor)
	}
	// Back to normal: it climbs back to full speed.
	for range 30 {
		g.observe(1000*time.Microsecond, 1000)
	}
	if g.factor != 1 {
		t.Errorf("factor after recovery = %v", g.factor)
	}
	// Zero keys or a zero round trip changes nothing.
	if f := g.observe(0, 10); f != 1 {
		t.Errorf("observe(0) = %v", f)
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
	for range 20 {
		u.Observe(time.Second, 1)
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
