package redisx

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// FleetMonitor polls several independent servers (a fleet named on the
// command line) concurrently, each with its own options and timeout, and
// gives one model.ClusterView per round: a node per server, in the order
// given, without slots. A server that does not answer is marked in the view
// and dialled again next round; it is never fatal. Poll is meant for one
// goroutine; Client and Close are safe from any.
type FleetMonitor struct {
	targets []Options

	mu      sync.Mutex
	clients []*Client
}

// NewFleetMonitor monitors the servers; nothing is sent before the first Poll.
func NewFleetMonitor(targets []Options) *FleetMonitor {
	ts := make([]Options, len(targets))
	for i, o := range targets {
		ts[i] = o.withDefaults()
	}
	return &FleetMonitor{targets: ts, clients: make([]*Client, len(ts))}
}

// FleetID is a server's id in the fleet's views: its redacted target (no
// password), unique per server and database.
func FleetID(o Options) string { return o.Redacted() }

// Client returns the connection to the first server at addr, or nil.
func (f *FleetMonitor) Client(addr string) *Client {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, o := range f.targets {
		if o.Addr == addr {
			return f.clients[i]
		}
	}
	return nil
}

// Close closes every connection.
func (f *FleetMonitor) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for i, c := range f.clients {
		if c != nil {
			errs = append(errs, c.Close())
			f.clients[i] = nil
		}
	}
	return errors.Join(errs...)
}

// Poll reads INFO from every server at once, each bounded by its dial and
// command timeouts. It never fails: a server that does not answer carries
// the reason (password-free) in its node's Err.
func (f *FleetMonitor) Poll(ctx context.Context) (model.ClusterView, error) {
	nodes := make([]model.ClusterNode, len(f.targets))
	var wg sync.WaitGroup
	for i := range f.targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes[i] = f.pollOne(ctx, i)
		}()
	}
	wg.Wait()
	return model.ClusterView{Nodes: nodes, Time: time.Now()}, nil
}

func (f *FleetMonitor) pollOne(ctx context.Context, i int) model.ClusterNode {
	o := f.targets[i]
	// The role is the server's own (INFO replication); unknown until it answers.
	n := model.ClusterNode{ID: FleetID(o), Addr: o.Addr, Link: "connected"}
	f.mu.Lock()
	c := f.clients[i]
	f.mu.Unlock()
	if c == nil {
		cctx, cancel := context.WithTimeout(ctx, o.DialTimeout+o.CommandTimeout)
		var err error
		c, err = Connect(cctx, o)
		cancel()
		if err != nil {
			n.Err, n.Link = Describe(err, o.Password), "disconnected"
			return n
		}
		f.mu.Lock()
		f.clients[i] = c
		f.mu.Unlock()
	}
	start := time.Now()
	info, err := NewPoller(c, time.Second, o.CommandTimeout).readInfo(ctx, infoCommands(c.product, c.compat, c.mode))
	if err != nil {
		n.Err, n.Link = Describe(err, o.Password), "disconnected"
		if !isServerReply(err) {
			f.mu.Lock()
			f.clients[i] = nil
			f.mu.Unlock()
			_ = c.Close()
		}
		return n
	}
	now := time.Now()
	s := SampleFromInfo(info, now, now.Sub(start))
	n.Sample = &s
	if role := string(s.Server.Role); role != "" {
		n.Role = clusterRole(role)
	}
	return n
}
