package redisx

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/internal/redistest/clustertest"
	"github.com/redis-memtop/redis-memtop/model"
)

// timedUpdate is a merged update and when it arrived.
type timedUpdate struct {
	at time.Time
	up *model.ScanUpdate
}

// clusterScanRun runs a ClusterScan in the background and collects what it
// sends; wait returns once Run has returned (failing after bound).
type clusterScanRun struct {
	cancel context.CancelFunc
	done   chan error
	mu     sync.Mutex
	ups    []timedUpdate
	state  model.ScanState
}

func startClusterScan(ctx context.Context, cs *ClusterScan) *clusterScanRun {
	ctx, cancel := context.WithCancel(ctx)
	r := &clusterScanRun{cancel: cancel, done: make(chan error, 1)}
	out := make(chan model.Update)
	go func() {
		r.done <- cs.Run(ctx, out)
		close(out)
	}()
	go func() {
		for u := range out {
			if u.Scan == nil {
				continue
			}
			r.mu.Lock()
			r.ups = append(r.ups, timedUpdate{time.Now(), u.Scan})
			r.state.Apply(u.Scan)
			r.mu.Unlock()
		}
	}()
	return r
}

func (r *clusterScanRun) snapshot() model.ScanState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

func (r *clusterScanRun) updates() []timedUpdate {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ups)
}

// wait waits for Run to return by itself within bound.
func (r *clusterScanRun) wait(t *testing.T, bound time.Duration) {
	t.Helper()
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(bound):
		r.cancel()
		t.Fatalf("Run did not return within %v", bound)
	}
	time.Sleep(20 * time.Millisecond) // let the reader take the last update
}

// stop cancels Run and checks it returns within bound.
func (r *clusterScanRun) stop(t *testing.T, bound time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	r.cancel()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(bound):
		t.Fatalf("Run did not return within %v of its cancel", bound)
	}
	return time.Since(start)
}

// waitState polls the collected state until cond holds.
func (r *clusterScanRun) waitState(t *testing.T, what string, cond func(model.ScanState) bool) model.ScanState {
	t.Helper()
	var st model.ScanState
	redistest.WaitFor(t, what, func() bool {
		st = r.snapshot()
		return cond(st)
	})
	return st
}

// plantedKey is a big key put on a chosen master.
type plantedKey struct {
	key    string
	master string // the address of the master serving its slot
}

// plantOnEachMaster writes one big key of another type on every master
// (the hash tag chosen by the slot's owner in the view): a 300 KB string,
// a 3,000-field hash and a 20,000-element list.
func plantOnEachMaster(t *testing.T, cc *redis.ClusterClient, v model.ClusterView) []plantedKey {
	t.Helper()
	ctx := testCtx(t)
	var out []plantedKey
	used := map[string]bool{}
	for i := 0; len(out) < len(v.Masters()) && i < 1000; i++ {
		tag := "{p" + strconv.Itoa(i) + "}"
		slot, err := cc.ClusterKeySlot(ctx, tag).Result()
		if err != nil {
			t.Fatal(err)
		}
		owner := ""
		for _, m := range v.Masters() {
			if servesSlot(m, int(slot)) {
				owner = m.Addr
			}
		}
		if owner == "" || used[owner] {
			continue
		}
		used[owner] = true
		var key string
		switch len(out) {
		case 0:
			key = tag + ":blob"
			if err := cc.Set(ctx, key, strings.Repeat("b", 300_000), 0).Err(); err != nil {
				t.Fatal(err)
			}
		case 1:
			key = tag + ":hash"
			vals := make([]any, 0, 6000)
			for j := range 3000 {
				vals = append(vals, "field-"+strconv.Itoa(j), "value-"+strconv.Itoa(j)+strings.Repeat("v", 40))
			}
			if err := cc.HSet(ctx, key, vals...).Err(); err != nil {
				t.Fatal(err)
			}
		default:
			key = tag + ":list"
			vals := make([]any, 20_000)
			for j := range vals {
				vals[j] = "item-" + strconv.Itoa(j)
			}
			if err := cc.RPush(ctx, key, vals...).Err(); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, plantedKey{key: key, master: owner})
	}
	if len(out) != len(v.Masters()) {
		t.Fatalf("planted on %d masters of %d", len(out), len(v.Masters()))
	}
	return out
}

// memoryUsage is MEMORY USAGE key SAMPLES 5 read directly on addr (READONLY
// first, so a replica answers too).
func memoryUsage(t *testing.T, addr, key string) int64 {
	t.Helper()
	ctx := testCtx(t)
	conn := redistest.Client(t, addr).Conn()
	defer func() { _ = conn.Close() }()
	if err := conn.ReadOnly(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	n, err := conn.MemoryUsage(ctx, key, 5).Result()
	if err != nil {
		t.Fatalf("MEMORY USAGE %s on %s: %v", key, addr, err)
	}
	return n
}

func dbsize(t *testing.T, addr string) int64 {
	t.Helper()
	n, err := redistest.Client(t, addr).DBSize(testCtx(t)).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// commandCalls reads calls of one command from a node's commandstats
// (before 7.0, of its container: "memory" for "memory|usage").
func commandCalls(t *testing.T, addr, name string) int64 {
	t.Helper()
	name = statName(redistest.Version(t, addr).AtLeast(7, 0, 0), name)
	text, err := redistest.Client(t, addr).Info(testCtx(t), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), "cmdstat_"+name+":calls="); ok {
			n, _ := strconv.ParseInt(strings.Split(rest, ",")[0], 10, 64)
			return n
		}
	}
	return 0
}

func topByKey(bk *model.BigKeys) map[string]model.KeyInfo {
	out := map[string]model.KeyInfo{}
	for _, k := range bk.TopBytes {
		out[k.Key] = k
	}
	return out
}

// TestClusterScan runs against one cluster of its own, in order: every
// master scanned and merged, the same keys through the replicas, pause and
// restart across the nodes, then a master that hangs (SIGSTOP) and is
// failed over: nothing waits on it, and its worker leaves the merge.
func TestClusterScan(t *testing.T) {
	tc := clustertest.Start(t, demo.ClusterOptions{})
	cc := clustertest.NewClient(tc)
	defer func() { _ = cc.Close() }()
	if err := clustertest.LoadUneven(testCtx(t), cc); err != nil {
		t.Fatal(err)
	}
	m := clusterMonitorT(t, tc.Nodes[0].Addr)
	v := pollT(t, m)
	planted := plantOnEachMaster(t, cc, v)
	ctx := testCtx(t)
	masters := make([]string, 0, len(v.Masters()))
	var keys int64
	for _, n := range v.Masters() {
		masters = append(masters, n.Addr)
		keys += dbsize(t, n.Addr)
	}
	if keys != 3300+int64(len(planted)) {
		t.Fatalf("DBSIZE sum %d", keys)
	}
	var masterTop map[string]model.KeyInfo

	t.Run("masters", func(t *testing.T) {
		cs := NewClusterScan(m, ClusterScanOptions{Scan: ScanOptions{Once: true, MaxFailures: 3, Count: 50}, MergeInterval: 100 * time.Millisecond})
		cs.SetView(v)
		if got := cs.Nodes(); !slices.Equal(got, masters) {
			t.Fatalf("nodes %v, want the masters %v", got, masters)
		}
		r := startClusterScan(ctx, cs)
		r.wait(t, scanWait)
		st := r.snapshot()
		p := st.Progress
		if p.Phase != model.ScanDone || p.Err != "" || p.Scanned != keys || p.DBSize != keys {
			t.Fatalf("progress %+v, want done over %d keys", p, keys)
		}
		bk := st.Result
		if bk == nil || bk.Keys != keys {
			t.Fatalf("merged keys %v, want the DBSIZE sum %d", bk, keys)
		}
		masterTop = topByKey(bk)
		for i, pk := range planted {
			k, ok := masterTop[pk.key]
			if !ok {
				t.Errorf("%s not in the merged top", pk.key)
				continue
			}
			if k.Node != pk.master {
				t.Errorf("%s: node %q, want %q (the master serving its slot)", pk.key, k.Node, pk.master)
			}
			if want := memoryUsage(t, pk.master, pk.key); k.Bytes != want {
				t.Errorf("%s: %d bytes, MEMORY USAGE SAMPLES 5 on %s says %d", pk.key, k.Bytes, pk.master, want)
			}
			if bk.TopBytes[i].Bytes < 100_000 {
				t.Errorf("top %d is %+v: the planted keys should lead", i, bk.TopBytes[i])
			}
		}
		// A node's own share: its master's worker, for the master and its
		// replica alike.
		for _, n := range v.Masters() {
			for _, a := range []string{n.Addr, v.Replicas(n.ID)[0].Addr} {
				own, ok := cs.StateOf(a)
				if !ok || own.Result == nil || own.Result.Keys != dbsize(t, n.Addr) {
					t.Errorf("StateOf(%s): %v %+v, want the %d keys of %s", a, ok, own.Result, dbsize(t, n.Addr), n.Addr)
				}
			}
		}
		if _, ok := cs.StateOf("127.0.0.1:1"); ok {
			t.Error("StateOf a node outside the cluster")
		}
		// Every {a} key lives on one master, the small keys everywhere.
		for _, k := range bk.TopBytes {
			if !slices.Contains(masters, k.Node) {
				t.Errorf("%s: node %q is not a master", k.Key, k.Node)
			}
		}
		// Merged updates are throttled: never two within the interval.
		ups := r.updates()
		for i := 1; i < len(ups); i++ {
			if gap := ups[i].at.Sub(ups[i-1].at); gap < 80*time.Millisecond {
				t.Errorf("updates %d and %d only %v apart", i-1, i, gap)
			}
		}
	})

	t.Run("replicas", func(t *testing.T) {
		replicas := make([]string, 0, len(v.Masters()))
		for _, n := range v.Masters() {
			reps := v.Replicas(n.ID)
			if len(reps) != 1 {
				t.Fatalf("master %s has %d replicas", n.Addr, len(reps))
			}
			replicas = append(replicas, reps[0].Addr)
			redistest.WaitFor(t, "replica "+reps[0].Addr+" in sync", func() bool { return dbsize(t, reps[0].Addr) == dbsize(t, n.Addr) })
		}
		before := map[string]int64{}
		for _, a := range append(slices.Clone(masters), replicas...) {
			before[a] = commandCalls(t, a, "memory|usage")
		}
		cs := NewClusterScan(m, ClusterScanOptions{Scan: ScanOptions{Once: true, MaxFailures: 3}, Replicas: true})
		cs.SetView(v)
		if got := cs.Nodes(); !slices.Equal(got, replicas) {
			t.Fatalf("nodes %v, want the replicas %v", got, replicas)
		}
		r := startClusterScan(ctx, cs)
		r.wait(t, scanWait)
		st := r.snapshot()
		if st.Progress.Phase != model.ScanDone || st.Result == nil || st.Result.Keys != keys {
			t.Fatalf("progress %+v, keys %v, want done over %d", st.Progress, st.Result, keys)
		}
		top := topByKey(st.Result)
		if len(top) != len(masterTop) {
			t.Errorf("%d top keys through the replicas, %d through the masters", len(top), len(masterTop))
		}
		for name, mk := range masterTop {
			k, ok := top[name]
			if !ok {
				t.Errorf("%s found on the masters, not on the replicas", name)
				continue
			}
			want := replicas[slices.Index(masters, mk.Node)]
			if k.Node != want {
				t.Errorf("%s: node %q, want the replica %q of %s", name, k.Node, want, mk.Node)
			}
		}
		for _, pk := range planted {
			k, ok := top[pk.key]
			if !ok {
				continue // reported above
			}
			if want := memoryUsage(t, k.Node, pk.key); k.Bytes != want {
				t.Errorf("%s: %d bytes, MEMORY USAGE SAMPLES 5 on the replica %s says %d", pk.key, k.Bytes, k.Node, want)
			}
		}
		// The replicas did the work (with READONLY), the masters none.
		for _, a := range replicas {
			// One a key, and one for each planted key read back above.
			if n, want := commandCalls(t, a, "memory|usage")-before[a], dbsize(t, a); n < want {
				t.Errorf("replica %s answered %d MEMORY USAGE for %d keys", a, n, want)
			}
			if commandCalls(t, a, "readonly") == 0 {
				t.Errorf("replica %s never got READONLY", a)
			}
		}
		for _, a := range masters {
			if n := commandCalls(t, a, "memory|usage") - before[a]; n != 0 {
				t.Errorf("master %s answered %d MEMORY USAGE during a replica scan", a, n)
			}
		}
	})

	t.Run("pause and restart", func(t *testing.T) {
		// 100 keys/s per node: a pass takes seconds, so it can be caught.
		cs := NewClusterScan(m, ClusterScanOptions{Scan: ScanOptions{Rate: 100}, MergeInterval: 50 * time.Millisecond})
		cs.SetView(v)
		r := startClusterScan(ctx, cs)
		r.waitState(t, "scanning on every node", func(st model.ScanState) bool {
			return st.Progress.Phase == model.ScanScanning && st.Progress.Scanned > 0 && st.Progress.DBSize == keys
		})
		if !cs.TogglePause() {
			t.Fatal("TogglePause said resumed")
		}
		paused := r.waitState(t, "paused", func(st model.ScanState) bool { return st.Progress.Phase == model.ScanPaused })
		time.Sleep(300 * time.Millisecond)
		if now := r.snapshot(); now.Progress.Scanned != paused.Progress.Scanned || now.Progress.Phase != model.ScanPaused {
			t.Errorf("still scanning while paused: %d → %d keys (%s)", paused.Progress.Scanned, now.Progress.Scanned, now.Progress.Phase)
		}
		cs.Restart()
		r.waitState(t, "a second pass", func(st model.ScanState) bool {
			return st.Progress.Phase == model.ScanScanning && st.Progress.Pass == 2
		})
		cs.SetRate(0)
		st := r.waitState(t, "the second pass done", func(st model.ScanState) bool { return st.Progress.Phase == model.ScanDone })
		if st.Progress.Scanned != keys || st.Result == nil || st.Result.Keys != keys {
			t.Errorf("second pass: %d scanned, result %v", st.Progress.Scanned, st.Result)
		}
		r.stop(t, 5*time.Second)
	})

	t.Run("hung master then failover", func(t *testing.T) {
		// The master holding {a}, the most keys.
		victim := tc.Node(planted[0].master)
		for _, n := range v.Masters() {
			if n.Sample != nil {
				if k, ok := n.Sample.TotalKeys().Get(); ok && k > 2000 {
					victim = tc.Node(n.Addr)
				}
			}
		}
		var heir string
		for _, n := range v.Masters() {
			if n.Addr == victim.Addr {
				heir = v.Replicas(n.ID)[0].Addr
			}
		}
		if err := victim.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		defer victim.Kill()

		// A node that accepts connections but never answers: a live scan
		// (10 s round-trip timeout, retrying for ever) stops at once when
		// asked, and a report scan (MaxFailures) ends on its own, with the
		// node named.
		live := NewClusterScan(m, ClusterScanOptions{})
		live.SetView(v)
		lr := startClusterScan(ctx, live)
		lr.waitState(t, "keys from the masters that answer", func(st model.ScanState) bool {
			return st.Result != nil && st.Result.Keys > 0
		})
		time.Sleep(500 * time.Millisecond)
		if d := lr.stop(t, 5*time.Second); d > 3*time.Second {
			t.Errorf("Run took %v to stop with a hung node", d)
		}

		once := NewClusterScan(m, ClusterScanOptions{Scan: ScanOptions{Once: true, MaxFailures: 2, Timeout: 500 * time.Millisecond}})
		once.SetView(v)
		or := startClusterScan(ctx, once)
		or.wait(t, scanWait)
		st := or.snapshot()
		if st.Progress.Phase != model.ScanFailed || !strings.Contains(st.Progress.Err, victim.Addr) {
			t.Errorf("with a hung master: phase %s err %q, want an error naming %s", st.Progress.Phase, st.Progress.Err, victim.Addr)
		}
		for _, k := range st.Result.TopBytes {
			if k.Node == victim.Addr {
				t.Errorf("%s measured on the hung node", k.Key)
			}
		}
		if want := keys - dbsize(t, heir); st.Result.Keys != want {
			t.Errorf("merged %d keys, want the other masters' %d", st.Result.Keys, want)
		}

		// Failover: the hung master is replaced by its replica; the scan
		// that follows the views moves its worker there.
		follow := NewClusterScan(m, ClusterScanOptions{Scan: ScanOptions{Repeat: time.Hour}})
		follow.SetView(v)
		fr := startClusterScan(ctx, follow)
		var last model.ClusterView
		redistest.WaitFor(t, "the replica "+heir+" promoted", func() bool {
			last = pollT(t, m)
			follow.SetView(last)
			for i := range last.Nodes {
				if n := &last.Nodes[i]; n.Addr == heir && n.IsMaster() && n.SlotCount() > 0 && n.Err == "" {
					return true
				}
			}
			return false
		})
		nodes := follow.Nodes()
		if slices.Contains(nodes, victim.Addr) || !slices.Contains(nodes, heir) || len(nodes) != 3 {
			t.Fatalf("nodes after failover %v: want %s instead of %s", nodes, heir, victim.Addr)
		}
		st = fr.waitState(t, "every node done after the failover", func(st model.ScanState) bool {
			return st.Progress.Phase == model.ScanDone && st.Result != nil && st.Result.Keys == keys
		})
		seen := false
		for _, k := range st.Result.TopBytes {
			if k.Node == victim.Addr {
				t.Errorf("%s still measured on the old master", k.Key)
			}
			seen = seen || k.Node == heir
		}
		if !seen || st.Progress.Err != "" {
			t.Errorf("no key measured on the new master %s (err %q)", heir, st.Progress.Err)
		}
		fr.stop(t, 5*time.Second)
	})
}
