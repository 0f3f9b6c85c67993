package cli

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// The s and R keys of the big-keys pane drive a cluster's scan as they do a
// single server's.
var _ ui.ScanController = (*redisx.ClusterScan)(nil)

// scanReportJSON is what these tests read of `report --scan -c --format json`.
type scanReportJSON struct {
	BigKeys *model.BigKeysReport `json:"bigkeys"`
	Cluster struct {
		Nodes []model.ClusterNodeRow `json:"nodes"`
	} `json:"cluster"`
}

// clusterPlant is a big key planted on a chosen master of the shared cluster.
type clusterPlant struct {
	key, master string
}

// plantClusterBigKeys writes a 300 KB string, a 3,000-field hash and a
// 20,000-element list, each on another master (its hash tag chosen by the
// slot's owner in CLUSTER SLOTS), and deletes them when the test ends so the
// shared cluster keeps its 3,300 keys.
func plantClusterBigKeys(t *testing.T, servers []*redisproc.Server) []clusterPlant {
	t.Helper()
	ctx := t.Context()
	addrs := make([]string, 0, len(servers))
	for _, s := range servers {
		addrs = append(addrs, s.Addr)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, Protocol: 2, DisableIdentity: true})
	t.Cleanup(func() { _ = cc.Close() })
	// CLUSTER SLOTS, not SHARDS: the matrix runs this on 6.2 too.
	slots, err := cc.ClusterSlots(ctx).Result() //nolint:staticcheck // SHARDS is 7.0+; the matrix runs 6.2
	if err != nil {
		t.Fatal(err)
	}
	owner := func(slot int64) string {
		for _, r := range slots {
			if int64(r.Start) <= slot && slot <= int64(r.End) && len(r.Nodes) > 0 {
				return r.Nodes[0].Addr
			}
		}
		return ""
	}
	var out []clusterPlant
	used := map[string]bool{}
	for i := 0; len(out) < 3 && i < 1000; i++ {
		tag := "{scan" + strconv.Itoa(i) + "}"
		slot, err := cc.ClusterKeySlot(ctx, tag).Result()
		if err != nil {
			t.Fatal(err)
		}
		m := owner(slot)
		if m == "" || used[m] {
			continue
		}
		used[m] = true
		var key string
		switch len(out) {
		case 0:
			key = tag + ":blob"
			err = cc.Set(ctx, key, strings.Repeat("b", 300_000), 0).Err()
		case 1:
			key = tag + ":hash"
			vals := make([]any, 0, 6000)
			for j := range 3000 {
				vals = append(vals, "field-"+strconv.Itoa(j), "value-"+strconv.Itoa(j)+strings.Repeat("v", 40))
			}
			err = cc.HSet(ctx, key, vals...).Err()
		default:
			key = tag + ":list"
			vals := make([]any, 20_000)
			for j := range vals {
				vals[j] = "item-" + strconv.Itoa(j)
			}
			err = cc.RPush(ctx, key, vals...).Err()
		}
		if err != nil {
			t.Fatal(err)
		}
		// t.Context() is cancelled before cleanups run: the shared
		// cluster must lose these keys whatever the outcome.
		t.Cleanup(func() {
			dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := cc.Del(dctx, key).Err(); err != nil {
				t.Errorf("removing %s from the shared cluster: %v", key, err)
			}
		})
		out = append(out, clusterPlant{key: key, master: m})
	}
	if len(out) != 3 {
		t.Fatalf("planted on %d masters", len(out))
	}
	// The replicas have them too before anyone scans.
	for _, s := range servers {
		info := infoMap(t, s.Addr)
		if info["role"] != "slave" {
			continue
		}
		master := info["master_host"] + ":" + info["master_port"]
		redistest.WaitFor(t, "replica "+s.Addr+" in sync", func() bool { return dbsizeOf(t, s.Addr) == dbsizeOf(t, master) })
	}
	return out
}

func dbsizeOf(t *testing.T, addr string) int64 {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	n, err := c.DBSize(t.Context()).Result()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// masterAddrs lists the nodes whose INFO says role:master, read directly.
func masterAddrs(t *testing.T, servers []*redisproc.Server) []string {
	t.Helper()
	var out []string
	for _, s := range servers {
		if infoMap(t, s.Addr)["role"] == "master" {
			out = append(out, s.Addr)
		}
	}
	return out
}

// nodeMemoryUsage is MEMORY USAGE key SAMPLES 5 on the node at addr (READONLY
// first, so a replica answers for its master's keys).
func nodeMemoryUsage(t *testing.T, addr, key string) int64 {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	conn := c.Conn()
	defer func() { _ = conn.Close() }()
	if err := conn.ReadOnly(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	n, err := conn.MemoryUsage(t.Context(), key, 5).Result()
	if err != nil {
		t.Fatalf("MEMORY USAGE %s on %s: %v", key, addr, err)
	}
	return n
}

func runScanReport(t *testing.T, args ...string) scanReportJSON {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"report", "--quick", "--scan", "-c", "--format", "json", "--interval", "100ms"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r scanReportJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if r.BigKeys == nil {
		t.Fatal("no bigkeys section")
	}
	return r
}

// TestReportScansEveryClusterMaster: `report --scan -c` scans every master
// and merges: the key count is the masters' DBSIZE sum, the planted keys
// lead the top with the node that holds them and the bytes that node's
// MEMORY USAGE … SAMPLES 5 gives.
func TestReportScansEveryClusterMaster(t *testing.T) {
	servers := reportCluster.Get(t).Nodes
	planted := plantClusterBigKeys(t, servers)
	masters := masterAddrs(t, servers)
	if len(masters) != 3 {
		t.Fatalf("masters %v", masters)
	}
	var keys int64
	for _, a := range masters {
		keys += dbsizeOf(t, a)
	}
	if keys != 3303 {
		t.Fatalf("DBSIZE sum %d, want 3300 + 3 planted", keys)
	}

	// The target is a replica: the scan still covers the masters.
	target := ""
	for _, s := range servers {
		if !slices.Contains(masters, s.Addr) {
			target = s.Addr
		}
	}
	r := runScanReport(t, "redis://"+target)
	bk := r.BigKeys
	if !bk.Complete || bk.State != model.ScanDone || bk.Err != "" {
		t.Fatalf("scan %s complete %v err %q", bk.State, bk.Complete, bk.Err)
	}
	if bk.Keys != keys || bk.Scanned != keys || bk.DBSize != keys {
		t.Errorf("keys %d scanned %d dbsize %d, want the masters' DBSIZE sum %d", bk.Keys, bk.Scanned, bk.DBSize, keys)
	}
	for _, p := range planted {
		idx := slices.IndexFunc(bk.TopBytes, func(k model.KeyInfo) bool { return k.Key == p.key })
		if idx < 0 || idx >= len(planted) {
			t.Errorf("%s at %d of the top, want among the first %d", p.key, idx, len(planted))
			continue
		}
		k := bk.TopBytes[idx]
		if k.Node != p.master {
			t.Errorf("%s: node %q, want %q (the master serving its slot)", p.key, k.Node, p.master)
		}
		if want := nodeMemoryUsage(t, p.master, p.key); k.Bytes != want {
			t.Errorf("%s: %d bytes, MEMORY USAGE SAMPLES 5 on %s says %d", p.key, k.Bytes, p.master, want)
		}
	}
	for _, k := range bk.TopBytes {
		if !slices.Contains(masters, k.Node) {
			t.Errorf("%s measured on %q, not a master", k.Key, k.Node)
		}
	}
	if !slices.ContainsFunc(bk.Notes, func(n string) bool { return strings.Contains(n, "every master") }) {
		t.Errorf("notes %q do not say what was scanned", bk.Notes)
	}

	// Markdown: the node column, with the node's address on the key's row.
	code, md, errOut := runCLI(t, "report", "--quick", "--scan", "-c", "--interval", "100ms", "redis://"+target)
	if code != 0 {
		t.Fatalf("markdown: exit %d: %s", code, errOut)
	}
	if !strings.Contains(md, "| # | key | node | db | type |") {
		t.Errorf("no node column in the big-key table:\n%s", head(md[strings.Index(md, "## Big keys"):], 20))
	}
	for _, p := range planted {
		if !strings.Contains(md, "`"+p.key+"` | "+p.master+" | 0 |") {
			t.Errorf("markdown has no row for %s on %s", p.key, p.master)
		}
	}
}

// TestReportScanReplicas: with --scan-replicas the same keys are found, each
// measured on a replica of the master serving it.
func TestReportScanReplicas(t *testing.T) {
	servers := reportCluster.Get(t).Nodes
	planted := plantClusterBigKeys(t, servers)
	masters := masterAddrs(t, servers)
	replicaOf := map[string]string{}
	for _, s := range servers {
		if info := infoMap(t, s.Addr); info["role"] == "slave" {
			replicaOf[info["master_host"]+":"+info["master_port"]] = s.Addr
		}
	}
	if len(replicaOf) != 3 {
		t.Fatalf("replicas %v", replicaOf)
	}
	r := runScanReport(t, "--scan-replicas", "redis://"+masters[0])
	bk := r.BigKeys
	if !bk.Complete || bk.Keys != 3303 {
		t.Fatalf("complete %v keys %d err %q, want 3303", bk.Complete, bk.Keys, bk.Err)
	}
	for _, k := range bk.TopBytes {
		if slices.Contains(masters, k.Node) {
			t.Errorf("%s measured on the master %s", k.Key, k.Node)
		}
	}
	for _, p := range planted {
		idx := slices.IndexFunc(bk.TopBytes, func(k model.KeyInfo) bool { return k.Key == p.key })
		if idx < 0 {
			t.Errorf("%s not found through the replicas", p.key)
			continue
		}
		k := bk.TopBytes[idx]
		if k.Node != replicaOf[p.master] {
			t.Errorf("%s: node %q, want %s, the replica of %s", p.key, k.Node, replicaOf[p.master], p.master)
		}
		if want := nodeMemoryUsage(t, k.Node, p.key); k.Bytes != want {
			t.Errorf("%s: %d bytes, MEMORY USAGE SAMPLES 5 on %s says %d", p.key, k.Bytes, k.Node, want)
		}
	}
}

// TestScanReplicasUsage: --scan-replicas without the scan, or against a
// server that is not a cluster node, is a usage error.
func TestScanReplicasUsage(t *testing.T) {
	code, _, errOut := runCLI(t, "report", "--scan-replicas", "127.0.0.1:1")
	if code != 2 || !strings.Contains(errOut, "--scan-replicas needs the big-key scan") {
		t.Errorf("without --scan: exit %d, %q", code, errOut)
	}
	srv := redistest.StartServer(t)
	code, _, errOut = runCLI(t, "report", "--quick", "--scan", "--scan-replicas", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 2 || !strings.Contains(errOut, "needs a Redis Cluster") {
		t.Errorf("standalone: exit %d, %q", code, errOut)
	}
	// A single server's report keeps its shape: no node anywhere.
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 || strings.Contains(out, `"node"`) {
		t.Errorf("single server: exit %d (%s), node in JSON: %v", code, errOut, strings.Contains(out, `"node"`))
	}
}
