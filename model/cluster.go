package model

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Cluster node roles.
const (
	ClusterRoleMaster  = "master"
	ClusterRoleReplica = "replica"
)

// ClusterSlots is the number of hash slots of a Redis Cluster.
const ClusterSlots = 16384

// SlotRange is an inclusive range of hash slots.
type SlotRange struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Len is the number of slots in the range.
func (r SlotRange) Len() int { return r.End - r.Start + 1 }

// SlotMove is one slot a node is migrating to (or importing from) a peer,
// as its own CLUSTER NODES line says ([slot->-peer] / [slot-<-peer]).
type SlotMove struct {
	Slot int    `json:"slot"`
	Peer string `json:"peer"` // the other node's id
}

// ClusterNode is one node of a cluster as discovery saw it, with its latest
// poll. Every string comes from the server: escape it before drawing.
type ClusterNode struct {
	ID        string      `json:"id"`
	Addr      string      `json:"addr"` // host:port clients use
	Role      string      `json:"role"` // master / replica
	MasterOf  string      `json:"master_of,omitempty"`
	Slots     []SlotRange `json:"slots"`
	Link      string      `json:"link"`  // connected / disconnected (CLUSTER NODES) or online / failed / loading (CLUSTER SHARDS)
	Flags     []string    `json:"flags"` // fail, pfail, handshake, noaddr, nofailover …
	Migrating []SlotMove  `json:"migrating"`
	Importing []SlotMove  `json:"importing"`
	// Sample is the node's latest good INFO poll; nil when none yet.
	Sample *Sample `json:"-"`
	// Err is why the node could not be polled this round (password-free).
	Err string `json:"err,omitempty"`
}

// SlotCount is the number of slots the node serves.
func (n *ClusterNode) SlotCount() int {
	c := 0
	for _, r := range n.Slots {
		c += r.Len()
	}
	return c
}

// HasFlag reports whether the node carries a flag (fail, pfail, handshake…).
func (n *ClusterNode) HasFlag(f string) bool { return slices.Contains(n.Flags, f) }

// IsMaster reports a master.
func (n *ClusterNode) IsMaster() bool { return n.Role == ClusterRoleMaster }

// Failing reports a node the cluster itself considers failing or without an
// address, or that did not answer our poll.
func (n *ClusterNode) Failing() bool {
	return n.Err != "" || n.HasFlag("fail") || n.HasFlag("pfail") || n.HasFlag("fail?") || n.HasFlag("noaddr") ||
		n.Link == "failed" || n.Link == "disconnected"
}

// ClusterView is one poll of a whole cluster: every node, in a stable order
// (masters by first slot, each followed by its replicas).
type ClusterView struct {
	Nodes []ClusterNode `json:"nodes"`
	Time  time.Time     `json:"time"`
}

// Node returns the node with the id, or nil.
func (v *ClusterView) Node(id string) *ClusterNode {
	for i := range v.Nodes {
		if v.Nodes[i].ID == id {
			return &v.Nodes[i]
		}
	}
	return nil
}

// Masters returns the masters that serve slots.
func (v *ClusterView) Masters() []*ClusterNode {
	var out []*ClusterNode
	for i := range v.Nodes {
		if n := &v.Nodes[i]; n.IsMaster() && len(n.Slots) > 0 {
			out = append(out, n)
		}
	}
	return out
}

// Replicas returns the nodes replicating the master with the id.
func (v *ClusterView) Replicas(masterID string) []*ClusterNode {
	var out []*ClusterNode
	for i := range v.Nodes {
		if n := &v.Nodes[i]; !n.IsMaster() && n.MasterOf == masterID {
			out = append(out, n)
		}
	}
	return out
}

// SortNodes orders the nodes: masters by their first slot, each followed by
// its replicas by address; then nodes without slots or master, by address.
func (v *ClusterView) SortNodes() {
	rank := map[string]int{}
	first := func(n *ClusterNode) int {
		if len(n.Slots) == 0 {
			return ClusterSlots
		}
		return n.Slots[0].Start
	}
	for i := range v.Nodes {
		if n := &v.Nodes[i]; n.IsMaster() {
			rank[n.ID] = first(n)
		}
	}
	key := func(n *ClusterNode) (int, int) {
		if n.IsMaster() {
			return rank[n.ID], 0
		}
		if r, ok := rank[n.MasterOf]; ok {
			return r, 1
		}
		return ClusterSlots + 1, 1
	}
	sort.SliceStable(v.Nodes, func(i, j int) bool {
		a, b := &v.Nodes[i], &v.Nodes[j]
		ra, sa := key(a)
		rb, sb := key(b)
		if ra != rb {
			return ra < rb
		}
		if sa != sb {
			return sa < sb
		}
		return a.Addr < b.Addr
	})
}

// ClusterTotals sum the masters (the data lives there once) and every node.
type ClusterTotals struct {
	Nodes       int `json:"nodes"`
	Masters     int `json:"masters"`
	Replicas    int `json:"replicas"`
	Unreachable int `json:"unreachable"`
	// SlotsServed counts the slots some master claims.
	SlotsServed int `json:"slots_served"`
	// UsedMemory, UsedMemoryRSS and Keys sum the masters that answered.
	UsedMemory    Opt `json:"used_memory"`
	UsedMemoryRSS Opt `json:"used_memory_rss"`
	Keys          Opt `json:"keys"`
	// UsedMemoryAllNodes and UsedMemoryRSSAllNodes sum every node that answered.
	UsedMemoryAllNodes    Opt `json:"used_memory_all_nodes"`
	UsedMemoryRSSAllNodes Opt `json:"used_memory_rss_all_nodes"`
	// Partial is true when a master did not answer: the sums miss its share.
	Partial bool `json:"partial"`
}

func addOpt(acc *Opt, o Opt) {
	if v, ok := o.Get(); ok {
		a, _ := acc.Get()
		*acc = Some(a + v)
	}
}

// Totals sums the view.
func (v *ClusterView) Totals() ClusterTotals {
	var t ClusterTotals
	for i := range v.Nodes {
		n := &v.Nodes[i]
		t.Nodes++
		if n.IsMaster() {
			t.Masters++
			t.SlotsServed += n.SlotCount()
		} else {
			t.Replicas++
		}
		if n.Err != "" || n.Sample == nil {
			t.Unreachable++
			if n.IsMaster() && len(n.Slots) > 0 {
				t.Partial = true
			}
			continue
		}
		s := n.Sample
		addOpt(&t.UsedMemoryAllNodes, s.Memory.UsedMemory)
		addOpt(&t.UsedMemoryRSSAllNodes, s.Memory.UsedMemoryRSS)
		if n.IsMaster() {
			addOpt(&t.UsedMemory, s.Memory.UsedMemory)
			addOpt(&t.UsedMemoryRSS, s.Memory.UsedMemoryRSS)
			if k, ok := keysOf(s); ok {
				addOpt(&t.Keys, Some(k))
			}
		}
	}
	return t
}

func keysOf(s *Sample) (float64, bool) {
	if !s.HasSection("keyspace") && len(s.Keyspace) == 0 {
		return 0, false
	}
	sum := 0.0
	for _, db := range s.Keyspace {
		k, ok := db.Keys.Get()
		if !ok {
			return 0, false
		}
		sum += k
	}
	return sum, true
}

// ClusterExtreme names the node at one end of a comparison.
type ClusterExtreme struct {
	ID    string `json:"id"`
	Addr  string `json:"addr"`
	Value Opt    `json:"value"`
}

// ClusterImbalance compares the masters that answered.
type ClusterImbalance struct {
	// UsedRatio is largest / smallest used_memory among the masters.
	UsedRatio    Opt            `json:"used_ratio"`
	LargestUsed  ClusterExtreme `json:"largest_used"`
	SmallestUsed ClusterExtreme `json:"smallest_used"`
	// KeysRatio is most / fewest keys among the masters (null when one has none).
	KeysRatio  Opt            `json:"keys_ratio"`
	MostKeys   ClusterExtreme `json:"most_keys"`
	FewestKeys ClusterExtreme `json:"fewest_keys"`
	// Fragmentation spread over every node that answered.
	FragMin    ClusterExtreme `json:"frag_min"`
	FragMax    ClusterExtreme `json:"frag_max"`
	FragSpread Opt            `json:"frag_spread"` // max − min
}

// Imbalance compares the masters (and, for fragmentation, every node).
func (v *ClusterView) Imbalance() ClusterImbalance {
	var im ClusterImbalance
	type pt struct {
		n *ClusterNode
		v float64
	}
	extremes := func(pts []pt) (lo, hi ClusterExtreme, ok bool) {
		if len(pts) < 2 {
			return lo, hi, false
		}
		l, h := pts[0], pts[0]
		for _, p := range pts[1:] {
			if p.v < l.v {
				l = p
			}
			if p.v > h.v {
				h = p
			}
		}
		return ClusterExtreme{l.n.ID, l.n.Addr, Some(l.v)}, ClusterExtreme{h.n.ID, h.n.Addr, Some(h.v)}, true
	}
	var used, keys, frag []pt
	for i := range v.Nodes {
		n := &v.Nodes[i]
		if n.Err != "" || n.Sample == nil {
			continue
		}
		if f, ok := n.Sample.Memory.MemFragmentationRatio.Get(); ok {
			frag = append(frag, pt{n, f})
		}
		if !n.IsMaster() || len(n.Slots) == 0 {
			continue
		}
		if u, ok := n.Sample.Memory.UsedMemory.Get(); ok {
			used = append(used, pt{n, u})
		}
		if k, ok := keysOf(n.Sample); ok {
			keys = append(keys, pt{n, k})
		}
	}
	if lo, hi, ok := extremes(used); ok {
		im.SmallestUsed, im.LargestUsed = lo, hi
		if l, _ := lo.Value.Get(); l > 0 {
			h, _ := hi.Value.Get()
			im.UsedRatio = Some(h / l)
		}
	}
	if lo, hi, ok := extremes(keys); ok {
		im.FewestKeys, im.MostKeys = lo, hi
		if l, _ := lo.Value.Get(); l > 0 {
			h, _ := hi.Value.Get()
			im.KeysRatio = Some(h / l)
		}
	}
	if lo, hi, ok := extremes(frag); ok {
		im.FragMin, im.FragMax = lo, hi
		l, _ := lo.Value.Get()
		h, _ := hi.Value.Get()
		im.FragSpread = Some(h - l)
	}
	return im
}

// SlotMigration is one slot in migration, seen from either end.
type SlotMigration struct {
	Slot     int    `json:"slot"`
	From     string `json:"from"` // node id migrating the slot away
	To       string `json:"to"`   // node id importing it
	FromAddr string `json:"from_addr"`
	ToAddr   string `json:"to_addr"`
}

// Key identifies the migration across views.
func (m SlotMigration) Key() string {
	return strconv.Itoa(m.Slot) + " " + m.From + " " + m.To
}

// Migrations lists the slots in migration, by slot, each once whether one or
// both ends report it.
func (v *ClusterView) Migrations() []SlotMigration {
	seen := map[string]bool{}
	var out []SlotMigration
	addr := func(id string) string {
		if n := v.Node(id); n != nil {
			return n.Addr
		}
		return ""
	}
	add := func(slot int, from, to string) {
		m := SlotMigration{Slot: slot, From: from, To: to, FromAddr: addr(from), ToAddr: addr(to)}
		if !seen[m.Key()] {
			seen[m.Key()] = true
			out = append(out, m)
		}
	}
	for i := range v.Nodes {
		n := &v.Nodes[i]
		for _, m := range n.Migrating {
			add(m.Slot, n.ID, m.Peer)
		}
		for _, m := range n.Importing {
			add(m.Slot, m.Peer, n.ID)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Slot != out[j].Slot {
			return out[i].Slot < out[j].Slot
		}
		return out[i].Key() < out[j].Key()
	})
	return out
}

// SlotsText is the node's slot ranges as CLUSTER NODES writes them
// ("0-5460 10923"), or "—".
func SlotsText(rs []SlotRange) string {
	if len(rs) == 0 {
		return "—"
	}
	parts := make([]string, 0, len(rs))
	for _, r := range rs {
		if r.Start == r.End {
			parts = append(parts, strconv.Itoa(r.Start))
		} else {
			parts = append(parts, strconv.Itoa(r.Start)+"-"+strconv.Itoa(r.End))
		}
	}
	return strings.Join(parts, " ")
}
