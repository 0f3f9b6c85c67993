package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// Six of the gaps the guides teach (issue 14: 1, 2, 3, 8, 9, 12), each made
// on a real server and read where the user reads it: the checklist of
// `report --format json`, or the live monitor's rendered frame.

// gapCheck is one checklist entry of the JSON report.
type gapCheck struct {
	ID       string   `json:"id"`
	Status   string   `json:"status"`
	Title    string   `json:"title"`
	Evidence []string `json:"evidence"`
	Advice   string   `json:"advice"`
	Commands []string `json:"commands"`
}

func (c gapCheck) String() string {
	return fmt.Sprintf("%s %s %q\n  evidence: %s\n  commands: %s", c.ID, c.Status, c.Title, strings.Join(c.Evidence, " | "), strings.Join(c.Commands, " | "))
}

// has reports whether one evidence line holds s.
func (c gapCheck) has(s string) bool { return strings.Contains(strings.Join(c.Evidence, "\n"), s) }

func (c gapCheck) offers(s string) bool {
	return strings.Contains(untargeted(strings.Join(c.Commands, "\n")), s)
}

// targetFlags are the connection flags every suggested command now carries
// (the commands-target tests check them); the gap tests read the commands
// without them.
var targetFlags = regexp.MustCompile(`redis-cli -h 127\.0\.0\.1 -p \d+ `)

// untargeted is s with the test server's -h/-p taken out of its commands.
func untargeted(s string) string { return targetFlags.ReplaceAllString(s, "redis-cli ") }

// gapReport runs `report --format json` against addr and returns its
// checklist by id and its memory section.
func gapReport(t *testing.T, addr string, args ...string) (map[string]gapCheck, map[string]any) {
	t.Helper()
	all := append([]string{"report", "--quick", "--format", "json", "--interval", "200ms"}, args...)
	code, out, errOut := runCLI(t, append(all, "redis://"+addr)...)
	if code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	var rep struct {
		Checklist []gapCheck     `json:"checklist"`
		Memory    map[string]any `json:"memory"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	checks := map[string]gapCheck{}
	for _, c := range rep.Checklist {
		checks[c.ID] = c
	}
	return checks, rep.Memory
}

// wantCheck fails unless the check has the status and its title holds
// every part.
func wantCheck(t *testing.T, checks map[string]gapCheck, id, status string, title ...string) gapCheck {
	t.Helper()
	c, ok := checks[id]
	if !ok {
		t.Fatalf("no %s check in the report", id)
	}
	if c.Status != status {
		t.Fatalf("%s: status %s, want %s\n%s", id, c.Status, status, c)
	}
	for _, s := range title {
		if !strings.Contains(c.Title, s) {
			t.Fatalf("%s: the title does not say %q\n%s", id, s, c)
		}
	}
	return c
}

func wantEvidence(t *testing.T, c gapCheck, lines ...string) {
	t.Helper()
	for _, s := range lines {
		if !c.has(s) {
			t.Errorf("%s: the evidence does not say %q\n%s", c.ID, s, c)
		}
	}
}

// pct writes a share as the checklist does ("7.3%").
func pct(share float64) string { return model.Percent(share * 100) }

func infoFloat(t *testing.T, addr, field string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(infoMap(t, addr)[field], 64)
	if err != nil {
		t.Fatalf("INFO %s: %v", field, err)
	}
	return v
}

// Gap 1: volatile-ttl where most keys have a TTL but the bytes sit in a few
// keys without one. By key count the policy fits; by bytes nothing worth
// having can be evicted — and the check says so once the scan has weighed
// the keys, and says what it lacks before.
func TestGapVolatilePolicyJudgedByBytes(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 10mb", "maxmemory-policy volatile-ttl")
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	p := w.Pipeline()
	for i := range 500 {
		p.Set(ctx, "sess:"+strconv.Itoa(i), strings.Repeat("s", 100), time.Hour)
	}
	for i := range 10 {
		p.Set(ctx, "catalog:"+strconv.Itoa(i), strings.Repeat("c", 500_000), 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	// What the scan will weigh: MEMORY USAGE of every key.
	var ttlBytes, noTTLBytes float64
	for _, prefix := range []string{"sess:", "catalog:"} {
		keys, err := w.Keys(ctx, prefix+"*").Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range keys {
			n, err := w.MemoryUsage(ctx, k, 5).Result()
			if err != nil {
				t.Fatal(err)
			}
			if prefix == "sess:" {
				ttlBytes += float64(n)
			} else {
				noTTLBytes += float64(n)
			}
		}
	}
	share := ttlBytes / (ttlBytes + noTTLBytes)

	// Without the scan: the key share, and what is not known.
	checks, _ := gapReport(t, srv.Addr)
	c := wantCheck(t, checks, model.CheckPolicyFits, "ok", "volatile-ttl fits by key count: 98.0% of the keys have a TTL (their bytes need the scan)")
	wantEvidence(t, c, "keys: 510, with a TTL: 500 (98.0%)", "bytes in keys with a TTL: unknown (no scan yet)")

	// With the scan: the bytes decide.
	checks, _ = gapReport(t, srv.Addr, "--scan")
	c = wantCheck(t, checks, model.CheckPolicyFits, "warn",
		"volatile-ttl but only "+pct(share)+" of the bytes are in keys with a TTL: "+model.Bytes(noTTLBytes)+" can never be evicted")
	wantEvidence(t, c,
		fmt.Sprintf("bytes in keys with a TTL: %s of %s (%s); without a TTL: %s (%s)", model.Bytes(ttlBytes), model.Bytes(ttlBytes+noTTLBytes), pct(share), model.Bytes(noTTLBytes), pct(1-share)),
		"scan complete: 510 keys sized")
	if !c.offers("CONFIG SET maxmemory-policy allkeys-lru") {
		t.Errorf("a policy that cannot free the bytes should offer allkeys-lru:\n%s", c)
	}
	t.Logf("gap 1: %s; TTL bytes %s of %s (%s)", c.Title, model.Bytes(ttlBytes), model.Bytes(ttlBytes+noTTLBytes), pct(share))
}

// Gap 12: allkeys-random is watched, not "fine"; noeviction on keys without
// a TTL, full and refusing writes, says it reads the instance as a store,
// and why.
func TestGapPolicyReadings(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 10mb", "maxmemory-policy allkeys-random")
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	for i := range 200 {
		w.Set(ctx, "page:"+strconv.Itoa(i), strings.Repeat("p", 1000), 0)
	}
	checks, _ := gapReport(t, srv.Addr)
	c := wantCheck(t, checks, model.CheckPolicyFits, "watch", "allkeys-random evicts hot keys as readily as cold ones")
	wantEvidence(t, c, "maxmemory_policy: allkeys-random")
	if !c.offers("CONFIG SET maxmemory-policy allkeys-lfu") || !c.offers("CONFIG SET maxmemory-policy allkeys-lru") {
		t.Errorf("allkeys-random should offer allkeys-lfu and allkeys-lru:\n%s", c)
	}
	t.Logf("gap 12, allkeys-random: %s", c.Title)

	// The same keys under noeviction, written until the server refuses.
	if err := w.ConfigSet(ctx, "maxmemory-policy", "noeviction").Err(); err != nil {
		t.Fatal(err)
	}
	refused := 0
	for i := 0; refused < 50 && i < 100_000; i++ {
		if err := w.Set(ctx, "page:x"+strconv.Itoa(i), strings.Repeat("p", 1000), 0).Err(); err != nil {
			if !strings.HasPrefix(err.Error(), "OOM") {
				t.Fatal(err)
			}
			refused++
		}
	}
	if refused == 0 {
		t.Fatal("the server never refused a write")
	}
	oom := infoMap(t, srv.Addr)["errorstat_OOM"]
	checks, _ = gapReport(t, srv.Addr)
	c = wantCheck(t, checks, model.CheckPolicyFits, "ok", "noeviction read as a store (0.0% of keys have a TTL): it refuses writes at the limit")
	wantEvidence(t, c, "with a TTL: 0 (0.0%)", "OOM error replies since start: ")
	if !strings.Contains(oom, "count=") || !c.has(strings.TrimPrefix(strings.Split(oom, ",")[0], "count=")) {
		t.Errorf("the evidence should count the OOM replies INFO shows (%s):\n%s", oom, c)
	}
	t.Logf("gap 12, noeviction: %s; INFO errorstat_OOM %s", c.Title, oom)
}

// fragment loads n small strings and deletes four in five: used falls, RSS
// stays — a fragmentation ratio far above 2.5 on a dataset above the small
// one. It waits until INFO shows the ratio.
func fragment(t *testing.T, addr string, n int) {
	t.Helper()
	w := demo.NewClient(addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	val := strings.Repeat("f", 200)
	for start := 0; start < n; start += 5000 {
		p := w.Pipeline()
		for i := start; i < start+5000; i++ {
			p.Set(ctx, "frag:"+strconv.Itoa(i), val, 0)
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for start := 0; start < n; start += 5000 {
		p := w.Pipeline()
		for i := start; i < start+5000; i++ {
			if i%5 != 0 {
				p.Del(ctx, "frag:"+strconv.Itoa(i))
			}
		}
		if _, err := p.Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(trustSafety)
	for infoFloat(t, addr, "mem_fragmentation_ratio") <= model.ThresholdFragRestart {
		if time.Now().After(deadline) {
			t.Fatalf("the ratio stays at %v", infoMap(t, addr)["mem_fragmentation_ratio"])
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// machineMemory is what the rules compare with when the server runs here:
// the cgroup limit when it is lower than the host's RAM.
func machineMemory(t *testing.T, addr string) (float64, string) {
	t.Helper()
	info := infoMap(t, addr)
	pid, _ := strconv.Atoi(info["process_id"])
	hf := redisx.ReadHostFacts(pid, info["executable"])
	ram, okR := hf.HostRAM.Get()
	lim, okL := hf.CgroupLimit.Get()
	switch {
	case okL && (!okR || lim < ram):
		return lim, "cgroup memory limit"
	case okR:
		return ram, "host RAM"
	}
	v := infoFloat(t, addr, "total_system_memory")
	return v, "total_system_memory"
}

// Gaps 2 and 3 on one fragmented server: a maxmemory at 75 % of the machine
// passes the limit check by itself, but at the limit RSS would be
// maxmemory × the ratio — past the machine; and at a ratio above 2.5 the
// fragmentation check says restart or fail over, not defrag. Then, near
// maxmemory, the defrag advice is held back and says why.
func TestGapFragmentedServerAtItsLimit(t *testing.T) {
	srv := redistest.StartServer(t)
	fragment(t, srv.Addr, 200_000)
	ram, src := machineMemory(t, srv.Addr)
	limit := int64(ram * 0.75)
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	if err := w.ConfigSet(t.Context(), "maxmemory", strconv.FormatInt(limit, 10)).Err(); err != nil {
		t.Fatal(err)
	}

	checks, mem := gapReport(t, srv.Addr)
	num := func(k string) float64 {
		v, ok := mem[k].(float64)
		if !ok {
			t.Fatalf("memory.%s = %v", k, mem[k])
		}
		return v
	}
	fr, used := num("mem_fragmentation_ratio"), num("used_memory")
	clients := num("mem_clients_normal")
	// 7.0+ report the replication buffers as one figure; before, they are
	// the replicas' output buffers plus the backlog (6.2's path).
	repl, ok := mem["mem_total_replication_buffers"].(float64)
	if !ok {
		repl = num("mem_clients_slaves") + num("mem_replication_backlog")
	}
	projected := float64(limit)*fr + clients + repl

	// Gap 2: the worst case, with its terms, graded against the machine.
	c := wantCheck(t, checks, model.CheckMaxmemorySet, "crit",
		fmt.Sprintf("At maxmemory %s, RSS can reach %s: past the machine's memory (%s)", model.Bytes(float64(limit)), model.Bytes(projected), pct(projected/ram)))
	wantEvidence(t, c,
		fmt.Sprintf("RSS at the limit, worst case: maxmemory %s × %s + client buffers %s + replication buffers %s = %s, %s of the %s (%s)",
			model.Bytes(float64(limit)), model.Ratio(fr), model.Bytes(clients), model.Bytes(repl), model.Bytes(projected), pct(projected/ram), src, model.Bytes(ram)),
		"fragmentation: "+model.Ratio(fr)+" (mem_fragmentation_ratio now)")
	t.Logf("gap 2: %s (used %s, ratio %s, machine %s from %s)", c.Title, model.Bytes(used), model.Ratio(fr), model.Bytes(ram), src)

	// Gap 3: restart or fail over, with the reason; no defrag command.
	f := wantCheck(t, checks, model.CheckFragmentation, "crit", "Restart or fail over: fragmentation "+model.Ratio(fr))
	wantEvidence(t, f, "restart rather than fix: ratio "+model.Ratio(fr)+" is above 2.50")
	if !f.offers("redis-cli FAILOVER") || f.offers("activedefrag yes") {
		t.Errorf("a ratio above 2.5 calls for a failover, not defrag:\n%s", f)
	}
	t.Logf("gap 3, restart: %s", f.Title)

	// Near maxmemory: defrag advice held back, and why.
	near := int64(used / 0.9)
	if err := w.ConfigSet(t.Context(), "maxmemory", strconv.FormatInt(near, 10)).Err(); err != nil {
		t.Fatal(err)
	}
	checks, mem = gapReport(t, srv.Addr)
	share := mem["used_memory"].(float64) / float64(near)
	d := wantCheck(t, checks, model.CheckActiveDefrag, "watch", "Active defrag would help, but not now: memory is at "+pct(share)+" of maxmemory")
	wantEvidence(t, d, "held back: memory is at "+pct(share)+" of maxmemory")
	if d.offers("activedefrag yes") {
		t.Errorf("defrag under memory pressure must not be offered:\n%s", d)
	}
	t.Logf("gap 3, held back: %s", d.Title)
}

// Gap 8: the server killed and started again under the monitor (what an OOM
// kill and a supervisor do): the live checklist names the restart, with the
// run_id before and after and the memory before, and what to look at.
func TestGapRestartSeenLive(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 64mb")
	w := demo.NewClient(srv.Addr)
	defer func() { _ = w.Close() }()
	ctx := t.Context()
	p := w.Pipeline()
	for i := range 2000 {
		p.Set(ctx, "big:"+strconv.Itoa(i), strings.Repeat("b", 4000), 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	oldRun := infoMap(t, srv.Addr)["run_id"]

	o := redisx.DefaultOptions()
	o.Addr = srv.Addr
	r := startLive(t, connectMain(t, o), rigOptions{})
	r.until("the first checklist", func(m ui.Model) bool { return m.Live().Checklist != nil && r.folded >= 3 })
	var rssBefore float64
	if s := r.m.Live().Hist.LastOK(); s != nil {
		rssBefore = s.Memory.UsedMemoryRSS.V
	}

	rctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := srv.Restart(rctx); err != nil {
		t.Fatal(err)
	}
	newRun := infoMap(t, srv.Addr)["run_id"]
	r.until("the restart on the checklist", func(ui.Model) bool { return strings.Contains(r.frame(), "Restarted ") })
	frame := r.frame()
	if !strings.Contains(frame, "warn") || !strings.Contains(frame, "(new run_id; RSS was ") || !strings.Contains(frame, "an OOM kill?") {
		t.Fatalf("the checklist should show the restart as a warning:\n%s", frame)
	}

	// Open the check: the evidence and the commands are in its details.
	for r.m.Focused() != ui.PaneChecklist {
		r.press("tab")
	}
	r.press("home")
	for i, ch := range r.m.Live().Checklist.Checks {
		if ch.ID == model.CheckPeak {
			for range i {
				r.press("down")
			}
			break
		}
	}
	r.press("enter")
	detail := r.frame()
	for _, want := range []string{
		"run_id changed", oldRun[:8] + "… → " + newRun[:8] + "…",
		"before the restart: used_memory", "uptime_in_seconds:",
		"dmesg", "OOMKilled",
	} {
		if !strings.Contains(detail, want) {
			t.Errorf("the details do not show %q:\n%s", want, detail)
		}
	}
	if rssBefore > 0 && !strings.Contains(detail, "RSS was ") {
		t.Errorf("the details do not give the RSS before:\n%s", detail)
	}
	// The commands are further down the details.
	for range 20 {
		r.press("down")
	}
	if tail := r.frame(); !strings.Contains(tail, "sudo dmesg -T") || !strings.Contains(tail, "docker inspect") {
		t.Errorf("the details should end with the commands to find the OOM kill:\n%s", tail)
	}
	t.Logf("gap 8: run_id %s → %s, RSS before %s; the frame:\n%s", oldRun[:8], newRun[:8], model.Bytes(rssBefore), detail)
}

// Gap 9: the host's memory beyond MemTotal — MemAvailable against the
// fork's copy-on-write worst case, the swap in use, vm.swappiness — read on
// this machine, where the test's server runs. Swap and a short host cannot
// be made on a throwaway server; the model's table covers them.
func TestGapHostMemoryRead(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 64mb")
	checks, mem := gapReport(t, srv.Addr)
	c, ok := checks[model.CheckSwapAndHost]
	if !ok || c.Status == "unknown" {
		t.Fatalf("the server runs on this host: the check should read it\n%s", c)
	}
	meminfo, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		t.Skip("no /proc/meminfo: not Linux")
	}
	kb := func(name string) float64 {
		for _, line := range strings.Split(string(meminfo), "\n") {
			if v, ok := strings.CutPrefix(line, name+":"); ok {
				f := strings.Fields(v)
				n, _ := strconv.ParseFloat(f[0], 64)
				return n * 1024
			}
		}
		t.Fatalf("no %s in /proc/meminfo", name)
		return 0
	}
	avail := kb("MemAvailable")
	used := mem["used_memory"].(float64)
	wantEvidence(t, c, "MemAvailable on the host: ", "fork headroom: a copy-on-write worst case copies used_memory ")
	// MemAvailable moves between our read and the report's: the figure
	// shown must be within 10 % of ours.
	var shown float64
	for _, line := range c.Evidence {
		if v, ok := strings.CutPrefix(line, "MemAvailable on the host: "); ok {
			shown = parseBytes(t, v)
		}
	}
	if shown < 0.9*avail || shown > 1.1*avail {
		t.Errorf("MemAvailable shown %s, /proc/meminfo says %s", model.Bytes(shown), model.Bytes(avail))
	}
	if total := kb("SwapTotal"); total == 0 {
		wantEvidence(t, c, "host swap: none configured")
	} else {
		wantEvidence(t, c, "host swap in use: ")
	}
	if b, err := os.ReadFile("/proc/sys/vm/swappiness"); err == nil {
		wantEvidence(t, c, "vm.swappiness: "+strings.TrimSpace(string(b)))
	}
	if used/avail < model.ThresholdForkAvailWatch && strings.Contains(c.Title, "copy-on-write") {
		t.Errorf("used %s against %s available is no fork risk:\n%s", model.Bytes(used), model.Bytes(avail), c)
	}
	t.Logf("gap 9: %s %q; MemAvailable %s, used %s, evidence %q", c.Status, c.Title, model.Bytes(avail), model.Bytes(used), c.Evidence)
}

// parseBytes reads a figure as model.Bytes writes it ("21.37G").
func parseBytes(t *testing.T, s string) float64 {
	t.Helper()
	s = strings.TrimSpace(s)
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"T", 1 << 40}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a figure: %q", s)
	}
	return v * mult
}
