package redisx

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// TestFleetMonitor polls three real targets at once: a plain server, one
// with a password (and a replica of the first), and a port nobody listens
// on. The view has a node per target in the order given; the live ones
// carry their own INFO (used_memory and role as a direct read says); the dead
// one carries a password-free reason and does not slow the others beyond
// its dial timeout; a server that comes back is dialled again.
func TestFleetMonitor(t *testing.T) {
	a := redistest.StartServer(t)
	b := redistest.StartServer(t, "replicaof 127.0.0.1 "+strconv.Itoa(a.Port))
	const pw = "Fl33tSecret"
	setPassword(t, b.Addr, pw)
	deadPort, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	ob := optsFor(b.Addr)
	ob.Password = pw
	od := optsFor("127.0.0.1:" + strconv.Itoa(deadPort))
	od.Password = pw
	od.DialTimeout = 300 * time.Millisecond
	fm := NewFleetMonitor([]Options{optsFor(a.Addr), ob, od})
	t.Cleanup(func() { _ = fm.Close() })

	v, err := fm.Poll(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Nodes) != 3 || v.Nodes[0].Addr != a.Addr || v.Nodes[1].Addr != b.Addr || v.Nodes[2].Addr != od.Addr {
		t.Fatalf("nodes %+v", v.Nodes)
	}
	for i, n := range v.Nodes[:2] {
		if n.Err != "" || n.Sample == nil {
			t.Fatalf("node %d (%s) did not answer: %q", i, n.Addr, n.Err)
		}
		if n.ID != FleetID([]Options{optsFor(a.Addr), ob}[i]) || strings.Contains(n.ID, pw) {
			t.Errorf("node %d id %q", i, n.ID)
		}
	}
	if v.Nodes[0].Role != model.ClusterRoleMaster || v.Nodes[1].Role != model.ClusterRoleReplica {
		t.Errorf("roles %q %q, want master and replica", v.Nodes[0].Role, v.Nodes[1].Role)
	}
	info, err := redistest.Client(t, a.Addr).Info(testCtx(t), "memory").Result()
	if err != nil {
		t.Fatal(err)
	}
	direct := infoField(info, "used_memory")
	got, _ := v.Nodes[0].Sample.Memory.UsedMemory.Get()
	if d, _ := strconv.ParseFloat(direct, 64); d <= 0 || got < d*0.9 || got > d*1.1 {
		t.Errorf("used_memory %v, a direct INFO says %s", got, direct)
	}
	dead := v.Nodes[2]
	if dead.Err == "" || dead.Sample != nil || strings.Contains(dead.Err, pw) {
		t.Errorf("dead target: err %q sample %v", dead.Err, dead.Sample)
	}
	if fm.Client(a.Addr) == nil || fm.Client(od.Addr) != nil {
		t.Error("Client: want a connection for the live server and none for the dead one")
	}
	tot := v.Totals()
	if tot.Nodes != 3 || tot.Unreachable != 1 {
		t.Errorf("totals %+v", tot)
	}

	// The first server goes away and comes back: marked, then dialled again.
	a.Kill()
	v, _ = fm.Poll(testCtx(t))
	if v.Nodes[0].Err == "" {
		t.Fatal("a killed server still answers")
	}
	if err := a.Restart(testCtx(t)); err != nil {
		t.Fatal(err)
	}
	v, _ = fm.Poll(testCtx(t))
	if v.Nodes[0].Err != "" || v.Nodes[0].Sample == nil {
		t.Errorf("the restarted server is not polled again: %q", v.Nodes[0].Err)
	}
}
