package redisx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// DefaultRediscoverEvery is how many polls a ClusterMonitor keeps a topology
// before it asks the cluster again (sooner after a node errors or changes role).
const DefaultRediscoverEvery = 10

// ClusterOptions configure a ClusterMonitor. Zero values take the defaults.
type ClusterOptions struct {
	// Timeout bounds each node's INFO per poll (default: the seed's command
	// timeout). Connecting to a new node is bounded by the dial timeout too.
	Timeout time.Duration
	// RediscoverEvery is the number of polls between topology reads
	// (default DefaultRediscoverEvery).
	RediscoverEvery int
}

// ClusterMonitor discovers the nodes of a Redis Cluster from a seed node,
// connects to each with the seed's credentials and TLS, polls them all
// concurrently and follows topology changes (failover, resharding, a node
// gone). A node that does not answer is marked in the view, never fatal.
// Poll and Run are meant for one goroutine; Client and Close are safe from
// any.
type ClusterMonitor struct {
	seed Options
	opts ClusterOptions

	mu       sync.Mutex
	clients  map[string]*Client // by address
	nodes    []model.ClusterNode
	polls    int
	discover bool
	lastErr  string
}

// NewClusterMonitor monitors the cluster the seed node belongs to. Nothing is
// sent before the first Poll.
func NewClusterMonitor(seed Options, o ClusterOptions) *ClusterMonitor {
	seed = seed.withDefaults()
	if o.Timeout <= 0 {
		o.Timeout = seed.CommandTimeout
	}
	if o.RediscoverEvery <= 0 {
		o.RediscoverEvery = DefaultRediscoverEvery
	}
	return &ClusterMonitor{seed: seed, opts: o, clients: map[string]*Client{}, discover: true}
}

// Client returns the connection to the node at addr, or nil.
func (m *ClusterMonitor) Client(addr string) *Client {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.clients[addr]
}

// Close closes every node connection.
func (m *ClusterMonitor) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	var errs []error
	for addr, c := range m.clients {
		if err := c.Close(); err != nil {
			errs = append(errs, err)
		}
		delete(m.clients, addr)
	}
	return errors.Join(errs...)
}

// client returns the node's connection, connecting (bounded by ctx) when
// there is none yet.
func (m *ClusterMonitor) client(ctx context.Context, addr string) (*Client, error) {
	m.mu.Lock()
	c := m.clients[addr]
	m.mu.Unlock()
	if c != nil {
		return c, nil
	}
	o := m.seed
	o.Network, o.Addr = NetworkTCP, addr
	cctx, cancel := context.WithTimeout(ctx, o.DialTimeout+m.opts.Timeout)
	defer cancel()
	c, err := Connect(cctx, o)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if old := m.clients[addr]; old != nil {
		_ = c.Close()
		return old, nil
	}
	m.clients[addr] = c
	return c, nil
}

// dropClient closes a connection that failed, so the next poll dials again
// (a restarted node may have a new identity).
func (m *ClusterMonitor) dropClient(addr string) {
	m.mu.Lock()
	c := m.clients[addr]
	delete(m.clients, addr)
	m.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// Poll makes one round: the topology when due, then INFO from every node at
// once, each bounded by the timeout. The error is returned only when no
// topology could ever be read; afterwards a failed rediscovery keeps the
// previous one.
func (m *ClusterMonitor) Poll(ctx context.Context) (model.ClusterView, error) {
	if m.discover || m.nodes == nil || m.polls%m.opts.RediscoverEvery == 0 {
		if err := m.Discover(ctx); err != nil && m.nodes == nil {
			return model.ClusterView{}, err
		}
	}
	m.polls++
	nodes := make([]model.ClusterNode, len(m.nodes))
	copy(nodes, m.nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Add(1)
		go func(n *model.ClusterNode) {
			defer wg.Done()
			m.pollNode(ctx, n)
		}(&nodes[i])
	}
	wg.Wait()
	for i := range nodes {
		n := &nodes[i]
		if n.Err != "" {
			m.discover = true
			continue
		}
		if role := string(n.Sample.Server.Role); role != "" && clusterRole(role) != n.Role {
			m.discover = true // a failover happened since the last topology
		}
	}
	v := model.ClusterView{Nodes: nodes, Time: time.Now()}
	v.SortNodes()
	return v, nil
}

func clusterRole(infoRole string) string {
	if infoRole == "master" {
		return model.ClusterRoleMaster
	}
	return model.ClusterRoleReplica
}

func (m *ClusterMonitor) pollNode(ctx context.Context, n *model.ClusterNode) {
	n.Sample = nil
	if n.Addr == "" {
		n.Err = "the node has no address (noaddr)"
		return
	}
	c, err := m.client(ctx, n.Addr)
	if err != nil {
		n.Err = Describe(err, m.seed.Password)
		return
	}
	p := NewPoller(c, time.Second, m.opts.Timeout)
	start := time.Now()
	info, err := p.readInfo(ctx, infoCommands(c.product, c.compat, c.mode))
	if err != nil {
		n.Err = Describe(err, m.seed.Password)
		if !isServerReply(err) {
			m.dropClient(n.Addr)
		}
		return
	}
	now := time.Now()
	s := SampleFromInfo(info, now, now.Sub(start))
	n.Sample = &s
	n.Err = ""
}

// Discover reads the topology from the first node that answers: the seed,
// then the nodes already known. It uses CLUSTER SHARDS on 7.0+ and CLUSTER
// NODES before; then every node's own CLUSTER NODES line gives its
// migrating and importing slots.
func (m *ClusterMonitor) Discover(ctx context.Context) error {
	cands := []string{m.seed.Addr}
	for _, n := range m.nodes {
		if n.Addr != "" && !slices.Contains(cands, n.Addr) && !n.Failing() {
			cands = append(cands, n.Addr)
		}
	}
	for _, n := range m.nodes {
		if n.Addr != "" && !slices.Contains(cands, n.Addr) {
			cands = append(cands, n.Addr)
		}
	}
	var errs []error
	refused := true
	for _, addr := range cands {
		nodes, err := m.topologyFrom(ctx, addr)
		if err != nil {
			refused = refused && isServerReply(err)
			errs = append(errs, fmt.Errorf("%s: %s", addr, Describe(err, m.seed.Password)))
			continue
		}
		m.readMigrations(ctx, nodes)
		m.forgetGone(nodes)
		m.nodes = nodes
		m.discover = false
		m.lastErr = ""
		return nil
	}
	err := fmt.Errorf("redisx: cannot read the cluster's nodes: %w", errors.Join(errs...))
	if refused {
		err = fmt.Errorf("%w: %w", ErrClusterRefused, errors.Join(errs...))
	}
	m.lastErr = err.Error()
	return err
}

// ErrClusterRefused is a cluster-mode server that answers but refuses
// CLUSTER SHARDS and CLUSTER NODES (the command renamed or denied by an
// ACL, or a proxy that hides it): the node itself can still be monitored
// and reported, without the cluster part.
var ErrClusterRefused = errors.New("redisx: the server refuses the CLUSTER command, so the cluster's nodes cannot be read")

// LastDiscoveryError is why the latest topology read failed ("" after a good one).
func (m *ClusterMonitor) LastDiscoveryError() string { return m.lastErr }

func (m *ClusterMonitor) topologyFrom(ctx context.Context, addr string) ([]model.ClusterNode, error) {
	c, err := m.client(ctx, addr)
	if err != nil {
		return nil, err
	}
	tctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
	defer cancel()
	if c.compat.AtLeast(7, 0, 0) && c.product != model.ProductDragonfly {
		shards, err := c.rdb.ClusterShards(tctx).Result()
		if err == nil && len(shards) > 0 {
			return m.crossChecked(tctx, c, NodesFromShards(shards, m.seed.TLS.Enabled)), nil
		}
		if err != nil && !isServerReply(err) {
			m.dropClient(addr)
			return nil, fmt.Errorf("CLUSTER SHARDS: %w", err)
		}
	}
	text, err := c.rdb.ClusterNodes(tctx).Result()
	if err != nil {
		if !isServerReply(err) {
			m.dropClient(addr)
		}
		return nil, fmt.Errorf("CLUSTER NODES: %w", err)
	}
	lines, err := ParseClusterNodes(text)
	if err != nil {
		return nil, err
	}
	nodes := make([]model.ClusterNode, 0, len(lines))
	for _, l := range lines {
		n := l.Node
		if l.Myself && n.Addr == "" {
			n.Addr = addr
		}
		n.Migrating, n.Importing = []model.SlotMove{}, []model.SlotMove{}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// crossChecked corrects nodes read from CLUSTER SHARDS with the same
// node's CLUSTER NODES: SHARDS alone loses a shard's slots after a
// failover on 7.2–7.4 (redis/redis#13414). When NODES cannot be read,
// SHARDS stands.
func (m *ClusterMonitor) crossChecked(ctx context.Context, c *Client, nodes []model.ClusterNode) []model.ClusterNode {
	text, err := c.rdb.ClusterNodes(ctx).Result()
	if err != nil {
		return nodes
	}
	if lines, err := ParseClusterNodes(text); err == nil {
		CrossCheckSlots(nodes, lines)
	}
	return nodes
}

// readMigrations asks every master for its own CLUSTER NODES line: only a
// node's own line shows the slots it migrates or imports. A node that does
// not answer keeps none (its poll will say why).
func (m *ClusterMonitor) readMigrations(ctx context.Context, nodes []model.ClusterNode) {
	var wg sync.WaitGroup
	for i := range nodes {
		n := &nodes[i]
		if n.Addr == "" || !n.IsMaster() || n.HasFlag("fail") {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := m.client(ctx, n.Addr)
			if err != nil {
				return
			}
			tctx, cancel := context.WithTimeout(ctx, m.opts.Timeout)
			defer cancel()
			text, err := c.rdb.ClusterNodes(tctx).Result()
			if err != nil {
				return
			}
			lines, err := ParseClusterNodes(text)
			if err != nil {
				return
			}
			for _, l := range lines {
				if l.Myself {
					n.Migrating, n.Importing = l.Node.Migrating, l.Node.Importing
				}
			}
		}()
	}
	wg.Wait()
}

// forgetGone closes the connections of nodes no longer in the topology.
func (m *ClusterMonitor) forgetGone(nodes []model.ClusterNode) {
	keep := map[string]bool{m.seed.Addr: true}
	for _, n := range nodes {
		keep[n.Addr] = true
	}
	m.mu.Lock()
	var gone []*Client
	for addr, c := range m.clients {
		if !keep[addr] {
			gone = append(gone, c)
			delete(m.clients, addr)
		}
	}
	m.mu.Unlock()
	for _, c := range gone {
		_ = c.Close()
	}
}

// IsCluster reports whether the client's server runs in cluster mode.
func IsCluster(c *Client) bool {
	if c.Mode() == ModeCluster {
		return true
	}
	v, ok := c.FirstInfo().Get("cluster_enabled")
	return ok && v == "1"
}
