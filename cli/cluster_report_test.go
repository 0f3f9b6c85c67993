package cli

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest/clustertest"
	"github.com/redis-memtop/redis-memtop/model"
)

// reportCluster is three masters and three replicas on loopback, loaded
// unevenly, built once per test binary by the first test that needs it and
// stopped by TestMain. Tests must not change its topology.
var reportCluster = clustertest.Shared{Prepare: func(ctx context.Context, c *demo.Cluster) error {
	cc := clustertest.NewClient(c)
	defer func() { _ = cc.Close() }()
	return clustertest.LoadUneven(ctx, cc)
}}

func TestMain(m *testing.M) {
	code := m.Run()
	reportCluster.Close()
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
	servers := reportCluster.Get(t).Nodes
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
	// Valkey 8 says server_mode where Redis says redis_mode.
	if info := infoMap(t, servers[0].Addr); info["redis_mode"]+info["server_mode"] != "cluster" {
		t.Errorf("target is not a cluster node: %v", info)
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
