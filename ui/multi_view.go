package ui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

func (m *Multi) nodeCount() int {
	if m.view == nil {
		return 0
	}
	return len(m.view.Nodes)
}

// tableRows is how many node rows the table shows on the current screen.
func (m *Multi) tableRows() int {
	for _, r := range m.layout(m.width, m.height).rects {
		if r.id == paneNodes {
			return max(r.h-m.styles.Pane.GetVerticalFrameSize()-nodesTableLines, 0)
		}
	}
	return 0
}

// render draws the overview: exactly w × h cells.
func (m *Multi) render(w, h int) string {
	l := m.layout(w, h)
	c := newCanvas(w, h)
	drawPanes(c, l.rects, m.panes(), m.bkData, m.styles, int(m.section)+1)
	if l.mode == modeHelp {
		c.put(l.body.x, l.body.y, l.body.w, m.helpView(m.helpGroups(), l.body.w, l.body.h))
	}
	c.put(0, l.footerY, w, m.footerView(w))
	return c.String()
}

func (m *Multi) checksTitle() string {
	if m.opts.Kind == MultiFleet {
		return "Fleet checks"
	}
	return "Cluster checks"
}

func (m *Multi) kindWord() string {
	if m.opts.Kind == MultiFleet {
		return "fleet"
	}
	return "cluster"
}

// headerView is the title line, the totals and (on taller screens) the
// imbalance and migrations line.
func (m *Multi) headerView(st *themes.Styles, w, hh int) string {
	lines := make([]string, 0, hh)
	title := st.Title.Render("redis-memtop") + st.Muted.Render(" · "+m.kindWord()+" ") + st.Text.Render(model.Sanitize(m.opts.Target, 40))
	if m.view == nil {
		state := "connecting…"
		if m.err != "" {
			state = "no topology: " + m.err
		}
		lines = append(lines, cut(title+"  "+st.Muted.Render(model.Sanitize(state, w)), w))
		for len(lines) < hh {
			lines = append(lines, "")
		}
		return strings.Join(lines, "\n")
	}
	t := m.view.Totals()
	if t.Unreachable > 0 {
		title += " " + st.Crit.Render(fmt.Sprintf("%d unreachable", t.Unreachable))
	}
	count := fmt.Sprintf(" · %d %s", t.Nodes, plural(t.Nodes, "server", "servers"))
	if m.opts.Kind == MultiCluster {
		// Masters are those serving slots; a master left without any (the
		// failed one after a failover, a new empty node) is counted apart.
		served := len(m.view.Masters())
		idle := ""
		if extra := t.Masters - served; extra > 0 {
			idle = fmt.Sprintf(", %d without slots", extra)
		}
		count = fmt.Sprintf(" · %d nodes: %d %s, %d %s%s", t.Nodes, served, plural(served, "master", "masters"), t.Replicas, plural(t.Replicas, "replica", "replicas"), idle)
		if ansi.StringWidth(title)+ansi.StringWidth(count) > w {
			count = fmt.Sprintf(" · %d nodes (%dm %dr)", t.Nodes, served, t.Replicas)
			if idle != "" {
				count = fmt.Sprintf(" · %d nodes (%dm %dr +%d)", t.Nodes, served, t.Replicas, t.Masters-served)
			}
		}
	}
	title += st.Muted.Render(count)
	right := st.Muted.Render(m.now.Format("15:04:05"))
	if m.err != "" {
		right = st.Warn.Render("topology: " + model.Sanitize(m.err, 40))
	}
	lines = append(lines, spread(title, right, w))

	var tot []string
	scope := "masters"
	used, rss := t.UsedMemory, t.UsedMemoryRSS
	if m.opts.Kind == MultiFleet {
		scope, used, rss = "all", t.UsedMemoryAllNodes, t.UsedMemoryRSSAllNodes
	}
	tot = append(tot, st.Label.Render(scope+":")+" used "+st.Value.Render(optCell(used, model.Bytes)),
		"RSS "+st.Value.Render(optCell(rss, model.Bytes)))
	if m.opts.Kind == MultiCluster {
		tot = append(tot, clusterTotals(st, t)...)
	}
	line := strings.Join(tot, st.Muted.Render(" · "))
	if t.Partial {
		line += " " + st.Warn.Render("(partial: a master did not answer)")
	}
	lines = append(lines, cut(line, w))
	caps := captionLines(m.caption, st, w, max(hh-len(lines), 1))
	if b := m.promSummary(); b != nil && len(lines) < hh-len(caps) {
		lines = append(lines, prometheusLine(b, st, w))
	}
	if len(lines) < hh-len(caps) {
		lines = append(lines, cut(m.imbalanceLine(st), w))
	}
	lines = append(lines, caps...)
	return strings.Join(lines, "\n")
}

// spread puts right at the end of the line when both fit, else left alone.
func spread(left, right string, w int) string {
	gap := w - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap >= 2 {
		return left + strings.Repeat(" ", gap) + right
	}
	return cut(left, w)
}

// imbalanceLine: largest vs smallest master by used memory and by keys, the
// fragmentation spread, and the slots in migration.
func (m *Multi) imbalanceLine(st *themes.Styles) string {
	im := m.view.Imbalance()
	var parts []string
	// A fork is the copy-on-write story: it goes first, it is what moves.
	if f := m.forking(); f != "" {
		parts = append(parts, st.Watch.Render(f))
	}
	if m.opts.Kind == MultiCluster {
		parts = append(parts, m.clusterBalance(st, &im)...)
	}
	if lo, ok := im.FragMin.Value.Get(); ok {
		hi, _ := im.FragMax.Value.Get()
		parts = append(parts, fmt.Sprintf("frag %.2f–%.2f", lo, hi))
	}
	head := st.Label.Render("imbalance: ")
	if m.opts.Kind == MultiFleet {
		head = st.Label.Render("spread: ")
	}
	if len(parts) == 0 {
		parts = append(parts, st.Muted.Render("needs two nodes that answer"))
	}
	return head + strings.Join(parts, st.Muted.Render(" · "))
}

func orID(addr, id string) string {
	if addr != "" {
		return addr
	}
	return shortID(id)
}

// nodesBody is the table: a header line, the rows around the selection, and
// a line of details on the selected node.
func (m *Multi) nodesBody(st *themes.Styles, w, h int, focused bool) (body, title string) {
	title = "Nodes"
	if m.view == nil || len(m.view.Nodes) == 0 {
		msg := "waiting for the first poll of every node…"
		if m.err != "" {
			msg = "no topology yet: " + m.err
		}
		return st.Muted.Render(model.Sanitize(msg, w*2)), title
	}
	cols := fitColumns(w, m.opts.Kind == MultiCluster)
	layout := columnsOf(cols)
	lines := []string{st.Label.Render(tableHead(layout, -1))}
	rows := sortedNodes(m.view, m.sortBy)
	sel := m.selIndex()
	n := max(h-nodesTableLines, 1)
	off, end := tableWindow(sel, n, len(rows))
	for i := off; i < end; i++ {
		nd := rows[i]
		r := m.view.NodeRow(nd)
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = model.Sanitize(c.cell(m.view, nd, &r), c.w*2)
		}
		if m.opts.Kind == MultiCluster && m.sortBy == sortTopology && !nd.IsMaster() {
			cells[0] = "└ " + cells[0]
		}
		line := tableRow(layout, cells)
		switch lvl, colored := nodeLevel(nd, &r); {
		case i == sel && focused:
			line = st.TitleFocus.Render(line)
		case i == sel:
			line = st.Accent.Render(line)
		case colored:
			line = st.ForLevel(lvl).Render(line)
		}
		lines = append(lines, line)
	}
	if h > nodesTableLines { // room for a row besides the titles and the details
		lines = append(lines, m.detailLine(st, w))
	}
	title = fmt.Sprintf("Nodes · sort %s", m.sortBy)
	if len(rows) > n {
		title = fmt.Sprintf("Nodes %d–%d of %d · sort %s", off+1, end, len(rows), m.sortBy)
	}
	return strings.Join(lines, "\n"), title
}

// detailLine says what the table cannot: the selected node's id, slot
// ranges, migrations, flags and why it does not answer.
func (m *Multi) detailLine(st *themes.Styles, w int) string {
	n := m.selectedNode()
	if n == nil {
		return ""
	}
	var parts []string
	if n.Err != "" {
		parts = append(parts, st.Crit.Render("unreachable: "+model.Sanitize(n.Err, w)))
	}
	if m.opts.Kind == MultiCluster {
		parts = append(parts, "id "+model.Sanitize(shortID(n.ID), 8))
		if n.IsMaster() {
			parts = append(parts, "slots "+model.Sanitize(model.SlotsText(n.Slots), w))
		}
		for _, mv := range n.Migrating {
			parts = append(parts, st.Watch.Render(fmt.Sprintf("migrating %d → %s", mv.Slot, model.Sanitize(m.addrOf(mv.Peer), 24))))
		}
		for _, mv := range n.Importing {
			parts = append(parts, st.Watch.Render(fmt.Sprintf("importing %d ← %s", mv.Slot, model.Sanitize(m.addrOf(mv.Peer), 24))))
		}
	}
	if len(n.Flags) > 0 {
		parts = append(parts, "flags "+model.Sanitize(strings.Join(n.Flags, ","), 40))
	}
	if s := n.Sample; s != nil && n.Err == "" {
		parts = append(parts, model.Sanitize(string(s.Server.Product)+" "+string(s.Server.RedisVersion), 30))
	}
	parts = append(parts, "enter: full view")
	return st.Muted.Render(cut(strings.Join(parts, " · "), w))
}

func (m *Multi) addrOf(id string) string {
	if n := m.view.Node(id); n != nil && n.Addr != "" {
		return n.Addr
	}
	return shortID(id)
}

// openCheckLines are the open check's lines at width w: its title, why it
// is unknown, the evidence, the advice and the commands.
func (m *Multi) openCheckLines(st *themes.Styles, w int) []string {
	ch := m.checks[clamp(m.checkSel, 0, len(m.checks)-1)]
	lines := []string{statusCell(ch.Status, st) + " " + st.Value.Render(model.Sanitize(ch.Title, w*3))}
	if ch.Reason != "" {
		lines = append(lines, st.Muted.Render("why unknown: ")+model.Sanitize(ch.Reason, w*3))
	}
	for _, e := range ch.Evidence {
		lines = append(lines, "  · "+model.Sanitize(e, w*3))
	}
	if ch.Advice != "" {
		lines = append(lines, "")
		lines = append(lines, strings.Split(ansi.Wordwrap(model.Sanitize(ch.Advice, 4000), w, ""), "\n")...)
	}
	for _, c := range ch.Commands {
		lines = append(lines, st.Accent.Render("  "+model.Sanitize(c, w*3)))
	}
	return lines
}

// checkScrollMax is the farthest the open check scrolls in h lines (the
// last one then says how to scroll).
func checkScrollMax(lines []string, h int) int { return max(len(lines)-h+1, 0) }

// openCheckScrollMax is checkScrollMax on the current screen.
func (m *Multi) openCheckScrollMax() int {
	if len(m.checks) == 0 {
		return 0
	}
	for _, r := range m.layout(m.width, m.height).rects {
		if r.id == paneChecks {
			iw, ih := InnerSize(m.styles, r.w, r.h)
			return checkScrollMax(m.openCheckLines(m.styles, iw), ih)
		}
	}
	return 0
}

// checksBody lists the cluster checks, worst first; enter opens the
// selected one (evidence, advice, commands).
func (m *Multi) checksBody(st *themes.Styles, w, h int) string {
	if len(m.checks) == 0 || h <= 0 {
		return ""
	}
	sel := clamp(m.checkSel, 0, len(m.checks)-1)
	if m.checkOpen {
		lines := m.openCheckLines(st, w)
		lines = lines[clamp(m.checkOff, 0, checkScrollMax(lines, h)):]
		if len(lines) > h {
			lines = append(lines[:h-1], st.Muted.Render("↑↓ scroll · esc back"))
		}
		return joinLines(lines, w)
	}
	off, end := tableWindow(sel, h, len(m.checks))
	var lines []string
	for i := off; i < end; i++ {
		ch := m.checks[i]
		line := statusCell(ch.Status, st) + " " + model.Sanitize(ch.Title, w*3)
		if i == sel && m.section == secChecks {
			line = st.TitleFocus.Render(ansi.Strip(line))
		}
		lines = append(lines, line)
	}
	return joinLines(lines, w)
}

// footerView: where the user is, the keys to go on, the status.
func (m *Multi) footerView(w int) string {
	var parts []string
	switch {
	case m.help:
		parts = []string{"? or esc close help"}
	case m.section == secNodes:
		parts = []string{"↑↓ select", "enter drill in", "o sort"}
	case m.section == secChecks && m.checkOpen:
		parts = []string{"↑↓ scroll", "esc back"}
	case m.section == secChecks:
		parts = []string{"↑↓ select", "enter why"}
	}
	if !m.help {
		parts = append(append(parts, actionHints(m.actions)...), "tab next", "? help")
	}
	parts = append(parts, "q quit")
	return m.footerBlock(parts, w)
}

// helpGroups are the overview's ? overlay, built from its key bindings:
// the global keys, each section's, the caller's actions.
func (m *Multi) helpGroups() []helpGroup {
	k := &m.keys
	word := m.kindWord()
	sections := "nodes, checks"
	if m.bk != nil {
		sections += ", big keys"
	}
	global := []key.Binding{
		k.Help,
		relabel(k.Next, "next section: "+sections),
		relabel(k.Prev, "previous section"),
		relabel(k.Back, "back from a node's view to the "+word),
		k.Theme,
		relabel(k.Export, "export the report of every node (Markdown and JSON, in the current directory)"),
		k.Quit,
	}
	groups := []helpGroup{{title: "Global", keys: global}}
	for _, p := range m.panes() {
		if ks := p.KeyBindings(); len(ks) > 0 {
			groups = append(groups, helpGroup{title: p.Title(), keys: ks})
		}
	}
	groups = append(groups, actionGroups(m.actions)...)
	return append(groups, helpGroup{title: "In a node's view", keys: []key.Binding{
		key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "lists that view's own keys")),
	}})
}

// helpArea is where the ? overlay goes: between the header and the footer.
func (m *Multi) helpArea() (w, h int) {
	l := m.layout(m.width, m.height)
	return l.body.w, l.body.h
}

// clusterTotals are the keys, slots and all-nodes figures of a cluster.
func clusterTotals(st *themes.Styles, t model.ClusterTotals) []string {
	slots := strconv.Itoa(t.SlotsServed) + "/" + strconv.Itoa(model.ClusterSlots) + " slots"
	style := st.Value
	if t.SlotsServed < model.ClusterSlots {
		style = st.Crit
	}
	return []string{
		"keys " + st.Value.Render(optCell(t.Keys, model.Count)),
		style.Render(slots),
		"all nodes used " + st.Value.Render(optCell(t.UsedMemoryAllNodes, model.Bytes)),
	}
}

// ratioLevel colours the largest / smallest master ratio by the balance
// rule's thresholds.
func ratioLevel(r float64) themes.Level {
	switch {
	case r >= model.ThresholdClusterUsedRatioWarn:
		return themes.LevelWarn
	case r >= model.ThresholdClusterUsedRatioWatch:
		return themes.LevelWatch
	default:
		return themes.LevelOK
	}
}

// clusterBalance is the cluster part of the imbalance line: the used-memory
// ratio (naming the two masters when it matters), the slots in migration and
// the keys ratio.
func (m *Multi) clusterBalance(st *themes.Styles, im *model.ClusterImbalance) []string {
	var parts []string
	ratio := func(o model.Opt) string {
		return optCell(o, func(v float64) string { return strconv.FormatFloat(v, 'f', 2, 64) + "×" })
	}
	if r, ok := im.UsedRatio.Get(); ok {
		used := "used " + st.ForLevel(ratioLevel(r)).Render(ratio(im.UsedRatio))
		if r >= model.ThresholdClusterUsedRatioWatch {
			used += st.Muted.Render(" (" + model.Sanitize(im.LargestUsed.Addr, 24) + " vs " + model.Sanitize(im.SmallestUsed.Addr, 24) + ")")
		}
		parts = append(parts, used)
	}
	if migs := m.view.Migrations(); len(migs) > 0 {
		mg := migs[0]
		txt := fmt.Sprintf("slot %d %s → %s", mg.Slot, model.Sanitize(orID(mg.FromAddr, mg.From), 24), model.Sanitize(orID(mg.ToAddr, mg.To), 24))
		if len(migs) > 1 {
			txt += fmt.Sprintf(" +%d more", len(migs)-1)
		}
		parts = append(parts, st.Watch.Render("migrating: "+txt))
	}
	if _, ok := im.KeysRatio.Get(); ok {
		parts = append(parts, "keys "+st.Value.Render(ratio(im.KeysRatio)))
	}
	return parts
}

// forking names the nodes running a fork (BGSAVE, AOF rewrite, module) with
// its live copy-on-write size: "forking: 10.0.0.2:7000 rdb COW 12.00M +1".
func (m *Multi) forking() string {
	var names []string
	for i := range m.view.Nodes {
		n := &m.view.Nodes[i]
		if n.Sample == nil || n.Err != "" || !n.Sample.ForkRunning() {
			continue
		}
		r := m.view.NodeRow(n)
		names = append(names, model.Sanitize(n.Addr, 24)+" "+model.Sanitize(r.Fork, 24))
	}
	switch len(names) {
	case 0:
		return ""
	case 1:
		return "forking: " + names[0]
	default:
		return fmt.Sprintf("forking: %s +%d", names[0], len(names)-1)
	}
}
