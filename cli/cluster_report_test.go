package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/model"
)

// reportCluster is three masters and three replicas on loopback, built once
// per test binary by clusterForTest (the first test that needs it) and
// stopped by TestMain.
var reportCluster struct {
	once    sync.Once
	servers []*demo.Server
	err     error
}

// clusterForTest returns the shared cluster, building it on first use. Tests
// must not change its topology.
func clusterForTest(t *testing.T) []*demo.Server {
	t.Helper()
	cli := clusterToolsForTest(t)
	reportCluster.once.Do(func() { reportCluster.servers, reportCluster.err = buildCluster(cli) })
	if reportCluster.err != nil {
		t.Fatal(reportCluster.err)
	}
	return reportCluster.servers
}

// clusterToolsForTest finds redis-cli (for --cluster create) and
// redis-server: it fails in CI when one is missing, skips elsewhere.
func clusterToolsForTest(t *testing.T) (cli string) {
	t.Helper()
	cli, err := exec.LookPath("redis-cli")
	if err != nil {
		if os.Getenv("CI") == "" {
			t.Skip("redis-cli not found: install redis-tools")
		}
		t.Fatal("redis-cli not found")
	}
	if _, err := demo.FindRedisServer(os.Getenv("REDIS_SERVER")); err != nil {
		if os.Getenv("CI") == "" {
			t.Skip(err.Error())
		}
		t.Fatal(err)
	}
	return cli
}

func buildCluster(cli string) (_ []*demo.Server, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	var servers []*demo.Server
	defer func() {
		if err != nil {
			for _, s := range servers {
				s.Stop()
			}
		}
	}()
	for range 6 {
		s, err := demo.Start(ctx, demo.Options{Binary: os.Getenv("REDIS_SERVER"), Config: []string{
			"cluster-enabled yes", "cluster-config-file nodes.conf", "cluster-node-timeout 2000", "appendonly no", "repl-diskless-sync-delay 0",
		}})
		if err != nil {
			return nil, fmt.Errorf("start a cluster node: %w", err)
		}
		servers = append(servers, s)
	}
	args := make([]string, 0, len(servers)+5)
	args = append(args, "--cluster", "create")
	for _, s := range servers {
		args = append(args, s.Addr)
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	if out, err := exec.CommandContext(ctx, cli, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("redis-cli --cluster create: %w\n%s", err, out)
	}
	for _, s := range servers {
		c := demo.NewClient(s.Addr)
		for {
			info, _ := c.ClusterInfo(ctx).Result()
			nodes, _ := c.ClusterNodes(ctx).Result()
			repl, _ := c.Info(ctx, "replication").Result()
			if strings.Contains(info, "cluster_state:ok") && strings.Count(nodes, "master") == 3 && strings.Count(nodes, "slave") == 3 &&
				strings.Count(nodes, " connected") == 6 && (strings.Contains(repl, "role:master") || strings.Contains(repl, "master_link_status:up")) {
				break
			}
			select {
			case <-ctx.Done():
				_ = c.Close()
				return nil, fmt.Errorf("cluster not ready on %s: %w", s.Addr, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
		_ = c.Close()
	}
	addrs := make([]string, 0, len(servers))
	for _, s := range servers {
		addrs = append(addrs, s.Addr)
	}
	cc := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs, Protocol: 2, DisableIdentity: true})
	defer func() { _ = cc.Close() }()
	val := strings.Repeat("x", 8000)
	for b := range 30 {
		if _, err := cc.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range 100 {
				p.Set(ctx, fmt.Sprintf("{a}:big:%d", b*100+i), val, 0)
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	for i := range 300 {
		if err := cc.Set(ctx, fmt.Sprintf("small:%d", i), "v", 0).Err(); err != nil {
			return nil, fmt.Errorf("load: %w", err)
		}
	}
	return servers, nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range reportCluster.servers {
		s.Stop()
	}
	os.Exit(code)
}

type clusterJSON struct {
	Target  model.ReportTarget `json:"target"`
	Cluster struct {
		Nodes       []model.ClusterNodeRow `json:"nodes"`
		Totals      model.ClusterTotals    `json:"totals"`
		Imbalance   model.ClusterImbalance `json:"imbalance"`
		Checks      model.Checklist        `json:"checks"`
		NodeReports []model.Report         `json:"node_reports"`
	} `json:"cluster"`
	Memory model.Memory `json:"memory"`
}

func TestReportCoversEveryClusterNode(t *testing.T) {
	servers := clusterForTest(t)
	code, out, errOut := runCLI(t, "report", "--quick", "--format", "json", "--interval", "200ms", "redis://"+servers[0].Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var r clusterJSON
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("JSON: %v", err)
	}
	if r.Target.Mode != "cluster" {
		t.Errorf("mode %q", r.Target.Mode)
	}
	c := r.Cluster
	if len(c.Nodes) != 6 || len(c.NodeReports) != 6 {
		t.Fatalf("%d nodes, %d node reports", len(c.Nodes), len(c.NodeReports))
	}
	roles := map[string]int{}
	var used, keys float64
	for i, n := range c.Nodes {
		roles[n.Role]++
		if n.Err != "" {
			t.Errorf("%s: %s", n.Addr, n.Err)
		}
		// The row and the node's own report agree, and the report is that node's.
		nr := c.NodeReports[i]
		if nr.Target.Addr != n.Addr || nr.Memory.UsedMemory != n.UsedMemory {
			t.Errorf("row %s vs node report %s: used %v vs %v", n.Addr, nr.Target.Addr, n.UsedMemory, nr.Memory.UsedMemory)
		}
		if len(nr.Checklist) == 0 {
			t.Errorf("%s: the node report has no checklist", n.Addr)
		}
		if n.Role == model.ClusterRoleMaster {
			u, _ := n.UsedMemory.Get()
			k, _ := n.Keys.Get()
			used, keys = used+u, keys+k
		} else if n.MasterOf == "" {
			t.Errorf("replica %s without master", n.Addr)
		}
	}
	if roles[model.ClusterRoleMaster] != 3 || roles[model.ClusterRoleReplica] != 3 {
		t.Errorf("roles %v", roles)
	}
	if got, _ := c.Totals.UsedMemory.Get(); got != used {
		t.Errorf("totals used %v, sum of master rows %v", got, used)
	}
	if got, _ := c.Totals.Keys.Get(); got != keys || keys != 3300 {
		t.Errorf("totals keys %v, rows %v, want 3300", got, keys)
	}
	// The target's own section is servers[0]'s.
	if info := infoMap(t, servers[0].Addr); info["redis_mode"] != "cluster" {
		t.Errorf("target is not a cluster node: %v", info["redis_mode"])
	}
	var balance model.Check
	for _, ch := range c.Checks {
		if ch.ID == model.CheckClusterMemoryBalance {
			balance = ch
		}
	}
	if balance.Status != model.StatusWarn || !strings.Contains(balance.Title, c.Imbalance.LargestUsed.Addr) {
		t.Errorf("balance check: %+v", balance)
	}

	// Markdown: the cluster summary first, then every node's section.
	code, md, errOut := runCLI(t, "report", "--quick", "--interval", "200ms", "-c", "-p", portOf(servers[3].Addr))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(md, "## Cluster: 6 nodes, 3 masters, 3 replicas") || strings.Count(md, "\n## Node ") != 6 {
		t.Errorf("markdown lacks the cluster summary or node sections:\n%s", head(md, 60))
	}
	if strings.Index(md, "## Cluster:") > strings.Index(md, "## Checklist") {
		t.Error("the cluster summary should come before the target's checklist")
	}
}

func portOf(addr string) string {
	_, p, _ := strings.Cut(addr, ":")
	return p
}

func head(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}
