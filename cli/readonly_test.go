package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// fillMixed writes a small keyspace of every type, with and without TTLs,
// in db 0 and db 3, and returns how many keys each database holds.
func fillMixed(t *testing.T, addr string) map[int]int {
	t.Helper()
	ctx := t.Context()
	counts := map[int]int{}
	for _, db := range []int{0, 3} {
		c := redis.NewClient(&redis.Options{Addr: addr, DB: db, Protocol: 2, DisableIdentity: true})
		p := c.Pipeline()
		n := 0
		for i := range 300 {
			p.Set(ctx, "str:"+strconv.Itoa(i), strings.Repeat("v", 10+i), 0)
			n++
		}
		for i := range 50 {
			p.Set(ctx, "ttl:"+strconv.Itoa(i), "x", time.Hour)
			p.RPush(ctx, "list:"+strconv.Itoa(i), "a", "b", "c")
			p.HSet(ctx, "hash:"+strconv.Itoa(i), "f1", "v1", "f2", "v2")
			p.SAdd(ctx, "set:"+strconv.Itoa(i), 1, 2, 3)
			p.ZAdd(ctx, "zset:"+strconv.Itoa(i), redis.Z{Score: 1, Member: "m"})
			p.XAdd(ctx, &redis.XAddArgs{Stream: "stream:" + strconv.Itoa(i), Values: []string{"k", "v"}})
			n += 6
		}
		p.RPush(ctx, "feed:big", slices.Repeat([]any{"item"}, 5000)...)
		n++
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
		counts[db] = n
	}
	return counts
}

// TestFullRunIsReadOnly runs everything the tool does without
// --allow-writes against one server — the monitor's poller with its Extras,
// the big-key scan over two databases, the UI with every key a user might
// press (the write-action keys included), the x export, then `report --scan`
// in Markdown and JSON — while a raw MONITOR connection and the server's own
// commandstats (which also count the admin commands MONITOR hides) watch.
// Nothing outside redisx.AllowedCommands() is ever executed.
func TestFullRunIsReadOnly(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 256mb")
	counts := fillMixed(t, srv.Addr)
	plain := demo.NewClient(srv.Addr)
	defer func() { _ = plain.Close() }()
	if err := plain.ConfigResetStat(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	mon := redistest.StartMonitor(t, srv.Addr)

	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	c := connectMain(t, o)
	var wlog app.WriteLog
	r := startLive(t, c, rigOptions{
		scan:    &app.ScanConfig{Rate: 0},
		actions: app.WriteActions(t.Context(), c, &wlog, time.Now),
	})
	r.until("a complete scan, the extras and five samples", func(m ui.Model) bool {
		d := m.Live()
		return scanDone(m) && d.Extras != nil && d.Extras.Clients != nil && r.folded >= 5
	})
	if got := r.m.Live().Scan.Progress.Scanned; got != int64(counts[0]+counts[3]) {
		t.Errorf("scanned %d keys, the server holds %d", got, counts[0]+counts[3])
	}
	// Every key a user might press, the write actions among them.
	t.Chdir(t.TempDir())
	for _, k := range []string{"?", "esc", "tab", "tab", "tab", "tab", "tab", "enter", "esc", "o", "v", "d", "esc", "f", "f", "+", "-", "=", "t", "B", "A", "P", "D", "O", "s", "s", "R"} {
		if cmd := r.press(k); cmd != nil {
			t.Errorf("%s returned a command without --allow-writes", k)
		}
	}
	if r.m.ConfirmShown() != "" {
		t.Fatal("a write key opened the confirmation without --allow-writes")
	}
	if cmd := r.press("x"); cmd != nil {
		r.m, _ = uiStep(t, r.m, cmd())
	}
	if files, _ := filepath.Glob("redis-memtop-report-*.json"); len(files) != 1 {
		t.Errorf("export wrote %v", files)
	}
	r.until("the restarted scan's second pass", func(m ui.Model) bool { return scanDone(m) && m.Live().Scan.Progress.Pass >= 2 })
	r.stop()

	// The report, as a user runs it.
	for _, format := range []string{"markdown", "json"} {
		code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", format, "--interval", "100ms", "redis://"+srv.Addr)
		if code != 0 || out == "" {
			t.Fatalf("report %s: exit %d: %s", format, code, errOut)
		}
	}
	mon.WaitMarker(t, "readonly-end-marker")

	names := map[string]bool{}
	for _, cmd := range mon.Commands() {
		if len(cmd) == 0 {
			continue
		}
		if err := redisx.Check(false, toArgs(cmd)); err != nil {
			t.Errorf("MONITOR saw a command outside the read-only list: %q", cmd)
		}
		names[strings.ToLower(cmd[0])] = true
	}
	for _, want := range []string{"info", "scan", "object", "memory", "ttl", "select", "dbsize", "llen", "hlen"} {
		if !names[want] {
			t.Errorf("MONITOR never saw %s: the run did less than it should (%v)", want, names)
		}
	}
	allowed := map[string]bool{}
	for _, a := range redisx.AllowedCommands() {
		allowed[strings.ToLower(strings.ReplaceAll(a, " ", "|"))] = true
	}
	stats := commandStatsMain(t, srv.Addr)
	modern := redistest.Version(t, srv.Addr).AtLeast(7, 0, 0)
	for name, calls := range stats {
		switch name {
		case "config|resetstat", "monitor":
			continue // the test's own setup and observer
		}
		cmdName, _, _ := strings.Cut(name, "|")
		if !allowed[name] && !allowed[cmdName] && (modern || !allowedContainer(allowed, name)) {
			t.Errorf("the server executed %s %v times: not in AllowedCommands()", name, calls)
		}
	}
	for _, want := range []string{"info", "config|get", "client|list", "client|setname", "memory|doctor", "memory|usage", "object|encoding", "scan", "dbsize"} {
		if !modern {
			want, _, _ = strings.Cut(want, "|") // before 7.0 commandstats counts the container
		}
		if stats[want] == 0 {
			t.Errorf("commandstats never counted %s (%v)", want, stats)
		}
	}
	if stats["config|set"] != 0 || stats["bgsave"] != 0 || stats["memory|purge"] != 0 || stats["bgrewriteaof"] != 0 {
		t.Errorf("a write reached the server: %v", stats)
	}
	if n, err := plain.DBSize(t.Context()).Result(); err != nil || n != int64(counts[0]) {
		t.Errorf("db0 holds %d keys after the run, want %d", n, counts[0])
	}
}

// The ACL line the README recommends for a monitoring user (on 7.0: no
// CLIENT NO-TOUCH), copied from it so the two cannot drift apart.
func readmeACL(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	i := strings.Index(text, "ACL SETUSER memtop")
	if i < 0 {
		t.Fatal("README has no ACL SETUSER memtop line")
	}
	end := strings.Index(text[i:], "```")
	line := strings.ReplaceAll(text[i:i+end], "\\\n", " ")
	return strings.Fields(line)
}

// TestWorksFullyAsTheREADMEACLUser: the monitoring user the README documents
// gets a complete report — samples, CONFIG, CLIENT LIST, MEMORY DOCTOR, a
// full big-key pass over two databases — with nothing unavailable, and the
// UI runs its scan and extras with no denial.
func TestWorksFullyAsTheREADMEACLUser(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 128mb")
	counts := fillMixed(t, srv.Addr)
	plain := demo.NewClient(srv.Addr)
	defer func() { _ = plain.Close() }()
	acl := readmeACL(t)
	if acl[2] != "memtop" || acl[4] != ">PASSWORD" {
		t.Fatalf("unexpected ACL line %q", acl)
	}
	acl[4] = ">M0nitor-Pw"
	argv := make([]any, 0, len(acl))
	for _, a := range acl {
		argv = append(argv, a)
	}
	if err := plain.Do(t.Context(), argv...).Err(); err != nil {
		t.Fatalf("%v: %v", acl, err)
	}
	t.Setenv("REDISCLI_AUTH", "M0nitor-Pw")
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://memtop@"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		Unavailable map[string]string `json:"unavailable"`
		BigKeys     struct {
			Complete bool     `json:"complete"`
			Scanned  int64    `json:"scanned"`
			Notes    []string `json:"notes"`
			Err      string   `json:"err"`
			Top      []struct {
				Key      string   `json:"key"`
				Bytes    *float64 `json:"bytes"`
				Encoding string   `json:"encoding"`
			} `json:"top"`
		} `json:"bigkeys"`
		Config    map[string]string `json:"config"`
		Clients   *model.Clients    `json:"clients"`
		Doctor    string            `json:"memory_doctor"`
		Checklist []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
			Reason string `json:"reason"`
		} `json:"checklist"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Unavailable) != 0 {
		t.Errorf("unavailable as the README's user: %v", rep.Unavailable)
	}
	bk := rep.BigKeys
	if !bk.Complete || bk.Scanned != int64(counts[0]+counts[3]) || bk.Err != "" || len(bk.Notes) != 0 {
		t.Errorf("bigkeys: complete %v scanned %d (want %d) err %q notes %v", bk.Complete, bk.Scanned, counts[0]+counts[3], bk.Err, bk.Notes)
	}
	if len(bk.Top) == 0 || bk.Top[0].Key != "feed:big" || bk.Top[0].Bytes == nil || bk.Top[0].Encoding == "" {
		t.Errorf("top keys %+v", bk.Top)
	}
	if rep.Config["maxmemory"] != strconv.Itoa(128<<20) || rep.Clients == nil || rep.Clients.Count == 0 || rep.Doctor == "" {
		t.Errorf("config %v clients %+v doctor %q", rep.Config["maxmemory"], rep.Clients, rep.Doctor)
	}
	for _, ch := range rep.Checklist {
		if ch.Status == "unknown" && strings.Contains(ch.Reason, "not allowed") {
			t.Errorf("%s unknown as the README's user: %s", ch.ID, ch.Reason)
		}
	}
	// The live UI as the same user: extras and scan without a denial.
	o := redisx.DefaultOptions()
	o.Addr, o.Username, o.Password = srv.Addr, "memtop", "M0nitor-Pw"
	c := connectMain(t, o)
	r := startLive(t, c, rigOptions{scan: &app.ScanConfig{}})
	r.until("a complete scan and the extras", func(m ui.Model) bool {
		return scanDone(m) && m.Live().Extras != nil && m.Live().Extras.Config != nil
	})
	d := r.m.Live()
	if len(d.Extras.Unavailable) != 0 || len(d.Scan.Progress.Notes) != 0 || d.Extras.Config.Err != "" || d.Extras.Doctor.Err != "" {
		t.Errorf("UI as the README's user: unavailable %v, scan notes %v, config %q, doctor %q",
			d.Extras.Unavailable, d.Scan.Progress.Notes, d.Extras.Config.Err, d.Extras.Doctor.Err)
	}
	r.stop()
	// The server refused nothing (errorstats has no NOPERM).
	errs, err := plain.Info(t.Context(), "errorstats").Result()
	if err != nil || strings.Contains(errs, "NOPERM") {
		t.Errorf("errorstats: %q %v", errs, err)
	}
}

// TestClusterReportIsReadOnly: `report --scan -c` against a 3+3 cluster
// (discovery, every node polled, the target scanned) executes, on every
// node, only commands in AllowedCommands(), as the nodes' own commandstats
// count them. Replication's own traffic (the master's PING down the stream,
// the replicas' REPLCONF ACK) is the cluster's, not the tool's.
func TestClusterReportIsReadOnly(t *testing.T) {
	servers := reportCluster.Get(t).Nodes
	for _, s := range servers {
		c := demo.NewClient(s.Addr)
		if err := c.ConfigResetStat(t.Context()).Err(); err != nil {
			t.Fatal(err)
		}
		_ = c.Close()
	}
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "-c", "redis://"+servers[0].Addr)
	if code != 0 || !json.Valid([]byte(out)) {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	allowed := map[string]bool{}
	for _, a := range redisx.AllowedCommands() {
		allowed[strings.ToLower(strings.ReplaceAll(a, " ", "|"))] = true
	}
	sawCluster := false
	for _, s := range servers {
		stats := commandStatsMain(t, s.Addr)
		modern := redistest.Version(t, s.Addr).AtLeast(7, 0, 0)
		if stats["info"] == 0 {
			t.Errorf("%s was never polled: %v", s.Addr, stats)
		}
		for name, calls := range stats {
			switch name {
			case "config|resetstat", "replconf", "ping", "psync", "sync":
				continue // the test's reset, and replication's own traffic
			}
			if strings.HasPrefix(name, "cluster|") || !modern && name == "cluster" {
				sawCluster = true
			}
			cmdName, _, _ := strings.Cut(name, "|")
			if !allowed[name] && !allowed[cmdName] && (modern || !allowedContainer(allowed, name)) {
				t.Errorf("%s executed %s %v times: not in AllowedCommands()", s.Addr, name, calls)
			}
		}
	}
	if !sawCluster {
		t.Error("no node counted a CLUSTER command: discovery did not run")
	}
}

// allowedContainer: before 7.0 commandstats counts a container command as
// a whole ("config", not "config|get"), so the most it can prove is that
// some of its subcommands are allowed; MONITOR and the guard's own tests
// cover which.
func allowedContainer(allowed map[string]bool, name string) bool {
	for a := range allowed {
		if strings.HasPrefix(a, name+"|") {
			return true
		}
	}
	return false
}
