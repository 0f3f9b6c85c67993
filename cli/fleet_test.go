package cli

import (
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// TestFleetOverview drives the fleet overview (several URIs) against two
// real servers, one behind a password given in its URI, and a dead port:
// a row per server, the dead one unreachable and named by the fleet check;
// drilling into a live server opens its full view, and the extras loop
// fills in its CONFIG (the slow reads run for the node on screen); the
// password is nowhere on screen.
func TestFleetOverview(t *testing.T) {
	a := redistest.StartServer(t, "maxmemory 64mb")
	b := redistest.StartServer(t, "requirepass "+strconv.Quote(secretPw))
	dead, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	targets := make([]redisx.Options, 0, 3)
	for _, u := range []string{"redis://" + a.Addr, uriWith("default", b.Addr), "redis://127.0.0.1:" + strconv.Itoa(dead)} {
		o, err := redisx.ParseURI(u)
		if err != nil {
			t.Fatal(err)
		}
		o.DialTimeout = 300 * time.Millisecond
		targets = append(targets, o)
	}
	fm := redisx.NewFleetMonitor(targets)
	t.Cleanup(func() { _ = fm.Close() })
	first, _ := fm.Poll(t.Context())
	run := &app.Overview{Kind: ui.MultiFleet, Src: fm, Target: "3 servers", Cfg: app.Config{Interval: 200 * time.Millisecond, History: time.Minute, Theme: "dark"}}
	rig := startMultiRig(t, run, first, 100, 30)
	rig.until("two servers answering, one not", 10*time.Second, func() bool {
		cv := rig.m.ClusterView()
		return cv != nil && cv.Totals().Unreachable == 1 && cv.Nodes[0].Sample != nil && cv.Nodes[1].Sample != nil
	})
	f := rig.frame()
	for _, s := range []string{"fleet", a.Addr, b.Addr, "1 unreachable", "Not answering: 127.0.0.1:" + strconv.Itoa(dead), "Fleet checks"} {
		if !strings.Contains(f, s) {
			t.Errorf("frame lacks %q:\n%s", s, f)
		}
	}
	rig.key("down")
	rig.key("enter")
	if rig.m.Drilled() != targets[1].Redacted() {
		t.Fatalf("drilled into %q", rig.m.Drilled())
	}
	// Wide enough for the one-line header to keep the policy beside the
	// load (at 100 columns it drops it first: the limits pane has it).
	rig.step(tea.WindowSizeMsg{Width: 200, Height: 60})
	rig.until("the server's own view with its CONFIG read", 10*time.Second, func() bool {
		f := rig.frame()
		return strings.Contains(f, "Memory") && strings.Contains(f, serverUnderTest(t).Label()) && strings.Contains(f, "noeviction")
	})
	rig.key("esc")
	if f := rig.frame(); strings.Contains(f, secretPw) || strings.Contains(f, "s3cr3t") {
		t.Fatalf("the password is on screen:\n%s", f)
	}
}

func TestFleetUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"-h", "127.0.0.1", "redis://a:1", "redis://b:2"},
		{"-p", "7000", "redis://a:1", "redis://b:2"},
		{"-c", "redis://a:1", "redis://b:2"},
		{"--record", "x.jsonl", "redis://a:1", "redis://b:2"},
		{"redis://a:1", "redis://a:1"},
	} {
		code, _, errOut := runCLI(t, args...)
		first, _, _ := strings.Cut(errOut, "\n")
		if code != ExitUsage || !strings.Contains(first, "redis-memtop: ") || !strings.Contains(errOut, "--help") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
