package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// clusterSpec describes a synthetic cluster poll.
type clusterSpec struct {
	masters, replicas int     // replicas per master
	skew              float64 // the first master holds this many times the others' memory
	tick              int     // which poll (seconds after t0)
}

// view builds one poll of the synthetic cluster: masters m0…, each followed
// by its replicas, slots split evenly, samples from synth.
func (cs clusterSpec) view() model.ClusterView {
	v := model.ClusterView{Time: t0.Add(time.Duration(cs.tick) * time.Second)}
	per := model.ClusterSlots / cs.masters
	for i := range cs.masters {
		end := (i+1)*per - 1
		if i == cs.masters-1 {
			end = model.ClusterSlots - 1
		}
		id := fmt.Sprintf("m%039d", i)
		scale := 1.0
		if i == 0 && cs.skew > 0 {
			scale = cs.skew
		}
		v.Nodes = append(v.Nodes, cs.node(id, "", fmt.Sprintf("10.0.0.%d:7000", i+1), scale, []model.SlotRange{{Start: i * per, End: end}}))
		for r := range cs.replicas {
			rid := fmt.Sprintf("r%02d%037d", r, i)
			v.Nodes = append(v.Nodes, cs.node(rid, id, fmt.Sprintf("10.0.1.%d:%d", i+1, 7001+r), scale, nil))
		}
	}
	return v
}

func (cs clusterSpec) node(id, master, addr string, scale float64, slots []model.SlotRange) model.ClusterNode {
	s := synth{n: 600}.sample(cs.tick)
	used, _ := s.Memory.UsedMemory.Get()
	s.Memory.UsedMemory = model.Some(used * scale)
	s.Keyspace = []model.DBKeys{{DB: 0, Keys: model.Some(1000 * scale)}}
	role := model.ClusterRoleMaster
	if master != "" {
		role = model.ClusterRoleReplica
		s.Server.Role = "slave"
	}
	return model.ClusterNode{ID: id, Addr: addr, Role: role, MasterOf: master, Slots: slots, Link: "connected", Sample: &s}
}

func multiStep(t *testing.T, m Multi, msg tea.Msg) (Multi, tea.Cmd) {
	t.Helper()
	nm, cmd := m.Update(msg)
	out, ok := nm.(Multi)
	if !ok {
		t.Fatalf("Update returned %T", nm)
	}
	return out, cmd
}

func multiSized(t *testing.T, w, h int, opts MultiOptions, views ...model.ClusterView) Multi {
	t.Helper()
	if opts.Theme == "" {
		opts.Theme = themes.NameDark
	}
	if opts.Target == "" {
		opts.Target = "10.0.0.1:7000"
	}
	m := NewMulti(opts)
	m, _ = multiStep(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	for i := range views {
		m, _ = multiStep(t, m, MultiUpdate{View: &views[i]})
	}
	return m
}

func multiFrame(m Multi) string { return ansi.Strip(m.View().Content) }

func TestMultiClusterTable(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1, skew: 3}.view()
	m := multiSized(t, 80, 24, MultiOptions{}, v)
	f := multiFrame(m)
	checkFrame(t, m.View().Content, 80, 24)
	for _, want := range []string{
		"6 nodes: 3 masters, 3 replicas", "16384/16384 slots", "imbalance: used 3.00×", "10.0.0.1:7000 vs 10.0.0.2:7000",
		"10.0.0.1:7000", "└ 10.0.1.1:7001", "10.0.0.3:7000", "└ 10.0.1.3:7001", "master", "replica", "Cluster checks",
	} {
		if !strings.Contains(f, want) {
			t.Errorf("frame lacks %q:\n%s", want, f)
		}
	}
	// The skewed master trips the balance rule, and the checks say so.
	if !strings.Contains(f, "warn") || m.Checks()[0].ID != model.CheckClusterMemoryBalance {
		t.Errorf("checks %v: the memory balance check should lead with warn:\n%s", m.Checks(), f)
	}
	// Sorting by used memory puts the fat master and its replica first.
	m, _ = multiStep(t, m, redistest.Key("o"))
	f = multiFrame(m)
	first := strings.Index(f, "10.0.0.1:7000 ")
	if first < 0 || first > strings.Index(f, "10.0.0.2:7000 ") || !strings.Contains(f, "sort used") {
		t.Errorf("sort by used did not put 10.0.0.1 first:\n%s", f)
	}
}

func TestMultiFitsEverySize(t *testing.T) {
	views := []model.ClusterView{clusterSpec{masters: 3, replicas: 1}.view(), clusterSpec{masters: 12, replicas: 2, skew: 2}.view()}
	for _, v := range views {
		for _, w := range []int{20, 59, 60, 80, 100, 120, 160, 220} {
			for _, h := range []int{8, 14, 15, 20, 24, 40, 60} {
				for _, sec := range []string{"", "tab", "tab tab"} {
					m := multiSized(t, w, h, MultiOptions{Scan: true}, v)
					for _, k := range strings.Fields(sec) {
						m, _ = multiStep(t, m, redistest.Key(k))
					}
					checkFrame(t, m.View().Content, w, h)
				}
			}
		}
	}
}

func TestMultiScrollsAt80x24(t *testing.T) {
	v := clusterSpec{masters: 20, replicas: 1}.view() // 40 nodes
	m := multiSized(t, 80, 24, MultiOptions{}, v)
	f := multiFrame(m)
	if !strings.Contains(f, "Nodes 1–") || !strings.Contains(f, "of 40") {
		t.Fatalf("the table should say it scrolls:\n%s", f)
	}
	if strings.Contains(f, "10.0.0.20:7000") {
		t.Fatalf("the last master is on screen before scrolling:\n%s", f)
	}
	m, _ = multiStep(t, m, redistest.Key("end"))
	f = multiFrame(m)
	if !strings.Contains(f, "└ 10.0.1.20:7001") || !strings.Contains(f, "40 of 40") {
		t.Fatalf("end did not scroll to the last node:\n%s", f)
	}
	if m.Selected() != v.Nodes[39].ID {
		t.Errorf("selected %q, want the last node", m.Selected())
	}
	m, _ = multiStep(t, m, redistest.Key("up"))
	if m.Selected() != v.Nodes[38].ID {
		t.Errorf("up selected %q, want node 38", m.Selected())
	}
	m, _ = multiStep(t, m, redistest.Key("home"))
	if f = multiFrame(m); !strings.Contains(f, "Nodes 1–") || m.Selected() != v.Nodes[0].ID {
		t.Fatalf("home did not go back to the top:\n%s", f)
	}
	checkFrame(t, m.View().Content, 80, 24)
}

func TestMultiDrillInAndBack(t *testing.T) {
	var focus []string
	opts := MultiOptions{Focus: func(id, addr string) { focus = append(focus, id+"@"+addr) }}
	spec := clusterSpec{masters: 3, replicas: 1}
	views := make([]model.ClusterView, 0, 20)
	for i := range 20 {
		spec.tick = i
		views = append(views, spec.view())
	}
	m := multiSized(t, 120, 40, opts, views...)
	m, _ = multiStep(t, m, redistest.Key("down"))
	m, _ = multiStep(t, m, redistest.Key("down")) // the second master
	want := views[0].Nodes[2]
	m, _ = multiStep(t, m, redistest.Key("enter"))
	if m.Drilled() != want.ID {
		t.Fatalf("drilled into %q, want %q", m.Drilled(), want.ID)
	}
	f := multiFrame(m)
	for _, s := range []string{"10.0.0.2:7000 (cluster master)", "Memory", "Fragmentation", "Checklist", "esc: back to the cluster"} {
		if !strings.Contains(f, s) {
			t.Errorf("the node's view lacks %q:\n%s", s, f)
		}
	}
	node := m.nodes[want.ID]
	if got := node.Live().Hist.Len(); got != 20 {
		t.Errorf("the node's view starts with %d samples, want the 20 polled so far", got)
	}
	// Polls go on feeding the open view; extras for the node reach it.
	spec.tick = 20
	v := spec.view()
	m, _ = multiStep(t, m, MultiUpdate{View: &v})
	m, _ = multiStep(t, m, MultiUpdate{Node: want.ID, Update: &model.Update{Extras: &model.Extras{Time: v.Time, Config: &model.Config{}}}})
	node = m.nodes[want.ID]
	if node.Live().Hist.Len() != 21 || node.Live().Extras == nil {
		t.Errorf("the open view got %d samples and extras %v", node.Live().Hist.Len(), node.Live().Extras)
	}
	// Keys go to the node's view: e expands its pane, esc closes that first.
	m, _ = multiStep(t, m, redistest.Key("e"))
	if !m.nodes[want.ID].Expanded() {
		t.Fatal("e did not reach the node's view")
	}
	m, _ = multiStep(t, m, redistest.Key("esc"))
	if m.Drilled() == "" || m.nodes[want.ID].Expanded() {
		t.Fatal("esc in an expanded pane should close the pane, not leave the node")
	}
	m, _ = multiStep(t, m, redistest.Key("esc"))
	if m.Drilled() != "" {
		t.Fatal("esc did not come back to the overview")
	}
	if f = multiFrame(m); !strings.Contains(f, "Nodes") || !strings.Contains(f, "enter drill in") {
		t.Errorf("not the overview after esc:\n%s", f)
	}
	if len(focus) != 2 || focus[0] != want.ID+"@"+want.Addr || focus[1] != "@" {
		t.Errorf("focus calls %v", focus)
	}
	// q quits from a node's view too.
	m, _ = multiStep(t, m, redistest.Key("enter"))
	if _, cmd := multiStep(t, m, redistest.Key("q")); cmd == nil {
		t.Error("q in a node's view gave no command")
	} else if _, ok := cmd().(tea.QuitMsg); !ok {
		t.Error("q in a node's view did not quit")
	}
}

func TestMultiUnreachableNodeAndMigration(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1}.view()
	v.Nodes[1].Sample, v.Nodes[1].Err = nil, "i/o timeout"
	v.Nodes[0].Migrating = []model.SlotMove{{Slot: 42, Peer: v.Nodes[2].ID}}
	v.Nodes[2].Importing = []model.SlotMove{{Slot: 42, Peer: v.Nodes[0].ID}}
	m := multiSized(t, 80, 24, MultiOptions{}, v)
	f := multiFrame(m)
	for _, s := range []string{"1 unreachable", "migrating: slot 42 10.0.0.1:7000 → 10.0.0.2:7000", "⇄"} {
		if !strings.Contains(f, s) {
			t.Errorf("frame lacks %q:\n%s", s, f)
		}
	}
	m, _ = multiStep(t, m, redistest.Key("down"))
	if f = multiFrame(m); !strings.Contains(f, "unreachable: i/o timeout") {
		t.Errorf("the detail line does not say why the node is unreachable:\n%s", f)
	}
	m, _ = multiStep(t, m, redistest.Key("enter"))
	if f = multiFrame(m); !strings.Contains(f, "reconnecting") {
		t.Errorf("the unreachable node's view does not say so:\n%s", f)
	}
	m, _ = multiStep(t, m, redistest.Key("esc"))
	// The checks section: enter opens the worst check's evidence.
	m, _ = multiStep(t, m, redistest.Key("tab"))
	m, _ = multiStep(t, m, redistest.Key("enter"))
	if f = multiFrame(m); !strings.Contains(f, "esc back") || !strings.Contains(f, "without a healthy replica") {
		t.Errorf("enter on a check did not open it:\n%s", f)
	}
	for range 12 {
		m, _ = multiStep(t, m, redistest.Key("down"))
	}
	if f = multiFrame(m); !strings.Contains(f, "redis-cli") {
		t.Errorf("enter on a check did not open its evidence and commands:\n%s", f)
	}
	checkFrame(t, m.View().Content, 80, 24)
}

func TestMultiFleetAndHostileStrings(t *testing.T) {
	v := clusterSpec{masters: 3}.view()
	for i := range v.Nodes {
		v.Nodes[i].ID, v.Nodes[i].Slots = v.Nodes[i].Addr, nil
	}
	v.Nodes[2].Sample, v.Nodes[2].Err = nil, "evil\x1b]52;c;AAAA\x07\x1b[2J\rname"
	v.Nodes[1].Addr = "host\x1b]0;pwned\x07:6379"
	m := multiSized(t, 100, 30, MultiOptions{Kind: MultiFleet, Target: "3 servers"}, v)
	m, _ = multiStep(t, m, redistest.Key("end"))
	raw := m.View().Content
	f := ansi.Strip(raw)
	if !strings.Contains(f, "fleet") || strings.Contains(f, "slots") || strings.Contains(f, "Cluster checks") {
		t.Errorf("a fleet shows cluster things:\n%s", f)
	}
	for _, bad := range []string{"\x1b]", "\x07", "\x1b[2J", "\r"} {
		if strings.Contains(raw, bad) {
			t.Errorf("the frame carries %q from a server string", bad)
		}
	}
	checkFrame(t, raw, 100, 30)
}

func TestMultiHelpAndTooSmall(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1}.view()
	m := multiSized(t, 80, 24, MultiOptions{}, v)
	m, _ = multiStep(t, m, redistest.Key("?"))
	if f := multiFrame(m); !strings.Contains(f, "drill into the selected node") {
		t.Errorf("? shows no help:\n%s", f)
	}
	// The help is built from the key bindings and scrolls when it does not
	// fit, as the single-server one does.
	if f := multiFrame(m); !strings.Contains(f, "↑↓ scroll · rows 1–") || !strings.Contains(f, "shift+tab") {
		t.Errorf("the help at 80×24 should list every binding and scroll:\n%s", f)
	}
	m, _ = multiStep(t, m, redistest.Key("end"))
	m, _ = multiStep(t, m, redistest.Key("down"))
	if f := multiFrame(m); !strings.Contains(f, "rows 2–") || m.Selected() != v.Nodes[0].ID {
		t.Errorf("↓ should scroll the help, not move the table:\n%s", f)
	}
	// q closes the overview's help (it does not quit), as it always has.
	if m, cmd := multiStep(t, m, redistest.Key("q")); cmd != nil || m.help {
		t.Errorf("q in the help: command %v, help still up %v", cmd, m.help)
	}
	m, _ = multiStep(t, m, redistest.Key("esc"))
	if f := multiFrame(m); strings.Contains(f, "drill into the selected node") {
		t.Errorf("esc did not close the help:\n%s", f)
	}
	m, _ = multiStep(t, m, tea.WindowSizeMsg{Width: 50, Height: 10})
	if f := multiFrame(m); !strings.Contains(f, "too small") {
		t.Errorf("50×10 should say the terminal is too small:\n%s", f)
	}
}

func TestMultiCaption(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1}.view()
	m := multiSized(t, 80, 24, MultiOptions{}, v)
	m, _ = multiStep(t, m, MultiUpdate{Update: &model.Update{Caption: &model.Caption{Text: "one shard runs hot\x1b[2J", Stage: 2, Of: 4}}})
	f := multiFrame(m)
	if !strings.Contains(f, "[2/4] one shard runs hot") || strings.Contains(m.View().Content, "\x1b[2J") {
		t.Errorf("caption not shown (or not escaped):\n%s", f)
	}
	checkFrame(t, m.View().Content, 80, 24)
	m, _ = multiStep(t, m, MultiUpdate{Update: &model.Update{Caption: &model.Caption{}}})
	if strings.Contains(multiFrame(m), "runs hot") || m.Caption() != nil {
		t.Error("an empty caption did not clear the line")
	}
}

// BenchmarkMultiView renders the overview of a 6-node and a 120-node
// cluster at 120×40 after 300 polls (the overview is re-drawn on every poll
// of every node, so this is its steady-state cost per frame).
func BenchmarkMultiView(b *testing.B) {
	for _, sz := range []struct{ masters, replicas int }{{3, 1}, {40, 2}} {
		b.Run(fmt.Sprintf("%dnodes", sz.masters*(1+sz.replicas)), func(b *testing.B) {
			m := NewMulti(MultiOptions{Theme: themes.NameDark, Target: "10.0.0.1:7000"})
			nm, _ := m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
			m = nm.(Multi)
			for i := range 300 {
				v := clusterSpec{masters: sz.masters, replicas: sz.replicas, tick: i}.view()
				nm, _ = m.Update(MultiUpdate{View: &v})
				m = nm.(Multi)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

// BenchmarkMultiFold is the cost of folding one poll of the whole cluster
// (histories, cluster rules over the recent views).
func BenchmarkMultiFold(b *testing.B) {
	for _, sz := range []struct{ masters, replicas int }{{3, 1}, {40, 2}} {
		b.Run(fmt.Sprintf("%dnodes", sz.masters*(1+sz.replicas)), func(b *testing.B) {
			m := NewMulti(MultiOptions{Theme: themes.NameDark})
			views := make([]model.ClusterView, 64)
			for i := range views {
				views[i] = clusterSpec{masters: sz.masters, replicas: sz.replicas, tick: i}.view()
			}
			b.ReportAllocs()
			b.ResetTimer()
			i := 0
			for b.Loop() {
				nm, _ := m.Update(MultiUpdate{View: &views[i%len(views)]})
				m = nm.(Multi)
				i++
			}
		})
	}
}

// The overview's memory is bounded whatever the run's length: each node
// keeps at most NodeHistory samples, the cluster rules at most
// maxClusterViews views, and at most maxDrillViews drill-in views live.
func TestMultiMemoryIsBounded(t *testing.T) {
	m := NewMulti(MultiOptions{Theme: themes.NameDark, NodeHistory: 50})
	m, _ = multiStep(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	spec := clusterSpec{masters: 8, replicas: 1}
	for i := range 400 {
		spec.tick = i
		v := spec.view()
		m, _ = multiStep(t, m, MultiUpdate{View: &v})
		if i%20 == 0 { // open another node's view now and then
			m, _ = multiStep(t, m, redistest.Key("down"))
			m, _ = multiStep(t, m, redistest.Key("enter"))
			m, _ = multiStep(t, m, redistest.Key("esc"))
		}
	}
	if len(m.views) > maxClusterViews {
		t.Errorf("%d views kept, bound %d", len(m.views), maxClusterViews)
	}
	for id, h := range m.hists {
		if h.Len() > 50 {
			t.Errorf("node %s keeps %d samples, bound 50", id, h.Len())
		}
	}
	if len(m.nodes) > maxDrillViews || len(m.order) != len(m.nodes) {
		t.Errorf("%d drill-in views alive (order %d), bound %d", len(m.nodes), len(m.order), maxDrillViews)
	}
	if len(m.hists) != 16 {
		t.Errorf("%d node histories for 16 nodes", len(m.hists))
	}
}

func TestMultiDrilledNodeLeavesTheTopology(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1}.view()
	m := multiSized(t, 120, 40, MultiOptions{}, v)
	m, _ = multiStep(t, m, redistest.Key("down")) // a replica
	m, _ = multiStep(t, m, redistest.Key("enter"))
	gone := m.Drilled()
	v2 := clusterSpec{masters: 3, replicas: 1, tick: 1}.view()
	v2.Nodes = append(v2.Nodes[:1], v2.Nodes[2:]...) // CLUSTER FORGET
	m, _ = multiStep(t, m, MultiUpdate{View: &v2})
	if f := multiFrame(m); !strings.Contains(f, "reconnecting") || !strings.Contains(m.nodes[gone].Live().Conn.Err, "no longer in the cluster") {
		t.Errorf("the open view of a forgotten node does not say so:\n%s", f)
	}
	m, _ = multiStep(t, m, redistest.Key("esc"))
	if m.Drilled() != "" || m.Selected() == gone {
		t.Errorf("after esc: drilled %q, selected %q (gone %q)", m.Drilled(), m.Selected(), gone)
	}
	checkFrame(t, m.View().Content, 120, 40)
}

func TestMultiShowsAFork(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1}.view()
	s := *v.Nodes[2].Sample
	s.Persistence.RDBBgsaveInProgress = model.Some(1)
	s.Persistence.CurrentCOWSize = model.Some(12 * mb)
	v.Nodes[2].Sample = &s
	m := multiSized(t, 100, 30, MultiOptions{}, v)
	f := multiFrame(m)
	if !strings.Contains(f, "forking: 10.0.0.2:7000 rdb COW 12.00M") {
		t.Errorf("the running BGSAVE is not named:\n%s", f)
	}
	checkFrame(t, m.View().Content, 100, 30)
}

func TestMultiAfterAFailoverAndActionsInANodeView(t *testing.T) {
	v := clusterSpec{masters: 3, replicas: 1}.view()
	// The first master failed: its replica took its slots.
	old, heir := &v.Nodes[0], &v.Nodes[1]
	heir.Role, heir.MasterOf, heir.Slots = model.ClusterRoleMaster, "", old.Slots
	old.Slots, old.Flags, old.Sample, old.Err = nil, []string{"master", "fail"}, nil, "connection refused"
	runs := 0
	act := Action{Group: "Demo", Key: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next stage")), Do: func() string { runs++; return "next stage…" }}
	m := multiSized(t, 120, 30, MultiOptions{Actions: []Action{act}}, v)
	if f := multiFrame(m); !strings.Contains(f, "6 nodes: 3 masters, 2 replicas, 1 without slots") {
		t.Errorf("the header miscounts after a failover:\n%s", f)
	}
	m, _ = multiStep(t, m, redistest.Key("enter"))
	m, _ = multiStep(t, m, redistest.Key("n"))
	if runs != 1 || !strings.Contains(multiFrame(m), "next stage…") {
		t.Errorf("n in a node's view ran the action %d times:\n%s", runs, multiFrame(m))
	}
}

// A drill-in view seeded at once equals one fed sample by sample.
func TestMultiSeedEqualsFold(t *testing.T) {
	spec := clusterSpec{masters: 3, replicas: 1}
	views := make([]model.ClusterView, 0, 40)
	for i := range 40 {
		spec.tick = i
		views = append(views, spec.view())
	}
	m := multiSized(t, 120, 40, MultiOptions{}, views...)
	m, _ = multiStep(t, m, redistest.Key("enter"))
	seeded := m.nodes[m.Drilled()]
	fed := New(Options{Theme: themes.NameDark, ExtraPanes: []Pane{NewChecklistPane()}})
	for i := range views {
		s := *views[i].Nodes[0].Sample
		fed.fold(model.Update{Sample: &s})
	}
	if seeded.Live().Hist.Len() != fed.Live().Hist.Len() || len(seeded.Live().Events) != len(fed.Live().Events) ||
		!seeded.Live().Now.Equal(fed.Live().Now) {
		t.Fatalf("seeded %d samples %d events, fed %d samples %d events", seeded.Live().Hist.Len(), len(seeded.Live().Events), fed.Live().Hist.Len(), len(fed.Live().Events))
	}
	a, b := seeded.Live().Checklist, fed.Live().Checklist
	if a == nil || b == nil || a.Verdict.Kind != b.Verdict.Kind || len(a.Checks) != len(b.Checks) {
		t.Fatalf("checklists differ: %+v vs %+v", a, b)
	}
	for i := range a.Checks {
		if a.Checks[i].ID != b.Checks[i].ID || a.Checks[i].Status != b.Checks[i].Status {
			t.Errorf("check %d: %s %s vs %s %s", i, a.Checks[i].ID, a.Checks[i].Status, b.Checks[i].ID, b.Checks[i].Status)
		}
	}
}

// MultiOptions.Keys rebinds the overview's global keys and those of the
// node views it opens, and both roots share one chrome: the theme `t`
// picks on the overview is the node view's.
func TestMultiKeysAndSharedChrome(t *testing.T) {
	keys := DefaultKeyMap()
	keys.Help = key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "help"))
	v := clusterSpec{masters: 3, replicas: 1}.view()
	m := multiSized(t, 120, 40, MultiOptions{Keys: &keys}, v)
	if m, _ = multiStep(t, m, redistest.Key("?")); m.help {
		t.Fatal("? still opens the help after Keys moved it to h")
	}
	if m, _ = multiStep(t, m, redistest.Key("h")); !m.help {
		t.Fatal("h does not open the overview's help")
	}
	m, _ = multiStep(t, m, redistest.Key("esc"))
	m, _ = multiStep(t, m, redistest.Key("t"))
	theme := m.styles.Palette.Name
	m, _ = multiStep(t, m, redistest.Key("enter"))
	node := m.nodes[m.Drilled()]
	if node.ThemeName() != theme || node.width != 120 || node.height != 40 {
		t.Errorf("the node view has theme %q and %d×%d, want %q and 120×40", node.ThemeName(), node.width, node.height, theme)
	}
	if m, _ = multiStep(t, m, redistest.Key("h")); !m.nodes[m.Drilled()].HelpShown() {
		t.Error("h does not open the node view's help")
	}
}
