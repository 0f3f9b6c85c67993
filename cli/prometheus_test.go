package cli

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	pm "github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/delayproxy"
	"github.com/redis-memtop/redis-memtop/internal/promtest"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/promx"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// loadFor writes about perSecond bytes of new keys into the server every
// second, n times: data growth, as an incident's spike before anyone looked.
func loadFor(t *testing.T, addr string, n, perSecond int) {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	val := strings.Repeat("v", 1000)
	for i := range n {
		p := c.Pipeline()
		for k := range perSecond / 1000 {
			p.Set(t.Context(), fmt.Sprintf("grow:%d:%d", i, k), val, 0)
		}
		if _, err := p.Exec(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
	}
}

// TestPrometheusBackfill is issue 18's first "done when": a real
// redis-server grows for ~45 s under a real redis_exporter scraped by a real
// Prometheus at 1 s, before the monitor is opened. Then the monitor (the
// binary's wiring, startLive with --prometheus) and `report --prometheus`
// hold that history: the graph marks where it ends, the verdict names data
// growth from it and says so; with Prometheus stopped mid-run, the monitor
// keeps polling and says so in one line.
func TestPrometheusBackfill(t *testing.T) {
	srv := redistest.StartServer(t)
	exp := promtest.StartExporter(t, srv.Addr)
	prom := promtest.StartPrometheus(t, promtest.Options{ScrapeTargets: []string{exp}})
	prom.WaitTargetUp(t, exp)

	loadStart := time.Now()
	loadFor(t, srv.Addr, 45, 400_000)
	// Prometheus holds the minute before: wait until the last scrapes of
	// the load are in.
	prom.WaitQuery(t, "45 s of scrapes", `count_over_time(redis_memory_used_bytes[2m])`, func(v pm.Vector) bool {
		return len(v) == 1 && v[0].Value >= 40
	})

	// The report first (Prometheus up): it reads the same history.
	code, out, errOut := runCLI(t, "report", "-p", strconv.Itoa(srv.Port), "--duration", "2s", "--prometheus", prom.URL, "--history", "5m")
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"## Verdict: data-growth",
		"of Prometheus history + ", // the verdict says what it stood on
		"matched by run_id",        // and the note how the series were found
		"of history before live",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, head(out, 40))
		}
	}

	pc, err := promx.New(promx.Options{URL: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	c := connectMain(t, redisx.Options{Addr: srv.Addr})
	r := startLive(t, c, rigOptions{prom: pc, interval: 200 * time.Millisecond, w: 160, h: 50})
	r.until("the history from Prometheus", func(m ui.Model) bool {
		_, ok := m.Live().Hist.BackfillEnd()
		return ok
	})
	r.until("a few live polls and the verdict", func(ui.Model) bool {
		return r.folded >= 5 && strings.Contains(r.frame(), "data growth")
	})

	// The history holds the minute before: its first sample is from the
	// load's start, and memory grew over the backfilled part.
	h := r.m.Live().Hist
	first, end := h.At(0), h.At(0)
	n := 0
	for i := range h.Len() {
		if s := h.At(i); s.Backfilled && !s.IsGap() {
			end = s
			n++
		}
	}
	if !first.Backfilled || first.Time.After(loadStart.Add(5*time.Second)) {
		t.Errorf("the oldest sample is %s (backfilled %v); the load started at %s", first.Time, first.Backfilled, loadStart)
	}
	if n < 40 {
		t.Errorf("%d backfilled samples; want the ≥ 40 scrapes of the load", n)
	}
	if grew := end.Memory.UsedMemory.V - first.Memory.UsedMemory.V; grew < 10e6 {
		t.Errorf("used_memory grew %.0f bytes over the backfilled samples; the load wrote 18 MB", grew)
	}

	// The rendered frame: the graph's mark where Prometheus ends, the
	// verdict of data growth standing on that history, the status line.
	frame := r.frame()
	for _, want := range []string{"Prometheus│live", "of history before live", "matched by run_id"} {
		if !strings.Contains(frame, want) {
			t.Errorf("frame lacks %q:\n%s", want, frame)
		}
	}
	if !markedRow(frame) {
		t.Errorf("no │ mark under the graph:\n%s", frame)
	}
	r.press("tab") // the checklist's verdict with its evidence
	dg := r.m.Live().Checklist
	if dg == nil || !strings.Contains(dg.Verdict.Summary, "of Prometheus history + ") || dg.Verdict.Kind != model.VerdictDataGrowth {
		t.Errorf("verdict: %+v", dg)
	}
	if !strings.Contains(frame, "Looks like data growth") {
		t.Errorf("the frame does not name data growth:\n%s", frame)
	}

	// Prometheus goes away mid-run: one line says so, polling goes on.
	prom.Stop()
	before := r.folded
	r.until("the status line saying Prometheus is gone", func(ui.Model) bool {
		return strings.Contains(r.frame(), "unreachable")
	})
	r.until("live polls after Prometheus went away", func(ui.Model) bool { return r.folded >= before+10 })
	frame = r.frame()
	if got := strings.Count(frame, "Prometheus "+prom.URL); got != 1 {
		t.Errorf("%d lines name Prometheus; want the one status line:\n%s", got, frame)
	}
	if !strings.Contains(frame, "the history read stays, live polling goes on") || !strings.Contains(frame, "Prometheus│live") {
		t.Errorf("after Prometheus stopped, the frame:\n%s", frame)
	}
}

// markedRow reports whether a line of the frame holds the │ mark alone
// among blanks (the graph's marker row), not a border.
func markedRow(frame string) bool {
	for _, l := range strings.Split(frame, "\n") {
		inner := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(l), "│"), "│")
		if strings.Contains(inner, "│") && strings.Trim(inner, "│ ×━RF") == "" {
			return true
		}
	}
	return false
}

// TestPrometheusFailuresCostOneLine: a Prometheus that is down, slow, or
// holds no series of the target, costs the report one note and the monitor one line
// (saying why), and no credential — the token from the environment, the
// password in the URL — appears in any output.
func TestPrometheusFailuresCostOneLine(t *testing.T) {
	srv := redistest.StartServer(t)
	// A real Prometheus that scrapes nothing of this server.
	prom := promtest.StartPrometheus(t, promtest.Options{ScrapeTargets: []string{"127.0.0.1:1"}})
	free, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + net.JoinHostPort("127.0.0.1", strconv.Itoa(free))
	t.Setenv(envPromToken, "tok-"+secretPw)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("tok-"+secretPw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A slow Prometheus: the real one behind a proxy that holds its replies.
	slow, err := delayproxy.Start(t.Context(), prom.Addr, 0, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(slow.Close)
	withPw := strings.Replace(prom.URL, "http://", "http://"+url.UserPassword("admin", secretPw).String()+"@", 1)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"down", []string{"--prometheus", down}, "unreachable"},
		{"slow", []string{"--prometheus", "http://" + slow.Addr(), "--prometheus-timeout", "500ms"}, "no answer within 500ms (--prometheus-timeout)"},
		{"no series", []string{"--prometheus", prom.URL}, "no redis_instance_info series"},
		{"token file", []string{"--prometheus", prom.URL, "--prometheus-token-file", tokenFile}, "no redis_instance_info series"},
		{"password in URL", []string{"--prometheus", withPw}, "no redis_instance_info series"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"report", "-p", strconv.Itoa(srv.Port), "--quick"}, tc.args...)
			if tc.name == "password in URL" {
				t.Setenv(envPromToken, "") // basic auth and a token do not go together
			}
			code, out, errOut := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(out, tc.want) || !strings.Contains(out, "the report stands on its live samples alone") {
				t.Errorf("report lacks %q:\n%s", tc.want, head(out, 12))
			}
			assertNoSecret(t, "report", []byte(out+errOut))
		})
	}

	// The monitor: the same failure is one status line, polling goes on.
	pc, err := promx.New(promx.Options{URL: down, BearerToken: "tok-" + secretPw, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	c := connectMain(t, redisx.Options{Addr: srv.Addr})
	r := startLive(t, c, rigOptions{prom: pc, w: 120, h: 40})
	r.until("the status line", func(ui.Model) bool { return strings.Contains(r.frame(), "unreachable") && r.folded >= 5 })
	frame := r.frame()
	if got := strings.Count(frame, "Prometheus "+down); got != 1 {
		t.Errorf("%d lines name Prometheus:\n%s", got, frame)
	}
	if !strings.Contains(frame, "live polling goes on") {
		t.Errorf("frame:\n%s", frame)
	}
	assertNoSecret(t, "frame", []byte(frame))
}

// TestFleetBackfill: in the fleet overview each server's history is read
// from Prometheus on its own: the one scraped through redis_exporter gets
// its history (its drill-in view shows the mark and the line), the other
// one's failure to match is said once, in the overview's status line.
func TestFleetBackfill(t *testing.T) {
	a := redistest.StartServer(t)
	b := redistest.StartServer(t)
	exp := promtest.StartExporter(t, a.Addr)
	prom := promtest.StartPrometheus(t, promtest.Options{ScrapeTargets: []string{exp}})
	prom.WaitTargetUp(t, exp)
	loadFor(t, a.Addr, 8, 200_000)
	prom.WaitQuery(t, "8 s of scrapes", `count_over_time(redis_memory_used_bytes[1m])`, func(v pm.Vector) bool {
		return len(v) == 1 && v[0].Value >= 8
	})

	targets := make([]redisx.Options, 0, 2)
	for _, s := range []*redisproc.Server{a, b} {
		o, err := redisx.ParseURI("redis://" + s.Addr)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, o)
	}
	pc, err := promx.New(promx.Options{URL: prom.URL})
	if err != nil {
		t.Fatal(err)
	}
	fm := redisx.NewFleetMonitor(targets)
	t.Cleanup(func() { _ = fm.Close() })
	first, _ := fm.Poll(t.Context())
	run := &app.Overview{Kind: ui.MultiFleet, Src: fm, Target: "2 servers", Cfg: app.Config{Interval: 200 * time.Millisecond, History: 5 * time.Minute, Theme: "dark", Prometheus: pc}}
	rig := startMultiRig(t, run, first, 140, 40)
	rig.until("both servers' Prometheus status", 30*time.Second, func() bool {
		return strings.Contains(rig.frame(), "Prometheus: history read for 1 of 2 servers")
	})
	f := rig.frame()
	if want := "no redis_instance_info with run_id"; !strings.Contains(f, want) || strings.Count(f, "Prometheus") != 2 {
		// The summary line names Prometheus twice: its start and the
		// failing server's status.
		t.Errorf("frame lacks %q on its one line:\n%s", want, f)
	}
	for range 2 {
		if rig.m.Selected() == targets[0].Redacted() {
			break
		}
		rig.key("down")
	}
	rig.key("enter")
	if rig.m.Drilled() != targets[0].Redacted() {
		t.Fatalf("drilled into %q, not the scraped server %q", rig.m.Drilled(), targets[0].Redacted())
	}
	rig.until("a's view with its history", 10*time.Second, func() bool {
		f := rig.frame()
		return strings.Contains(f, "Prometheus│live") && strings.Contains(f, "of history before live")
	})
}
