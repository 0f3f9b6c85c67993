package ui

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
)

// Multi is the root model for more than one server: a Redis Cluster (every
// node of it) or a fleet (independent servers named on the command line).
// It shows an overview — the nodes table, totals, imbalance, slots in
// migration, the cluster checks and the cluster-wide big keys — and `enter`
// drills into one node's full single-server view (a Model fed from the same
// polls); `esc` comes back.

// MultiKind says what the overview holds.
type MultiKind int

// The kinds of overview.
const (
	MultiCluster MultiKind = iota
	MultiFleet
)

// MultiUpdate is one thing the overview receives. View is a poll of every
// node; Node + Update is an update for one node's drill-in view (its
// extras); Update alone (Node "") is for the overview itself (the merged
// big-key scan).
type MultiUpdate struct {
	View   *model.ClusterView
	Node   string // the node's id (a fleet member's id is its address)
	Update *model.Update
	// Err says why the topology could not be read this round (the last view
	// stays on screen).
	Err string
}

// MultiOptions configure the overview.
type MultiOptions struct {
	Kind   MultiKind
	Source <-chan MultiUpdate
	// Target is what the header names (the seed, redacted).
	Target  string
	Theme   string
	NoColor bool
	// Keys overrides DefaultKeyMap, for the overview and its drill-in views.
	Keys *KeyMap
	// Interval and History are passed on to the drill-in views; each node's
	// recent samples are kept (at most NodeHistory of them, default 300)
	// so a drill-in view starts with a graph.
	Interval    time.Duration
	History     time.Duration
	NodeHistory int
	// Scan shows the big-keys section (the caller feeds it merged scan
	// updates); Actions are the caller's keys (scan pause / restart).
	Scan    bool
	Actions []Action
	// Focus is told which node is drilled into (id and address; both ""
	// when back on the overview), so the caller can read that node's extras.
	// It must not block.
	Focus func(id, addr string)
	// NodeExport returns the exporter of a node's drill-in view (x), or nil.
	NodeExport func(addr string) *Exporter
	// NodeScan is the big-key scan of the keys a node holds (its shard's
	// worker), shown in its drill-in view; nil or false: none. It must not
	// block.
	NodeScan func(addr string) (model.ScanState, bool)
	// Export makes x on the overview write the report of every node (nil:
	// x says to open a node and export from there).
	Export *MultiExporter
	// Commands is the seed's connection as the overview's commands name it
	// (TLS, user; its address for a command that names no node);
	// NodeCommands is a node's, for its drill-in view (nil: Commands at the
	// node's address).
	Commands     model.CommandTarget
	NodeCommands func(addr string) model.CommandTarget
}

// MultiSnapshot is what the overview holds, for an export: the recent views
// (oldest first), each node's recent samples and latest extras by node id,
// and the merged big-key scan.
type MultiSnapshot struct {
	Views  []model.ClusterView
	Hists  map[string]*model.History
	Extras map[string]*model.Extras
	Scan   *model.ScanState
}

// MultiExporter builds the overview's report from a snapshot (on the UI
// goroutine: it must not do I/O) and writes it (in a command: it may).
type MultiExporter struct {
	Build func(s MultiSnapshot) model.Report
	Write func(r model.Report) (string, error)
}

// multiSection is a part of the overview that takes focus.
type multiSection int

const (
	secNodes multiSection = iota
	secChecks
	secBigKeys
)

// maxClusterViews bounds the views kept for the cluster rules (a migration
// is stuck after this many).
const maxClusterViews = model.ThresholdClusterMigrationStuckViews + 2

// maxDrillViews bounds the drill-in views kept alive (each holds a history).
const maxDrillViews = 8

// Multi is the Bubble Tea model of the overview.
type Multi struct {
	chrome

	opts  MultiOptions
	keys  KeyMap
	mkeys MultiKeyMap

	view    *model.ClusterView
	views   []model.ClusterView
	checks  model.Checklist
	err     string // the latest topology error, "" when fine
	now     time.Time
	caption *model.Caption // a demo's caption; nil when none
	// prom is the latest word of Prometheus per node (--prometheus).
	prom map[string]*model.Backfill

	hists  map[string]*model.History // recent samples per node id
	extras map[string]*model.Extras  // latest extras per node id

	nodes map[string]*Model // drill-in views, by node id
	order []string          // drill-in views, least recently used first
	drill string            // the node shown; "" on the overview

	section   multiSection
	selID     string // the selected node (kept across re-sorts and polls)
	sortBy    nodeSort
	checkSel  int
	checkOpen bool
	checkOff  int

	bk     Pane
	bkData *Data
}

// NewMulti builds the overview model.
func NewMulti(opts MultiOptions) Multi {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.History <= 0 {
		opts.History = 15 * time.Minute
	}
	if opts.NodeHistory <= 0 {
		opts.NodeHistory = 300
	}
	keys := DefaultKeyMap()
	if opts.Keys != nil {
		keys = *opts.Keys
	}
	m := Multi{
		chrome: newChrome(opts.Theme, opts.NoColor, opts.Actions),
		opts:   opts,
		keys:   keys,
		mkeys:  DefaultMultiKeyMap(),
		hists:  map[string]*model.History{},
		extras: map[string]*model.Extras{},
		nodes:  map[string]*Model{},
		bkData: &Data{Hist: model.NewHistory(1)},
	}
	if opts.Scan {
		m.bk = NewBigKeysPane()
	}
	m.checks = model.EvaluateCluster(model.ClusterInputs{})
	if opts.Kind == MultiFleet {
		m.checks = model.EvaluateFleet(nil)
	}
	return m
}

// Init starts listening and asks for the terminal's background colour.
func (m Multi) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, statusTicker()}
	if m.opts.Source != nil {
		cmds = append(cmds, listen(m.opts.Source))
	}
	return tea.Batch(cmds...)
}

// Drilled is the id of the node shown in full ("" on the overview).
func (m Multi) Drilled() string { return m.drill }

// Selected is the id of the node the table's cursor is on.
func (m Multi) Selected() string { return m.selID }

// ClusterView returns the latest view of every node (nil before the first).
func (m Multi) ClusterView() *model.ClusterView { return m.view }

// Scan is the merged big-key scan as the overview shows it (nil before the
// first update).
func (m Multi) Scan() *model.ScanState { return m.bkData.Scan }

// Status is the footer's message (an export's result, a key's answer).
func (m Multi) Status() string { return m.status }

// Caption is the demo caption on screen (nil when none).
func (m Multi) Caption() *model.Caption { return m.caption }

// Checks are the cluster checks of the latest view.
func (m Multi) Checks() model.Checklist { return m.checks }

// Update folds messages in; it does no I/O.
func (m Multi) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case MultiUpdate:
		m.fold(msg)
		if m.opts.Source != nil {
			return m, listen(m.opts.Source)
		}
		return m, nil
	case exportedMsg:
		if m.drill == "" || m.nodes[m.drill] == nil {
			m.exported(msg)
			return m, nil
		}
	case sourceClosedMsg:
		m.handleMsg(msg)
		return m, nil
	case StatusTickMsg:
		// The drill-in views kept alive have a status line of their own.
		m.statusTick(msg)
		for id, nm := range m.nodes {
			m.nodes[id] = updateNode(nm, msg)
		}
		return m, statusTicker()
	case tea.WindowSizeMsg, tea.BackgroundColorMsg:
		// The drill-in views kept alive follow the screen and the theme.
		m.handleMsg(msg)
		for id, nm := range m.nodes {
			m.nodes[id] = updateNode(nm, msg)
		}
		return m, nil
	case tea.KeyPressMsg:
		if m.drill != "" {
			return m.drillKey(msg)
		}
		return m.handleKey(msg)
	}
	// Anything else (an export's result, a confirmation) belongs to the
	// view on screen.
	if nm := m.nodes[m.drill]; nm != nil {
		next, cmd := nm.Update(msg)
		nn := next.(Model)
		m.nodes[m.drill] = &nn
		return m, cmd
	}
	if m.bk != nil {
		if h, ok := m.bk.(MsgHandler); ok {
			return m, h.HandleMsg(msg, m.bkData)
		}
	}
	return m, nil
}

func updateNode(nm *Model, msg tea.Msg) *Model {
	next, _ := nm.Update(msg)
	nn := next.(Model)
	return &nn
}

// fold applies one update.
func (m *Multi) fold(u MultiUpdate) {
	if u.Err != "" {
		m.err = u.Err
	}
	if v := u.View; v != nil {
		m.err = ""
		m.foldView(v)
	}
	if u.Update == nil {
		return
	}
	if u.Node == "" {
		m.foldOverview(u.Update)
		return
	}
	if e := u.Update.Extras; e != nil {
		m.extras[u.Node] = e
	}
	if b := u.Update.Backfill; b != nil {
		m.foldNodeBackfill(u.Node, b)
	}
	if nm := m.nodes[u.Node]; nm != nil {
		m.nodes[u.Node] = updateNode(nm, *u.Update)
	}
}

func (m *Multi) foldView(v *model.ClusterView) {
	vc := *v
	m.view = &vc
	if v.Time.After(m.now) {
		m.now = v.Time
	}
	m.bkData.Now = m.now
	if m.opts.Kind == MultiCluster {
		m.views = append(m.views, vc)
		if over := len(m.views) - maxClusterViews; over > 0 {
			m.views = append(m.views[:0:0], m.views[over:]...)
		}
		m.checks = model.EvaluateCluster(model.ClusterInputs{Views: m.views, CommandTarget: m.opts.Commands})
	} else {
		m.checks = model.EvaluateFleetFor(&vc, m.opts.Commands)
	}
	seen := map[string]bool{}
	for i := range vc.Nodes {
		n := &vc.Nodes[i]
		id := nodeKey(n)
		seen[id] = true
		h := m.hists[id]
		if h == nil {
			h = model.NewHistory(m.opts.NodeHistory)
			m.hists[id] = h
		}
		s := nodeSample(n, vc.Time)
		h.Add(s)
		if nm := m.nodes[id]; nm != nil {
			c := nodeConn(n, vc.Time)
			nn := updateNode(nm, model.Update{Conn: &c})
			m.nodes[id] = updateNode(nn, model.Update{Sample: &s})
		}
	}
	// A node gone from the topology: forget its samples, unless its view
	// is open (it then shows the node as unreachable until esc).
	if nm := m.nodes[m.drill]; nm != nil && !seen[m.drill] {
		c := model.Conn{State: model.ConnReconnecting, Since: vc.Time, Err: "the node is no longer in the " + m.kindWord() + "'s topology"}
		m.nodes[m.drill] = updateNode(nm, model.Update{Conn: &c})
	}
	for id := range m.hists {
		if !seen[id] && id != m.drill {
			delete(m.hists, id)
			delete(m.extras, id)
		}
	}
	if m.selID == "" || !seen[m.selID] {
		if rows := sortedNodes(m.view, m.sortBy); len(rows) > 0 {
			if m.selID == "" {
				m.selID = nodeKey(rows[0])
			} else {
				m.selID = nodeKey(rows[min(m.selIndex(), len(rows)-1)])
			}
		}
	}
}

// nodeKey identifies a node across polls: its cluster id, or its address
// for a fleet member.
func nodeKey(n *model.ClusterNode) string {
	if n.ID != "" {
		return n.ID
	}
	return n.Addr
}

// nodeSample is the node's sample for its history: a gap when it did not
// answer.
func nodeSample(n *model.ClusterNode, t time.Time) model.Sample {
	if n.Sample != nil && n.Err == "" {
		return *n.Sample
	}
	err := n.Err
	if err == "" {
		err = "no answer"
	}
	return model.Sample{Time: t, Err: err}
}

func nodeConn(n *model.ClusterNode, t time.Time) model.Conn {
	if n.Sample != nil && n.Err == "" {
		return model.Conn{State: model.ConnLive, Since: t}
	}
	return model.Conn{State: model.ConnReconnecting, Since: t, Err: n.Err}
}

// selIndex is the selected node's row in the current order (0 when none).
func (m *Multi) selIndex() int {
	if m.view == nil {
		return 0
	}
	for i, n := range sortedNodes(m.view, m.sortBy) {
		if nodeKey(n) == m.selID {
			return i
		}
	}
	return 0
}

// selectedNode is the node under the cursor, or nil.
func (m *Multi) selectedNode() *model.ClusterNode {
	if m.view == nil {
		return nil
	}
	for i := range m.view.Nodes {
		if nodeKey(&m.view.Nodes[i]) == m.selID {
			return &m.view.Nodes[i]
		}
	}
	return nil
}

// MultiKeyMap are the overview's own keys (the global ones come from
// KeyMap): the list keys, with g and G for the ends, and the sort.
type MultiKeyMap struct {
	ListKeyMap
	Sort key.Binding
}

// DefaultMultiKeyMap returns the overview's keys.
func DefaultMultiKeyMap() MultiKeyMap {
	return MultiKeyMap{
		ListKeyMap: DefaultListKeyMap().withVimEnds().named("previous node / scroll", "next node / scroll", "first node", "last node",
			"drill into the selected node: its full single-server view"),
		Sort: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort: topology / used / fragmentation / keys")),
	}
}

func (m Multi) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m, tea.Quit
	}
	if m.help && key.Matches(msg, m.keys.Quit) {
		m.help = false // q closes the overview's help, as it always has
		return m, nil
	}
	if m.helpKey(msg, &m.keys, &m.mkeys.ListKeyMap, &m) {
		return m, nil
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m, tea.Quit
	case key.Matches(msg, m.keys.Theme):
		m.nextTheme()
		return m, nil
	case key.Matches(msg, m.keys.Next):
		m.section = m.nextSection(1)
		return m, nil
	case key.Matches(msg, m.keys.Prev):
		m.section = m.nextSection(-1)
		return m, nil
	case key.Matches(msg, m.keys.Export):
		return m, m.export()
	case key.Matches(msg, m.mkeys.Sort) && m.section == secNodes:
		m.sortBy = (m.sortBy + 1) % numSorts
		m.setStatus("nodes sorted by " + m.sortBy.String())
		return m, nil
	}
	if m.runAction(msg) {
		return m, nil
	}
	// The rest is the focused pane's (pane 0 is the header).
	_, cmd := m.panes()[int(m.section)+1].HandleKey(msg, m.bkData)
	return m, cmd
}

func (m *Multi) nextSection(d int) multiSection {
	n := 2
	if m.bk != nil {
		n = 3
	}
	return multiSection((int(m.section) + d + n) % n)
}

// nodesKey moves the table's selection, or drills into the selected node.
func (m *Multi) nodesKey(msg tea.KeyPressMsg) (handled bool) {
	if m.view == nil || len(m.view.Nodes) == 0 {
		return false
	}
	rows := sortedNodes(m.view, m.sortBy)
	i := m.selIndex()
	page := max(m.tableRows(), 1)
	switch {
	case key.Matches(msg, m.mkeys.Up):
		i--
	case key.Matches(msg, m.mkeys.Down):
		i++
	case key.Matches(msg, m.mkeys.PageUp):
		i -= page
	case key.Matches(msg, m.mkeys.PageDown):
		i += page
	case key.Matches(msg, m.mkeys.Top):
		i = 0
	case key.Matches(msg, m.mkeys.Bottom):
		i = len(rows) - 1
	case key.Matches(msg, m.mkeys.Open):
		m.drillIn(rows[clamp(i, 0, len(rows)-1)])
		return true
	default:
		return false
	}
	m.selID = nodeKey(rows[clamp(i, 0, len(rows)-1)])
	return true
}

// checksKey selects a check, opens it and scrolls it.
func (m *Multi) checksKey(msg tea.KeyPressMsg) (handled bool) {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.checkOpen, m.checkOff = false, 0
	case key.Matches(msg, m.mkeys.Open):
		m.checkOpen, m.checkOff = !m.checkOpen, 0
	case key.Matches(msg, m.mkeys.Up):
		if m.checkOpen {
			m.checkOff = max(m.checkOff-1, 0)
		} else {
			m.checkSel = max(m.checkSel-1, 0)
		}
	case key.Matches(msg, m.mkeys.Down):
		if m.checkOpen {
			m.checkOff = min(m.checkOff+1, m.openCheckScrollMax())
		} else {
			m.checkSel = min(m.checkSel+1, max(len(m.checks)-1, 0))
		}
	default:
		return false
	}
	return true
}

// drillIn opens the node's single-server view, built once and kept (at most
// maxDrillViews of them) so coming back shows the same history.
func (m *Multi) drillIn(n *model.ClusterNode) {
	id := nodeKey(n)
	m.drill = id
	nm := m.nodes[id]
	if nm == nil {
		label := n.Addr + " (" + m.kindWord() + " " + n.Role + ")"
		var exp *Exporter
		if m.opts.NodeExport != nil {
			exp = m.opts.NodeExport(n.Addr)
		}
		nm = newDrillView(Options{
			Target:     label,
			Commands:   m.nodeCommands(n.Addr),
			Theme:      m.themeName,
			NoColor:    m.opts.NoColor,
			Interval:   m.opts.Interval,
			History:    m.opts.History,
			ExtraPanes: m.nodePanes(),
			Keys:       m.opts.Keys,
			Export:     exp,
		}, &m.chrome, m.hists[id], nodeConn(n, m.now), m.extras[id])
		nm.setStatus("esc: back to the " + m.kindWord())
		if b := m.prom[id]; b != nil {
			nm.live.foldBackfill(b) // its line; the samples came with the history
		}
		m.nodes[id] = nm
	}
	m.touch(id)
	m.feedNodeScan()
	if m.opts.Focus != nil {
		m.opts.Focus(id, n.Addr)
	}
}

// touch marks a drill-in view as just used and drops the least recently
// used beyond maxDrillViews.
func (m *Multi) touch(id string) {
	out := m.order[:0:0]
	for _, o := range m.order {
		if o != id {
			out = append(out, o)
		}
	}
	out = append(out, id)
	for len(out) > maxDrillViews {
		delete(m.nodes, out[0])
		out = out[1:]
	}
	m.order = out
}

// drillKey routes a key to the node's view; esc there, when the view has
// nothing of its own open, returns to the overview.
func (m Multi) drillKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	nm := m.nodes[m.drill]
	if nm == nil {
		m.drill = ""
		return m, nil
	}
	if key.Matches(msg, m.keys.Back) && nm.atTop() {
		m.drill = ""
		if m.opts.Focus != nil {
			m.opts.Focus("", "")
		}
		return m, nil
	}
	// The overview's own keys (the cluster scan's s/R, a demo's n/p/r) work
	// in a node's view too, unless it is typing (a filter) or asking.
	if nm.takesGlobalKeys() && nm.runActionOf(m.actions, msg) {
		return m, nil
	}
	next, cmd := nm.Update(msg)
	nn := next.(Model)
	m.nodes[m.drill] = &nn
	return m, cmd
}

// View draws the screen.
func (m Multi) View() tea.View {
	var content string
	if nm := m.nodes[m.drill]; m.drill != "" && nm != nil {
		content = nm.screen(nm.render)
	} else {
		content = m.screen(m.render)
	}
	// The mouse is on in a node's view: its panes scroll with the wheel.
	return teaView(content, m.opts.Target, m.drill != "")
}

// RunMulti runs the overview until the user quits or ctx ends.
func RunMulti(ctx context.Context, opts MultiOptions, progOpts ...tea.ProgramOption) error {
	return runProgram(ctx, NewMulti(opts), progOpts)
}

// export builds the overview's report now and writes it in a command.
func (m *Multi) export() tea.Cmd {
	if m.opts.Export == nil || m.view == nil {
		m.setStatus("open a node (enter) and press x there to export its report")
		return nil
	}
	snap := MultiSnapshot{Views: append([]model.ClusterView(nil), m.views...), Hists: m.hists, Extras: m.extras, Scan: m.bkData.Scan}
	if len(snap.Views) == 0 {
		snap.Views = []model.ClusterView{*m.view}
	}
	return m.writeReport(m.opts.Export.Build(snap), m.opts.Export.Write)
}

// feedNodeScan gives the open node view the scan of its own shard.
func (m *Multi) feedNodeScan() {
	nm := m.nodes[m.drill]
	if nm == nil || m.opts.NodeScan == nil || m.view == nil {
		return
	}
	n := m.view.Node(m.drill)
	if n == nil {
		for i := range m.view.Nodes {
			if nodeKey(&m.view.Nodes[i]) == m.drill {
				n = &m.view.Nodes[i]
			}
		}
	}
	if n == nil {
		return
	}
	st, ok := m.opts.NodeScan(n.Addr)
	if !ok {
		return
	}
	up := st.Update()
	m.nodes[m.drill] = updateNode(nm, model.Update{Scan: &up})
}

// nodePanes are the extra panes of a drill-in view: the node's own big keys
// when the cluster is scanned, and its checklist.
func (m *Multi) nodePanes() []Pane {
	if m.opts.NodeScan != nil {
		return []Pane{NewBigKeysPane(), NewChecklistPane()}
	}
	return []Pane{NewChecklistPane()}
}

// foldOverview applies an update meant for the overview itself: a demo
// caption, or the merged big-key scan.
func (m *Multi) foldOverview(u *model.Update) {
	if c := u.Caption; c != nil {
		m.caption = shownCaption(c)
	}
	if u.Scan != nil {
		m.bkData.foldScan(u.Scan)
		m.feedNodeScan()
	}
}

// nodeCommands is the target a node's drill-in view names in its commands.
func (m *Multi) nodeCommands(addr string) model.CommandTarget {
	if m.opts.NodeCommands != nil {
		return m.opts.NodeCommands(addr)
	}
	if m.opts.Commands.IsZero() {
		return model.CommandTarget{}
	}
	return m.opts.Commands.ForNode(addr)
}
