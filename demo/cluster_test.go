package demo

import (
	"context"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

func TestParseNodes(t *testing.T) {
	text := "a1 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-5460 [42->-b2] [7000-<-c3]\n" +
		"b2 127.0.0.1:7002@17002,host.example master,fail - 0 0 2 disconnected 5461\n" +
		"d4 127.0.0.1:7004@17004 slave a1 0 0 1 connected\n"
	lines, err := parseNodes(text)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	a, b, d := lines[0], lines[1], lines[2]
	if !a.myself() || !a.master() || a.addr != "127.0.0.1:7001" || !a.serves(0) || !a.serves(5460) || a.serves(5461) {
		t.Errorf("first line: %+v", a)
	}
	if a.migrating[42] != "b2" || a.importing[7000] != "c3" || !a.serves(42) || a.serves(7000) {
		t.Errorf("migrating %v, importing %v", a.migrating, a.importing)
	}
	if !b.failing() || b.link != "disconnected" || b.addr != "127.0.0.1:7002" || !b.serves(5461) || b.serves(5462) {
		t.Errorf("second line: %+v", b)
	}
	if d.master() || d.masterID != "a1" || len(d.slots) != 0 {
		t.Errorf("replica line: %+v", d)
	}
	if _, err := parseNodes("a1 127.0.0.1:7001@17001 master"); err == nil {
		t.Error("a short line was accepted")
	}
}

// The bench's plain cluster: three masters alone, every slot served.
func TestStartClusterWithoutReplicas(t *testing.T) {
	bin := redistest.RequireServer(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	c, err := StartCluster(ctx, ClusterOptions{Binary: bin, NoReplicas: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if len(c.Nodes) != ClusterMasters {
		t.Fatalf("%d nodes, want %d", len(c.Nodes), ClusterMasters)
	}
	cl := NewClient(c.Seed().Addr)
	defer func() { _ = cl.Close() }()
	f := ParseInfoFields(cl.ClusterInfo(ctx).Val())
	if f["cluster_state"] != "ok" || f.Int("cluster_known_nodes") != ClusterMasters || f.Int("cluster_size") != ClusterMasters {
		t.Errorf("CLUSTER INFO: %v", f)
	}
}
