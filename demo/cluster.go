package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/model"
)

// ClusterMasters is how many masters a throwaway cluster has
// (Nodes[:ClusterMasters] as built), each with one replica: the smallest
// cluster whose masters can be compared and whose failover keeps every slot
// served. (The bench may leave the replicas out.)
const ClusterMasters = 3

// DefaultClusterNodeTimeout is the cluster-node-timeout of a throwaway
// cluster: short, so a killed master is failed over in a few seconds.
const DefaultClusterNodeTimeout = 2 * time.Second

// ClusterOptions configure a throwaway cluster.
type ClusterOptions struct {
	Binary      string        // redis-server path; "" = from PATH
	NodeTimeout time.Duration // cluster-node-timeout; 0 = DefaultClusterNodeTimeout
	Config      []string      // extra directives for every node
	NoReplicas  bool          // three masters alone (the bench's plain row); the demo always has replicas
}

// Cluster is a running throwaway Redis Cluster on loopback: three masters
// (Nodes[0..2], slots in three even ranges) and their replicas (Nodes[3..5],
// Nodes[i+3] replicating Nodes[i] when built; a failover changes the roles;
// none with NoReplicas).
// It is joined with plain cluster commands (MEET, ADDSLOTSRANGE,
// REPLICATE), so it needs no redis-cli.
type Cluster struct {
	Nodes []*redisproc.Server
}

// StartCluster launches six cluster-enabled servers (three with NoReplicas)
// on free loopback ports and joins them; it returns once every node reports cluster_state:ok and
// every replica's link to its master is up. On error nothing is left behind.
func StartCluster(ctx context.Context, opts ClusterOptions) (_ *Cluster, err error) {
	nt := opts.NodeTimeout
	if nt <= 0 {
		nt = DefaultClusterNodeTimeout
	}
	config := append([]string{
		"cluster-enabled yes",
		"cluster-config-file nodes.conf",
		"cluster-node-timeout " + strconv.FormatInt(nt.Milliseconds(), 10),
		// A replica may always take over: the demo's replicas are never
		// far behind, and a class should not wait for a validity window.
		"cluster-replica-validity-factor 0",
		"repl-diskless-sync-delay 0",
	}, opts.Config...)
	c := &Cluster{}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	nodes := ClusterMasters * 2
	if opts.NoReplicas {
		nodes = ClusterMasters
	}
	for range nodes {
		s, err := redisproc.Start(ctx, redisproc.Options{Binary: opts.Binary, Config: config})
		if err != nil {
			return nil, err //nolint:wrapcheck // redisproc's errors start with "demo:" and say what failed
		}
		c.Nodes = append(c.Nodes, s)
	}
	if err := c.join(ctx); err != nil {
		return nil, err
	}
	return c, nil
}

// Addrs are every node's address, masters first as built.
func (c *Cluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, s := range c.Nodes {
		out[i] = s.Addr
	}
	return out
}

// Seed is the node a monitor starts from: the first master as built. The
// scenario never kills it.
func (c *Cluster) Seed() *redisproc.Server { return c.Nodes[0] }

// Node is the server at addr, or nil.
func (c *Cluster) Node(addr string) *redisproc.Server {
	for _, s := range c.Nodes {
		if s.Addr == addr {
			return s
		}
	}
	return nil
}

// Close stops every node and removes their directories.
func (c *Cluster) Close() {
	for _, s := range c.Nodes {
		s.Stop()
	}
}

// Reset throws the cluster away and builds a fresh one on the same ports
// (a monitor seeded at one of them follows): every node is killed, its
// cluster config and snapshots removed, started again empty and joined.
func (c *Cluster) Reset(ctx context.Context) error {
	for _, s := range c.Nodes {
		s.Kill()
	}
	for _, s := range c.Nodes {
		removeSnapshots(s.Dir)
		_ = os.Remove(filepath.Join(s.Dir, "nodes.conf"))
	}
	for _, s := range c.Nodes {
		if err := s.Restart(ctx); err != nil {
			return fmt.Errorf("demo: restart cluster node %s: %w", s.Addr, err)
		}
	}
	return c.join(ctx)
}

// clusterJoinTimeout bounds building the cluster once the nodes run.
const clusterJoinTimeout = 30 * time.Second

// join makes one cluster of the fresh nodes: distinct config epochs, MEET,
// the slots in three ranges, each replica on its master; then it waits
// until every node agrees.
func (c *Cluster) join(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, clusterJoinTimeout)
	defer cancel()
	clients := make([]*redis.Client, len(c.Nodes))
	for i, s := range c.Nodes {
		clients[i] = NewClient(s.Addr)
	}
	defer func() {
		for _, cl := range clients {
			_ = cl.Close()
		}
	}()
	ids := make([]string, len(clients))
	for i, cl := range clients {
		id, err := cl.ClusterMyID(ctx).Result()
		if err != nil {
			return fmt.Errorf("demo: CLUSTER MYID on %s: %w", c.Nodes[i].Addr, err)
		}
		ids[i] = id
		// Distinct epochs from the start, as redis-cli --cluster create
		// sets them: no collision to resolve before the cluster settles.
		if err := cl.Do(ctx, "CLUSTER", "SET-CONFIG-EPOCH", i+1).Err(); err != nil {
			return fmt.Errorf("demo: CLUSTER SET-CONFIG-EPOCH on %s: %w", c.Nodes[i].Addr, err)
		}
	}
	for _, s := range c.Nodes[1:] {
		if err := clients[0].ClusterMeet(ctx, "127.0.0.1", strconv.Itoa(s.Port)).Err(); err != nil {
			return fmt.Errorf("demo: CLUSTER MEET %s: %w", s.Addr, err)
		}
	}
	if err := c.waitAll(ctx, "every node to know the others", func(ctx context.Context, i int) (bool, error) {
		lines, err := clusterNodesOf(ctx, clients[i])
		if err != nil {
			return false, err
		}
		return len(lines) == len(c.Nodes) && allConnected(lines), nil
	}); err != nil {
		return err
	}
	per := model.ClusterSlots / ClusterMasters
	for i := range ClusterMasters {
		lo, hi := i*per, (i+1)*per-1
		if i == ClusterMasters-1 {
			hi = model.ClusterSlots - 1
		}
		if err := addSlotsRange(ctx, clients[i], lo, hi); err != nil {
			return fmt.Errorf("demo: assign slots %d-%d to %s: %w", lo, hi, c.Nodes[i].Addr, err)
		}
	}
	for i := ClusterMasters; i < len(c.Nodes); i++ {
		master := ids[i-ClusterMasters]
		if err := c.waitOne(ctx, "the replica to know its master", func(ctx context.Context) (bool, error) {
			// "Unknown node" until gossip has told the replica about its master.
			err := clients[i].ClusterReplicate(ctx, master).Err()
			return err == nil, wrap("CLUSTER REPLICATE", err)
		}); err != nil {
			return fmt.Errorf("demo: CLUSTER REPLICATE on %s: %w", c.Nodes[i].Addr, err)
		}
	}
	return c.waitAll(ctx, "cluster_state:ok and the replicas' links up", func(ctx context.Context, i int) (bool, error) {
		return nodeReady(ctx, clients[i], len(c.Nodes))
	})
}

// addSlotsRange assigns lo..hi with ADDSLOTSRANGE (7.0+), or ADDSLOTS on
// older servers.
func addSlotsRange(ctx context.Context, c *redis.Client, lo, hi int) error {
	err := c.Do(ctx, "CLUSTER", "ADDSLOTSRANGE", lo, hi).Err()
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "unknown") {
		err = c.ClusterAddSlotsRange(ctx, lo, hi).Err()
	}
	return err //nolint:wrapcheck // the caller wraps it
}

// nodeReady: the node sees a full, healthy cluster of nodes (3 + 3, or 3
// masters alone) and, when it is a replica, its replication link is up.
func nodeReady(ctx context.Context, c *redis.Client, nodes int) (bool, error) {
	info, err := c.ClusterInfo(ctx).Result()
	if err != nil {
		return false, fmt.Errorf("CLUSTER INFO: %w", err)
	}
	f := ParseInfoFields(info)
	if f["cluster_state"] != "ok" || f.Int("cluster_slots_assigned") != model.ClusterSlots || f.Int("cluster_known_nodes") != int64(nodes) {
		return false, nil
	}
	lines, err := clusterNodesOf(ctx, c)
	if err != nil {
		return false, err
	}
	masters, replicas := 0, 0
	for _, l := range lines {
		if l.master() {
			masters++
		} else {
			replicas++
		}
	}
	if masters != ClusterMasters || replicas != nodes-ClusterMasters || !allConnected(lines) {
		return false, nil
	}
	repl, err := c.Info(ctx, "replication").Result()
	if err != nil {
		return false, fmt.Errorf("INFO replication: %w", err)
	}
	rf := ParseInfoFields(repl)
	return rf["role"] == "master" || rf["master_link_status"] == "up", nil
}

func allConnected(lines []nodeLine) bool {
	for _, l := range lines {
		if l.link != "connected" || l.hasFlag("handshake") || l.hasFlag("noaddr") || l.failing() {
			return false
		}
	}
	return true
}

// waitAll polls cond on every node until it holds on all of them, or ctx
// ends.
func (c *Cluster) waitAll(ctx context.Context, what string, cond func(ctx context.Context, i int) (bool, error)) error {
	return c.waitOne(ctx, what, func(ctx context.Context) (bool, error) {
		for i := range c.Nodes {
			ok, err := cond(ctx, i)
			if err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	})
}

// waitOne polls cond every 50 ms until it holds, fails, or ctx ends.
func (c *Cluster) waitOne(ctx context.Context, what string, cond func(ctx context.Context) (bool, error)) error {
	var last error
	for {
		ok, err := cond(ctx)
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			if last != nil {
				return fmt.Errorf("demo: waiting for %s: %w (last error: %w)", what, ctx.Err(), last)
			}
			return fmt.Errorf("demo: waiting for %s: %w", what, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// nodeLine is one line of CLUSTER NODES: what the demo needs of it. The
// monitor parses CLUSTER NODES with redisx; the demo must not import redisx
// (whose tests start demo servers).
type nodeLine struct {
	id, addr  string
	flags     []string
	masterID  string // "" for a master
	link      string
	slots     [][2]int
	migrating map[int]string // slot → the target's id (only on the node's own line)
	importing map[int]string // slot → the source's id (only on the node's own line)
}

func (l nodeLine) hasFlag(f string) bool { return slices.Contains(l.flags, f) }

func (l nodeLine) master() bool  { return l.hasFlag("master") }
func (l nodeLine) myself() bool  { return l.hasFlag("myself") }
func (l nodeLine) failing() bool { return l.hasFlag("fail") || l.hasFlag("fail?") }

// serves reports whether the node owns slot.
func (l nodeLine) serves(slot int) bool {
	for _, r := range l.slots {
		if slot >= r[0] && slot <= r[1] {
			return true
		}
	}
	return false
}

var errNodesLine = errors.New("demo: short CLUSTER NODES line")

// parseNodes parses CLUSTER NODES, a line per node: id, ip:port@cport
// (,hostname), flags, master id, ping sent, pong received, config epoch,
// link state and the slots.
func parseNodes(text string) ([]nodeLine, error) {
	var out []nodeLine
	for raw := range strings.SplitSeq(strings.TrimSpace(text), "\n") {
		f := strings.Fields(raw)
		if len(f) == 0 {
			continue
		}
		if len(f) < 8 {
			return nil, fmt.Errorf("%w: %q", errNodesLine, raw)
		}
		addr, _, _ := strings.Cut(f[1], "@")
		l := nodeLine{id: f[0], addr: addr, flags: strings.Split(f[2], ","), link: f[7], migrating: map[int]string{}, importing: map[int]string{}}
		if f[3] != "-" {
			l.masterID = f[3]
		}
		for _, s := range f[8:] {
			if strings.HasPrefix(s, "[") {
				s = strings.Trim(s, "[]")
				if slot, peer, ok := strings.Cut(s, "->-"); ok {
					n, _ := strconv.Atoi(slot)
					l.migrating[n] = peer
				} else if slot, peer, ok := strings.Cut(s, "-<-"); ok {
					n, _ := strconv.Atoi(slot)
					l.importing[n] = peer
				}
				continue
			}
			lo, hi, ok := strings.Cut(s, "-")
			if !ok {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 == nil && err2 == nil {
				l.slots = append(l.slots, [2]int{a, b})
			}
		}
		out = append(out, l)
	}
	return out, nil
}

func clusterNodesOf(ctx context.Context, c *redis.Client) ([]nodeLine, error) {
	text, err := c.ClusterNodes(ctx).Result()
	if err != nil {
		return nil, fmt.Errorf("CLUSTER NODES: %w", err)
	}
	return parseNodes(text)
}
