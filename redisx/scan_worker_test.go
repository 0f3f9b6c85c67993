package redisx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// scanWait bounds how long a test waits for something that must happen: a
// deadlock guard, not a speed assertion.
const scanWait = 30 * time.Second

func scanCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func mustExec(t *testing.T, pipe redis.Pipeliner) {
	t.Helper()
	if _, err := pipe.Exec(context.Background()); err != nil {
		t.Fatalf("plant: %v", err)
	}
}

// plantSmall writes n small strings name:i (every third with a TTL of ttl)
// in chunks.
func plantSmall(t *testing.T, c *redis.Client, prefix string, n int, ttl time.Duration) {
	t.Helper()
	ctx := context.Background()
	pipe := c.Pipeline()
	for i := range n {
		var exp time.Duration
		if i%3 == 0 {
			exp = ttl
		}
		pipe.Set(ctx, prefix+":"+strconv.Itoa(i), "v"+strconv.Itoa(i), exp)
		if pipe.Len() >= 5000 {
			mustExec(t, pipe)
		}
	}
	mustExec(t, pipe)
}

// runScan runs a worker until it returns (Once) and collects its updates.
func runScan(ctx context.Context, t *testing.T, w *ScanWorker) []*model.ScanUpdate {
	t.Helper()
	out := make(chan model.Update, 64)
	var ups []*model.ScanUpdate
	done := make(chan struct{})
	go func() {
		defer close(done)
		for u := range out {
			if u.Scan != nil {
				ups = append(ups, u.Scan)
			}
		}
	}()
	if err := w.Run(ctx, out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	close(out)
	<-done
	return ups
}

func finalState(t *testing.T, ups []*model.ScanUpdate) model.ScanState {
	t.Helper()
	var st model.ScanState
	for _, u := range ups {
		st.Apply(u)
	}
	if st.Progress.Phase != model.ScanDone {
		t.Fatalf("last phase %q (err %q)", st.Progress.Phase, st.Progress.Err)
	}
	return st
}

func TestScanWorkerFindsBigKeys(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)

	// db 0: a 200,000-element list, a 50,000-field hash, a 1 MB string,
	// 100,000 small strings (a third with a TTL of 2 h), a small hash.
	pipe := c.Pipeline()
	vals := make([]any, 0, 1000)
	for i := 0; i < 200_000; i += 1000 {
		vals = vals[:0]
		for j := i; j < i+1000; j++ {
			vals = append(vals, j)
		}
		pipe.RPush(ctx, "big:list", vals...)
	}
	for i := 0; i < 50_000; i += 500 {
		vals = vals[:0]
		for j := i; j < i+500; j++ {
			vals = append(vals, "f"+strconv.Itoa(j), "value-"+strconv.Itoa(j))
		}
		pipe.HSet(ctx, "big:hash", vals...)
	}
	pipe.Set(ctx, "big:string", strings.Repeat("x", 1<<20), 0)
	pipe.HSet(ctx, "user:1:profile", "name", "ann", "age", "42")
	pipe.SAdd(ctx, "tags:1", "a", "b", "c")
	pipe.ZAdd(ctx, "scores:1", redis.Z{Score: 1, Member: "x"})
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: "events:1", Values: []any{"k", "v"}})
	mustExec(t, pipe)
	plantSmall(t, c, "small", 100_000, 2*time.Hour)

	// db 3: keys with and without a TTL of 2 days, a medium zset.
	c3 := redis.NewClient(&redis.Options{Addr: s.Addr, DB: 3, Protocol: 2, DisableIdentity: true})
	defer func() { _ = c3.Close() }()
	plantSmall(t, c3, "other", 3000, 48*time.Hour)
	zs := make([]redis.Z, 500)
	for i := range zs {
		zs[i] = redis.Z{Score: float64(i), Member: "m" + strconv.Itoa(i)}
	}
	if err := c3.ZAdd(ctx, "board:z", zs...).Err(); err != nil {
		t.Fatal(err)
	}

	w := NewScanWorker(c, ScanOptions{DBs: []int{0, 3}, Once: true, Interval: 100 * time.Millisecond})
	st := finalState(t, runScan(ctx, t, w))
	p := st.Progress
	const total = 100_007 + 3001
	if p.DBSize != total || p.Scanned < total || p.Skipped != 0 || p.Samples != 5 {
		t.Errorf("progress: dbsize %d scanned %d skipped %d samples %d, want %d keys", p.DBSize, p.Scanned, p.Skipped, p.Samples, total)
	}
	r := st.Result
	if r.Keys < total {
		t.Fatalf("aggregated %d keys, want %d", r.Keys, total)
	}

	// The top of the table is the three big keys, with exactly the bytes
	// MEMORY USAGE reports with the same SAMPLES.
	want := []string{"big:hash", "big:list", "big:string"}
	slices.SortFunc(want, func(a, b string) int {
		return int(c.MemoryUsage(ctx, b, 5).Val() - c.MemoryUsage(ctx, a, 5).Val())
	})
	for i, name := range want {
		if got := r.TopBytes[i].Key; got != name {
			t.Errorf("top[%d] = %q, want %q", i, got, name)
		}
	}
	for _, k := range r.TopBytes {
		cl := c
		if k.DB == 3 {
			cl = c3
		}
		if mu := cl.MemoryUsage(ctx, k.Key, 5).Val(); mu != k.Bytes {
			t.Errorf("%s (db %d): %d bytes, MEMORY USAGE SAMPLES 5 says %d", k.Key, k.DB, k.Bytes, mu)
		}
	}
	byName := map[string]model.KeyInfo{}
	for _, k := range append(slices.Clone(r.TopBytes), r.TopElements...) {
		byName[k.Key] = k
	}
	checks := []struct {
		key, typ, enc string
		elems         int64
	}{
		{"big:list", "list", "quicklist", 200_000},
		{"big:hash", "hash", "hashtable", 50_000},
		{"big:string", "string", "raw", -1},
	}
	for _, ch := range checks {
		k := byName[ch.key]
		if k.Type != ch.typ || k.Encoding != ch.enc || k.Elements != ch.elems || k.TTL != -1 || k.DB != 0 {
			t.Errorf("%s = %+v, want %s/%s with %d elements", ch.key, k, ch.typ, ch.enc, ch.elems)
		}
	}
	if k, ok := byName["board:z"]; !ok || k.DB != 3 || k.Type != "zset" || k.Elements != 500 {
		t.Errorf("board:z = %+v (found %v)", k, ok)
	}

	// Every kind of key got its type right.
	types := map[string]int64{}
	for _, ty := range r.Types {
		types[ty.Type] = ty.Keys
	}
	wantTypes := map[string]int64{"string": 1 + 100_000 + 3000, "list": 1, "hash": 2, "set": 1, "zset": 2, "stream": 1}
	for ty, n := range wantTypes {
		if types[ty] != n {
			t.Errorf("type %s: %d keys, want %d (all: %v)", ty, types[ty], n, types)
		}
	}

	// TTL buckets and prefixes add up to the totals.
	var tk, tb int64
	ttl := map[string]int64{}
	for _, b := range r.TTL {
		tk += b.Keys
		tb += b.Bytes
		ttl[b.Label] = b.Keys
	}
	if tk != r.Keys || tb != r.Bytes {
		t.Errorf("TTL buckets: %d keys %d bytes, totals %d %d", tk, tb, r.Keys, r.Bytes)
	}
	if ttl["1–4h"] != 33_334 || ttl["1–7d"] != 1000 {
		t.Errorf("TTL buckets = %v", ttl)
	}
	var pk, pb int64
	prefixes := map[string]model.PrefixStat{}
	for _, pr := range r.Prefixes {
		prefixes[pr.Prefix] = pr
		if pr.Depth == 1 {
			pk += pr.Keys
			pb += pr.Bytes
		}
	}
	if pk != r.Keys || pb != r.Bytes {
		t.Errorf("depth-1 prefixes: %d keys %d bytes, totals %d %d", pk, pb, r.Keys, r.Bytes)
	}
	if sm := prefixes["small:"]; sm.Keys != 100_000 || sm.NoTTLKeys != 66_666 {
		t.Errorf("prefix small: = %+v", sm)
	}
	if pr := prefixes["big:"]; pr.Keys != 3 || pr.NoTTLKeys != 3 {
		t.Errorf("prefix big: = %+v", pr)
	}
	rep := st.Report()
	if !rep.Complete || rep.Scanned != p.Scanned || len(rep.TopBytes) == 0 || rep.TopBytes[0].Key != want[0] {
		t.Errorf("report: complete %v scanned %d top %v", rep.Complete, rep.Scanned, rep.TopBytes[:1])
	}
}

func TestScanWorkerSkipsKeysThatVanish(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	plantSmall(t, c, "k", 10, time.Hour)
	c.RPush(ctx, "list", 1, 2, 3)
	c.HSet(ctx, "hash", "a", 1)

	// A batch as SCAN would return it, with names deleted since.
	conn, err := dialResp(ctx, c.Options(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	in := &inspector{conn: conn, caps: &inspectCaps{}, samples: "5", timeout: 5 * time.Second}
	names := []string{"k:0", "gone:1", "list", "gone:2", "hash", "k:1"}
	r := in.inspect(ctx, &batch{db: 0, keys: names})
	if r.err != nil {
		t.Fatal(r.err)
	}
	got := make([]string, 0, len(r.keys))
	for _, k := range r.keys {
		got = append(got, fmt.Sprintf("%s/%s/%d", k.Key, k.Type, k.Elements))
	}
	if strings.Join(got, " ") != "k:0/string/-1 list/list/3 hash/hash/1 k:1/string/-1" || r.skipped != 2 {
		t.Errorf("inspected %v, skipped %d", got, r.skipped)
	}

	// And a whole pass while another client deletes keys under it.
	plantSmall(t, c, "del", 60_000, 0)
	w := NewScanWorker(c, ScanOptions{Once: true, Count: 200, Inflight: 1, Interval: 50 * time.Millisecond})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		pipe := c.Pipeline()
		for i := 59_999; i >= 0; i -= 2 {
			pipe.Del(ctx, "del:"+strconv.Itoa(i))
			if pipe.Len() >= 200 {
				_, _ = pipe.Exec(ctx)
			}
		}
		_, _ = pipe.Exec(ctx)
	}()
	st := finalState(t, runScan(ctx, t, w))
	wg.Wait()
	// Every key that stayed is found (30,000 + the 12 planted first); deleted
	// ones may or may not be, and a table shrinking under SCAN may return a
	// few twice.
	if st.Progress.Err != "" || st.Result.Keys > 60_012+1000 || st.Result.Keys < 30_012 {
		t.Errorf("pass with deletes: err %q, %d keys", st.Progress.Err, st.Result.Keys)
	}
	if st.Result.Keys+st.Progress.Skipped != st.Progress.Scanned {
		t.Errorf("kept %d + skipped %d != scanned %d", st.Result.Keys, st.Progress.Skipped, st.Progress.Scanned)
	}
}

func TestScanWorkerPauseResumeAndRate(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	const n = 20_000
	plantSmall(t, c, "p", n, 0)

	const rate = 4000
	w := NewScanWorker(c, ScanOptions{Once: true, Rate: rate, Interval: 20 * time.Millisecond})
	out := make(chan model.Update, 256)
	runErr := make(chan error, 1)
	start := time.Now()
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
	// Let it scan a little, then pause.
	for st.Progress.Scanned == 0 {
		next()
	}
	// The client list shows the worker by name while it scans.
	// Under a budget: the SCAN connection and one inspector.
	if got := strings.Count(c.ClientList(ctx).Val(), "name=redis-memtop"); got != 2 {
		t.Errorf("%d connections named redis-memtop, want 2", got)
	}
	// The budget holds: by now it cannot have scanned much more than
	// rate × elapsed (+ one burst). A slow machine only makes it fewer.
	if limit := int64(rate*time.Since(start).Seconds()) + 3*int64(countFor(0, rate)); st.Progress.Scanned > limit {
		t.Errorf("scanned %d keys in %v with a budget of %d/s", st.Progress.Scanned, time.Since(start), rate)
	}
	w.SetPaused(true)
	for st.Progress.Phase != model.ScanPaused {
		next()
	}
	pausedAt := st.Progress.Scanned
	if pausedAt >= n {
		t.Fatalf("finished (%d) before the pause took effect; plant more keys", pausedAt)
	}
	// While paused nothing moves: give it the time of several updates.
	deadline := time.After(300 * time.Millisecond)
paused:
	for {
		select {
		case u := <-out:
			st.Apply(u.Scan)
			if st.Progress.Scanned != pausedAt {
				t.Errorf("scanned moved from %d to %d while paused", pausedAt, st.Progress.Scanned)
			}
		case <-deadline:
			break paused
		}
	}
	w.SetRate(0) // the rest at full speed
	w.SetPaused(false)
	for st.Progress.Phase != model.ScanDone {
		next()
	}
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	// Nothing counted twice across the pause, nothing missed.
	if st.Result.Keys != n || st.Progress.Scanned != n {
		t.Errorf("after pause/resume: %d keys aggregated, %d scanned, want %d", st.Result.Keys, st.Progress.Scanned, n)
	}
}

func TestScanWorkerRestartMeasuresGrowth(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx, cancel := context.WithCancel(scanCtx(t))
	defer cancel()
	plantSmall(t, c, "g", 500, 0)
	c.RPush(ctx, "grows", strings.Repeat("a", 100))

	w := NewScanWorker(c, ScanOptions{Interval: 20 * time.Millisecond})
	out := make(chan model.Update, 64)
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(ctx, out) }()
	var st model.ScanState
	wait := func(pass int) {
		t.Helper()
		timeout := time.After(scanWait)
		for st.Progress.Pass != pass || st.Progress.Phase != model.ScanDone {
			select {
			case u := <-out:
				st.Apply(u.Scan)
			case <-timeout:
				t.Fatalf("pass %d did not finish: %+v", pass, st.Progress)
			}
		}
	}
	wait(1)
	vals := make([]any, 2000)
	for i := range vals {
		vals[i] = strings.Repeat("b", 100)
	}
	c.RPush(ctx, "grows", vals...)
	w.Restart()
	wait(2)
	if st.Prev == nil {
		t.Fatal("the second pass did not carry the first as Prev")
	}
	g := st.Result.Growth
	if len(g) == 0 || g[0].Key != "grows" || g[0].Delta <= 0 || g[0].After != c.MemoryUsage(ctx, "grows", 5).Val() {
		t.Errorf("growth = %+v", g)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
}

func TestScanGuard(t *testing.T) {
	for _, sh := range scanShapes {
		if err := Check(false, sh); err != nil {
			t.Errorf("the guard refuses a scan command: %v", err)
		}
	}
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	c.Set(ctx, "keep", "1", 0)
	conn, err := dialResp(ctx, c.Options(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	conn.write2("ttl", "keep")
	conn.write2("del", "keep") // not a scan command: refused before anything is sent
	if err := conn.flush(); !errors.Is(err, ErrForbidden) {
		t.Fatalf("flush = %v, want ErrForbidden", err)
	}
	if c.Exists(ctx, "keep").Val() != 1 {
		t.Error("a refused command reached the server")
	}
	if !strings.Contains(conn.err.Error(), "DEL") {
		t.Errorf("refusal does not name the command: %v", conn.err)
	}
}

func TestScanAuthAndSamples(t *testing.T) {
	s := redistest.StartServer(t, "requirepass s3cret-pass")
	c := redis.NewClient(&redis.Options{Addr: s.Addr, Password: "s3cret-pass", Protocol: 2, DisableIdentity: true})
	defer func() { _ = c.Close() }()
	ctx := scanCtx(t)
	vals := make([]any, 0, 2000)
	for i := range 1000 {
		vals = append(vals, "f"+strconv.Itoa(i), strings.Repeat("v", i%50))
	}
	c.HSet(ctx, "h", vals...)
	for _, samples := range []int{0, 1, 20} { // 0 must mean the default (5), never "every element"
		w := NewScanWorker(c, ScanOptions{Once: true, Samples: samples})
		st := finalState(t, runScan(ctx, t, w))
		want := max(samples, DefaultScanSamples)
		if samples > 0 {
			want = samples
		}
		if st.Progress.Samples != want {
			t.Errorf("samples %d: worker used %d", samples, st.Progress.Samples)
		}
		k := st.Result.TopBytes[0]
		if mu := c.MemoryUsage(ctx, "h", want).Val(); k.Bytes != mu {
			t.Errorf("samples %d: %d bytes, MEMORY USAGE SAMPLES %d says %d", samples, k.Bytes, want, mu)
		}
	}
	// A wrong password is an error in the progress, never a hang: with
	// MaxFailures Run gives up. The password does not appear in the error.
	bad := redis.NewClient(&redis.Options{Addr: s.Addr, Password: "wrong-pass", Protocol: 2})
	defer func() { _ = bad.Close() }()
	w := NewScanWorker(bad, ScanOptions{Once: true, MaxFailures: 2})
	ups := runScan(ctx, t, w)
	last := ups[len(ups)-1].Progress
	if last.Phase != model.ScanFailed || last.Err == "" || strings.Contains(last.Err, "wrong-pass") {
		t.Errorf("auth failure: phase %q err %q", last.Phase, last.Err)
	}
	// Each failure but the last says when the worker tries again (the UI
	// shows that time); the last, after which it gives up, says none.
	var failed []model.ScanProgress
	for _, u := range ups {
		if u.Progress.Phase == model.ScanFailed {
			failed = append(failed, u.Progress)
		}
	}
	if len(failed) != 2 || failed[0].RetryAt.IsZero() || !failed[1].RetryAt.IsZero() {
		t.Errorf("retry times of the failures: %+v", failed)
	}
}

// TestScanWorkerClusterNode scans a cluster-mode node, which refuses SELECT
// (even of 0): the worker must not send one.
func TestScanWorkerClusterNode(t *testing.T) {
	s := redistest.StartServer(t, "cluster-enabled yes", "cluster-config-file nodes.conf")
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	// ADDSLOTSRANGE is 7.0+; before, every slot is named (go-redis's
	// range helper expands it into ADDSLOTS).
	add := c.Do(ctx, "cluster", "addslotsrange", 0, 16383).Err()
	if add != nil && !redistest.Version(t, s.Addr).AtLeast(7, 0, 0) {
		add = c.ClusterAddSlotsRange(ctx, 0, 16383).Err()
	}
	if add != nil {
		t.Fatal(add)
	}
	deadline := time.Now().Add(scanWait)
	for !strings.Contains(c.ClusterInfo(ctx).Val(), "cluster_state:ok") {
		if time.Now().After(deadline) {
			t.Fatal("cluster state never ok")
		}
		time.Sleep(50 * time.Millisecond)
	}
	plantSmall(t, c, "{slot}", 200, 0)
	w := NewScanWorker(c, ScanOptions{Once: true, DBs: ScanDBs(nil), MaxFailures: 1})
	st := finalState(t, runScan(ctx, t, w))
	if st.Result.Keys != 200 {
		t.Errorf("cluster node: %d keys", st.Result.Keys)
	}
}

func TestScanDBs(t *testing.T) {
	ks := []model.DBKeys{{DB: 3, Keys: model.Some(10)}, {DB: 0, Keys: model.Some(5)}, {DB: 1, Keys: model.Some(0)}, {DB: 2}}
	if got := ScanDBs(ks); !slices.Equal(got, []int{0, 3}) {
		t.Errorf("ScanDBs = %v", got)
	}
	if ScanDBs(nil) != nil {
		t.Error("no keyspace: nil")
	}
}

// CLIENT NO-TOUCH (7.2+): the scan's connection carries the flag (T in
// CLIENT LIST) and a full pass leaves the keys' idle time growing, so an
// LRU eviction policy still sees them as cold. Older servers take the path
// without it: no flag, and nothing refused on the way.
func TestScanWorkerNoTouch(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx := scanCtx(t)
	ver := redistest.Version(t, s.Addr)
	const n = 1000
	plantSmall(t, c, "nt", n, 0)
	// OBJECT IDLETIME counts whole seconds of the LRU clock.
	time.Sleep(2100 * time.Millisecond)

	// A budget makes the pass last long enough to see its connection.
	w := NewScanWorker(c, ScanOptions{Once: true, Rate: 1000, Interval: 20 * time.Millisecond})
	out := make(chan model.Update, 256)
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(ctx, out) }()
	go func() {
		for range out {
			// drain: the test reads the server, not the updates
		}
	}()
	flags := ""
	redistest.WaitFor(t, "the scan's connection in CLIENT LIST", func() bool {
		for _, line := range strings.Split(c.ClientList(ctx).Val(), "\n") {
			f := map[string]string{}
			for _, kv := range strings.Fields(line) {
				k, v, _ := strings.Cut(kv, "=")
				f[k] = v
			}
			if f["name"] == scanClientName && f["cmd"] != "client|setname" && f["cmd"] != "client|no-touch" {
				flags = f["flags"]
				return true
			}
		}
		return false
	})
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
	close(out)
	idle := func(k string) int64 {
		v, err := c.ObjectIdleTime(ctx, k).Result()
		if err != nil {
			t.Fatalf("OBJECT IDLETIME %s: %v", k, err)
		}
		return int64(v.Seconds())
	}
	if ver.AtLeast(7, 2, 0) {
		if !strings.Contains(flags, "T") {
			t.Errorf("%s: the scan's connection has flags %q, want T (CLIENT NO-TOUCH)", ver, flags)
		}
		for _, k := range []string{"nt:0", "nt:500", "nt:999"} {
			if got := idle(k); got < 2 {
				t.Errorf("%s: OBJECT IDLETIME %s = %d after a full pass, want ≥ 2: the scan touched it", ver, k, got)
			}
		}
		return
	}
	if strings.Contains(flags, "T") {
		t.Errorf("%s: the scan's connection has flags %q: no NO-TOUCH before 7.2", ver, flags)
	}
	t.Logf("%s: no CLIENT NO-TOUCH; idle time of nt:0 after the pass: %ds", ver, idle("nt:0"))
}

// A pass over a server that was still filling (the demo's first seconds, a
// restart loading its snapshot) does not stand for the keyspace until the
// repeat timer: once DBSIZE has doubled, and by 1,000 keys, a new pass
// starts on its own.
func TestScanWorkerRescansAKeyspaceThatOutgrewThePass(t *testing.T) {
	s := redistest.StartServer(t)
	c := redistest.Client(t, s.Addr)
	ctx, cancel := context.WithCancel(scanCtx(t))
	defer cancel()
	plantSmall(t, c, "early", 20, 0)

	w := NewScanWorker(c, ScanOptions{Interval: 20 * time.Millisecond, Repeat: time.Hour})
	out := make(chan model.Update, 64)
	runErr := make(chan error, 1)
	go func() { runErr <- w.Run(ctx, out) }()
	var st model.ScanState
	wait := func(pass int) {
		t.Helper()
		timeout := time.After(scanWait + 2*keyspaceCheck)
		for st.Progress.Pass != pass || st.Progress.Phase != model.ScanDone {
			select {
			case u := <-out:
				st.Apply(u.Scan)
			case <-timeout:
				t.Fatalf("pass %d did not finish: %+v", pass, st.Progress)
			}
		}
	}
	wait(1)
	if st.Progress.Scanned != 20 {
		t.Fatalf("first pass: %d keys, want 20", st.Progress.Scanned)
	}
	plantSmall(t, c, "late", 3000, 0)
	wait(2) // no Restart, and the repeat timer is an hour away
	if st.Progress.Scanned != 3020 {
		t.Errorf("second pass: %d keys, want 3020", st.Progress.Scanned)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Fatal(err)
	}
}

func TestKeyspaceOutgrew(t *testing.T) {
	for _, tc := range []struct {
		passed, now int64
		want        bool
	}{
		{19, 57_400, true},
		{0, 1000, true},
		{0, 999, false},
		{1000, 1999, false},
		{1000, 2000, true},
		{100_000, 150_000, false},
		{57_400, 57_400, false},
	} {
		if got := keyspaceOutgrew(tc.passed, tc.now); got != tc.want {
			t.Errorf("keyspaceOutgrew(%d, %d) = %v", tc.passed, tc.now, got)
		}
	}
}
