package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/internal/redistest/clustertest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// multiRig drives the cluster overview as the program does, without a
// terminal: the real poll loop, extras loop and UI model; the test folds
// what the feed sends and presses keys in between.
type multiRig struct {
	t       *testing.T
	m       ui.Multi
	feed    *app.OverviewFeed
	cancel  context.CancelFunc
	lastCmd tea.Cmd // the command of the latest key
}

func startMultiRig(t *testing.T, r *app.Overview, first model.ClusterView, w, h int) *multiRig {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rig := &multiRig{t: t, cancel: cancel}
	rig.feed = r.Start(ctx, first)
	t.Cleanup(func() { cancel(); rig.feed.Wait() })
	rig.m = ui.NewMulti(rig.feed.UI)
	rig.step(tea.WindowSizeMsg{Width: w, Height: h})
	return rig
}

func (r *multiRig) step(msg tea.Msg) tea.Cmd {
	r.t.Helper()
	nm, cmd := r.m.Update(msg)
	m, ok := nm.(ui.Multi)
	if !ok {
		r.t.Fatalf("Update returned %T", nm)
	}
	r.m = m
	return cmd
}

func (r *multiRig) frame() string { return ansi.Strip(r.m.View().Content) }

// until folds the feed's updates until cond holds (or fails after limit).
func (r *multiRig) until(what string, limit time.Duration, cond func() bool) {
	r.t.Helper()
	deadline := time.After(limit)
	for !cond() {
		select {
		case u := <-r.feed.Out:
			r.step(u)
		case <-deadline:
			r.t.Fatalf("waiting for %s; the screen:\n%s", what, r.frame())
		}
	}
}

// key presses a key and checks the model answered at once: Update does no
// I/O, so a key is answered between two updates whatever the nodes do.
func (r *multiRig) key(k string) {
	r.t.Helper()
	r.lastCmd = r.step(redistest.Key(k))
}

// TestClusterOverviewFollowsAFailoverWithANodeStopped drives the live cluster
// overview (80×24) against a real 3 + 3 cluster: the nodes table and totals;
// then a master is frozen with SIGSTOP (it neither answers nor closes its
// connections, the worst case for a poller): the overview marks it
// unreachable while the other nodes keep updating, keys keep working (help,
// drilling into the stopped node shows it reconnecting, esc), the cluster
// fails over and the view follows (its replica serves the slots); after
// SIGCONT every node answers again; stopping the feed does not hang.
func TestClusterOverviewFollowsAFailoverWithANodeStopped(t *testing.T) {
	servers := clustertest.Start(t, demo.ClusterOptions{}).Nodes
	opts := redisx.DefaultOptions()
	opts.Addr = servers[0].Addr
	opts.DialTimeout, opts.CommandTimeout = 500*time.Millisecond, 500*time.Millisecond
	cm := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{RediscoverEvery: 3})
	t.Cleanup(func() { _ = cm.Close() })
	first, err := cm.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	run := app.NewClusterOverview(cm, opts, app.Config{Interval: 200 * time.Millisecond, History: time.Minute, Theme: "dark"})
	rig := startMultiRig(t, run, first, 80, 24)

	rig.until("every node", 15*time.Second, func() bool {
		cv := rig.m.ClusterView()
		if cv == nil {
			return false
		}
		tot := cv.Totals()
		return tot.Masters == 3 && tot.Replicas == 3 && tot.Unreachable == 0 && tot.SlotsServed == model.ClusterSlots &&
			strings.Contains(rig.frame(), "16384/16384 slots")
	})
	v := rig.m.ClusterView()
	f := rig.frame()
	for _, n := range v.Nodes {
		if !strings.Contains(f, n.Addr) {
			t.Errorf("the table lacks %s:\n%s", n.Addr, f)
		}
	}
	// The victim: a master that is not the seed, and its replica.
	var victim, heir *model.ClusterNode
	for _, n := range v.Masters() {
		if n.Addr != opts.Addr {
			victim = n
			break
		}
	}
	if reps := v.Replicas(victim.ID); len(reps) == 1 {
		heir = reps[0]
	} else {
		t.Fatalf("master %s has replicas %v", victim.Addr, reps)
	}
	var srv *redisproc.Server
	for _, s := range servers {
		if s.Addr == victim.Addr {
			srv = s
		}
	}
	if err := srv.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}

	rig.until("the stopped master marked unreachable", 15*time.Second, func() bool {
		return strings.Contains(rig.frame(), "1 unreachable")
	})
	// Other nodes keep updating while one hangs: two more views arrive with
	// fresh samples for the rest.
	before := rig.m.ClusterView().Time
	views := 0
	rig.until("two more views", 15*time.Second, func() bool {
		if cv := rig.m.ClusterView(); cv.Time.After(before) {
			before = cv.Time
			views++
			if heirNow := cv.Node(heir.ID); heirNow == nil || heirNow.Sample == nil {
				t.Fatalf("the heir %s did not answer while another node hung", heir.Addr)
			}
		}
		return views >= 2
	})
	rig.key("?")
	if f := rig.frame(); !strings.Contains(f, "drill into the selected node") {
		t.Fatalf("? did not answer while a node is stopped:\n%s", f)
	}
	rig.key("esc")
	for range len(v.Nodes) {
		if rig.m.Selected() == victim.ID {
			break
		}
		rig.key("down")
	}
	rig.key("enter")
	if rig.m.Drilled() != victim.ID {
		t.Fatalf("drilled into %q, want the stopped master %s", rig.m.Drilled(), victim.ID)
	}
	rig.until("the stopped node's view says reconnecting", 10*time.Second, func() bool {
		return strings.Contains(rig.frame(), "reconnecting")
	})
	rig.key("esc")
	if rig.m.Drilled() != "" {
		t.Fatal("esc did not come back to the overview")
	}

	// The cluster fails over (node timeout 2 s): the view follows.
	rig.until("the replica promoted", 40*time.Second, func() bool {
		cv := rig.m.ClusterView()
		h := cv.Node(heir.ID)
		return h != nil && h.IsMaster() && h.SlotCount() > 0 && cv.Totals().SlotsServed == model.ClusterSlots
	})
	if f := rig.frame(); !strings.Contains(f, "16384/16384 slots") {
		t.Errorf("after the failover the slots are not all served:\n%s", f)
	}

	if err := srv.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	rig.until("every node answering again, the old master as a replica", 40*time.Second, func() bool {
		cv := rig.m.ClusterView()
		old := cv.Node(victim.ID)
		return cv.Totals().Unreachable == 0 && old != nil && !old.IsMaster() && old.MasterOf == heir.ID
	})

	done := make(chan struct{})
	go func() { rig.cancel(); rig.feed.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the feed did not stop within 10 s of being cancelled")
	}
}

// TestClusterOverviewScanAndExport runs the overview with the cluster-wide
// big-key scan on the shared 3 + 3 cluster, then x: the merged scan counts
// every master's keys once, the biggest key is named with the master that
// serves its slot and MEMORY USAGE's bytes there, and the exported report
// has the cluster section (every node, each with its own report) and the
// merged big keys.
func TestClusterOverviewScanAndExport(t *testing.T) {
	servers := reportCluster.Get(t).Nodes
	opts := redisx.DefaultOptions()
	opts.Addr = servers[0].Addr
	cm := redisx.NewClusterMonitor(opts, redisx.ClusterOptions{})
	t.Cleanup(func() { _ = cm.Close() })
	first, err := cm.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{Interval: 200 * time.Millisecond, History: time.Minute, Theme: "dark"}
	cfg.Scan = app.ScanConfig{On: true, Samples: 5, Repeat: 10 * time.Minute}
	run := app.NewClusterOverview(cm, opts, cfg)
	rig := startMultiRig(t, run, first, 120, 40)
	rig.until("the scan of every master done", 30*time.Second, func() bool {
		s := rig.m.Scan()
		return s != nil && s.Progress.Phase == model.ScanDone
	})
	v := rig.m.ClusterView()
	var dbsize int64
	for _, n := range v.Masters() {
		c := demo.NewClient(n.Addr)
		k, err := c.DBSize(t.Context()).Result()
		_ = c.Close()
		if err != nil {
			t.Fatal(err)
		}
		dbsize += k
	}
	res := rig.m.Scan().Result
	if res == nil || res.Keys != dbsize {
		t.Fatalf("merged scan: %+v keys, the masters hold %d", res, dbsize)
	}
	top := res.TopBytes[0]
	c := demo.NewClient(servers[0].Addr)
	slot, err := c.ClusterKeySlot(t.Context(), top.Key).Result()
	_ = c.Close()
	if err != nil {
		t.Fatal(err)
	}
	var owner string
	for _, n := range v.Masters() {
		for _, r := range n.Slots {
			if int(slot) >= r.Start && int(slot) <= r.End {
				owner = n.Addr
			}
		}
	}
	oc := demo.NewClient(owner)
	usage, err := oc.MemoryUsage(t.Context(), top.Key, 5).Result()
	_ = oc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if top.Node != owner || top.Bytes != usage {
		t.Errorf("top key %q on %q, %d bytes; want it on %s with MEMORY USAGE %d", top.Key, top.Node, top.Bytes, owner, usage)
	}
	if f := rig.frame(); !strings.Contains(f, keyPrefix(top.Key)) {
		t.Errorf("the big keys section does not show the top key %q:\n%s", top.Key, f)
	}

	// The owner's own view shows its shard's big keys.
	for range len(v.Nodes) {
		if n := v.Node(rig.m.Selected()); n != nil && n.Addr == owner {
			break
		}
		rig.key("down")
	}
	rig.key("enter")
	if f := rig.frame(); !strings.Contains(f, "Big keys") || !strings.Contains(f, keyPrefix(top.Key)) {
		t.Errorf("the owner's own view lacks its big keys:\n%s", f)
	}
	rig.key("esc")

	t.Chdir(t.TempDir())
	rig.key("x")
	cmd := rig.lastCmd
	if cmd == nil {
		t.Fatalf("x gave no command; status %q", rig.m.Status())
	}
	rig.step(cmd())
	if !strings.Contains(rig.m.Status(), "report written to") {
		t.Fatalf("status after x: %q", rig.m.Status())
	}
	files, _ := filepath.Glob("redis-memtop-report-*.json")
	if len(files) != 1 {
		t.Fatalf("report files %v", files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	var rep model.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Cluster == nil || len(rep.Cluster.Nodes) != 6 || len(rep.Cluster.NodeReports) != 6 {
		t.Fatalf("cluster section %+v", rep.Cluster)
	}
	if rep.BigKeys == nil || rep.BigKeys.Keys != dbsize || len(rep.BigKeys.TopBytes) == 0 || rep.BigKeys.TopBytes[0].Node != owner {
		t.Errorf("big keys in the report: %+v", rep.BigKeys)
	}
	if md, _ := filepath.Glob("redis-memtop-report-*.md"); len(md) != 1 {
		t.Errorf("markdown files %v", md)
	}
}

// keyPrefix is the start of a key as the table draws it (escaped), short
// enough to survive the key column's width.
func keyPrefix(k string) string {
	r := []rune(model.Sanitize(k, 0))
	return string(r[:min(len(r), 8)])
}
