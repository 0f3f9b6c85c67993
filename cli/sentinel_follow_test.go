package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// scanCommands are the last commands a scan worker's connection shows in
// CLIENT LIST; the poller sends none of them.
var scanCommands = map[string]bool{
	"scan": true, "type": true, "ttl": true, "memory|usage": true, "object|encoding": true,
	"strlen": true, "llen": true, "hlen": true, "scard": true, "zcard": true, "xlen": true,
}

// scanConns counts the connections named redis-memtop that the scan worker
// uses on addr (by their last command).
func scanConns(t *testing.T, addr string) int {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	list, err := c.ClientList(t.Context()).Result()
	if err != nil {
		t.Fatalf("CLIENT LIST on %s: %v", addr, err)
	}
	n := 0
	for line := range strings.SplitSeq(strings.TrimSpace(list), "\n") {
		f := map[string]string{}
		for _, kv := range strings.Fields(line) {
			if k, v, ok := strings.Cut(kv, "="); ok {
				f[k] = v
			}
		}
		if f["name"] == redisx.DefaultClientName && scanCommands[f["cmd"]] {
			n++
		}
	}
	return n
}

// TestMonitorFollowsASentinelFailover runs the monitor's wiring
// (startMonitor, as `--sentinel … --master-name mymaster --allow-writes`
// sets it up) against 1 master + 1 replica + 3 sentinels with the UI driven
// headlessly, forces a failover (SENTINEL FAILOVER: the old master lives on
// as a replica, so what it does not get can be checked), and checks that
// everything moves to the new master: the scan starts a new pass there
// (still paused, as it was before) and its connections leave the old one;
// the fork slowdown reaches the new worker; BGSAVE through the typed
// confirmation runs on the new master and not the old; and `x` writes a
// report whose target and INFO are the new master's.
func TestMonitorFollowsASentinelFailover(t *testing.T) {
	master := redistest.StartServer(t)
	replica := redistest.StartServer(t, "replicaof 127.0.0.1 "+strconv.Itoa(master.Port))
	const keys = 4000
	fillKeys(t, master.Addr, keys)
	redistest.WaitForCtx(t, "the replica to hold the keys", func(context.Context) bool {
		return infoMap(t, master.Addr)["connected_slaves"] == "1" &&
			strings.HasPrefix(infoMap(t, replica.Addr)["db0"], "keys="+strconv.Itoa(keys)+",")
	})
	sentinels := redistest.StartSentinelTrio(t, master)
	addrs := make([]string, 0, len(sentinels))
	for _, s := range sentinels {
		addrs = append(addrs, s.Addr)
	}

	so := redisx.DefaultOptions()
	so.DialTimeout, so.CommandTimeout = 500*time.Millisecond, time.Second
	st := &app.Sentinel{Addrs: addrs, Name: "mymaster", Opts: so}
	mo := redisx.DefaultOptions()
	mo.CommandTimeout, mo.AllowWrites = time.Second, true
	mo, err := st.Resolve(t.Context(), mo)
	if err != nil || mo.Addr != master.Addr {
		t.Fatalf("resolve = %s, %v; want %s", mo.Addr, err, master.Addr)
	}
	c := connectMain(t, mo)
	// 200 keys/s: a pass takes about 20 s, so the scan is still running
	// when the test looks at its connections and at the fork slowdown.
	cfg := app.Config{
		Interval: 200 * time.Millisecond, History: time.Minute, Theme: "dark",
		Scan: app.ScanConfig{On: true, Rate: 200, Samples: 5, Repeat: 10 * time.Minute},
	}
	mx := st.Extras(c, cfg, app.Extras{Target: mo.Redacted(), Writes: true})

	ctx, cancel := context.WithCancel(t.Context())
	run, err := app.StartMonitor(ctx, c, cfg, mx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		ended := make(chan struct{})
		go func() { run.Wait(); close(ended) }()
		select {
		case <-ended:
		case <-time.After(trustSafety):
			t.Error("the monitor's goroutines did not end after cancel")
		}
	})
	m := ui.New(run.UI)
	m, _ = uiStep(t, m, tea.WindowSizeMsg{Width: 160, Height: 50})
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.After(trustSafety)
		for !cond() {
			select {
			case u := <-run.UI.Source:
				m, _ = uiStep(t, m, u)
			case <-deadline:
				t.Fatalf("waiting for %s; the screen:\n%s", what, ansi.Strip(m.View().Content))
			}
		}
	}
	press := func(k string) tea.Cmd {
		var cmd tea.Cmd
		m, cmd = uiStep(t, m, redistest.Key(k))
		return cmd
	}
	scan := func() model.ScanProgress {
		if s := m.Live().Scan; s != nil {
			return s.Progress
		}
		return model.ScanProgress{}
	}

	// Before: the scan runs on the old master; R makes it pass 2 (so the
	// new master's pass 1 can be told apart), s pauses it.
	until("the scan to run on the master", func() bool { p := scan(); return p.Phase == model.ScanScanning && p.Scanned > 0 })
	redistest.WaitForCtx(t, "scan connections on the master", func(context.Context) bool { return scanConns(t, master.Addr) > 0 })
	press("R")
	until("pass 2", func() bool { p := scan(); return p.Pass == 2 && p.Phase == model.ScanScanning })
	press("s")
	until("the scan paused", func() bool { p := scan(); return p.Pass == 2 && p.Phase == model.ScanPaused })

	sc := demo.NewClient(sentinels[0].Addr)
	defer func() { _ = sc.Close() }()
	redistest.WaitForCtx(t, "SENTINEL FAILOVER to be accepted", func(ctx context.Context) bool {
		return sc.Do(ctx, "SENTINEL", "FAILOVER", "mymaster").Err() == nil
	})
	failedOver := func() bool {
		for _, e := range m.Live().Events {
			if e.Kind == model.EventFailover {
				return e.Detail == master.Addr+" → "+replica.Addr
			}
		}
		return false
	}
	until("the failover event and a new pass on the new master, still paused", func() bool {
		p := scan()
		return failedOver() && p.Pass == 1 && p.Phase == model.ScanPaused
	})
	if n := scanConns(t, replica.Addr); n != 0 {
		t.Errorf("the paused scan has %d connections on the new master", n)
	}
	// The header names the new master.
	if tgt := m.Live().Target; !strings.Contains(tgt, replica.Addr) || strings.Contains(tgt, master.Addr) {
		t.Errorf("the header's target %q does not name the new master %s", tgt, replica.Addr)
	}

	// (b) BGSAVE through the typed confirmation lands on the new master.
	// The old master, now a replica, has finished resyncing (no fork of the
	// new master is in the way); the new master's fork is made to last
	// about 8 s (2 ms a key) so the poller sees it running.
	if role := infoMap(t, master.Addr)["role"]; role != "slave" {
		t.Fatalf("the old master's role is %q after the failover", role)
	}
	redistest.WaitForCtx(t, "the old master's link to the new one", func(context.Context) bool {
		return infoMap(t, master.Addr)["master_link_status"] == "up" && infoMap(t, replica.Addr)["rdb_bgsave_in_progress"] == "0"
	})
	nc := demo.NewClient(replica.Addr)
	defer func() { _ = nc.Close() }()
	if err := nc.ConfigSet(t.Context(), "rdb-key-save-delay", "2000").Err(); err != nil {
		t.Fatal(err)
	}
	oldBefore, newBefore := commandStatsMain(t, master.Addr)["bgsave"], commandStatsMain(t, replica.Addr)["bgsave"]
	press("B")
	if m.ConfirmShown() != "BGSAVE" {
		t.Fatalf("B opened %q", m.ConfirmShown())
	}
	m = uiType(t, m, "BGSAVE")
	m, cmd := uiStep(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("BGSAVE confirmed: no command")
	}
	m, _ = uiStep(t, m, cmd())
	if err := nc.ConfigSet(t.Context(), "rdb-key-save-delay", "0").Err(); err != nil {
		t.Fatal(err)
	}
	if f := ansi.Strip(m.View().Content); !strings.Contains(f, "BGSAVE: Background saving started") {
		t.Errorf("status line after BGSAVE:\n%s", f)
	}
	if got := commandStatsMain(t, replica.Addr)["bgsave"]; got != newBefore+1 {
		t.Errorf("the new master ran BGSAVE %v times, want %v", got, newBefore+1)
	}
	if got := commandStatsMain(t, master.Addr)["bgsave"]; got != oldBefore {
		t.Errorf("the old master ran BGSAVE %v times, want %v (none from us)", got, oldBefore)
	}

	// The fork feed reaches the new worker. Once the UI has a sample of the
	// new master's fork, the worker has been told (the feed sees a sample
	// before handing it on). R starts pass 2, whose first update comes
	// before any round trip, so its throttle is the fork's quarter alone
	// (the latency governor has nothing to go on yet): 1 if the feed had
	// missed the new worker.
	until("a sample of the new master's fork", func() bool {
		s := m.Live().Hist.Last()
		return s != nil && !s.IsGap() && int(s.Server.TCPPort.V) == replica.Port && s.ForkRunning()
	})
	press("R")
	throttle := -1.0
	until("pass 2 on the new master", func() bool {
		if p := scan(); p.Pass == 2 && throttle < 0 {
			throttle = p.Throttle
		}
		return throttle >= 0
	})
	if throttle != 0.25 {
		t.Errorf("the new worker's first throttle during the fork is %v, want 0.25", throttle)
	}

	// (a) Running again (R resumes), the scan is on the new master and not
	// on the old.
	until("the scan to run on the new master", func() bool {
		p := scan()
		return p.Pass == 2 && p.Phase == model.ScanScanning && p.Scanned > 0
	})
	redistest.WaitForCtx(t, "scan connections on the new master", func(context.Context) bool { return scanConns(t, replica.Addr) > 0 })
	redistest.WaitForCtx(t, "no scan connection left on the old master", func(context.Context) bool { return scanConns(t, master.Addr) == 0 })

	// (c) x: the report is the new master's.
	dir := t.TempDir()
	t.Chdir(dir)
	cmd = press("x")
	if cmd == nil {
		t.Fatal("x returned no command")
	}
	m, _ = uiStep(t, m, cmd())
	first := mustGlob(t, filepath.Join(dir, "redis-memtop-report-*.json"))
	raw, err := os.ReadFile(first)
	if err != nil {
		t.Fatal(err)
	}
	var rep model.Report
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatal(err)
	}
	if want := "redis://" + replica.Addr + "/0 (sentinel mymaster)"; rep.Target.Addr != want {
		t.Errorf("report target %q, want %q", rep.Target.Addr, want)
	}
	if rep.Server.RunID != model.Text(infoMap(t, replica.Addr)["run_id"]) || rep.Server.Role != "master" {
		t.Errorf("report server run_id %q role %q, want the new master's", rep.Server.RunID, rep.Server.Role)
	}
	port := ""
	for _, sec := range rep.Info {
		for _, f := range sec.Fields {
			if f[0] == "tcp_port" {
				port = f[1]
			}
		}
	}
	if port != strconv.Itoa(replica.Port) {
		t.Errorf("the report's INFO has tcp_port %q, want the new master's %d", port, replica.Port)
	}
	if len(rep.Actions) != 1 || rep.Actions[0].Action != "BGSAVE" || !rep.Actions[0].OK || rep.Actions[0].Server != replica.Addr {
		t.Errorf("report actions %+v, want the BGSAVE on the new master %s", rep.Actions, replica.Addr)
	}

	// Nothing hangs when the sentinels and the new master stop answering
	// (SIGSTOP: connections are accepted, nothing is read): a write action
	// and an export end within their timeouts (1 s commands here), and the
	// cleanup checks every goroutine ends after cancel.
	for _, s := range append([]*redisproc.Server{replica}, sentinels...) {
		if err := s.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
	}
	press("B")
	m = uiType(t, m, "BGSAVE")
	m, cmd = uiStep(t, m, tea.KeyPressMsg{Code: tea.KeyEnter})
	if cmd == nil {
		t.Fatal("BGSAVE confirmed: no command")
	}
	began := time.Now()
	m, _ = uiStep(t, m, cmd())
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("BGSAVE on a stalled master took %v", took)
	}
	if acts := run.UI.Export.Build(m.Live()).Actions; len(acts) != 2 || acts[1].OK {
		t.Errorf("actions %+v: want the failed BGSAVE logged", acts)
	}
	if err := os.Remove(first); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the next report's name (its time, to the second) differs
	began = time.Now()
	m, _ = uiStep(t, m, press("x")())
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("export from a stalled master took %v", took)
	}
	if raw, err := os.ReadFile(mustGlob(t, filepath.Join(dir, "redis-memtop-report-*.json"))); err != nil || !strings.Contains(string(raw), "the full INFO could not be read") {
		t.Errorf("report from a stalled master (%v) lacks the INFO note:\n%s", err, raw)
	}
}

// mustGlob is the one file matching pattern.
func mustGlob(t *testing.T, pattern string) string {
	t.Helper()
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) != 1 {
		t.Fatalf("files matching %s: %v, %v", pattern, files, err)
	}
	return files[0]
}
