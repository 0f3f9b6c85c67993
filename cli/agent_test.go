package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	pmodel "github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/promtest"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/internal/redistest/clustertest"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// lockedBuffer is a bytes.Buffer the agent writes to while the test reads.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p) //nolint:wrapcheck // a bytes.Buffer
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// runningAgent is `redis-memtop agent` run as the binary runs it (Run, the
// command line's own dispatch) until stop.
type runningAgent struct {
	addr   string // host:port of /metrics
	stderr *lockedBuffer
	stop   func() int // cancels the signal context, returns the exit code
}

var agentReady = regexp.MustCompile(`serving OpenMetrics on http://([0-9.:]+)/metrics`)

// startAgent runs the agent with args (the listen address is a free port)
// and waits for its ready line; it is stopped at the test's end if the
// test did not stop it.
func startAgent(t *testing.T, args ...string) *runningAgent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errb := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, append([]string{"agent", "--listen", "127.0.0.1:0"}, args...), nil, io.Discard, errb, Build{Version: "dev"})
	}()
	a := &runningAgent{stderr: errb}
	var once sync.Once
	code := -1
	a.stop = func() int {
		once.Do(func() { cancel(); code = <-done })
		return code
	}
	t.Cleanup(func() { a.stop() })
	redistest.WaitFor(t, "the agent's ready line", func() bool {
		select {
		case c := <-done:
			t.Fatalf("the agent exited with %d: %s", c, errb.String())
		default:
		}
		m := agentReady.FindStringSubmatch(errb.String())
		if m != nil {
			a.addr = m[1]
		}
		return m != nil
	})
	return a
}

// scrapeAgent fetches the agent's /metrics in the classic text format and
// parses it.
func scrapeAgent(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(pmodel.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(promtest.Scrape(t, addr)))
	if err != nil {
		t.Fatalf("parse the agent's exposition: %v", err)
	}
	return fams
}

// series returns the family's series as label set → value.
func series(fams map[string]*dto.MetricFamily, name string) map[string]float64 {
	out := map[string]float64{}
	f := fams[name]
	if f == nil {
		return out
	}
	for _, m := range f.GetMetric() {
		parts := make([]string, 0, len(m.GetLabel()))
		for _, l := range m.GetLabel() {
			parts = append(parts, l.GetName()+"="+l.GetValue())
		}
		out[strings.Join(parts, ",")] = m.GetGauge().GetValue()
	}
	return out
}

// fillTo writes 8 KB strings under fill: until used_memory is at least
// share of maxmemory (a noeviction server: nothing is evicted).
func fillTo(t *testing.T, addr string, share float64) {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	val := strings.Repeat("v", 8<<10)
	for i := 0; ; i++ {
		info := infoMap(t, addr)
		var used, limit float64
		_, _ = fmt.Sscan(info["used_memory"], &used)
		_, _ = fmt.Sscan(info["maxmemory"], &limit)
		if limit == 0 {
			t.Fatal("the server has no maxmemory")
		}
		if used/limit >= share {
			if used >= limit {
				t.Fatalf("the fill went past maxmemory: %.0f of %.0f", used, limit)
			}
			return
		}
		pipe := c.Pipeline()
		for j := range 16 {
			pipe.Set(t.Context(), fmt.Sprintf("fill:%d:%d", i, j), val, 0)
		}
		if _, err := pipe.Exec(t.Context()); err != nil {
			t.Fatalf("fill: %v", err)
		}
	}
}

// rulesWithFor copies the shipped rule file with every `for:` set to d (a
// test cannot wait the shipped minutes) and returns the copy's path.
func rulesWithFor(t *testing.T, d string) string {
	t.Helper()
	b, err := os.ReadFile("../contrib/prometheus/redis-memtop.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^(\s+for:) \S+$`)
	if len(re.FindAll(b, -1)) == 0 {
		t.Fatal("the shipped rules have no for: to rewrite")
	}
	out := filepath.Join(t.TempDir(), "redis-memtop.rules.yml")
	if err := os.WriteFile(out, re.ReplaceAll(b, []byte("$1 "+d)), 0o600); err != nil {
		t.Fatal(err)
	}
	return out
}

// The second "Done when": a real server driven to 90 % of
// maxmemory, the agent (as the binary runs it) scraped every second by a
// real Prometheus with the shipped rules loaded — their `for:` rewritten
// to 3s, the only change — and through Prometheus's API the headroom
// check's series says warn (2) and RedisMemtopHeadroom fires for that
// server. Then the agent ends cleanly on its signal context.
func TestAgentHeadroomAlertFiresInPrometheus(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 16mb", "maxmemory-policy noeviction")
	fillTo(t, srv.Addr, 0.90)
	a := startAgent(t, "--interval", "200ms", "--no-scan", "redis://"+srv.Addr)
	p := promtest.StartPrometheus(t, promtest.Options{
		ScrapeTargets: []string{a.addr},
		RuleFiles:     []string{rulesWithFor(t, "3s")},
	})
	p.WaitTargetUp(t, a.addr)
	target := "redis://" + srv.Addr + "/0"
	v := p.WaitQuery(t, "the headroom check at warn", `redis_memtop_check_status{check="headroom"}`, func(v pmodel.Vector) bool {
		return len(v) == 1 && v[0].Value == 2
	})
	if got := string(v[0].Metric["target"]); got != target {
		t.Fatalf("the check's target label = %q, want %q", got, target)
	}
	p.WaitQuery(t, "RedisMemtopHeadroom firing", `ALERTS{alertname="RedisMemtopHeadroom",alertstate="firing"}`, func(v pmodel.Vector) bool {
		return len(v) == 1 && string(v[0].Metric["target"]) == target && string(v[0].Metric["severity"]) == "warning"
	})
	if v := p.Query(t, `redis_memtop_up`); len(v) != 1 || v[0].Value != 1 {
		t.Fatalf("redis_memtop_up = %v, want one series at 1", v)
	}
	// Without the scan the big-key check is unknown (−1), and the verdict
	// is one kind among a series for each.
	if v := p.Query(t, `redis_memtop_check_status{check="big-keys"}`); len(v) != 1 || v[0].Value != -1 {
		t.Errorf("big-keys without a scan = %v, want -1 (unknown)", v)
	}
	if v := p.Query(t, `count(redis_memtop_verdict) - sum(redis_memtop_verdict)`); len(v) != 1 || float64(v[0].Value) != float64(len(app.VerdictKinds)-1) {
		t.Errorf("verdict series: %v, want %d kinds at 0 and one at 1", v, len(app.VerdictKinds)-1)
	}
	if code := a.stop(); code != ExitOK {
		t.Fatalf("the agent exited with %d on its signal: %s", code, a.stderr.String())
	}
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+a.addr+"/metrics", nil)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		_ = resp.Body.Close()
		t.Fatal("the agent still serves after its shutdown")
	}
}

// The shipped rules pass promtool's check and its unit tests (with the
// `for:` windows as shipped).
func TestAlertRulesPassPromtool(t *testing.T) {
	promtool := promtest.PromtoolBinary(t)
	for _, args := range [][]string{
		{"check", "rules", "redis-memtop.rules.yml"},
		{"test", "rules", "redis-memtop.rules.test.yml"},
	} {
		c := exec.CommandContext(t.Context(), promtool, args...)
		c.Dir = "../contrib/prometheus"
		if out, err := c.CombinedOutput(); err != nil || !strings.Contains(string(out), "SUCCESS") {
			t.Fatalf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// What the agent serves stays bounded and safe whatever the keyspace: 30
// prefixes and a key whose name holds an escape sequence, invalid UTF-8 and
// a newline give exactly --agent-top-prefixes prefix series (the biggest)
// and --agent-top-keys key series, the hostile name escaped as the screen
// escapes it; with --agent-key-names hash no key name is served at all. The
// endpoint speaks OpenMetrics when asked.
func TestAgentSeriesBoundedAndEscaped(t *testing.T) {
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	pipe := c.Pipeline()
	// 30 prefixes without digits (digits are folded into * by the prefix
	// tree), the last clearly the biggest (allocator size classes make
	// close sizes equal).
	prefix := func(i int) string { return "ns" + string(rune('a'+i/6)) + string(rune('a'+i%6)) + ":" }
	for i := range 30 {
		for j := range 5 {
			n := 50 * (i + 1)
			if i == 29 {
				n = 5000
			}
			pipe.Set(t.Context(), prefix(i)+strings.Repeat("k", j+1), strings.Repeat("x", n), 0)
		}
	}
	hostile := "evil\x1b[31m\xff\nname"
	pipe.Set(t.Context(), hostile, strings.Repeat("h", 20000), 0)
	pipe.Set(t.Context(), "second:big", strings.Repeat("s", 15000), 0)
	if _, err := pipe.Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	scanned := func(addr string) map[string]*dto.MetricFamily {
		var fams map[string]*dto.MetricFamily
		redistest.WaitFor(t, "a complete scan pass", func() bool {
			fams = scrapeAgent(t, addr)
			for _, v := range series(fams, "redis_memtop_scan_progress_ratio") {
				return v == 1 && len(series(fams, "redis_memtop_key_bytes")) > 0
			}
			return false
		})
		return fams
	}

	a := startAgent(t, "--agent-top-prefixes", "3", "--agent-top-keys", "2", "--scan-rate", "0", "redis://"+srv.Addr)
	fams := scanned(a.addr)
	target := "target=redis://" + srv.Addr + "/0"
	prefixes := series(fams, "redis_memtop_prefix_bytes")
	if len(prefixes) != 3 {
		t.Fatalf("prefix series = %v, want the 3 biggest", prefixes)
	}
	// The hostile key is a prefix of its own (no ':'): escaped, its digits
	// folded as every prefix's are.
	for _, p := range []string{`evil\x1b[*m\xff\nname`, "second:", prefix(29)} {
		if _, ok := prefixes["prefix="+p+","+target]; !ok {
			t.Errorf("prefix %s is not served among the 3 biggest: %v", p, prefixes)
		}
	}
	keys := series(fams, "redis_memtop_key_bytes")
	if len(keys) != 2 {
		t.Fatalf("key series = %v, want the 2 biggest", keys)
	}
	if _, ok := keys[`db=0,key=evil\x1b[31m\xff\nname,`+target+",type=string"]; !ok {
		t.Errorf("the hostile key is not served escaped: %v", keys)
	}
	if _, ok := keys["db=0,key=second:big,"+target+",type=string"]; !ok {
		t.Errorf("second:big is not served: %v", keys)
	}
	body := promtest.Scrape(t, a.addr)
	if strings.Contains(body, "\x1b") || strings.Contains(body, "\xff") {
		t.Error("the exposition holds raw bytes of a key name")
	}

	// OpenMetrics when asked (as Prometheus asks).
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+a.addr+"/metrics", nil)
	req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	om, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/openmetrics-text") || !strings.HasSuffix(string(om), "# EOF\n") {
		t.Errorf("asked for OpenMetrics, got %q ending %q", ct, string(om[max(len(om)-20, 0):]))
	}

	h := startAgent(t, "--agent-key-names", "hash", "--agent-top-keys", "2", "--scan-rate", "0", "redis://"+srv.Addr)
	fams = scanned(h.addr)
	for k := range series(fams, "redis_memtop_key_bytes") {
		if !regexp.MustCompile(`key=sha256:[0-9a-f]{16},`).MatchString(k) {
			t.Errorf("hashed key series %s", k)
		}
	}
	for k := range series(fams, "redis_memtop_prefix_bytes") {
		if !regexp.MustCompile(`prefix=sha256:[0-9a-f]{16},`).MatchString(k) {
			t.Errorf("hashed prefix series %s", k)
		}
	}
	if body := promtest.Scrape(t, h.addr); regexp.MustCompile(`evil|second:|ns[a-e][a-f]:`).MatchString(body) {
		t.Errorf("--agent-key-names hash still serves a key name or prefix:\n%s", body)
	}
}

// A fleet (several URIs) is one set of series per server, and a server
// that cannot be reached is up 0 without costing the others theirs.
func TestAgentFleetKeepsGoingWithOneServerDown(t *testing.T) {
	s1, s2 := redistest.StartServer(t), redistest.StartServer(t)
	gone := redistest.StartServer(t)
	gone.Kill() // its directory kept: it is restarted below
	a := startAgent(t, "--no-scan", "redis://"+s1.Addr, "redis://"+s2.Addr, "redis://"+gone.Addr)
	var up map[string]float64
	redistest.WaitFor(t, "both live servers polled", func() bool {
		fams := scrapeAgent(t, a.addr)
		up = series(fams, "redis_memtop_up")
		heads := series(fams, "redis_memtop_check_status")
		return up["target=redis://"+s1.Addr+"/0"] == 1 && up["target=redis://"+s2.Addr+"/0"] == 1 &&
			len(heads) > 0
	})
	if v, ok := up["target=redis://"+gone.Addr+"/0"]; !ok || v != 0 {
		t.Fatalf("the unreachable server's redis_memtop_up = %v (present %v), want 0", v, ok)
	}
	if !strings.Contains(a.stderr.String(), "3 target(s)") {
		t.Errorf("ready line: %s", a.stderr.String())
	}

	// Alone, a server that cannot be reached at start is served up 0 and
	// dialled again: once it answers, its checks are served.
	b := startAgent(t, "--no-scan", "redis://"+gone.Addr)
	if !strings.Contains(b.stderr.String(), "cannot be reached yet") {
		t.Errorf("no line says the server cannot be reached: %s", b.stderr.String())
	}
	if up := series(scrapeAgent(t, b.addr), "redis_memtop_up"); up["target=redis://"+gone.Addr+"/0"] != 0 || len(up) != 1 {
		t.Fatalf("redis_memtop_up = %v, want the one target at 0", up)
	}
	if err := gone.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	redistest.WaitFor(t, "the server polled once it answers", func() bool {
		fams := scrapeAgent(t, b.addr)
		return series(fams, "redis_memtop_up")["target=redis://"+gone.Addr+"/0"] == 1 &&
			hasKey(series(fams, "redis_memtop_check_status"), "check=headroom,target=redis://"+gone.Addr+"/0")
	})
}

// A cluster node (-c) becomes every node of its cluster: each master has
// its own up and checks.
func TestAgentClusterServesEveryNode(t *testing.T) {
	cl := clustertest.Start(t, demo.ClusterOptions{NoReplicas: true})
	a := startAgent(t, "-c", "--no-scan", "redis://"+cl.Nodes[0].Addr)
	redistest.WaitFor(t, "every node polled", func() bool {
		fams := scrapeAgent(t, a.addr)
		up := series(fams, "redis_memtop_up")
		checks := series(fams, "redis_memtop_check_status")
		for _, n := range cl.Nodes {
			if up["target=redis://"+n.Addr+"/0"] != 1 || !hasKey(checks, "check=headroom,target=redis://"+n.Addr+"/0") {
				return false
			}
		}
		return len(up) == len(cl.Nodes)
	})
}

func hasKey(m map[string]float64, k string) bool { _, ok := m[k]; return ok }

// dashboardExprs are every PromQL expression of the Grafana dashboard: its
// panels' queries, its annotation and its variables' (label_values(SEL, l)
// is Grafana's: SEL is what Prometheus is asked).
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../contrib/grafana/redis-memtop.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Annotations struct {
			List []struct {
				Expr string `json:"expr"`
			} `json:"list"`
		} `json:"annotations"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the dashboard is not JSON: %v", err)
	}
	var out []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			out = append(out, tg.Expr)
		}
	}
	for _, a := range d.Annotations.List {
		out = append(out, a.Expr)
	}
	labelValues := regexp.MustCompile(`^label_values\((.+), *[a-z_]+\)$`)
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(map[string]any); ok && v.Type == "query" {
			m := labelValues.FindStringSubmatch(fmt.Sprint(q["query"]))
			if m == nil {
				t.Fatalf("variable query %v is not label_values(SELECTOR, label)", q["query"])
			}
			out = append(out, m[1])
		}
	}
	return out
}

// The Grafana dashboard is built on real series: every metric name it uses
// is in the agent's exposition or in a real redis_exporter's /metrics for
// the same server, and every one of its queries — variables substituted as
// Grafana would — runs in a real Prometheus scraping both, and returns
// series (the run_id join between the two included).
func TestGrafanaDashboardQueriesRealSeries(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 64mb")
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	pipe := c.Pipeline()
	for i := range 200 {
		pipe.Set(t.Context(), fmt.Sprintf("user:%d", i), strings.Repeat("u", 500), 0)
		pipe.Set(t.Context(), fmt.Sprintf("session:%d", i), "s", time.Hour)
	}
	if _, err := pipe.Exec(t.Context()); err != nil {
		t.Fatal(err)
	}
	exp := promtest.StartExporter(t, srv.Addr)
	a := startAgent(t, "--scan-rate", "0", "redis://"+srv.Addr)
	var agentFams map[string]*dto.MetricFamily
	redistest.WaitFor(t, "a complete scan pass", func() bool {
		agentFams = scrapeAgent(t, a.addr)
		return len(series(agentFams, "redis_memtop_scan_progress_ratio")) == 1 &&
			series(agentFams, "redis_memtop_scan_progress_ratio")["target=redis://"+srv.Addr+"/0"] == 1 &&
			len(series(agentFams, "redis_memtop_key_bytes")) > 0
	})
	parser := expfmt.NewTextParser(pmodel.UTF8Validation)
	expFams, err := parser.TextToMetricFamilies(strings.NewReader(promtest.Scrape(t, exp)))
	if err != nil {
		t.Fatalf("parse the exporter's /metrics: %v", err)
	}
	// Series an older server cannot give (no such INFO field): allowed
	// missing from the exposition when the server lacks the field.
	info := infoMap(t, srv.Addr)
	needs := map[string]string{
		"redis_memtop_fork_cow_bytes":      "current_cow_size",
		"redis_memtop_fork_cow_peak_bytes": "current_cow_peak",
	}
	absent := map[string]bool{}
	exprs := dashboardExprs(t)
	names := regexp.MustCompile(`\bredis_[a-z0-9_]+\b`)
	for _, e := range exprs {
		for _, n := range names.FindAllString(e, -1) {
			if agentFams[n] != nil || expFams[n] != nil {
				continue
			}
			if f, ok := needs[n]; ok {
				if _, has := info[f]; !has {
					absent[n] = true
					continue
				}
			}
			t.Errorf("the dashboard uses %s, which neither the agent nor redis_exporter serves", n)
		}
	}
	if t.Failed() {
		return
	}

	p := promtest.StartPrometheus(t, promtest.Options{ScrapeTargets: []string{a.addr, exp}})
	p.WaitTargetUp(t, a.addr)
	p.WaitTargetUp(t, exp)
	vars := strings.NewReplacer(
		"$target", "redis://"+srv.Addr+"/0",
		"$run_id", info["run_id"],
		"$__rate_interval", "10s",
	)
	for _, e := range exprs {
		q := vars.Replace(e)
		if strings.HasPrefix(q, "ALERTS") || slices.ContainsFunc(names.FindAllString(e, -1), func(n string) bool { return absent[n] }) {
			p.Query(t, q) // no alert fires here: it must only parse
			continue
		}
		p.WaitQuery(t, "series for the dashboard's "+e, q, func(v pmodel.Vector) bool { return len(v) > 0 })
	}
}

// The README's "Agent and alerts" section names every metric the agent
// can serve, and the agent serves no name the list lacks.
func TestREADMEListsAgentMetrics(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## Agent and alerts")
	if !ok {
		t.Fatal("README has no Agent and alerts section")
	}
	for _, n := range app.AgentMetricNames() {
		if !strings.Contains(section, "`"+n+"`") && !strings.Contains(section, "`"+n+"{") {
			t.Errorf("README does not list %s", n)
		}
	}
	listed := regexp.MustCompile("`(redis_memtop_[a-z_]+)").FindAllStringSubmatch(section, -1)
	for _, m := range listed {
		if !slices.Contains(app.AgentMetricNames(), m[1]) {
			t.Errorf("README lists %s, which the agent does not serve", m[1])
		}
	}
}

// The agent only reads — a whole scan pass over two databases plus the
// poller and its extras execute nothing outside redisx.AllowedCommands()
// (the server's commandstats count them) — and it serves a real BGSAVE as
// it happens: the fork running, its progress, its live copy-on-write
// under writes.
func TestAgentFollowsAForkAndOnlyReads(t *testing.T) {
	// 5 ms a key: the fork child runs for seconds over this keyspace.
	srv := redistest.StartServer(t, "rdb-key-save-delay 5000")
	fillMixed(t, srv.Addr)
	plain := demo.NewClient(srv.Addr)
	defer func() { _ = plain.Close() }()
	if err := plain.ConfigResetStat(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	a := startAgent(t, "--scan-rate", "0", "--interval", "200ms", "redis://"+srv.Addr)
	target := "target=redis://" + srv.Addr + "/0"
	redistest.WaitFor(t, "a complete scan pass", func() bool {
		return series(scrapeAgent(t, a.addr), "redis_memtop_scan_progress_ratio")[target] == 1
	})
	allowed := map[string]bool{}
	for _, c := range redisx.AllowedCommands() {
		allowed[strings.ToLower(strings.ReplaceAll(c, " ", "|"))] = true
	}
	stats := commandStatsMain(t, srv.Addr)
	modern := redistest.Version(t, srv.Addr).AtLeast(7, 0, 0)
	for name, calls := range stats {
		if name == "config|resetstat" {
			continue // the test's own
		}
		cmd, _, _ := strings.Cut(name, "|")
		if !allowed[name] && !allowed[cmd] && (modern || !allowedContainer(allowed, name)) {
			t.Errorf("the agent made the server execute %s %v times: not in AllowedCommands()", name, calls)
		}
	}
	if stats["scan"] == 0 || stats["info"] == 0 {
		t.Fatalf("the agent neither scanned nor polled: %v", stats)
	}

	// A BGSAVE under writes.
	if err := plain.BgSave(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		val := strings.Repeat("w", 4096)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			_ = plain.Set(context.Background(), fmt.Sprintf("str:%d", i%300), val, 0).Err()
		}
	})
	defer func() { close(stop); wg.Wait() }()
	info := infoMap(t, srv.Addr)
	_, hasCOW := info["current_cow_size"]
	_, hasPerc := info["current_fork_perc"]
	redistest.WaitFor(t, "the fork, its progress and its copy-on-write served", func() bool {
		fams := scrapeAgent(t, a.addr)
		if series(fams, "redis_memtop_fork_running")[target] != 1 {
			return false
		}
		if hasPerc {
			p, ok := series(fams, "redis_memtop_fork_progress_ratio")[target]
			if !ok || p <= 0 || p > 1 {
				return false
			}
		}
		return !hasCOW || series(fams, "redis_memtop_fork_cow_bytes")[target] > 0
	})
}

// A password given in the URI reaches neither the series (the target
// label), nor the agent's lines on stderr, also when the server refuses it.
func TestAgentNeverServesThePassword(t *testing.T) {
	const secret = "s3cr3t-agent-pw"
	srv := redistest.StartServer(t, "requirepass "+secret)
	a := startAgent(t, "--scan-rate", "0", "redis://:"+secret+"@"+srv.Addr)
	var body string
	redistest.WaitFor(t, "the server polled and scanned", func() bool {
		body = promtest.Scrape(t, a.addr)
		fams := scrapeAgent(t, a.addr)
		return series(fams, "redis_memtop_up")["target=redis://"+srv.Addr+"/0"] == 1 &&
			len(series(fams, "redis_memtop_scan_progress_ratio")) == 1
	})
	wrong := startAgent(t, "--no-scan", "redis://:not-"+secret+"@"+srv.Addr)
	for what, text := range map[string]string{"the series": body, "stderr": a.stderr.String(), "the refused agent's stderr": wrong.stderr.String(), "the refused agent's series": promtest.Scrape(t, wrong.addr)} {
		if strings.Contains(text, secret) {
			t.Errorf("%s hold the password:\n%s", what, text)
		}
	}
	if !strings.Contains(wrong.stderr.String(), "cannot be reached yet") {
		t.Errorf("the refused agent does not say why: %s", wrong.stderr.String())
	}
}
