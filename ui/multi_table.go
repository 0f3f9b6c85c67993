package ui

import (
	"strconv"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// The nodes table of the cluster and fleet overview: one row per node, the
// columns chosen by priority to fit the width.

// nodeSort is the order of the nodes table.
type nodeSort int

const (
	sortTopology nodeSort = iota // masters by first slot, each followed by its replicas (fleet: as given)
	sortUsed                     // used_memory, largest first
	sortFrag                     // fragmentation, highest first
	sortKeys                     // keys, most first
	numSorts
)

func (s nodeSort) String() string {
	switch s {
	case sortUsed:
		return "used"
	case sortFrag:
		return "fragmentation"
	case sortKeys:
		return "keys"
	default:
		return "topology"
	}
}

// tableCol is one column of the nodes table.
type tableCol struct {
	column       // title, width (the address column grows up to maxW), alignment
	maxW    int  // 0: fixed
	prio    int  // lower is kept first when the width is short
	cluster bool // only for a cluster (slots, master of)
	cell    func(v *model.ClusterView, n *model.ClusterNode, r *model.ClusterNodeRow) string
}

func optCell(o model.Opt, f func(float64) string) string {
	if v, ok := o.Get(); ok {
		return f(v)
	}
	return "—"
}

var nodeCols = []tableCol{
	{column: column{title: "node", w: 17}, maxW: 24, prio: 0, cell: func(_ *model.ClusterView, n *model.ClusterNode, _ *model.ClusterNodeRow) string {
		if n.Addr == "" {
			return "(no address) " + shortID(n.ID)
		}
		return n.Addr
	}},
	{column: column{title: "role", w: 7}, prio: 1, cell: func(_ *model.ClusterView, n *model.ClusterNode, _ *model.ClusterNodeRow) string {
		if n.Role == "" {
			return "—"
		}
		return n.Role
	}},
	{column: column{title: "used", w: 7, right: true}, prio: 1, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		return optCell(r.UsedMemory, model.Bytes)
	}},
	{column: column{title: "frag", w: 5, right: true}, prio: 2, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		return optCell(r.Fragmentation, func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) })
	}},
	{column: column{title: "keys", w: 7, right: true}, prio: 2, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		return optCell(r.Keys, model.Count)
	}},
	{column: column{title: "max%", w: 5, right: true}, prio: 3, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		return optCell(r.MaxmemoryPerc, func(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) + "%" })
	}},
	{column: column{title: "slots", w: 6, right: true}, prio: 3, cluster: true, cell: func(_ *model.ClusterView, n *model.ClusterNode, r *model.ClusterNodeRow) string {
		s := strconv.Itoa(r.Slots)
		if len(n.Migrating)+len(n.Importing) > 0 {
			s = "⇄" + s
		}
		if !n.IsMaster() {
			return "—"
		}
		return s
	}},
	{column: column{title: "rss", w: 7, right: true}, prio: 4, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		return optCell(r.UsedMemoryRSS, model.Bytes)
	}},
	{column: column{title: "fork", w: 9}, prio: 5, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		return r.Fork
	}},
	{column: column{title: "link", w: 12}, prio: 6, cell: func(_ *model.ClusterView, n *model.ClusterNode, _ *model.ClusterNodeRow) string {
		return linkText(n)
	}},
	{column: column{title: "master of", w: 14}, prio: 7, cluster: true, cell: func(_ *model.ClusterView, _ *model.ClusterNode, r *model.ClusterNodeRow) string {
		if r.MasterOf == "" {
			return "—"
		}
		return r.MasterOf
	}},
}

// linkText is the link state: our own poll's failure first, then the
// cluster's flags, then its link state.
func linkText(n *model.ClusterNode) string {
	if n.Err != "" {
		return "unreachable"
	}
	for _, f := range []string{"fail", "pfail", "fail?", "handshake", "noaddr"} {
		if n.HasFlag(f) {
			return f
		}
	}
	if n.Link == "" {
		return "ok"
	}
	return n.Link
}

func shortID(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return id
}

// fitColumns picks the node columns that fit w (one space between them)
// and widens the address column with what is left.
func fitColumns(w int, cluster bool) []tableCol {
	cands := make([]tableCol, 0, len(nodeCols))
	for _, c := range nodeCols {
		if !c.cluster || cluster {
			cands = append(cands, c)
		}
	}
	cols := make([]column, len(cands))
	prio := make([]int, len(cands))
	for i, c := range cands {
		cols[i], prio[i] = c.column, c.prio
	}
	kept := fitByPriority(cols, prio, w, cands[0].maxW)
	out := make([]tableCol, 0, len(kept))
	for _, c := range cands {
		if k := len(out); k < len(kept) && kept[k].title == c.title {
			c.column = kept[k]
			out = append(out, c)
		}
	}
	return out
}

// columnsOf is the columns' layout, for the table renderer.
func columnsOf(cols []tableCol) []column {
	out := make([]column, len(cols))
	for i, c := range cols {
		out[i] = c.column
	}
	return out
}

// nodeLevel colours a row: crit for a node that fails or does not answer,
// warn for one near its limit or fragmenting, else none.
func nodeLevel(n *model.ClusterNode, r *model.ClusterNodeRow) (themes.Level, bool) {
	if n.Failing() {
		return themes.LevelCrit, true
	}
	if p, ok := r.MaxmemoryPerc.Get(); ok && p >= model.ThresholdHeadroomWarn*100 {
		return themes.LevelWarn, true
	}
	if f, ok := r.Fragmentation.Get(); ok && f >= model.ThresholdFragWarn {
		if u, ok := r.UsedMemory.Get(); ok && u >= model.ThresholdSmallDataset {
			return themes.LevelWarn, true
		}
	}
	if len(n.Migrating)+len(n.Importing) > 0 {
		return themes.LevelWatch, true
	}
	return themes.LevelOK, false
}

// sortedNodes returns the view's nodes in the table's order (pointers into v).
func sortedNodes(v *model.ClusterView, by nodeSort) []*model.ClusterNode {
	out := make([]*model.ClusterNode, len(v.Nodes))
	for i := range v.Nodes {
		out[i] = &v.Nodes[i]
	}
	if by == sortTopology {
		return out
	}
	val := func(n *model.ClusterNode) float64 {
		if n.Sample == nil || n.Err != "" {
			return -1
		}
		var o model.Opt
		switch by {
		case sortUsed:
			o = n.Sample.Memory.UsedMemory
		case sortFrag:
			o = n.Sample.Memory.MemFragmentationRatio
		default:
			r := v.NodeRow(n)
			o = r.Keys
		}
		if x, ok := o.Get(); ok {
			return x
		}
		return -1
	}
	vals := make(map[*model.ClusterNode]float64, len(out))
	for _, n := range out {
		vals[n] = val(n)
	}
	sortStable(out, func(a, b *model.ClusterNode) bool { return vals[a] > vals[b] })
	return out
}

// sortStable is an insertion sort: the tables are small and it keeps ties in
// topology order.
func sortStable[T any](s []T, less func(a, b T) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
