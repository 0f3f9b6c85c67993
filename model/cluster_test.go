package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const tMiB = 1 << 20

// cnode builds a node with a sample: used and RSS in MiB, keys.
func cnode(id, addr, role, masterOf string, slots []SlotRange, usedMiB, frag float64, keys int) ClusterNode {
	s := &Sample{Sections: []string{"memory", "keyspace"}}
	s.Memory.UsedMemory = Some(usedMiB * tMiB)
	s.Memory.UsedMemoryRSS = Some(usedMiB * frag * tMiB)
	s.Memory.MemFragmentationRatio = Some(frag)
	s.Memory.MaxMemory = Some(0)
	if keys > 0 {
		s.Keyspace = []DBKeys{{DB: 0, Keys: Some(float64(keys)), Expires: Some(0)}}
	}
	return ClusterNode{ID: id, Addr: addr, Role: role, MasterOf: masterOf, Slots: slots, Link: "connected", Sample: s}
}

// cview is three masters (used a, b, c MiB, keys ka, kb, kc) each with a replica.
func cview(a, b, c float64, ka, kb, kc int) ClusterView {
	v := ClusterView{Time: time.Unix(1000, 0)}
	for i, m := range []struct {
		used float64
		keys int
		sl   SlotRange
	}{{a, ka, SlotRange{0, 5460}}, {b, kb, SlotRange{5461, 10922}}, {c, kc, SlotRange{10923, 16383}}} {
		id := string(rune('a' + i))
		v.Nodes = append(v.Nodes,
			cnode("m"+id, "10.0.0."+id+":6379", ClusterRoleMaster, "", []SlotRange{m.sl}, m.used, 1.1, m.keys),
			cnode("r"+id, "10.0.1."+id+":6379", ClusterRoleReplica, "m"+id, nil, m.used, 1.1, m.keys))
	}
	return v
}

func byID(cl Checklist, id string) Check {
	for _, c := range cl {
		if c.ID == id {
			return c
		}
	}
	return Check{}
}

func TestClusterTotalsAndImbalance(t *testing.T) {
	v := cview(30, 10, 20, 3000, 1000, 1500)
	tot := v.Totals()
	if u, _ := tot.UsedMemory.Get(); u != 60*tMiB {
		t.Errorf("used %v", u)
	}
	if u, _ := tot.UsedMemoryAllNodes.Get(); u != 120*tMiB {
		t.Errorf("used all %v", u)
	}
	if k, _ := tot.Keys.Get(); k != 5500 {
		t.Errorf("keys %v", k)
	}
	if tot.Masters != 3 || tot.Replicas != 3 || tot.SlotsServed != ClusterSlots || tot.Partial {
		t.Errorf("%+v", tot)
	}
	im := v.Imbalance()
	if r, _ := im.UsedRatio.Get(); r != 3 || im.LargestUsed.ID != "ma" || im.SmallestUsed.ID != "mb" {
		t.Errorf("used: %+v", im)
	}
	if r, _ := im.KeysRatio.Get(); r != 3 {
		t.Errorf("keys ratio %v", r)
	}
	// A master down: partial totals, unreachable counted, the ratio over the rest.
	v.Nodes[0].Err, v.Nodes[0].Sample = "connection refused", nil
	tot = v.Totals()
	if !tot.Partial || tot.Unreachable != 1 {
		t.Errorf("partial: %+v", tot)
	}
	if r, _ := v.Imbalance().UsedRatio.Get(); r != 2 {
		t.Errorf("ratio without the down master: %v", r)
	}
}

func TestClusterMemoryBalanceRule(t *testing.T) {
	for _, tc := range []struct {
		name    string
		a, b, c float64
		want    Status
	}{
		{"even", 100, 100, 100, StatusOK},
		{"just under watch", 149, 100, 120, StatusOK},
		{"watch at 1.5", 150, 100, 120, StatusWatch},
		{"warn at 2", 200, 100, 120, StatusWarn},
		{"large ratio but tiny bytes", 6, 2, 2, StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := byID(EvaluateCluster(ClusterInputs{Views: []ClusterView{cview(tc.a, tc.b, tc.c, 10, 10, 10)}}), CheckClusterMemoryBalance)
			if ch.Status != tc.want {
				t.Fatalf("%s: %s (%s)", tc.name, ch.Status, ch.Title)
			}
			if tc.want != StatusOK && !strings.Contains(ch.Title, "10.0.0.a:6379") {
				t.Errorf("title does not name the largest master: %s", ch.Title)
			}
		})
	}
	one := cview(10, 10, 10, 1, 1, 1)
	one.Nodes = one.Nodes[:2]
	if ch := byID(EvaluateCluster(ClusterInputs{Views: []ClusterView{one}}), CheckClusterMemoryBalance); ch.Status != StatusUnknown || ch.Reason == "" {
		t.Errorf("one master: %+v", ch)
	}
}

func TestClusterFragOutlierRule(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frag  float64
		used  float64
		peers float64
		want  Status
	}{
		{"healthy", 1.2, 100, 1.1, StatusOK},
		{"outlier", 1.8, 100, 1.1, StatusWarn},
		{"everyone fragments", 1.8, 100, 1.7, StatusOK},
		{"small dataset", 3.0, 2, 1.1, StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := cview(100, 100, 100, 10, 10, 10)
			for i := range v.Nodes {
				v.Nodes[i].Sample.Memory.MemFragmentationRatio = Some(tc.peers)
			}
			v.Nodes[2].Sample.Memory.MemFragmentationRatio = Some(tc.frag)
			v.Nodes[2].Sample.Memory.UsedMemory = Some(tc.used * tMiB)
			ch := byID(EvaluateCluster(ClusterInputs{Views: []ClusterView{v}}), CheckClusterFragOutlier)
			if ch.Status != tc.want {
				t.Fatalf("%s (%s)", ch.Status, ch.Title)
			}
			if tc.want == StatusWarn && !strings.Contains(ch.Title, v.Nodes[2].Addr) {
				t.Errorf("title: %s", ch.Title)
			}
		})
	}
}

func TestClusterMigrationRule(t *testing.T) {
	moving := func() ClusterView {
		v := cview(10, 10, 10, 1, 1, 1)
		v.Nodes[0].Migrating = []SlotMove{{Slot: 42, Peer: "mb"}}
		v.Nodes[2].Importing = []SlotMove{{Slot: 42, Peer: "ma"}}
		return v
	}
	calm := cview(10, 10, 10, 1, 1, 1)
	views := func(calmFirst bool, n int) []ClusterView {
		var vs []ClusterView
		if calmFirst {
			vs = append(vs, calm)
		}
		for range n {
			vs = append(vs, moving())
		}
		return vs
	}
	for _, tc := range []struct {
		name  string
		views []ClusterView
		want  Status
	}{
		{"none", []ClusterView{calm}, StatusOK},
		{"in progress", views(true, 2), StatusWatch},
		{"one short of stuck", views(true, ThresholdClusterMigrationStuckViews-1), StatusWatch},
		{"stuck", views(true, ThresholdClusterMigrationStuckViews), StatusWarn},
		{"ended", append(views(false, ThresholdClusterMigrationStuckViews+5), calm), StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := byID(EvaluateCluster(ClusterInputs{Views: tc.views}), CheckClusterMigration)
			if ch.Status != tc.want {
				t.Fatalf("%s (%s) %v", ch.Status, ch.Title, ch.Evidence)
			}
		})
	}
	v := moving()
	m := v.Migrations()
	if len(m) != 1 || m[0].Slot != 42 || m[0].FromAddr != "10.0.0.a:6379" || m[0].ToAddr != "10.0.0.b:6379" {
		t.Fatalf("one migration seen from both ends: %+v", m)
	}
}

func TestClusterReplicasAndUnreachableRules(t *testing.T) {
	v := cview(10, 10, 10, 1, 1, 1)
	cl := EvaluateCluster(ClusterInputs{Views: []ClusterView{v}})
	if byID(cl, CheckClusterReplicas).Status != StatusOK || byID(cl, CheckClusterUnreachable).Status != StatusOK {
		t.Fatalf("healthy cluster: %+v", cl)
	}
	// The replica of mb is down: warn for both rules, naming the nodes.
	v.Nodes[3].Err, v.Nodes[3].Sample = "i/o timeout", nil
	cl = EvaluateCluster(ClusterInputs{Views: []ClusterView{v}})
	if ch := byID(cl, CheckClusterReplicas); ch.Status != StatusWarn || !strings.Contains(ch.Title, "10.0.0.b:6379") {
		t.Errorf("replicas: %+v", ch)
	}
	if ch := byID(cl, CheckClusterUnreachable); ch.Status != StatusWarn || !strings.Contains(ch.Title, "10.0.1.b:6379") {
		t.Errorf("unreachable replica: %+v", ch)
	}
	// A master with slots flagged fail by the cluster: crit.
	v.Nodes[4].Flags = []string{"fail"}
	if ch := byID(EvaluateCluster(ClusterInputs{Views: []ClusterView{v}}), CheckClusterUnreachable); ch.Status != StatusCrit {
		t.Errorf("failed master: %+v", ch)
	}
	// Worst first.
	cl = EvaluateCluster(ClusterInputs{Views: []ClusterView{v}})
	for i := 1; i < len(cl); i++ {
		if cl[i].Status.Rank() > cl[i-1].Status.Rank() {
			t.Fatalf("not sorted: %v", cl)
		}
	}
	if cl := EvaluateCluster(ClusterInputs{}); len(cl) != 5 || cl[0].Status != StatusUnknown {
		t.Errorf("no view: %+v", cl)
	}
}

func TestClusterReportSection(t *testing.T) {
	v := cview(30, 10, 20, 3000, 1000, 1500)
	v.Nodes[0].Sample.Memory.MaxMemory = Some(60 * tMiB)
	v.Nodes[0].Sample.Persistence.RDBBgsaveInProgress = Some(1)
	v.Nodes[0].Sample.Persistence.CurrentCOWSize = Some(2 * tMiB)
	v.Nodes[5].Addr = "evil|\x1b[31m:1"
	node := Report{Target: ReportTarget{Addr: "10.0.0.b:6379"}, Server: ReportServer{Role: "master"}}
	cr := BuildClusterReport(ClusterReportInput{Views: []ClusterView{v}, NodeReports: []Report{node}})
	if len(cr.Nodes) != 6 || len(cr.NodeReports) != 1 {
		t.Fatalf("%d rows, %d node reports", len(cr.Nodes), len(cr.NodeReports))
	}
	r0 := cr.Nodes[0]
	if p, _ := r0.MaxmemoryPerc.Get(); p != 50 || !strings.HasPrefix(r0.Fork, "rdb COW ") || r0.Slots != 5461 {
		t.Errorf("row 0: %+v", r0)
	}
	if cr.Nodes[1].MasterOf != "10.0.0.a:6379" {
		t.Errorf("master of: %q", cr.Nodes[1].MasterOf)
	}
	rep := Report{Schema: ReportSchema, Cluster: &cr, Unavailable: map[string]string{}}
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{"## Cluster: 6 nodes, 3 masters, 3 replicas", "cluster-memory-balance", "## Node 10.0.0.b:6379 (master)", "### Memory", "Imbalance: used largest / smallest master 3.00"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "\x1b") || strings.Contains(md, "evil|") {
		t.Error("a server string reached the Markdown unescaped")
	}
	js, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Cluster map[string]json.RawMessage `json:"cluster"`
	}
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"nodes", "totals", "imbalance", "checks"} {
		if _, ok := back.Cluster[k]; !ok {
			t.Errorf("JSON cluster lacks %q", k)
		}
	}
}
