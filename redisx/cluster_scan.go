package redisx

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// DefaultClusterMergeInterval is the least time between two merged updates
// of a ClusterScan: a few a second, whatever the number of nodes.
const DefaultClusterMergeInterval = 250 * time.Millisecond

// ClusterScanOptions configure a ClusterScan. Zero values take the defaults.
type ClusterScanOptions struct {
	// Scan configures every node's worker. Its Rate is each node's budget
	// (the cluster as a whole may go N times faster); Once ends the whole
	// scan when every node's pass is over; MaxFailures bounds each node's
	// attempts (connecting included). With DBs empty, each node scans the
	// databases its INFO keyspace lists.
	Scan ScanOptions
	// Replicas scans, for each master, one of its replicas that answers
	// (sending READONLY first) instead of the master itself. A master
	// without an answering replica is reported as an error, not scanned.
	Replicas bool
	// MergeInterval is the least time between two merged updates (default
	// DefaultClusterMergeInterval).
	MergeInterval time.Duration
}

// ClusterScan scans every master of a Redis Cluster that serves slots (or
// one replica of each) with one ScanWorker per node, each gentle on its own
// node, and merges their results into one cluster-wide model.ScanUpdate
// (model.MergeBigKeys: every key carries the address of the node it was
// measured on).
//
// It follows the topology the caller hands it with SetView: a new master
// gets a worker, the worker of a node that left or stopped being master
// (failover) is stopped and its keys leave the merge. A node that does not
// answer is an error of its own in the merged progress (it retries, or with
// MaxFailures gives up); it never holds the others up.
//
//	cs := redisx.NewClusterScan(monitor, redisx.ClusterScanOptions{Scan: redisx.ScanOptions{Rate: redisx.DefaultScanRate}})
//	go cs.Run(ctx, updates)   // model.Update{Scan: …}, a few a second
//	for v := range views { cs.SetView(v) }
//
// TogglePause and Restart (ui.ScanController), SetRate and SetView are safe
// from any goroutine and never block on the network.
type ClusterScan struct {
	m    *ClusterMonitor
	opts ClusterScanOptions
	wake chan struct{}
	wg   sync.WaitGroup

	mu      sync.Mutex
	ctx     context.Context // Run's; nil before Run
	closed  bool            // Run has returned: nothing starts any more
	viewSet bool
	shards  map[string]*scanShard // by master id
	order   []string              // master ids in the view's order
	paused  bool
	rate    int
	rateSet bool
	// What changed since the last merged update.
	dirty, resultDirty, prevDirty, ksDirty bool
	lastPass                               int
}

// scanShard is the scan of one master's keys, on the master or a replica.
type scanShard struct {
	master     string // the master's id: the shard's identity
	masterAddr string
	addr       string // the node scanned; "" when there is none
	nodeID     string
	replica    bool
	members    []string // the addresses of the master and its replicas (the same keys)
	dbs        []int
	fork       bool
	worker     *ScanWorker // nil until connected (or without a node)
	cancel     context.CancelFunc
	state      model.ScanState
	ended      bool // the worker's Run returned, or there is no node to scan
}

// NewClusterScan makes a scan of the cluster m monitors; it connects to
// the nodes through m (same credentials and TLS). Nothing is sent before
// Run and a first SetView.
func NewClusterScan(m *ClusterMonitor, opts ClusterScanOptions) *ClusterScan {
	if opts.MergeInterval <= 0 {
		opts.MergeInterval = DefaultClusterMergeInterval
	}
	return &ClusterScan{m: m, opts: opts, wake: make(chan struct{}, 1), shards: map[string]*scanShard{}}
}

func (cs *ClusterScan) poke() {
	select {
	case cs.wake <- struct{}{}:
	default:
	}
}

// scanTarget is the node chosen to scan one master's keys.
type scanTarget struct {
	addr, id string
	replica  bool
	node     *model.ClusterNode
	why      string // no node: why
}

// target picks the node that scans master's keys: the master itself, or
// with Replicas the replica scanned already while it answers, else the
// first replica that answers.
func (cs *ClusterScan) target(v *model.ClusterView, master *model.ClusterNode, cur *scanShard) scanTarget {
	if !cs.opts.Replicas {
		if master.Addr == "" {
			return scanTarget{why: "the master has no address"}
		}
		return scanTarget{addr: master.Addr, id: master.ID, node: master}
	}
	reps := v.Replicas(master.ID)
	var pick, current *model.ClusterNode
	for _, r := range reps {
		if cur != nil && r.ID == cur.nodeID && r.Addr == cur.addr {
			current = r
		}
		if r.Addr == "" || r.Failing() {
			continue
		}
		if pick == nil || r == current {
			pick = r
		}
	}
	if pick == nil {
		// None answers: the one scanned already keeps trying (a missed
		// poll should not cost the pass it has made).
		pick = current
	}
	if pick == nil {
		return scanTarget{why: "no replica of this master answers: its keys are not scanned (scan the masters without --scan-replicas)"}
	}
	return scanTarget{addr: pick.Addr, id: pick.ID, replica: true, node: pick}
}

// SetView follows the cluster's latest topology: it starts a worker for
// each master (or replica) new in the view, stops those of nodes that left
// or changed role, and passes each node's fork state on to its worker. It
// returns at once; call it with every view the ClusterMonitor polls.
func (cs *ClusterScan) SetView(v model.ClusterView) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.closed {
		return
	}
	cs.viewSet = true
	want := map[string]scanTarget{}
	masters := v.Masters()
	order := make([]string, 0, len(masters))
	addrOf := map[string]string{}
	for _, m := range masters {
		want[m.ID] = cs.target(&v, m, cs.shards[m.ID])
		addrOf[m.ID] = m.Addr
		order = append(order, m.ID)
	}
	for id, s := range cs.shards {
		t, ok := want[id]
		if ok && t.addr == s.addr && t.id == s.nodeID {
			continue
		}
		if s.cancel != nil {
			s.cancel()
		}
		delete(cs.shards, id)
		cs.dirty, cs.resultDirty, cs.prevDirty, cs.ksDirty = true, true, true, true
	}
	for _, id := range order {
		t := want[id]
		s := cs.shards[id]
		if s == nil {
			s = &scanShard{master: id, masterAddr: addrOf[id], addr: t.addr, nodeID: t.id, replica: t.replica}
			if t.addr == "" {
				s.ended = true
				s.state.Progress = model.ScanProgress{Phase: model.ScanFailed, Err: t.why}
			}
			if t.node != nil && t.node.Sample != nil {
				s.dbs = ScanDBs(t.node.Sample.Keyspace)
			}
			cs.shards[id] = s
			cs.dirty = true
			if cs.ctx != nil && t.addr != "" {
				cs.start(s)
			}
		}
		s.members = append(s.members[:0], addrOf[id])
		for _, r := range v.Replicas(id) {
			s.members = append(s.members, r.Addr)
		}
		if t.node != nil && t.node.Sample != nil {
			if fork := t.node.Sample.ForkRunning(); fork != s.fork {
				s.fork = fork
				if s.worker != nil {
					s.worker.SetForkRunning(fork)
				}
			}
		}
	}
	if !slices.Equal(order, cs.order) {
		cs.dirty, cs.resultDirty, cs.prevDirty, cs.ksDirty = true, true, true, true
	}
	cs.order = order
	cs.poke()
}

// start runs a shard's worker; cs.mu is held.
func (cs *ClusterScan) start(s *scanShard) {
	ctx, cancel := context.WithCancel(cs.ctx)
	s.cancel = cancel
	cs.wg.Add(1)
	go func() {
		defer cs.wg.Done()
		defer cancel()
		cs.runShard(ctx, s)
		cs.mu.Lock()
		if cs.shards[s.master] == s {
			s.ended = true
			cs.dirty = true
		}
		cs.mu.Unlock()
		cs.poke()
	}()
}

// runShard connects to the shard's node (through the monitor, bounded by
// its timeouts) and runs the worker until ctx ends or, with Once, its pass
// is over.
func (cs *ClusterScan) runShard(ctx context.Context, s *scanShard) {
	var c *Client
	for attempt := 1; ; attempt++ {
		var err error
		if c, err = cs.m.client(ctx, s.addr); err == nil {
			break
		}
		if ctx.Err() != nil {
			return
		}
		cs.update(s, &model.ScanUpdate{Progress: model.ScanProgress{
			Phase: model.ScanFailed, Err: Describe(err, cs.m.seed.Password), Samples: cs.opts.Scan.Samples,
		}})
		if n := cs.opts.Scan.MaxFailures; n > 0 && attempt >= n {
			return
		}
		if !sleep(ctx, backoff(attempt)) {
			return
		}
	}
	opts := cs.opts.Scan
	opts.ReadOnly = s.replica
	if len(opts.DBs) == 0 {
		opts.DBs = s.dbs
	}
	w := NewScanWorker(c.Raw(), opts)
	cs.mu.Lock()
	if cs.shards[s.master] != s {
		cs.mu.Unlock()
		return
	}
	s.worker = w
	w.SetPaused(cs.paused)
	if cs.rateSet {
		w.SetRate(cs.rate)
	}
	w.SetForkRunning(s.fork)
	cs.mu.Unlock()

	ups := make(chan model.Update, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for u := range ups {
			if u.Scan != nil {
				cs.update(s, u.Scan)
			}
		}
	}()
	_ = w.Run(ctx, ups) // it only ends when ctx does or, with Once / MaxFailures, by itself
	close(ups)
	<-done
}

// update folds one of a shard's updates in; a stopped shard's are dropped.
func (cs *ClusterScan) update(s *scanShard, up *model.ScanUpdate) {
	cs.mu.Lock()
	if cs.shards[s.master] != s {
		cs.mu.Unlock()
		return
	}
	best := s.state.Best()
	s.state.Apply(up)
	cs.dirty = true
	if s.state.Best() != best {
		cs.resultDirty = true
	}
	if up.Prev != nil {
		cs.prevDirty = true
	}
	if up.KeySizes != nil {
		cs.ksDirty = true
	}
	cs.mu.Unlock()
	cs.poke()
}

// Run starts the workers and sends merged updates (at most one per
// MergeInterval) until ctx is done or, with Scan.Once, until every node's
// pass is over (or given up); then it stops every worker, waits for them
// and returns nil. A send blocks until it is received or ctx is done.
// Call it once.
func (cs *ClusterScan) Run(ctx context.Context, out chan<- model.Update) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	cs.mu.Lock()
	cs.ctx = ctx
	for _, id := range cs.order {
		if s := cs.shards[id]; s != nil && s.cancel == nil && !s.ended {
			cs.start(s)
		}
	}
	cs.mu.Unlock()
	defer func() {
		cs.mu.Lock()
		cs.closed = true
		for _, s := range cs.shards {
			if s.cancel != nil {
				s.cancel()
			}
		}
		cs.mu.Unlock()
		cs.wg.Wait()
	}()
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-cs.wake:
		}
		if !sleep(ctx, cs.opts.MergeInterval-time.Since(last)) {
			return nil
		}
		up, finished := cs.merge()
		if up != nil {
			if !send(ctx, out, model.Update{Scan: up}) {
				return nil
			}
			last = time.Now()
		}
		if finished {
			return nil
		}
	}
}

// merge builds the merged update from what changed (nil when nothing did)
// and reports whether a Once scan is over.
func (cs *ClusterScan) merge() (*model.ScanUpdate, bool) {
	cs.mu.Lock()
	finished := cs.opts.Scan.Once && cs.viewSet
	progress := make([]model.NodeScanProgress, 0, len(cs.order))
	var best, prev []model.NodeBigKeys
	var ks []*model.KeySizes
	for _, id := range cs.order {
		s := cs.shards[id]
		if s == nil {
			continue
		}
		finished = finished && s.ended
		node := s.addr
		if node == "" {
			node = s.masterAddr
		}
		progress = append(progress, model.NodeScanProgress{Node: node, Progress: s.state.Progress})
		best = append(best, model.NodeBigKeys{Node: node, Keys: s.state.Best()})
		if s.state.Prev != nil {
			prev = append(prev, model.NodeBigKeys{Node: node, Keys: s.state.Prev})
		}
		ks = append(ks, s.state.KeySizes)
	}
	dirty, resultDirty, prevDirty, ksDirty := cs.dirty, cs.resultDirty, cs.prevDirty, cs.ksDirty
	cs.dirty, cs.resultDirty, cs.prevDirty, cs.ksDirty = false, false, false, false
	cs.mu.Unlock()
	if !dirty {
		return nil, finished
	}
	up := &model.ScanUpdate{Progress: model.MergeScanProgress(progress)}
	// A pass number that changes without a result would make the UI drop
	// the one it shows (ScanState.Apply): send one with it.
	if resultDirty || up.Progress.Pass != cs.lastPass {
		up.Result = model.MergeBigKeys(best)
	}
	cs.lastPass = up.Progress.Pass
	if prevDirty && len(prev) > 0 {
		up.Prev = model.MergeBigKeys(prev)
	}
	if ksDirty {
		up.KeySizes = model.MergeKeySizes(ks)
	}
	return up, finished
}

// Nodes lists the nodes being scanned, in the view's order (the replicas'
// addresses with Replicas); a master without a node to scan is left out.
func (cs *ClusterScan) Nodes() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	out := make([]string, 0, len(cs.order))
	for _, id := range cs.order {
		if s := cs.shards[id]; s != nil && s.addr != "" {
			out = append(out, s.addr)
		}
	}
	return out
}

// StateOf is the scan of the keys the node at addr holds: the state of the
// worker that scans its master (or its master's replica), not merged; false
// when no worker covers the node. The report gives it to that node's
// checklist, whose rules weigh a key against the node's own used_memory.
func (cs *ClusterScan) StateOf(addr string) (model.ScanState, bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, s := range cs.shards {
		if slices.Contains(s.members, addr) {
			return s.state, true
		}
	}
	return model.ScanState{}, false
}

// TogglePause pauses every node's scan, or resumes them all, and returns
// the new state (true = paused). Workers started later follow it.
func (cs *ClusterScan) TogglePause() bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.paused = !cs.paused
	for _, s := range cs.shards {
		if s.worker != nil {
			s.worker.SetPaused(cs.paused)
		}
	}
	return cs.paused
}

// Restart starts a new pass on every node (and resumes a paused scan).
func (cs *ClusterScan) Restart() {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.paused = false
	for _, s := range cs.shards {
		if s.worker != nil {
			s.worker.Restart()
		}
	}
}

// SetRate changes each node's keys/s budget (0 = unlimited).
func (cs *ClusterScan) SetRate(n int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.rate, cs.rateSet = n, true
	for _, s := range cs.shards {
		if s.worker != nil {
			s.worker.SetRate(n)
		}
	}
}

// SetForkRunning tells the worker scanning the node at addr that a fork
// child runs there (or has ended), as ScanWorker.SetForkRunning. SetView
// does this already from each node's INFO; this is for a caller that learns
// it sooner.
func (cs *ClusterScan) SetForkRunning(addr string, on bool) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, s := range cs.shards {
		if s.addr == addr {
			s.fork = on
			if s.worker != nil {
				s.worker.SetForkRunning(on)
			}
		}
	}
}
