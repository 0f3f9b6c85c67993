package redisx

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// A CLUSTER NODES reply as Redis 7.0 prints it during a resharding, with a
// failed master, a hostname and a node without an address.
const clusterNodesText = `07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host-4 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922 [10923-<-e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca]
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 disconnected
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 10923-16383 [10923->-67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1]
6ec23923021cf3ffec47632106199cb7f496ce01 :0@0 slave,noaddr 67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 0 1426238316232 5 disconnected
`

func TestParseClusterNodes(t *testing.T) {
	lines, err := ParseClusterNodes(clusterNodesText)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 5 {
		t.Fatalf("%d lines", len(lines))
	}
	rep, m2, failed, self, noaddr := lines[0], lines[1], lines[2], lines[3], lines[4]
	if rep.Node.Addr != "127.0.0.1:30004" || rep.Node.Role != model.ClusterRoleReplica || rep.Node.MasterOf != self.Node.ID || rep.Myself {
		t.Errorf("replica: %+v", rep)
	}
	if got := m2.Node.Importing; len(got) != 1 || got[0].Slot != 10923 || got[0].Peer != self.Node.ID {
		t.Errorf("importing: %+v", got)
	}
	if m2.Node.SlotCount() != 5462 || model.SlotsText(m2.Node.Slots) != "5461-10922" {
		t.Errorf("slots: %+v", m2.Node.Slots)
	}
	if !failed.Node.HasFlag("fail") || failed.Node.Link != "disconnected" || !failed.Node.Failing() || failed.Node.Role != model.ClusterRoleMaster {
		t.Errorf("failed: %+v", failed.Node)
	}
	if !self.Myself || self.Node.SlotCount() != 5461+5461 || len(self.Node.Migrating) != 1 || self.Node.Migrating[0].Peer != m2.Node.ID {
		t.Errorf("myself: %+v", self)
	}
	if noaddr.Node.Addr != "" || !noaddr.Node.HasFlag("noaddr") {
		t.Errorf("noaddr: %+v", noaddr.Node)
	}
	for _, bad := range []string{"", "abc 1.2.3.4:1@2 master - 0 0 1", "id 1.2.3.4:1@2 master - 0 0 1 connected 10-5", "id 1.2.3.4:1@2 master - 0 0 1 connected 16384", "id 1.2.3.4:1@2 master - 0 0 1 connected [x->-y]"} {
		if _, err := ParseClusterNodes(bad); err == nil {
			t.Errorf("no error for %q", bad)
		}
	}
}

func TestNodesFromShards(t *testing.T) {
	shards := []redis.ClusterShard{{
		Slots: []redis.SlotRange{{Start: 0, End: 5460}, {Start: 10923, End: 10923}},
		Nodes: []redis.Node{
			{ID: "r1", IP: "10.0.0.2", Port: 6379, TLSPort: 6380, Role: "replica", Health: "online"},
			{ID: "m1", IP: "10.0.0.1", Port: 6379, Role: "master", Health: "online"},
		},
	}, {
		Nodes: []redis.Node{{ID: "m2", IP: "10.0.0.3", Port: 6379, Role: "master", Health: "failed"}},
	}}
	nodes := NodesFromShards(shards, true)
	if len(nodes) != 3 {
		t.Fatalf("%+v", nodes)
	}
	r1, m1, m2 := nodes[0], nodes[1], nodes[2]
	if r1.MasterOf != "m1" || r1.Role != model.ClusterRoleReplica || r1.Addr != "10.0.0.2:6380" || len(r1.Slots) != 0 {
		t.Errorf("replica: %+v", r1)
	}
	if m1.SlotCount() != 5462 || m1.Addr != "10.0.0.1:6379" {
		t.Errorf("master: %+v", m1)
	}
	if !m2.Failing() || m2.SlotCount() != 0 {
		t.Errorf("failed master: %+v", m2)
	}
}

// The shape Redis 7.2–7.4 gives a shard after its master failed and its
// replica took over, while the old master is still known
// (redis/redis#13414): SHARDS lists both, with an empty slots array, and
// NODES has the slots on the promoted replica.
func TestCrossCheckSlotsAfterAFailover(t *testing.T) {
	shards := []redis.ClusterShard{{
		Slots: []redis.SlotRange{{Start: 0, End: 8191}},
		Nodes: []redis.Node{{ID: "a", IP: "127.0.0.1", Port: 7001, Role: "master", Health: "online"}},
	}, {
		Slots: []redis.SlotRange{},
		Nodes: []redis.Node{
			{ID: "old", IP: "127.0.0.1", Port: 7002, Role: "master", Health: "failed"},
			{ID: "new", IP: "127.0.0.1", Port: 7003, Role: "master", Health: "online"},
		},
	}}
	nodesText := "a 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-8191\n" +
		"old 127.0.0.1:7002@17002 master,fail - 0 0 2 disconnected\n" +
		"new 127.0.0.1:7003@17003 master - 0 0 4 connected 8192-16383\n"
	nodes := NodesFromShards(shards, false)
	if v := (model.ClusterView{Nodes: nodes}); v.Totals().SlotsServed == model.ClusterSlots {
		t.Fatalf("the capture no longer shows the bug: %+v", nodes)
	}
	lines, err := ParseClusterNodes(nodesText)
	if err != nil {
		t.Fatal(err)
	}
	CrossCheckSlots(nodes, lines)
	v := model.ClusterView{Nodes: nodes}
	if got := v.Totals().SlotsServed; got != model.ClusterSlots {
		t.Errorf("served %d slots after the cross-check, want %d: %+v", got, model.ClusterSlots, nodes)
	}
	byID := map[string]model.ClusterNode{}
	for _, n := range nodes {
		byID[n.ID] = n
	}
	if n := byID["new"]; n.SlotCount() != 8192 || !n.IsMaster() {
		t.Errorf("promoted replica: %+v", n)
	}
	if n := byID["old"]; n.SlotCount() != 0 || !n.Failing() {
		t.Errorf("failed old master: %+v", n)
	}
}
