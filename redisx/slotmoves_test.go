package redisx

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// A node importing a slot from another (a reshard half-way): ReadSlotMoves
// finds it on the node's own CLUSTER NODES line, which is what holds the
// defrag advice back.
func TestReadSlotMovesOnARealNode(t *testing.T) {
	a := redistest.StartServer(t, "cluster-enabled yes", "cluster-config-file nodes.conf")
	b := redistest.StartServer(t, "cluster-enabled yes", "cluster-config-file nodes.conf")
	ca, cb := demo.NewClient(a.Addr), demo.NewClient(b.Addr)
	defer func() { _ = ca.Close(); _ = cb.Close() }()
	ctx := t.Context()
	bID, err := cb.ClusterMyID(ctx).Result()
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(b.Port)).Err(); err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.Addr = a.Addr
	c := connectT(t, o)
	if m := c.ReadSlotMoves(ctx); m.Err != "" || len(m.Migrating)+len(m.Importing) != 0 {
		t.Fatalf("no reshard yet: %+v", m)
	}
	// The handshake takes a moment: until a knows b, SETSLOT refuses.
	deadline := time.Now().Add(20 * time.Second)
	for {
		err := ca.Do(ctx, "cluster", "setslot", 100, "importing", bID).Err()
		if err == nil {
			break
		}
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "know") {
			t.Fatalf("SETSLOT IMPORTING: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	m := c.ReadSlotMoves(ctx)
	if m.Err != "" || len(m.Importing) != 1 || m.Importing[0].Slot != 100 || m.Importing[0].Peer != bID {
		t.Fatalf("importing slot 100 from %s: %+v", bID, m)
	}
}
