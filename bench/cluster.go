//go:build linux

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/model"
)

// errClusterCount is the cluster row's correctness check failing: our
// cluster-wide pass did not count the keys the masters hold.
var errClusterCount = errors.New("cluster-wide big keys: wrong key count")

// clusterNode is one node of the throwaway cluster and a plain client for
// the bench's own INFO and DBSIZE.
type clusterNode struct {
	srv *redisproc.Server
	rdb *redis.Client
}

// testCluster is a throwaway 3-master cluster (with one replica each when
// asked).
type testCluster struct {
	all      []*clusterNode
	masters  []*clusterNode
	replicas []*clusterNode
}

func (tc *testCluster) stop() {
	for _, n := range tc.all {
		if n.rdb != nil {
			_ = n.rdb.Close()
		}
		n.srv.Stop()
	}
}

// startCluster builds the throwaway cluster with demo.StartCluster (the
// builder the demo and the tests use: plain CLUSTER commands, no
// redis-cli; it returns once every node sees the cluster ok and every
// replica's link is up) and opens a plain client on each node.
func startCluster(ctx context.Context, replicas bool) (*testCluster, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cl, err := demo.StartCluster(ctx, demo.ClusterOptions{NodeTimeout: 5 * time.Second, NoReplicas: !replicas})
	if err != nil {
		return nil, fmt.Errorf("start the cluster: %w", err)
	}
	tc := &testCluster{}
	for i, s := range cl.Nodes {
		nd := &clusterNode{srv: s, rdb: demo.NewClient(s.Addr)}
		tc.all = append(tc.all, nd)
		if i < demo.ClusterMasters {
			tc.masters = append(tc.masters, nd)
		} else {
			tc.replicas = append(tc.replicas, nd)
		}
	}
	return tc, nil
}

// loadCluster writes n keys of the bench's mixed dataset (dataset.go's
// queueKey, same seed, so key i is the same key as in the single-server
// dataset, and its six planted big keys) through a cluster-aware client,
// pipelined: go-redis splits each pipeline by slot owner and sends the
// three parts at once. The keys spread over all 16,384 slots.
func loadCluster(ctx context.Context, tc *testCluster, n int) error {
	addrs := make([]string, 0, len(tc.masters))
	for _, m := range tc.masters {
		addrs = append(addrs, m.srv.Addr)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, Protocol: 2, DisableIdentity: true})
	defer func() { _ = cc.Close() }()
	pipe := cc.Pipeline()
	queueBigKeys(ctx, pipe)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("load big keys: %w", err)
	}
	rest := max(n-bigKeyCount, 0)
	const workers, perPipe = 2, 5000
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := cc.Pipeline()
			for i := rest * w / workers; i < rest*(w+1)/workers; i++ {
				queueKey(ctx, p, i)
				if p.Len() >= perPipe {
					if _, err := p.Exec(ctx); err != nil {
						errs[w] = fmt.Errorf("load keys: %w", err)
						return
					}
				}
			}
			if p.Len() > 0 {
				if _, err := p.Exec(ctx); err != nil {
					errs[w] = fmt.Errorf("load keys: %w", err)
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// queueBigKeys queues the six big keys of the bench dataset (the sizes and
// names of dataset.go's loadBig, which takes a single-server client). Each
// lands on the master that owns its slot.
func queueBigKeys(ctx context.Context, pipe redis.Pipeliner) {
	const chunk = 1000
	add := func(total int, one func(j int) []any, send func(vals []any)) {
		for i := 0; i < total; i += chunk {
			var vals []any
			for j := i; j < min(i+chunk, total); j++ {
				vals = append(vals, one(j)...)
			}
			send(vals)
		}
	}
	add(bigListLen, func(j int) []any { return []any{"item-" + strconv.Itoa(j)} },
		func(v []any) { pipe.RPush(ctx, "big:list:timeline", v...) })
	add(bigHashLen, func(j int) []any { return []any{"field:" + strconv.Itoa(j), "value-" + strconv.Itoa(j*7)} },
		func(v []any) { pipe.HSet(ctx, "big:hash:users", v...) })
	add(bigSetLen, func(j int) []any { return []any{"member-" + strconv.Itoa(j)} },
		func(v []any) { pipe.SAdd(ctx, "big:set:visitors", v...) })
	add(bigZSetLen, func(j int) []any { return []any{float64(j), "player-" + strconv.Itoa(j)} },
		func(v []any) { pipe.Do(ctx, append([]any{"zadd", "big:zset:scores"}, v...)...) })
	r := rand.New(rand.NewPCG(datasetSeed, 1)) //nolint:gosec // a reproducible dataset, not a secret
	big := make([]byte, bigStringLen)
	for i := range big {
		big[i] = letters[r.IntN(26)]
	}
	pipe.Set(ctx, "big:string:blob", big, 0)
	for i := range bigStreamLen {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "big:stream:events", Values: []any{"n", i, "kind", "click"}})
	}
}

// waitReplicas waits until every replica has caught up with its master's
// replication offset and holds as many keys as the masters together.
func waitReplicas(ctx context.Context, tc *testCluster) error {
	if len(tc.replicas) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	want := dbsizeSum(ctx, tc.masters)
	for {
		synced := dbsizeSum(ctx, tc.replicas) == want
		for _, r := range tc.replicas {
			f := demo.ParseInfoFields(r.rdb.Info(ctx, "replication").Val())
			m := tc.byAddr(f["master_host"] + ":" + f["master_port"])
			if m == nil || f["master_link_status"] != "up" {
				synced = false
				continue
			}
			mf := demo.ParseInfoFields(m.rdb.Info(ctx, "replication").Val())
			synced = synced && mf.Int("master_repl_offset") == f.Int("slave_repl_offset")
		}
		if synced {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("replicas did not catch up: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (tc *testCluster) byAddr(addr string) *clusterNode {
	for _, n := range tc.all {
		if n.srv.Addr == addr {
			return n
		}
	}
	return nil
}

func dbsizeSum(ctx context.Context, nodes []*clusterNode) int64 {
	var n int64
	for _, nd := range nodes {
		n += nd.rdb.DBSize(ctx).Val()
	}
	return n
}

// costSum is serverCost summed over nodes: usec in commands and the main
// threads' CPU seconds.
func costSum(ctx context.Context, nodes []*clusterNode) (usec, cpu float64) {
	for _, nd := range nodes {
		u, c := serverCost(ctx, nd.rdb)
		usec, cpu = usec+u, cpu+c
	}
	return usec, cpu
}

// clusterRun is one timed cluster-wide pass: keys, wall time, the masters'
// and the replicas' server cost.
type clusterRun struct {
	masters, replicas measure
	pass              time.Duration // ours: the pass alone (the slowest worker), from the JSON
}

// timedCluster measures run on every node: the keys and wall time it
// returns go into both measures, each with its own nodes' cost.
func timedCluster(ctx context.Context, tc *testCluster, run func() (int64, time.Duration, time.Duration, error)) (clusterRun, error) {
	mu0, mc0 := costSum(ctx, tc.masters)
	ru0, rc0 := costSum(ctx, tc.replicas)
	keys, wall, pass, err := run()
	mu1, mc1 := costSum(ctx, tc.masters)
	ru1, rc1 := costSum(ctx, tc.replicas)
	return clusterRun{
		masters:  measure{keys: keys, wall: wall, cmdUsec: mu1 - mu0, cpu: mc1 - mc0},
		replicas: measure{keys: keys, wall: wall, cmdUsec: ru1 - ru0, cpu: rc1 - rc0},
		pass:     pass,
	}, err
}

// clusterReport runs `redis-memtop report -c --scan --scan-rate 0 --format
// json` against one master (with --scan-replicas when asked) and returns
// the keys its JSON says it scanned, the process's wall time and the pass's
// own elapsed time (the slowest worker's). --interval 100ms: the report
// takes two samples of the target and two polls of the cluster one interval
// apart; at the default 1 s that is two seconds of waiting that are not the
// scan and that redis-cli does not do.
func clusterReport(ctx context.Context, bin, addr string, replicas bool) (keys int64, wall, pass time.Duration, err error) {
	host, port, _ := strings.Cut(addr, ":")
	args := []string{"report", "-c", "--scan", "--scan-rate", "0", "--format", "json", "--interval", "100ms", "-h", host, "-p", port}
	if replicas {
		args = append(args, "--scan-replicas")
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	err = cmd.Run()
	wall = time.Since(t0)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("report -c --scan: %w: %s", err, tail(errb.String()))
	}
	var rep struct {
		BigKeys *struct {
			Complete       bool    `json:"complete"`
			Scanned        int64   `json:"scanned"`
			Keys           int64   `json:"keys"`
			DBSize         int64   `json:"dbsize"`
			ElapsedSeconds float64 `json:"elapsed_seconds"`
			Err            string  `json:"err"`
		} `json:"bigkeys"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		return 0, 0, 0, fmt.Errorf("report JSON: %w", err)
	}
	bk := rep.BigKeys
	switch {
	case bk == nil:
		return 0, 0, 0, errors.New("report JSON has no bigkeys section")
	case !bk.Complete || bk.Err != "":
		return bk.Scanned, wall, 0, fmt.Errorf("report -c --scan: pass not complete (%d of %d keys) %s", bk.Scanned, bk.DBSize, model.Sanitize(bk.Err, 200))
	case bk.Keys != bk.Scanned:
		return bk.Scanned, wall, 0, fmt.Errorf("%w: the JSON says %d keys scanned but %d keys in the totals", errClusterCount, bk.Scanned, bk.Keys)
	}
	return bk.Scanned, wall, time.Duration(bk.ElapsedSeconds * float64(time.Second)), nil
}

// memkeys runs `redis-cli --memkeys` against one node and returns the keys
// it says it sampled and its wall time (process start to exit).
func memkeys(ctx context.Context, cli, addr string) (int64, time.Duration, error) {
	host, port, _ := strings.Cut(addr, ":")
	cmd := exec.CommandContext(ctx, cli, "-h", host, "-p", port, "--memkeys")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return 0, wall, fmt.Errorf("%s --memkeys on %s: %w: %s", cli, addr, err, model.SanitizeMultiline(tail(out.String()), 200))
	}
	m := sampledRE.FindStringSubmatch(out.String())
	if m == nil {
		return 0, wall, fmt.Errorf("%s --memkeys on %s: no sampled-keys line in: %s", cli, addr, model.SanitizeMultiline(tail(out.String()), 200))
	}
	n, err := strconv.ParseInt(strings.ReplaceAll(m[1]+m[2], ",", ""), 10, 64)
	if err != nil {
		return 0, wall, fmt.Errorf("sampled keys: %w", err)
	}
	return n, wall, nil
}

// memkeysAll runs redis-cli --memkeys against every node, one after the
// other (wall: the sum) or all at once (wall: the slowest one's).
func memkeysAll(ctx context.Context, cli string, nodes []*clusterNode, parallel bool) (int64, time.Duration, error) {
	keys := make([]int64, len(nodes))
	walls := make([]time.Duration, len(nodes))
	errs := make([]error, len(nodes))
	if parallel {
		var wg sync.WaitGroup
		for i, nd := range nodes {
			wg.Add(1)
			go func() { defer wg.Done(); keys[i], walls[i], errs[i] = memkeys(ctx, cli, nd.srv.Addr) }()
		}
		wg.Wait()
	} else {
		for i, nd := range nodes {
			keys[i], walls[i], errs[i] = memkeys(ctx, cli, nd.srv.Addr)
		}
	}
	var total int64
	var wall time.Duration
	for i := range nodes {
		total += keys[i]
		if parallel {
			wall = max(wall, walls[i])
		} else {
			wall += walls[i]
		}
	}
	return total, wall, errors.Join(errs...)
}

// clusterTool is one way of doing the cluster-wide pass, with its rounds.
type clusterTool struct {
	name string
	run  func() (int64, time.Duration, time.Duration, error)
	runs []clusterRun
}

// median is the run with the median keys/s.
func (t *clusterTool) median() clusterRun {
	rs := slices.Clone(t.runs)
	slices.SortFunc(rs, func(a, b clusterRun) int {
		switch {
		case a.masters.keysPerSec() < b.masters.keysPerSec():
			return -1
		case a.masters.keysPerSec() > b.masters.keysPerSec():
			return 1
		}
		return 0
	})
	return rs[len(rs)/2]
}

// clusterRows is the cluster-wide big-key row: a throwaway 3-master cluster
// (3+3 with -cluster-replicas) holding -cluster-keys keys of the mixed
// dataset; ours (the binary's report -c --scan, one worker per master) vs
// redis-cli --memkeys on each master one after the other and all at once,
// -rounds times in alternating order, medians. It checks that our pass
// counted every key the masters hold: the error it returns then (the rows
// are still returned, marked FAIL) is errClusterCount.
func clusterRows(ctx context.Context, c config, bin string) ([]row, error) {
	t0 := time.Now()
	tc, err := startCluster(ctx, c.clusterReplicas)
	if err != nil {
		return nil, err
	}
	defer tc.stop()
	if err := loadCluster(ctx, tc, c.clusterKeys); err != nil {
		return nil, err
	}
	if err := waitReplicas(ctx, tc); err != nil {
		return nil, err
	}
	want := dbsizeSum(ctx, tc.masters)
	var per []string
	for _, m := range tc.masters {
		per = append(per, strconv.FormatInt(m.rdb.DBSize(ctx).Val(), 10))
	}
	fmt.Printf("cluster: 3 masters + %d replicas, %d keys (%s per master) loaded and replicated in %s\n",
		len(tc.replicas), want, strings.Join(per, " / "), time.Since(t0).Round(time.Millisecond))
	_, idle0 := costSum(ctx, tc.masters)
	time.Sleep(time.Second)
	_, idle1 := costSum(ctx, tc.masters)
	fmt.Printf("cluster: the 3 masters idle use %.1f ms of CPU a second together (cron, cluster bus), counted in every run below\n", (idle1-idle0)*1e3)

	master := tc.masters[0].srv.Addr
	ours := &clusterTool{name: "report -c --scan (3 workers)", run: func() (int64, time.Duration, time.Duration, error) {
		return clusterReport(ctx, bin, master, false)
	}}
	seq := &clusterTool{name: "redis-cli --memkeys ×3, in turn", run: func() (int64, time.Duration, time.Duration, error) {
		k, w, err := memkeysAll(ctx, c.redisCLI, tc.masters, false)
		return k, w, 0, err
	}}
	par := &clusterTool{name: "redis-cli --memkeys ×3, at once", run: func() (int64, time.Duration, time.Duration, error) {
		k, w, err := memkeysAll(ctx, c.redisCLI, tc.masters, true)
		return k, w, 0, err
	}}
	tools := []*clusterTool{ours, seq, par}
	var reps *clusterTool
	if len(tc.replicas) > 0 {
		reps = &clusterTool{name: "report -c --scan --scan-replicas", run: func() (int64, time.Duration, time.Duration, error) {
			return clusterReport(ctx, bin, master, true)
		}}
		tools = append(tools, reps)
	}
	wantReplicas := dbsizeSum(ctx, tc.replicas)
	var countErr error
	for r := range c.rounds {
		order := slices.Clone(tools)
		if r%2 == 1 {
			slices.Reverse(order)
		}
		for _, t := range order {
			cr, err := timedCluster(ctx, tc, t.run)
			if errors.Is(err, errClusterCount) {
				countErr = errors.Join(countErr, err)
			} else if err != nil {
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			t.runs = append(t.runs, cr)
			line := fmt.Sprintf("cluster round %d  %-34s %8d keys  %8s  %9.0f keys/s  masters %5.2f µs/key CPU",
				r+1, t.name, cr.masters.keys, cr.masters.wall.Round(time.Millisecond), cr.masters.keysPerSec(), cr.masters.cpuPerKey())
			if len(tc.replicas) > 0 {
				line += fmt.Sprintf(", replicas %5.2f", cr.replicas.cpuPerKey())
			}
			if cr.pass > 0 {
				line += fmt.Sprintf("  (the pass alone %s)", cr.pass.Round(time.Millisecond))
			}
			fmt.Println(line)
			switch {
			case t == ours && cr.masters.keys != want:
				countErr = errors.Join(countErr, fmt.Errorf("%w: %s scanned %d keys in round %d, the masters' DBSIZE add up to %d",
					errClusterCount, t.name, cr.masters.keys, r+1, want))
			case t == reps && cr.masters.keys != wantReplicas:
				countErr = errors.Join(countErr, fmt.Errorf("%w: %s scanned %d keys in round %d, the replicas' DBSIZE add up to %d",
					errClusterCount, t.name, cr.masters.keys, r+1, wantReplicas))
			}
		}
	}
	fmt.Printf("cluster rows: %s from the first server's start\n", time.Since(t0).Round(time.Second))
	o, s, p := ours.median(), seq.median(), par.median()
	passKPS := 0.0
	if o.pass > 0 {
		passKPS = float64(o.masters.keys) / o.pass.Seconds()
	}
	note := fmt.Sprintf("process wall, connect and report included; the pass alone %s keys/s", model.Count(passKPS))
	rows := []row{
		speedRow("cluster-wide big keys vs --memkeys ×3 in turn", o.masters, s.masters, 0, note),
		speedRow("cluster-wide big keys vs --memkeys ×3 at once", o.masters, p.masters, 0, "redis-cli's wall: the slowest of the three"),
	}
	// Against the three at once, the lower of redis-cli's two figures: on
	// an idle virtual machine each of its round trips wakes a halted vCPU,
	// which the server pays as sys time (README).
	cpu := cpuRow("cluster-wide big keys: masters' CPU per key", o.masters, p.masters)
	cpu.note = fmt.Sprintf("sum over 3 masters, vs --memkeys ×3 at once (%.2f µs/key in turn); ratio = theirs/ours", s.masters.cpuPerKey())
	rows = append(rows, cpu)
	check := row{
		name: "cluster-wide big keys: keys scanned = Σ DBSIZE", ours: fmt.Sprintf("%d keys", o.masters.keys), theirs: fmt.Sprintf("%d keys", want),
		target: "equal", hasTarget: true, measured: true, pass: countErr == nil, fail: countErr != nil,
		note: fmt.Sprintf("checked every round, --scan-replicas against the replicas' DBSIZE too; redis-cli --memkeys counted %d", s.masters.keys),
	}
	if countErr != nil {
		check.note = countErr.Error()
	}
	rows = append(rows, check)
	if reps != nil {
		rp := reps.median()
		rr := speedRow("cluster-wide big keys --scan-replicas vs --scan", rp.masters, o.masters, 0, "")
		rr.note = fmt.Sprintf("masters' CPU %.3f µs/key (replicas' %.2f) while the replicas are scanned; redis-cli --memkeys on a replica: %s",
			rp.masters.cpuPerKey(), rp.replicas.cpuPerKey(), memkeysOnReplica(ctx, c.redisCLI, tc.replicas[0].srv.Addr))
		rows = append(rows, rr)
	}
	return rows, countErr
}

// memkeysOnReplica says what redis-cli --memkeys does against a cluster
// replica: it does not send READONLY, so its per-key commands are answered
// MOVED.
func memkeysOnReplica(ctx context.Context, cli, addr string) string {
	k, _, err := memkeys(ctx, cli, addr)
	if err == nil {
		return fmt.Sprintf("works, %d keys", k)
	}
	lines := strings.Split(err.Error(), "\n")
	for _, word := range []string{"MOVED", "rror"} {
		for _, l := range lines {
			if strings.Contains(l, word) {
				return "fails: " + strings.TrimSpace(model.Sanitize(l, 120))
			}
		}
	}
	return "fails"
}
