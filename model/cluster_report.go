package model

import (
	"fmt"
	"io"
	"strings"
)

// ClusterNodeRow is one line of the report's nodes table.
type ClusterNodeRow struct {
	ID            string   `json:"id"`
	Addr          string   `json:"addr"`
	Role          string   `json:"role"`
	MasterOf      string   `json:"master_of,omitempty"` // the master's address (its id when unknown)
	Slots         int      `json:"slots"`
	SlotRanges    string   `json:"slot_ranges"`
	UsedMemory    Opt      `json:"used_memory"`
	UsedMemoryRSS Opt      `json:"used_memory_rss"`
	Fragmentation Opt      `json:"mem_fragmentation_ratio"`
	MaxmemoryPerc Opt      `json:"maxmemory_perc"` // used / maxmemory × 100; null without a limit
	Keys          Opt      `json:"keys"`
	Fork          string   `json:"fork"` // none / rdb / aof / module, with the live COW size
	Link          string   `json:"link"`
	Flags         []string `json:"flags"`
	Migrating     []int    `json:"migrating"`
	Importing     []int    `json:"importing"`
	Err           string   `json:"err,omitempty"`
}

// ClusterReport is the cluster section of the report.
type ClusterReport struct {
	Nodes      []ClusterNodeRow `json:"nodes"`
	Totals     ClusterTotals    `json:"totals"`
	Imbalance  ClusterImbalance `json:"imbalance"`
	Migrations []SlotMigration  `json:"migrations"`
	Checks     Checklist        `json:"checks"`
	// NodeReports are each node's own report, in the nodes table's order.
	NodeReports []Report `json:"node_reports,omitempty"`
}

// NodeRow builds the table row of one node.
func (v *ClusterView) NodeRow(n *ClusterNode) ClusterNodeRow {
	row := ClusterNodeRow{
		ID: n.ID, Addr: n.Addr, Role: n.Role, Slots: n.SlotCount(), SlotRanges: SlotsText(n.Slots),
		Link: n.Link, Flags: append([]string{}, n.Flags...), Migrating: []int{}, Importing: []int{}, Err: n.Err,
		Fork: "—",
	}
	if n.MasterOf != "" {
		row.MasterOf = n.MasterOf
		if m := v.Node(n.MasterOf); m != nil && m.Addr != "" {
			row.MasterOf = m.Addr
		}
	}
	for _, m := range n.Migrating {
		row.Migrating = append(row.Migrating, m.Slot)
	}
	for _, m := range n.Importing {
		row.Importing = append(row.Importing, m.Slot)
	}
	if s := n.Sample; s != nil && n.Err == "" {
		row.UsedMemory, row.UsedMemoryRSS, row.Fragmentation = s.Memory.UsedMemory, s.Memory.UsedMemoryRSS, s.Memory.MemFragmentationRatio
		if u, ok := s.Memory.UsedMemory.Get(); ok {
			if mx, ok := s.Memory.MaxMemory.Get(); ok && mx > 0 {
				row.MaxmemoryPerc = Some(float64(int64(u/mx*10000+0.5)) / 100)
			}
		}
		if k, ok := keysOf(s); ok {
			row.Keys = Some(k)
		}
		row.Fork = forkText(s)
	}
	return row
}

func forkText(s *Sample) string {
	on := func(o Opt) bool { v, ok := o.Get(); return ok && v > 0 }
	var kind string
	switch {
	case on(s.Persistence.RDBBgsaveInProgress):
		kind = "rdb"
	case on(s.Persistence.AOFRewriteInProgress):
		kind = "aof"
	case on(s.Persistence.ModuleForkInProgress):
		kind = "module"
	default:
		return "none"
	}
	if c, ok := s.Persistence.CurrentCOWSize.Get(); ok {
		return kind + " COW " + Bytes(c)
	}
	return kind
}

// ClusterReportInput is what the cluster section is built from.
type ClusterReportInput struct {
	// Views are the polls of the cluster, oldest first; the newest is
	// reported, all of them feed the rules.
	Views []ClusterView
	// NodeReports are the nodes' own reports (optional), in any order; they
	// are matched to the nodes by target address.
	NodeReports []Report
	// CommandTarget is the seed's connection, for the cluster checks'
	// commands (see ClusterInputs).
	CommandTarget CommandTarget
}

// BuildClusterReport assembles the cluster section.
func BuildClusterReport(in ClusterReportInput) ClusterReport {
	cr := ClusterReport{Nodes: []ClusterNodeRow{}, Migrations: []SlotMigration{}}
	cr.Checks = EvaluateCluster(ClusterInputs{Views: in.Views, CommandTarget: in.CommandTarget})
	if len(in.Views) == 0 {
		return cr
	}
	v := in.Views[len(in.Views)-1]
	v.Nodes = append([]ClusterNode(nil), v.Nodes...)
	v.SortNodes()
	byAddr := map[string]Report{}
	for _, r := range in.NodeReports {
		byAddr[r.Target.Addr] = r
	}
	for i := range v.Nodes {
		n := &v.Nodes[i]
		cr.Nodes = append(cr.Nodes, v.NodeRow(n))
		if r, ok := byAddr[n.Addr]; ok {
			cr.NodeReports = append(cr.NodeReports, r)
		}
	}
	cr.Totals = v.Totals()
	cr.Imbalance = v.Imbalance()
	if m := v.Migrations(); len(m) > 0 {
		cr.Migrations = m
	}
	return cr
}

// SummaryMarkdown writes the cluster summary: nodes table, totals,
// imbalance, migrations and checks. Every server string is escaped.
func (cr *ClusterReport) SummaryMarkdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	t := cr.Totals
	p("\n## Cluster: %d nodes, %d masters, %d replicas", t.Nodes, t.Masters, t.Replicas)
	if t.Unreachable > 0 {
		p(", %d unreachable", t.Unreachable)
	}
	p("\n\n| address | role | master of | slots | used | RSS | frag | maxmemory %% | keys | fork / COW | link | flags |\n")
	p("|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, n := range cr.Nodes {
		flags := strings.Join(n.Flags, ",")
		if n.Err != "" {
			flags = strings.TrimPrefix(flags+", unreachable: "+n.Err, ",")
		}
		if len(n.Migrating) > 0 {
			flags += fmt.Sprintf(" migrating %v", n.Migrating)
		}
		if len(n.Importing) > 0 {
			flags += fmt.Sprintf(" importing %v", n.Importing)
		}
		p("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			cell(n.Addr, 60), cell(n.Role, 12), cellOr(n.MasterOf, 60), n.Slots,
			OptBytes(n.UsedMemory), OptBytes(n.UsedMemoryRSS), OptRatio(n.Fragmentation), OptPercent(n.MaxmemoryPerc),
			numberCell(n.Keys), cell(n.Fork, 30), cellOr(n.Link, 20), cellOr(strings.TrimSpace(flags), 200))
	}
	p("\nTotals over the masters: used %s, RSS %s, keys %s; over every node: used %s, RSS %s; slots served %d of %d.",
		bytesCell(t.UsedMemory), bytesCell(t.UsedMemoryRSS), numberCell(t.Keys), bytesCell(t.UsedMemoryAllNodes), bytesCell(t.UsedMemoryRSSAllNodes), t.SlotsServed, ClusterSlots)
	if t.Partial {
		p(" Partial: a master did not answer, its share is missing.")
	}
	im := cr.Imbalance
	p("\n\nImbalance: used largest / smallest master %s (%s on %s vs %s on %s); keys %s (%s on %s vs %s on %s); fragmentation %s on %s to %s on %s (spread %s).\n",
		OptRatio(im.UsedRatio), OptBytes(im.LargestUsed.Value), cellOr(im.LargestUsed.Addr, 60), OptBytes(im.SmallestUsed.Value), cellOr(im.SmallestUsed.Addr, 60),
		OptRatio(im.KeysRatio), numberCell(im.MostKeys.Value), cellOr(im.MostKeys.Addr, 60), numberCell(im.FewestKeys.Value), cellOr(im.FewestKeys.Addr, 60),
		OptRatio(im.FragMin.Value), cellOr(im.FragMin.Addr, 60), OptRatio(im.FragMax.Value), cellOr(im.FragMax.Addr, 60), OptRatio(im.FragSpread))
	if len(cr.Migrations) > 0 {
		p("\nSlots in migration:\n\n")
		for _, m := range cr.Migrations {
			p("- slot %d: %s → %s\n", m.Slot, cellOr(m.FromAddr, 60), cellOr(m.ToAddr, 60))
		}
	}
	if len(cr.Checks) > 0 {
		p("\n### Cluster checks\n\n")
		writeChecklistMarkdown(&b, cr.Checks, "####")
	}
	return b.String()
}

// NodesMarkdown writes each node's own report, its headings one level down
// under "## Node ADDR".
func (cr *ClusterReport) NodesMarkdown(w io.Writer) error {
	roles := map[string]string{}
	for _, n := range cr.Nodes {
		roles[n.Addr] = n.Role
	}
	for i := range cr.NodeReports {
		r := &cr.NodeReports[i]
		var b strings.Builder
		if err := r.WriteMarkdown(&b); err != nil {
			return err
		}
		role := roles[r.Target.Addr]
		if n, ok := cr.nodeRow(r.Target.Addr); ok && n.Err != "" {
			role += ", unreachable"
		}
		if _, err := fmt.Fprintf(w, "\n## Node %s (%s)\n%s", cell(r.Target.Addr, 60), cell(role, 40), demoteHeadings(b.String())); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	return nil
}

func (cr *ClusterReport) nodeRow(addr string) (ClusterNodeRow, bool) {
	for _, n := range cr.Nodes {
		if n.Addr == addr {
			return n, true
		}
	}
	return ClusterNodeRow{}, false
}

// demoteHeadings adds two levels to every Markdown heading outside fenced
// blocks, dropping the node report's own title line.
func demoteHeadings(md string) string {
	lines := strings.Split(md, "\n")
	out := make([]string, 0, len(lines))
	fence := false
	for _, l := range lines {
		if strings.HasPrefix(l, "```") {
			fence = !fence
		}
		if !fence && strings.HasPrefix(l, "# ") {
			continue
		}
		if !fence && strings.HasPrefix(l, "#") {
			l = "##" + l
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}
