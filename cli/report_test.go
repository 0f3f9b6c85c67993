package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(t.Context(), args, nil, &out, &errb, Build{Version: "dev"})
	return code, out.String(), errb.String()
}

// infoMap reads INFO with a plain client, as redis-cli would.
func infoMap(t *testing.T, addr string) map[string]string {
	t.Helper()
	c := demo.NewClient(addr)
	defer func() { _ = c.Close() }()
	txt, err := c.Info(t.Context(), "everything").Result()
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, line := range strings.Split(txt, "\n") {
		line = strings.TrimSpace(line)
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			m[k] = v
		}
	}
	return m
}

func TestReportJSONMatchesINFO(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 64mb", "maxmemory-policy allkeys-lru")
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	for i := range 1000 {
		w.Set(ctx, "k:"+strconv.Itoa(i), strings.Repeat("v", 100), 0)
	}
	for i := range 10 {
		w.Set(ctx, "t:"+strconv.Itoa(i), "x", time.Hour)
	}

	code, out, errOut := runCLI(t, "report", "--quick", "--format", "json", "--interval", "200ms", "redis://"+srv.Addr)
	info := infoMap(t, srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if rep["schema"] != model.ReportSchema {
		t.Errorf("schema = %v", rep["schema"])
	}
	mem := rep["memory"].(map[string]any)
	srvj := rep["server"].(map[string]any)
	num := func(k string) float64 {
		f, err := strconv.ParseFloat(info[k], 64)
		if err != nil {
			t.Fatalf("INFO %s = %q", k, info[k])
		}
		return f
	}
	if mem["maxmemory"] != num("maxmemory") {
		t.Errorf("maxmemory %v, INFO says %v", mem["maxmemory"], info["maxmemory"])
	}
	if mem["maxmemory_policy"] != info["maxmemory_policy"] {
		t.Errorf("policy %v, INFO says %v", mem["maxmemory_policy"], info["maxmemory_policy"])
	}
	if mem["mem_allocator"] != info["mem_allocator"] {
		t.Errorf("allocator %v, INFO says %v", mem["mem_allocator"], info["mem_allocator"])
	}
	// used_memory moves a little between the two reads (our own connection's
	// buffers): within 5 %.
	if u, ok := mem["used_memory"].(float64); !ok || u < num("used_memory")*0.95 || u > num("used_memory")*1.05 {
		t.Errorf("used_memory %v, INFO says %v", mem["used_memory"], info["used_memory"])
	}
	if su := serverUnderTest(t); srvj["run_id"] != info["run_id"] || srvj["version"] != su.Version || srvj["product"] != su.Product || srvj["role"] != "master" {
		t.Errorf("server %v, INFO run_id %s version %s", srvj, info["run_id"], info["redis_version"])
	}
	ks := rep["keyspace"].([]any)
	if len(ks) != 1 {
		t.Fatalf("keyspace %v", ks)
	}
	db0 := ks[0].(map[string]any)
	if db0["keys"] != 1010.0 || db0["expires"] != 10.0 || db0["db"] != 0.0 {
		t.Errorf("keyspace db0 %v, INFO says %s", db0, info["db0"])
	}
	stats := rep["stats"].(map[string]any)
	if _, ok := stats["evicted_keys"].(float64); !ok {
		t.Errorf("stats.evicted_keys %v", stats["evicted_keys"])
	}
	pers := rep["persistence"].(map[string]any)
	if pers["rdb_bgsave_in_progress"] != 0.0 {
		t.Errorf("rdb_bgsave_in_progress %v", pers["rdb_bgsave_in_progress"])
	}
	if _, ok := rep["unavailable"].(map[string]any); !ok {
		t.Errorf("unavailable %v", rep["unavailable"])
	}
	if rates := rep["rates"].(map[string]any); rates["commands_per_sec"] == nil {
		t.Errorf("two samples must give rates: %v", rates)
	}
}

func TestReportMarkdown(t *testing.T) {
	srv := redistest.StartServer(t)
	code, out, errOut := runCLI(t, "report", "--quick", "--interval", "100ms", "-p", strconv.Itoa(srv.Port))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"# redis-memtop incident report", "## Memory", "## Persistence and fork", "| used_memory |", serverUnderTest(t).Product + " " + serverUnderTest(t).Major()} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

// TestReportSeesBGSAVE runs a BGSAVE under a write load, slowed by
// rdb-key-save-delay so the fork lasts, and checks the report and the model
// see it in progress and then the copy-on-write it caused.
func TestReportSeesBGSAVE(t *testing.T) {
	srv := redistest.StartServer(t, "rdb-key-save-delay 20", "save \"\"")
	ctx := t.Context()
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	spec := demo.DatasetSpec{Strings: 150000, Seed: 1, Pipeline: 1000}
	if err := demo.LoadDataset(ctx, w, spec); err != nil {
		t.Fatal(err)
	}
	// Watch with the real poller while the save runs.
	opts := redisx.DefaultOptions()
	opts.Addr = srv.Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	hist := model.NewHistory(600)
	pctx, cancel := context.WithCancel(ctx)
	updates := make(chan model.Update, 16)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = redisx.NewPoller(c, 100*time.Millisecond, 0).Run(pctx, updates) }()
	go func() { // a write load that dirties pages while the child runs
		defer wg.Done()
		for i := 0; pctx.Err() == nil; i++ {
			p := w.Pipeline()
			for j := range 200 {
				p.Set(pctx, "user:"+strconv.Itoa((i*200+j)%150000)+":session", strings.Repeat("w", 150), 0)
			}
			_, _ = p.Exec(pctx)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	if err := w.BgSave(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	var sawRunning, sawCOW, sawStart, sawEnd bool
	var reportDuring string
	deadline := time.After(60 * time.Second)
loop:
	for {
		select {
		case u := <-updates:
			if u.Sample == nil || u.Sample.IsGap() {
				continue
			}
			for _, e := range hist.Add(*u.Sample) {
				sawStart = sawStart || e.Kind == model.EventForkStart
				sawEnd = sawEnd || e.Kind == model.EventForkEnd
			}
			s := u.Sample
			if s.Persistence.RDBBgsaveInProgress.IsTrue() {
				sawRunning = true
				if reportDuring == "" {
					_, reportDuring, _ = runCLI(t, "report", "--quick", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
				}
			}
			if s.Persistence.CurrentCOWSize.V > 0 || s.Persistence.RDBLastCOWSize.V > 0 {
				sawCOW = true
			}
			if sawRunning && sawEnd && sawCOW {
				break loop
			}
		case <-deadline:
			break loop
		}
	}
	cancel()
	wg.Wait()
	if !sawRunning || !sawStart || !sawEnd {
		t.Fatalf("fork not seen: running %v start %v end %v", sawRunning, sawStart, sawEnd)
	}
	if !sawCOW {
		t.Error("neither current_cow_size nor rdb_last_cow_size became non-zero")
	}
	var rep struct {
		Persistence map[string]any `json:"persistence"`
	}
	if err := json.Unmarshal([]byte(reportDuring), &rep); err != nil {
		t.Fatalf("report during the save: %v\n%s", err, reportDuring)
	}
	if rep.Persistence["rdb_bgsave_in_progress"] != 1.0 {
		t.Errorf("the report taken during the save says rdb_bgsave_in_progress = %v", rep.Persistence["rdb_bgsave_in_progress"])
	}
}

func TestConnectionErrorsAreOneLineWithoutPassword(t *testing.T) {
	srv := redistest.StartServer(t, "requirepass s3cr3t-pw")
	free, err := redisproc.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"nothing listens", []string{"report", "-p", strconv.Itoa(free), "-a", "s3cr3t-pw"}, "connect"},
		{"wrong password", []string{"report", "redis://:wrong-s3cr3t@" + srv.Addr}, "auth"},
		{"no password", []string{"report", "redis://" + srv.Addr}, "auth"},
		{"TLS to a plain server", []string{"report", "--tls", "--insecure", "-a", "s3cr3t-pw", "-p", strconv.Itoa(srv.Port)}, "tls"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, tt.args...)
			if code != ExitRuntime {
				t.Errorf("exit %d, want %d", code, ExitRuntime)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			last := lines[len(lines)-1]
			if !strings.Contains(strings.ToLower(last), tt.want) {
				t.Errorf("stderr %q lacks %q", errOut, tt.want)
			}
			if strings.Contains(errOut, "s3cr3t") || strings.Contains(errOut, "goroutine") {
				t.Errorf("stderr leaks a password or a stack: %q", errOut)
			}
		})
	}
	// The right password works, through the environment as redis-cli does it.
	t.Setenv("REDISCLI_AUTH", "s3cr3t-pw")
	if code, out, errOut := runCLI(t, "report", "--quick", "--interval", "100ms", "-p", strconv.Itoa(srv.Port)); code != 0 || strings.Contains(out+errOut, "s3cr3t") {
		t.Errorf("REDISCLI_AUTH: exit %d, stderr %q (password leaked: %v)", code, errOut, strings.Contains(out+errOut, "s3cr3t"))
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"report", "--format", "xml"},
		{"report", "--no-such-flag"},
		{"report", "redis://a", "redis://b"},
		{"--interval", "1ms"},
		{"--theme", "neon"},
		{"report", "ftp://host"},
	} {
		t.Run(fmt.Sprint(args), func(t *testing.T) {
			code, _, errOut := runCLI(t, args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d (stderr %q)", code, ExitUsage, errOut)
			}
			// One line saying what is wrong, one saying where the help is.
			if lines := strings.Split(strings.TrimSpace(errOut), "\n"); len(lines) != 2 || !strings.Contains(lines[1], "--help") {
				t.Errorf("a usage error should be one line plus the --help hint:\n%s", errOut)
			}
		})
	}
	if code, out, _ := runCLI(t, "version"); code != 0 || !strings.HasPrefix(out, "redis-memtop ") {
		t.Errorf("version: %d %q", code, out)
	}
}

func TestReportScanFindsTheBigKeys(t *testing.T) {
	srv := redistest.StartServer(t)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	items := make([]any, 20000)
	for i := range items {
		items[i] = strings.Repeat("i", 20)
	}
	w.RPush(ctx, "feed:big", items...)
	w.Set(ctx, "blob:1mb", strings.Repeat("b", 1<<20), 0)
	p := w.Pipeline()
	for i := range 5000 {
		p.Set(ctx, "s:"+strconv.Itoa(i), "v", time.Hour)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep struct {
		BigKeys struct {
			Complete bool  `json:"complete"`
			Scanned  int64 `json:"scanned"`
			Top      []struct {
				Key        string  `json:"key"`
				Type       string  `json:"type"`
				Bytes      float64 `json:"bytes"`
				Elements   float64 `json:"elements"`
				TTLSeconds float64 `json:"ttl_seconds"`
			} `json:"top"`
		} `json:"bigkeys"`
		Checklist []struct {
			ID     string `json:"id"`
			Status string `json:"status"`
		} `json:"checklist"`
		Verdict struct {
			Kind string `json:"kind"`
		} `json:"verdict"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	bk := rep.BigKeys
	if !bk.Complete || bk.Scanned != 5002 || len(bk.Top) < 2 {
		t.Fatalf("bigkeys: complete %v scanned %d top %d", bk.Complete, bk.Scanned, len(bk.Top))
	}
	for i, name := range []string{"blob:1mb", "feed:big"} {
		k := bk.Top[i]
		want, err := w.MemoryUsage(ctx, name, 5).Result()
		if err != nil {
			t.Fatal(err)
		}
		if k.Key != name || k.Bytes != float64(want) || k.TTLSeconds != -1 {
			t.Errorf("top[%d] = %+v, want %s with %d bytes and no TTL", i, k, name, want)
		}
	}
	if bk.Top[1].Elements != 20000 || bk.Top[1].Type != "list" {
		t.Errorf("feed:big: %+v", bk.Top[1])
	}
	found := false
	for _, c := range rep.Checklist {
		if c.ID == "big-keys" {
			found = c.Status != "unknown"
		}
	}
	if !found || rep.Verdict.Kind == "" {
		t.Errorf("with a scan the big-keys check must not be unknown: %+v, verdict %q", rep.Checklist, rep.Verdict.Kind)
	}
}

// TestReportOverAUnixSocket connects with -s, as redis-cli does.
func TestReportOverAUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "redis.sock")
	redistest.StartServer(t, "unixsocket "+sock, "unixsocketperm 700")
	code, out, errOut := runCLI(t, "report", "--quick", "--format", "json", "--interval", "100ms", "-s", sock)
	if code != ExitOK {
		t.Fatalf("report -s: exit %d: %s", code, errOut)
	}
	var rep struct {
		Target struct {
			Addr string `json:"addr"`
		} `json:"target"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || !strings.Contains(rep.Target.Addr, sock) {
		t.Errorf("target %q (%v): want the socket %s", rep.Target.Addr, err, sock)
	}
}
