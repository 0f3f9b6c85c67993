package demo

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestScenariosListAndLookup(t *testing.T) {
	all := Scenarios()
	want := []string{"tour", "growth", "fragmentation", "bgsave", "bigkey", "ttl-leak", "client-buffers", "mixed"}
	if len(all) != len(want) {
		t.Fatalf("got %d scenarios, want %d", len(all), len(want))
	}
	for i, sc := range all {
		if sc.Name != want[i] {
			t.Errorf("scenario %d is %q, want %q", i, sc.Name, want[i])
		}
		if sc.Summary == "" || len(sc.Stages) == 0 {
			t.Errorf("%s: empty summary or no stages", sc.Name)
		}
		for j, st := range sc.Stages {
			if st.Caption == "" || st.Run == nil {
				t.Errorf("%s stage %d: no caption or no Run", sc.Name, j+1)
			}
		}
	}
	if sc, ok := Lookup(""); !ok || sc.Name != DefaultScenario {
		t.Errorf(`Lookup("") = %q, %v; want the default`, sc.Name, ok)
	}
	if sc, ok := Lookup("TTL-Leak"); !ok || sc.Name != "ttl-leak" {
		t.Errorf("Lookup is not case-insensitive: %q, %v", sc.Name, ok)
	}
	if _, ok := Lookup("nope"); ok {
		t.Error(`Lookup("nope") found something`)
	}
	tour, _ := Lookup("tour")
	growth, _ := Lookup("growth")
	bgsave, _ := Lookup("bgsave")
	frag, _ := Lookup("fragmentation")
	if n := len(growth.Stages) + len(bgsave.Stages) + len(frag.Stages); len(tour.Stages) != n {
		t.Errorf("tour has %d stages, want %d (growth, bgsave, fragmentation)", len(tour.Stages), n)
	}
	if len(tour.Config) != 0 {
		t.Errorf("tour config %q: the parts set their own", tour.Config)
	}
}

func TestParseInfoFields(t *testing.T) {
	f := ParseInfoFields("# Memory\r\nused_memory:1024\r\nmem_fragmentation_ratio:1.58\r\n\r\n# Errorstats\r\nerrorstat_OOM:count=12\r\n# Keyspace\r\ndb0:keys=100,expires=0,avg_ttl=0\r\n")
	if f.Int("used_memory") != 1024 || f.Float("mem_fragmentation_ratio") != 1.58 {
		t.Errorf("numbers: %v", f)
	}
	if f.Sub("errorstat_OOM", "count") != 12 || f.Sub("db0", "keys") != 100 || f.Sub("db0", "expires") != 0 {
		t.Errorf("sub-fields: %v", f)
	}
	if f.Int("absent") != 0 || f.Sub("db0", "absent") != 0 || f.Sub("absent", "keys") != 0 {
		t.Error("absent fields are not 0")
	}
}

func TestGrowthEvicts(t *testing.T) {
	run := runScenario(t, "growth", nil)
	for stage := 1; stage <= 2; stage++ {
		f := run.after[stage]
		if used, limit := f.Int("used_memory"), f.Int("maxmemory"); limit == 0 || used < limit*9/10 {
			t.Errorf("after stage %d: used_memory %d not near maxmemory %d", stage, used, limit)
		}
	}
	if f := run.after[2]; f.Int("evicted_keys") == 0 || f["maxmemory_policy"] != "allkeys-lru" {
		t.Errorf("after stage 2: evicted_keys %d, policy %q", f.Int("evicted_keys"), f["maxmemory_policy"])
	}
	if run.after[2].Int("evicted_keys") <= run.after[1].Int("evicted_keys") {
		t.Error("no evictions during stage 2")
	}
}

func TestFragmentationRisesThenFalls(t *testing.T) {
	run := runScenario(t, "fragmentation", nil)
	loaded, deleted, cured := run.after[1], run.after[2], run.after[3]
	ratio := func(f InfoFields) (float64, float64) {
		return f.Float("mem_fragmentation_ratio"), f.Float("allocator_frag_ratio")
	}
	r1, a1 := ratio(loaded)
	r2, a2 := ratio(deleted)
	r3, a3 := ratio(cured)
	t.Logf("fragmentation ratio %.2f → %.2f → %.2f; allocator %.2f → %.2f → %.2f", r1, r2, r3, a1, a2, a3)
	if deleted.Int("used_memory") >= loaded.Int("used_memory") {
		t.Errorf("used_memory did not fall after the deletes: %d → %d", loaded.Int("used_memory"), deleted.Int("used_memory"))
	}
	// The caption promises a climb the fragmentation check warns about, on
	// every allocator: the drive goes on until it does.
	if r2 < model.ThresholdFragWarn {
		t.Errorf("fragmentation ratio %.2f after the deletes, want the warn band (≥ %.1f)", r2, model.ThresholdFragWarn)
	}
	if r2 <= r1 && a2 <= a1 {
		t.Errorf("fragmentation did not rise after the deletes: ratio %.2f → %.2f, allocator %.2f → %.2f", r1, r2, a1, a2)
	}
	if r3 >= r2 && a3 >= a2 {
		t.Errorf("fragmentation did not fall in stage 3: ratio %.2f → %.2f, allocator %.2f → %.2f", r2, r3, a2, a3)
	}
	if deleted.Sub("db0", "expires") != 0 {
		t.Errorf("keys with a TTL left after stage 2: %s", deleted["db0"])
	}
	// The build decides the cure: active defrag, or (Debian's system
	// jemalloc) a restart from a snapshot, which the caption must say.
	if run.captions.has("cannot defragment in place") {
		if cured["run_id"] == deleted["run_id"] {
			t.Error("activedefrag unsupported, but the server was not restarted")
		}
		if cured.Sub("db0", "keys") != deleted.Sub("db0", "keys") {
			t.Errorf("the restart lost keys: %s → %s", deleted["db0"], cured["db0"])
		}
	} else if cured.Int("active_defrag_hits") == 0 {
		t.Error("activedefrag accepted but it moved nothing (active_defrag_hits 0)")
	}
}

// infoWatch polls INFO in the background, as the monitor does, and keeps
// the largest value seen of some fields.
type infoWatch struct {
	mu   sync.Mutex
	max  map[string]int64
	stop func()
}

func watchInfo(t *testing.T, addr string, fields ...string) *infoWatch {
	t.Helper()
	w := &infoWatch{max: map[string]int64{}}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c := NewClient(addr)
		defer func() { _ = c.Close() }()
		for ctx.Err() == nil {
			if s, err := infoText(ctx, c, "persistence", "memory"); err == nil {
				f := ParseInfoFields(s)
				w.mu.Lock()
				for _, name := range fields {
					w.max[name] = max(w.max[name], f.Int(name))
				}
				w.mu.Unlock()
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	w.stop = func() { cancel(); wg.Wait() }
	t.Cleanup(w.stop)
	return w
}

func (w *infoWatch) peak(name string) int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.max[name]
}

func TestBgsaveForksAndCopies(t *testing.T) {
	var w *infoWatch
	run := runScenario(t, "bgsave", func(stage int, addr string) {
		if stage == 2 { // the fork is the next stage
			w = watchInfo(t, addr, "rdb_bgsave_in_progress", "current_cow_size")
		}
	})
	w.stop()
	f := run.after[4]
	if w.peak("rdb_bgsave_in_progress") != 1 {
		t.Error("rdb_bgsave_in_progress was never seen at 1")
	}
	if f.Int("rdb_last_cow_size") == 0 && w.peak("current_cow_size") == 0 {
		t.Error("no copy-on-write: rdb_last_cow_size and current_cow_size stayed 0")
	}
	if f["rdb_last_bgsave_status"] != "ok" || f.Int("latest_fork_usec") == 0 {
		t.Errorf("bgsave status %q, latest_fork_usec %d", f["rdb_last_bgsave_status"], f.Int("latest_fork_usec"))
	}
	if f.Sub("db0", "keys") < 20_000 {
		t.Errorf("dataset %s, want 20k keys", f["db0"])
	}
	t.Logf("fork %d µs, copy-on-write peak live %d, last %d", f.Int("latest_fork_usec"), w.peak("current_cow_size"), f.Int("rdb_last_cow_size"))
}

func TestBigkeyFeedGrows(t *testing.T) {
	lengths := map[int]int64{}
	runScenario(t, "bigkey", func(stage int, addr string) {
		c := NewClient(addr)
		defer func() { _ = c.Close() }()
		n, err := c.LLen(t.Context(), bigkeyFeed).Result()
		if err != nil {
			t.Fatalf("LLEN: %v", err)
		}
		lengths[stage] = n
	})
	if lengths[1] != 1000 {
		t.Errorf("after the capped stage the feed has %d entries, want 1000", lengths[1])
	}
	if lengths[2] <= lengths[1] || lengths[3] <= lengths[2] {
		t.Errorf("the feed did not grow across stages: %v", lengths)
	}
}

func TestTTLLeakFailsWithOOM(t *testing.T) {
	run := runScenario(t, "ttl-leak", nil)
	if run.after[1].Int("evicted_keys") == 0 {
		t.Error("stage 1: volatile-lru evicted nothing")
	}
	for stage := 2; stage <= 3; stage++ {
		if f := run.after[stage]; f.Sub("db0", "keys") == 0 || f.Sub("db0", "expires") != 0 {
			t.Errorf("after stage %d: keyspace %q, want keys and expires=0", stage, f["db0"])
		}
	}
	f := run.after[3]
	if f.Sub("errorstat_OOM", "count") == 0 || f["maxmemory_policy"] != "volatile-lru" {
		t.Errorf("errorstat_OOM %q, policy %q", f["errorstat_OOM"], f["maxmemory_policy"])
	}
	if !run.captions.has("rejected with OOM") {
		t.Error("no caption counts the OOM errors")
	}
}

func TestClientBuffersDisconnect(t *testing.T) {
	var subs []int64
	run := runScenario(t, "client-buffers", func(_ int, addr string) {
		c := NewClient(addr)
		defer func() { _ = c.Close() }()
		n, err := c.PubSubNumSub(t.Context(), cbChannel).Result()
		if err != nil {
			t.Fatalf("PUBSUB NUMSUB: %v", err)
		}
		subs = append(subs, n[cbChannel])
	})
	if want := []int64{1, 1, 0}; len(subs) != 3 || subs[0] != want[0] || subs[1] != want[1] || subs[2] != want[2] {
		t.Errorf("subscribers after each stage %v, want %v", subs, want)
	}
	if n := run.after[2].Int("mem_clients_normal"); n < 4<<20 {
		t.Errorf("after the flood mem_clients_normal is %d, want several MB", n)
	}
	f := run.after[3]
	if n := f.Int("mem_clients_normal"); n >= 1<<20 {
		t.Errorf("after the disconnect mem_clients_normal is still %d", n)
	}
	if _, ok := f["client_output_buffer_limit_disconnections"]; ok && f.Int("client_output_buffer_limit_disconnections") == 0 {
		t.Error("client_output_buffer_limit_disconnections stayed 0")
	}
}

func TestTourRunsItsParts(t *testing.T) {
	run := runScenario(t, "tour", nil)
	for _, part := range []string{"growth — ", "bgsave — ", "fragmentation — "} {
		if !run.captions.has(part) {
			t.Errorf("no caption of the %q part", part)
		}
	}
	if run.after[2].Int("evicted_keys") == 0 {
		t.Error("growth part: no evictions")
	}
	if f := run.after[6]; f.Int("rdb_last_cow_size") == 0 || f["rdb_last_bgsave_status"] != "ok" {
		t.Errorf("bgsave part: rdb_last_cow_size %d, status %q", f.Int("rdb_last_cow_size"), f["rdb_last_bgsave_status"])
	}
	a7, a8, a9 := run.after[7].Float("allocator_frag_ratio"), run.after[8].Float("allocator_frag_ratio"), run.after[9].Float("allocator_frag_ratio")
	if a8 <= a7 || a9 >= a8 {
		t.Errorf("fragmentation part: allocator fragmentation %.2f → %.2f → %.2f, want up then down", a7, a8, a9)
	}
	if k8, k9 := run.after[8].Sub("db0", "keys"), run.after[9].Sub("db0", "keys"); k9 != k8 {
		t.Errorf("fragmentation part: %d keys before the cure, %d after", k8, k9)
	}
	if got := run.captions.texts(); !strings.Contains(got[len(got)-1], "finished") {
		t.Errorf("last caption %q, want the scenario finished", got[len(got)-1])
	}
}

// The drive's rounds each take a distinct eighth of the large values and
// no small one.
func TestFragDropRoundsTakeAnEighthEach(t *testing.T) {
	const n = 10 * 8 * 100
	large := 0
	for i := range n {
		if !fragSmall(i) {
			large++
		}
	}
	gone := map[int]bool{}
	for round := range fragMaxRounds {
		dropped := 0
		for i := range n {
			if !fragDropInRound(i, round) {
				continue
			}
			if fragSmall(i) || gone[i] {
				t.Fatalf("round %d drops key %d (small %v, already gone %v)", round, i, fragSmall(i), gone[i])
			}
			gone[i] = true
			dropped++
		}
		if dropped != large/8 {
			t.Errorf("round %d dropped %d of %d large values, want an eighth", round, dropped, large)
		}
	}
}
