package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// ClusterScenario is the name `demo` runs the cluster scenario under. It is
// not in Scenarios(): it needs a cluster, not one server, and runs with a
// ClusterRunner.
const ClusterScenario = "cluster"

// ClusterSummary is the cluster scenario's line in `demo --list`.
const ClusterSummary = "a 3 + 3 Redis Cluster: one shard runs hot, a reshard is left half-done, a master dies and fails over"

// clusterScenario is the cluster scenario's stages on cl; interval is the
// monitor's poll period (how long a stuck migration takes to show).
func clusterScenario(cl *Cluster, interval time.Duration) Scenario {
	stage := func(run func(ctx context.Context, e *Env, s *clusterRun) error) func(ctx context.Context, e *Env) error {
		return func(ctx context.Context, e *Env) error { return run(ctx, e, runOf(e, cl, interval)) }
	}
	return Scenario{
		Name:    ClusterScenario,
		Summary: ClusterSummary,
		Stages: []Stage{
			{
				Caption: "an even load: keys without a hash tag spread over all 16384 slots, so each master holds about a third of them — " +
					"the nodes table shows the three masters alike in used memory and keys, and the memory-balance check is ok",
				Run: stage(clusterEven),
			},
			{
				Caption: "one shard runs hot: every key of one tenant carries the hash tag " + clusterHotTag + ", so one slot — one master — takes them all; " +
					"watch that master's used memory pull away until it holds twice the smallest: the memory-balance check warns",
				Run: stage(clusterHot),
			},
			{
				Caption: "a reshard left half-done: someone started moving the hot slot to the emptiest master (CLUSTER SETSLOT … IMPORTING, … MIGRATING, then MIGRATE) " +
					"and the job died — the migration check flags the slot, and calls it stuck after " + strconv.Itoa(model.ThresholdClusterMigrationStuckViews) + " polls",
				Run: stage(clusterReshard),
			},
			{
				Caption: "a master dies (its process is killed): after cluster-node-timeout the other masters mark it failed and its replica is promoted; " +
					"the new master has no replica left — the replicas check warns",
				Run: stage(clusterKill),
			},
		},
	}
}

// clusterKept is the Env.kept name of the run's cluster state.
const clusterKept = "cluster"

// clusterHotTag is the hash tag of the hot tenant's keys: one slot.
const clusterHotTag = "{tenant:42}"

// clusterRun is one run's state: the workload's clients and what each stage
// leaves for the next. It is made fresh after a restart.
type clusterRun struct {
	cl       *Cluster
	interval time.Duration
	cc       *redis.ClusterClient        // the workload's writes, routed by slot
	nodes    map[string]*redis.Client    // per-node admin commands
	even     int                         // keys of the even load written
	hot      int                         // keys of the hot tenant written
	rewrite  int                         // where the holds' overwrites are
	cleanup  func(context.Context) error // what the stage leaves to undo; the runner calls it
}

func runOf(e *Env, cl *Cluster, interval time.Duration) *clusterRun {
	s, _ := kept(e, clusterKept, func() (*clusterRun, error) {
		return &clusterRun{
			cl: cl, interval: interval, nodes: map[string]*redis.Client{},
			cc: redis.NewClusterClient(&redis.ClusterOptions{
				Addrs: cl.Addrs(), Protocol: 2, DisableIdentity: true, DialTimeout: time.Second,
			}),
		}, nil
	})
	return s
}

// Close closes the run's clients (Env closes it with the run).
func (s *clusterRun) Close() error {
	_ = s.cc.Close()
	for _, c := range s.nodes {
		_ = c.Close()
	}
	return nil
}

// node is a plain client of one node.
func (s *clusterRun) node(addr string) *redis.Client {
	c := s.nodes[addr]
	if c == nil {
		c = NewClient(addr)
		s.nodes[addr] = c
	}
	return c
}

// topology reads CLUSTER NODES from the seed, or from another node that
// answers.
func (s *clusterRun) topology(ctx context.Context) ([]nodeLine, error) {
	var errs []error
	for _, addr := range s.cl.Addrs() {
		lines, err := clusterNodesOf(ctx, s.node(addr))
		if err == nil {
			return lines, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", addr, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, fmt.Errorf("demo: read the cluster's nodes: %w", errors.Join(errs...))
}

// own is a node's own CLUSTER NODES line: the only one that shows its
// migrating and importing slots.
func (s *clusterRun) own(ctx context.Context, addr string) (nodeLine, error) {
	lines, err := clusterNodesOf(ctx, s.node(addr))
	if err != nil {
		return nodeLine{}, fmt.Errorf("demo: %s: %w", addr, err)
	}
	for _, l := range lines {
		if l.myself() {
			return l, nil
		}
	}
	return nodeLine{}, fmt.Errorf("demo: %s: no myself line in CLUSTER NODES", addr)
}

// masterMem is a master's memory and keys, as its INFO says.
type masterMem struct {
	line nodeLine
	used int64
	keys int64
}

// masters reads INFO from every master that serves slots, in slot order.
func (s *clusterRun) masters(ctx context.Context) ([]masterMem, error) {
	lines, err := s.topology(ctx)
	if err != nil {
		return nil, err
	}
	var out []masterMem
	for _, l := range lines {
		if !l.master() || len(l.slots) == 0 || l.failing() {
			continue
		}
		text, err := infoText(ctx, s.node(l.addr), "memory", "keyspace")
		if err != nil {
			return nil, fmt.Errorf("demo: INFO on %s: %w", l.addr, err)
		}
		f := ParseInfoFields(text)
		out = append(out, masterMem{line: l, used: f.Int("used_memory"), keys: f.Sub("db0", "keys")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].line.slots[0][0] < out[j].line.slots[0][0] })
	return out, nil
}

// spread is the largest and smallest master by used_memory.
func spread(ms []masterMem) (hi, lo masterMem) {
	for i, m := range ms {
		if i == 0 || m.used > hi.used {
			hi = m
		}
		if i == 0 || m.used < lo.used {
			lo = m
		}
	}
	return hi, lo
}

func perMaster(ms []masterMem) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s %s (%s keys)", m.line.addr, mb(m.used), count(m.keys))
	}
	return strings.Join(parts, ", ")
}

// clusterEvenValue is the size of an even-load key's value.
const clusterEvenValue = 1000

func evenKey(i int) string { return fmt.Sprintf("item:%06d", i) }

// writeEven writes the even-load keys from..from+n-1 in one pipelined batch
// (the cluster client splits it by node).
func (s *clusterRun) writeEven(ctx context.Context, e *Env, from, n int) error {
	value := strings.Repeat("e", clusterEvenValue)
	return e.Batch(ctx, func(ctx context.Context) (int, error) {
		_, err := s.cc.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := from; i < from+n; i++ {
				p.Set(ctx, evenKey(i), value, 0)
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("demo: cluster writes: %w", err)
		}
		return n, nil
	})
}

// touchEven is the holds' light load: it overwrites the next 100 keys of
// the even load, so the graphs move while memory stays put.
func (s *clusterRun) touchEven(ctx context.Context, e *Env) error {
	if s.even == 0 {
		return nil
	}
	n := min(100, s.even)
	from := s.rewrite % s.even
	n = min(n, s.even-from)
	s.rewrite = from + n
	return s.writeEven(ctx, e, from, n)
}

// clusterPace is the holds' period between two batches.
const clusterPace = 200 * time.Millisecond

func clusterEven(ctx context.Context, e *Env, s *clusterRun) error {
	total := pick(e, 24_000, 3_000)
	batch := pick(e, 400, 1_000)
	err := e.until(ctx, pick(e, 3*time.Minute, time.Minute), pick(e, 150*time.Millisecond, 0), "the even load", func(ctx context.Context) (bool, error) {
		n := min(batch, total-s.even)
		if err := s.writeEven(ctx, e, s.even, n); err != nil {
			return false, err
		}
		s.even += n
		return s.even >= total, nil
	})
	if err != nil {
		return err
	}
	ms, err := s.masters(ctx)
	if err != nil {
		return err
	}
	if len(ms) != ClusterMasters {
		return fmt.Errorf("demo: %d masters serve slots, want %d", len(ms), ClusterMasters)
	}
	hi, lo := spread(ms)
	if lo.used == 0 || float64(hi.used)/float64(lo.used) >= model.ThresholdClusterUsedRatioWatch {
		return fmt.Errorf("demo: the even load is not even: %s", perMaster(ms))
	}
	e.Sayf("%s keys of 1 KB spread over the slots: %s", count(int64(total)), perMaster(ms))
	return e.Hold(ctx, clusterPace, func(ctx context.Context) error { return s.touchEven(ctx, e) })
}

// The hot stage's goal, a margin above what the memory-balance check warns
// at, so the warning holds while the numbers move a little.
const (
	clusterHotRatio = model.ThresholdClusterUsedRatioWarn * 1.1
	clusterHotBytes = model.ThresholdClusterImbalanceMinBytes + 2<<20
)

// clusterHotValue is the size of a hot key's value.
const clusterHotValue = 8 << 10

func hotKey(i int) string { return fmt.Sprintf("order:%s:%06d", clusterHotTag, i) }

// writeHot writes the hot tenant's keys from..from+n-1.
func (s *clusterRun) writeHot(ctx context.Context, e *Env, from, n int) error {
	value := strings.Repeat("h", clusterHotValue)
	return e.Batch(ctx, func(ctx context.Context) (int, error) {
		_, err := s.cc.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := from; i < from+n; i++ {
				p.Set(ctx, hotKey(i), value, 0)
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("demo: hot writes: %w", err)
		}
		return n, nil
	})
}

// hotSlot is the slot of the hot tenant's keys.
func (s *clusterRun) hotSlot(ctx context.Context) (int, error) {
	slot, err := s.node(s.cl.Seed().Addr).ClusterKeySlot(ctx, hotKey(0)).Result()
	if err != nil {
		return 0, fmt.Errorf("demo: CLUSTER KEYSLOT: %w", err)
	}
	return int(slot), nil
}

func clusterHot(ctx context.Context, e *Env, s *clusterRun) error {
	slot, err := s.hotSlot(ctx)
	if err != nil {
		return err
	}
	batch := pick(e, 40, 200)
	var hi, lo masterMem
	err = e.until(ctx, pick(e, 3*time.Minute, time.Minute), pick(e, clusterPace, 0), "one master to hold twice the smallest", func(ctx context.Context) (bool, error) {
		if err := s.writeHot(ctx, e, s.hot, batch); err != nil {
			return false, err
		}
		s.hot += batch
		ms, err := s.masters(ctx)
		if err != nil || len(ms) < 2 {
			return false, err
		}
		hi, lo = spread(ms)
		return hi.line.serves(slot) && lo.used > 0 &&
			float64(hi.used)/float64(lo.used) >= clusterHotRatio && hi.used-lo.used >= clusterHotBytes, nil
	})
	if err != nil {
		return err
	}
	e.Sayf("%s holds %.1f× the memory of %s (%s vs %s): %s keys of 8 KB in slot %d alone — the memory-balance check warns; the keys column says why (one slot, not big keys)",
		hi.line.addr, float64(hi.used)/float64(lo.used), lo.line.addr, mb(hi.used), mb(lo.used), count(int64(s.hot)), slot)
	return e.Hold(ctx, clusterPace, func(ctx context.Context) error { return s.touchEven(ctx, e) })
}

// stuckHold is how long the half-done reshard stays: the stages' hold, and
// at least the polls the migration check needs to call it stuck (with a
// margin for the monitor's topology refresh). None when stages do not hold.
func (s *clusterRun) stuckHold(e *Env) time.Duration {
	if e.r.hold <= 0 {
		return 0
	}
	return max(e.r.hold, time.Duration(model.ThresholdClusterMigrationStuckViews+5)*s.interval)
}

// holdFor is Env.Hold for a given time.
func holdFor(ctx context.Context, e *Env, d, every time.Duration, step func(ctx context.Context) error) error {
	e.held = true
	start := e.r.active()
	for e.r.active()-start < d {
		if err := step(ctx); err != nil {
			return err
		}
		if err := e.Sleep(ctx, every); err != nil {
			return err
		}
	}
	return nil
}

// migrate moves keys with one MIGRATE … KEYS from src to dst.
func migrate(ctx context.Context, src *redis.Client, dst nodeLine, keys []string) error {
	host, port, _ := strings.Cut(dst.addr, ":")
	args := make([]any, 0, 7+len(keys))
	args = append(args, "MIGRATE", host, port, "", 0, 5000, "KEYS")
	for _, k := range keys {
		args = append(args, k)
	}
	if err := src.Do(ctx, args...).Err(); err != nil {
		return fmt.Errorf("demo: MIGRATE to %s: %w", dst.addr, err)
	}
	return nil
}

func setSlot(ctx context.Context, c *redis.Client, slot int, args ...any) error {
	all := append([]any{"CLUSTER", "SETSLOT", slot}, args...)
	if err := c.Do(ctx, all...).Err(); err != nil {
		return fmt.Errorf("demo: CLUSTER SETSLOT %d %v: %w", slot, args, err)
	}
	return nil
}

func clusterReshard(ctx context.Context, e *Env, s *clusterRun) error {
	slot, err := s.hotSlot(ctx)
	if err != nil {
		return err
	}
	ms, err := s.masters(ctx)
	if err != nil {
		return err
	}
	var src, dst *masterMem
	for i := range ms {
		m := &ms[i]
		switch {
		case m.line.serves(slot):
			src = m
		case dst == nil || m.used < dst.used:
			dst = m
		}
	}
	if src == nil || dst == nil {
		return fmt.Errorf("demo: no master to move slot %d from or to: %s", slot, perMaster(ms))
	}
	from, to := src.line, dst.line
	srcC, dstC := s.node(from.addr), s.node(to.addr)
	// As redis-cli --cluster reshard does: IMPORTING on the target first,
	// then MIGRATING on the source.
	err = e.Batch(ctx, func(ctx context.Context) (int, error) {
		if err := setSlot(ctx, dstC, slot, "IMPORTING", from.id); err != nil {
			return 1, err
		}
		s.cleanup = func(ctx context.Context) error { return s.finishReshard(ctx, slot, from, to) }
		return 2, setSlot(ctx, srcC, slot, "MIGRATING", to.id)
	})
	if err != nil {
		return err
	}
	total, err := srcC.ClusterCountKeysInSlot(ctx, slot).Result()
	if err != nil {
		return fmt.Errorf("demo: CLUSTER COUNTKEYSINSLOT: %w", err)
	}
	goal := total / 3
	moved := int64(0)
	batch := pick[int64](e, 40, 200)
	err = e.until(ctx, pick(e, 2*time.Minute, time.Minute), pick(e, 300*time.Millisecond, 0), "a third of the slot's keys to move", func(ctx context.Context) (bool, error) {
		if moved >= goal {
			return true, nil
		}
		var got int
		err := e.Batch(ctx, func(ctx context.Context) (int, error) {
			keys, err := srcC.ClusterGetKeysInSlot(ctx, slot, int(min(batch, goal-moved))).Result()
			if err != nil || len(keys) == 0 {
				return 1, wrap("CLUSTER GETKEYSINSLOT", err)
			}
			got = len(keys)
			return 2, migrate(ctx, srcC, to, keys)
		})
		moved += int64(got)
		return moved >= goal || got == 0, err
	})
	if err != nil {
		return err
	}
	ownSrc, err := s.own(ctx, from.addr)
	if err != nil {
		return err
	}
	ownDst, err := s.own(ctx, to.addr)
	if err != nil {
		return err
	}
	if ownSrc.migrating[slot] != to.id || ownDst.importing[slot] != from.id {
		return fmt.Errorf("demo: slot %d is not half-moved: %s migrating %v, %s importing %v", slot, from.addr, ownSrc.migrating, to.addr, ownDst.importing)
	}
	e.Sayf("the reshard of slot %d died after %s of its %s keys: %s shows it MIGRATING to %s, which shows it IMPORTING — the slot's keys are split between them and clients get ASK redirects; "+
		"the migration check flags it, and after %d polls calls it stuck (redis-cli --cluster fix finishes it; this stage does at its end)",
		slot, count(moved), count(total), from.addr, to.addr, model.ThresholdClusterMigrationStuckViews)
	return holdFor(ctx, e, s.stuckHold(e), clusterPace, func(ctx context.Context) error { return s.touchEven(ctx, e) })
}

// finishReshard completes the move of slot from → to, as redis-cli
// --cluster fix would: the rest of its keys, then the slot's owner on
// every master.
func (s *clusterRun) finishReshard(ctx context.Context, slot int, from, to nodeLine) error {
	srcC := s.node(from.addr)
	for {
		keys, err := srcC.ClusterGetKeysInSlot(ctx, slot, 200).Result()
		if err != nil {
			return fmt.Errorf("demo: finish the reshard: CLUSTER GETKEYSINSLOT: %w", err)
		}
		if len(keys) == 0 {
			break
		}
		if err := migrate(ctx, srcC, to, keys); err != nil {
			return fmt.Errorf("demo: finish the reshard: %w", err)
		}
	}
	if err := setSlot(ctx, s.node(to.addr), slot, "NODE", to.id); err != nil {
		return err
	}
	if err := setSlot(ctx, srcC, slot, "NODE", to.id); err != nil {
		return err
	}
	lines, err := s.topology(ctx)
	if err != nil {
		return err
	}
	for _, l := range lines {
		if l.master() && !l.failing() && l.id != from.id && l.id != to.id {
			if err := setSlot(ctx, s.node(l.addr), slot, "NODE", to.id); err != nil {
				return err
			}
		}
	}
	return nil
}

func clusterKill(ctx context.Context, e *Env, s *clusterRun) error {
	// The reshard the last stage finished must be known to every node
	// first: a replica that still sees its master own the moved slot asks
	// for votes the masters refuse (the slot's epoch is newer), and the
	// failover never comes.
	if err := e.until(ctx, 20*time.Second, 100*time.Millisecond, "every node to agree on the slots", s.slotsAgreed); err != nil {
		return err
	}
	lines, err := s.topology(ctx)
	if err != nil {
		return err
	}
	var victim, heir *nodeLine
	for i := range lines {
		l := &lines[i]
		if !l.master() || len(l.slots) == 0 || l.failing() || l.addr == s.cl.Seed().Addr {
			continue
		}
		for j := range lines {
			if r := &lines[j]; r.masterID == l.id && !r.failing() {
				victim, heir = l, r
			}
		}
		if victim != nil {
			break
		}
	}
	if victim == nil {
		return errors.New("demo: no master with a healthy replica to kill (the seed is kept)")
	}
	srv := s.cl.Node(victim.addr)
	if srv == nil {
		return fmt.Errorf("demo: %s is not one of the demo's servers", victim.addr)
	}
	err = e.Batch(ctx, func(context.Context) (int, error) {
		srv.Kill()
		return 1, nil
	})
	if err != nil {
		return err
	}
	start := e.r.active()
	heirC, seedC := s.node(heir.addr), s.node(s.cl.Seed().Addr)
	err = e.until(ctx, time.Minute, 100*time.Millisecond, "the replica to be promoted", func(ctx context.Context) (bool, error) {
		repl, err := heirC.Info(ctx, "replication").Result()
		if err != nil {
			return false, fmt.Errorf("demo: INFO on %s: %w", heir.addr, err)
		}
		if ParseInfoFields(repl)["role"] != "master" {
			return false, nil
		}
		info, err := seedC.ClusterInfo(ctx).Result()
		if err != nil {
			return false, fmt.Errorf("demo: CLUSTER INFO: %w", err)
		}
		return ParseInfoFields(info)["cluster_state"] == "ok", nil
	})
	if err != nil {
		if h := s.cl.Node(heir.addr); h != nil && ctx.Err() == nil {
			info, _ := seedC.ClusterInfo(ctx).Result()
			err = fmt.Errorf("%w (%s says cluster_state:%s; the replica's log: %s)", err, s.cl.Seed().Addr, ParseInfoFields(info)["cluster_state"], h.LogTail())
		}
		return err
	}
	took := e.r.active() - start
	e.Sayf("%s was failed over in %.1f s: its replica %s now serves its slots and has no replica — the replicas check warns, and %s is listed unreachable; r restarts with a fresh cluster",
		victim.addr, took.Seconds(), heir.addr, victim.addr)
	// The cluster client finds the new master by itself; a write that hits
	// the dead node meanwhile is not the workload failing.
	return e.Hold(ctx, clusterPace, func(ctx context.Context) error {
		err := s.touchEven(ctx, e)
		if err != nil && ctx.Err() == nil {
			return nil
		}
		return err
	})
}

// slotsAgreed reports whether every node's CLUSTER NODES names the same
// owner for every slot range.
func (s *clusterRun) slotsAgreed(ctx context.Context) (bool, error) {
	var first string
	for i, addr := range s.cl.Addrs() {
		lines, err := clusterNodesOf(ctx, s.node(addr))
		if err != nil {
			return false, nil //nolint:nilerr // a node busy or restarting: ask again
		}
		var b strings.Builder
		for _, l := range lines {
			if l.master() && len(l.slots) > 0 {
				fmt.Fprintf(&b, "%s=%v;", l.id, l.slots)
			}
		}
		sig := b.String()
		sort := strings.Split(sig, ";")
		slices.Sort(sort)
		sig = strings.Join(sort, ";")
		if i == 0 {
			first = sig
		} else if sig != first {
			return false, nil
		}
	}
	return true, nil
}
