package demo

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

func newTestClusterRunner(t *testing.T, opts ClusterRunnerOptions) *ClusterRunner {
	t.Helper()
	opts.Binary = os.Getenv("REDIS_SERVER")
	ctx, cancel := context.WithTimeout(t.Context(), 40*time.Second)
	defer cancel()
	cr, err := NewClusterRunner(ctx, opts)
	redistest.SkipWithoutServer(t, err)
	if err != nil {
		t.Fatalf("NewClusterRunner: %v", err)
	}
	t.Cleanup(cr.Close)
	return cr
}

// TestClusterScenarioReachesEachState runs the cluster scenario in Fast mode
// and checks, on the servers themselves after each stage, the state its
// caption promises: an even spread; one master at twice the smallest's
// used_memory, the one serving the hot slot; the hot slot MIGRATING on that
// master and IMPORTING on the emptiest, its keys split between them; then,
// the reshard finished by the clean-up, the killed master's replica serving
// its slots. Restart builds a fresh cluster on the same ports (the killed
// node answers again, the data is gone), and cancelling removes every node.
func TestClusterScenarioReachesEachState(t *testing.T) {
	log := newCaptionLog(t)
	cr := newTestClusterRunner(t, ClusterRunnerOptions{Updates: log.ch, Fast: true})
	cl := cr.Cluster()

	var mu sync.Mutex
	reached := map[int]int{} // stage → times its hook ran
	var slot int
	var from, to nodeLine     // the half-done reshard
	var before []nodeLine     // the topology before the kill
	var emptiest string       // the smallest master before the reshard
	var restarted []masterMem // stage 1 of the second run
	cr.afterStage = func(ctx context.Context, stage int, env *Env) {
		s := env.kept[clusterKept].(*clusterRun)
		mu.Lock()
		defer mu.Unlock()
		reached[stage]++
		second := reached[1] > 1
		ms, err := s.masters(ctx)
		if err != nil {
			t.Errorf("stage %d: %v", stage, err)
			return
		}
		hi, lo := spread(ms)
		ratio := float64(hi.used) / float64(lo.used)
		t.Logf("after stage %d: %s (ratio %.2f)", stage, perMaster(ms), ratio)
		switch stage {
		case 1:
			if len(ms) != 3 || ratio >= model.ThresholdClusterUsedRatioWatch {
				t.Errorf("stage 1: not an even spread over 3 masters: %s", perMaster(ms))
			}
			for _, m := range ms {
				if m.keys < 800 {
					t.Errorf("stage 1: %s holds %d keys, want about 1000", m.line.addr, m.keys)
				}
			}
			if second {
				restarted = ms
				for _, m := range ms {
					if !m.line.serves(slot) {
						continue
					}
					if n, err := s.node(m.line.addr).Exists(ctx, hotKey(0)).Result(); err != nil || n != 0 {
						t.Errorf("after Restart %s on %s: %d, %v; want a fresh cluster", hotKey(0), m.line.addr, n, err)
					}
				}
			}
		case 2:
			slot, err = s.hotSlot(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			if ratio < model.ThresholdClusterUsedRatioWarn || hi.used-lo.used < model.ThresholdClusterImbalanceMinBytes {
				t.Errorf("stage 2: largest / smallest used_memory %.2f (%s vs %s), want ≥ 2 and 8 MiB apart", ratio, mb(hi.used), mb(lo.used))
			}
			emptiest = lo.line.id
			if !hi.line.serves(slot) {
				t.Errorf("stage 2: the largest master %s does not serve the hot slot %d", hi.line.addr, slot)
			}
		case 3:
			for _, m := range ms {
				own, err := s.own(ctx, m.line.addr)
				if err != nil {
					t.Error(err)
					return
				}
				for sl, peer := range own.migrating {
					if sl == slot {
						from = own
						if to = lineByID(ms, peer); to.id == "" {
							t.Errorf("stage 3: %s migrates slot %d to an unknown node %s", own.addr, sl, peer)
						}
					}
				}
			}
			if from.id == "" || !from.serves(slot) {
				t.Errorf("stage 3: no master serving slot %d has it MIGRATING", slot)
				return
			}
			own, err := s.own(ctx, to.addr)
			if err != nil {
				t.Error(err)
				return
			}
			if own.importing[slot] != from.id {
				t.Errorf("stage 3: %s imports %v, want slot %d from %s", to.addr, own.importing, slot, from.id)
			}
			if to.id != emptiest {
				t.Errorf("stage 3: the target %s is not the emptiest master %s", to.addr, emptiest)
			}
			nFrom, _ := s.node(from.addr).ClusterCountKeysInSlot(ctx, slot).Result()
			nTo, _ := s.node(to.addr).ClusterCountKeysInSlot(ctx, slot).Result()
			if nFrom == 0 || nTo == 0 {
				t.Errorf("stage 3: slot %d keys: %d on the source, %d on the target; want them split", slot, nFrom, nTo)
			}
			before, err = s.topology(ctx)
			if err != nil {
				t.Error(err)
			}
		case 4:
			checkAfterKill(ctx, t, s, ms, before, slot, from, to)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- cr.Run(ctx) }()
	var runErr error
	stop := sync.OnceFunc(func() {
		cancel()
		select {
		case runErr = <-done:
		case <-time.After(30 * time.Second):
			t.Error("Run did not return after cancel")
		}
	})
	defer stop()

	waitCaption := func(from int, substr string) int {
		t.Helper()
		idx := -1
		deadline := time.Now().Add(90 * time.Second)
		for idx < 0 {
			texts := log.texts()
			for i := from; i < len(texts); i++ {
				if strings.Contains(texts[i], "the workload stopped") {
					t.Fatalf("%s\ncaptions:\n%s", texts[i], strings.Join(texts, "\n"))
				}
				if strings.Contains(texts[i], substr) {
					idx = i
					break
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("no caption with %q; captions:\n%s", substr, strings.Join(texts, "\n"))
			}
			time.Sleep(20 * time.Millisecond)
		}
		return idx
	}
	at := waitCaption(0, "Scenario cluster finished (4 stages)")
	for _, c := range log.texts() {
		t.Log(c)
	}
	for i, want := range []string{"Stage 1/4: ", "Stage 2/4: ", "Stage 3/4: ", "Stage 4/4: "} {
		if !log.has(want) {
			t.Errorf("no caption of stage %d (%q)", i+1, want)
		}
	}
	if !log.has("was failed over in") || !log.has("MIGRATING to") || !log.has("holds ") {
		t.Error("the captions do not give the stages' figures")
	}

	// Restart: a fresh cluster on the same ports, the killed node back.
	cr.Restart()
	at = waitCaption(at, "Restarting: a fresh cluster")
	waitCaption(at, "Stage 1/4: ")
	redistest.WaitFor(t, "stage 1 of the second run", func() bool { mu.Lock(); defer mu.Unlock(); return reached[1] == 2 })
	for _, s := range cl.Nodes {
		if err := redisproc.Ping(s.Addr); err != nil {
			t.Errorf("after Restart %s does not answer: %v", s.Addr, err)
		}
	}
	mu.Lock()
	ms := restarted
	mu.Unlock()
	if len(ms) != 3 {
		t.Errorf("after Restart %d masters serve slots", len(ms))
	}

	stop()
	if runErr != nil {
		t.Errorf("Run after cancel: %v", runErr)
	}
	for _, s := range cl.Nodes {
		if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
			t.Errorf("%s's directory is still there: %v", s.Addr, err)
		}
		if err := redisproc.Ping(s.Addr); err == nil {
			t.Errorf("%s still answers after the run", s.Addr)
		}
	}
}

func lineByID(ms []masterMem, id string) nodeLine {
	for _, m := range ms {
		if m.line.id == id {
			return m.line
		}
	}
	return nodeLine{}
}

// checkAfterKill: the reshard was finished (no slot in migration, the hot
// slot's keys all on the target, which owns it) and a former replica now
// serves its dead master's slots.
func checkAfterKill(ctx context.Context, t *testing.T, s *clusterRun, ms []masterMem, before []nodeLine, slot int, from, to nodeLine) {
	t.Helper()
	for _, m := range ms {
		own, err := s.own(ctx, m.line.addr)
		if err != nil {
			t.Error(err)
			continue
		}
		if len(own.migrating)+len(own.importing) > 0 {
			t.Errorf("stage 4: %s still migrates %v / imports %v after the clean-up", own.addr, own.migrating, own.importing)
		}
		if !own.serves(slot) {
			continue
		}
		// The target, or its replica when the target was the master killed.
		if own.id != to.id && masterOf(before, own.id) != to.id {
			t.Errorf("stage 4: slot %d is served by %s, want %s or its replica (the reshard finished)", slot, own.addr, to.addr)
		}
		// Some even-load keys may share the slot: at least the hot ones.
		if n, err := s.node(own.addr).ClusterCountKeysInSlot(ctx, slot).Result(); err != nil || n < int64(s.hot) {
			t.Errorf("stage 4: %s holds %d keys of slot %d (%v), want all %d hot ones", own.addr, n, slot, err, s.hot)
		}
	}
	if n, _ := s.node(from.addr).ClusterCountKeysInSlot(ctx, slot).Result(); n != 0 && redisproc.Ping(from.addr) == nil {
		t.Errorf("stage 4: %s still holds %d keys of slot %d", from.addr, n, slot)
	}
	after, err := s.topology(ctx)
	if err != nil {
		t.Error(err)
		return
	}
	promoted := 0
	for _, b := range before {
		if b.master() {
			continue
		}
		for _, a := range after {
			if a.id == b.id && a.master() && len(a.slots) > 0 {
				promoted++
				if err := redisproc.Ping(b.addr); err != nil {
					t.Errorf("stage 4: the promoted %s does not answer", b.addr)
				}
				if redisproc.Ping(addrOf(before, b.masterID)) == nil {
					t.Errorf("stage 4: %s was promoted but its old master %s still runs", b.addr, addrOf(before, b.masterID))
				}
				for _, r := range after {
					if r.masterID == a.id && !r.failing() {
						t.Errorf("stage 4: the promoted %s has a healthy replica %s", a.addr, r.addr)
					}
				}
			}
		}
	}
	if promoted != 1 {
		t.Errorf("stage 4: %d replicas promoted, want 1", promoted)
	}
}

func masterOf(lines []nodeLine, id string) string {
	for _, l := range lines {
		if l.id == id {
			return l.masterID
		}
	}
	return ""
}

func addrOf(lines []nodeLine, id string) string {
	for _, l := range lines {
		if l.id == id {
			return l.addr
		}
	}
	return ""
}
