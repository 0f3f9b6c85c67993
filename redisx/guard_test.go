package redisx

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

func args(s ...string) []any {
	out := make([]any, len(s))
	for i, a := range s {
		out[i] = a
	}
	return out
}

func TestCheck(t *testing.T) {
	allowed := [][]any{
		args("info"), args("INFO", "memory", "persistence"), args("ping"),
		args("hello", "3", "auth", "u", "p", "setname", "x"), args("auth", "pw"), args("select", "2"),
		args("client", "setname", "redis-memtop"), args("CLIENT", "LIST"), args("client", "no-touch", "on"),
		args("config", "get", "maxmemory*"), args("memory", "usage", "k", "samples", "5"),
		args("memory", "doctor"), args("scan", "0", "count", "100"), args("type", "k"), args("pttl", "k"),
		args("object", "encoding", "k"), args("hlen", "h"), args("dbsize"), args("latency", "latest"),
		args("cluster", "shards"), args("command", "count"), args("sentinel", "masters"), args("quit"),
		{[]byte("info"), []byte("server")},
	}
	for _, a := range allowed {
		if err := Check(false, a); err != nil {
			t.Errorf("%v refused: %v", a, err)
		}
	}
	refused := [][]any{
		args("set", "k", "v"), args("flushall"), args("FLUSHDB", "ASYNC"), args("debug", "sleep", "0"),
		args("keys", "*"), args("get", "k"), args("del", "k"), args("config", "set", "maxmemory", "1"),
		args("config", "set", "activedefrag", "yes"), args("config", "rewrite"), args("config", "resetstat"),
		args("bgsave"), args("memory", "purge"), args("client", "kill", "id", "1"), args("client", "pause", "10"),
		args("client", "no-evict", "on"), args("shutdown"), args("monitor"), args("command"),
		args("object", "help"), args("cluster", "reset"), args("sentinel", "set", "m", "quorum", "1"),
		args("eval", "return 1", "0"), args("multi"), args("exec"), args("acl", "setuser", "x"),
		args("replicaof", "no", "one"), args("save"), args("client", "setinfo", "lib-name", "x"),
		{},
	}
	for _, a := range refused {
		err := Check(false, a)
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("%v allowed without --allow-writes", a)
		}
	}
	// --allow-writes adds exactly the few write actions.
	for _, a := range [][]any{args("bgsave"), args("bgrewriteaof"), args("memory", "purge"), args("config", "set", "activedefrag", "yes"), args("CONFIG", "SET", "ActiveDefrag", "no")} {
		if err := Check(true, a); err != nil {
			t.Errorf("%v refused with --allow-writes: %v", a, err)
		}
	}
	for _, a := range [][]any{args("set", "k", "v"), args("flushall"), args("config", "set", "maxmemory", "1"), args("config", "set", "activedefrag", "yes", "maxmemory", "1"), args("config", "set"), args("debug", "sleep", "1"), args("keys", "*")} {
		if err := Check(true, a); !errors.Is(err, ErrForbidden) {
			t.Errorf("%v allowed with --allow-writes", a)
		}
	}
}

func TestCheckErrorNamesCommandNotArguments(t *testing.T) {
	err := Check(false, args("config", "set", "requirepass", "TopSecret1"))
	if err == nil || strings.Contains(err.Error(), "TopSecret1") || !strings.Contains(err.Error(), "CONFIG SET") {
		t.Errorf("error = %v", err)
	}
	err = Check(false, args("\x1b[2Jevil"))
	if err == nil || strings.Contains(err.Error(), "\x1b") {
		t.Errorf("control characters reach the error: %q", err)
	}
}

func TestAllowedCommandsList(t *testing.T) {
	list := AllowedCommands()
	if !slices.IsSorted(list) || len(list) < 40 {
		t.Fatalf("list = %v", list)
	}
	for _, name := range list {
		if err := Check(false, args(strings.Fields(name)...)); err != nil {
			t.Errorf("listed %q but refused: %v", name, err)
		}
		for _, w := range []string{"SET", "DEL", "FLUSH", "DEBUG", "KEYS", "PURGE", "BGSAVE", "KILL"} {
			if strings.HasPrefix(name, w) || strings.HasSuffix(name, " "+w) {
				t.Errorf("write-ish %q in the read-only list", name)
			}
		}
	}
	list[0] = "mutated"
	if AllowedCommands()[0] == "mutated" {
		t.Error("AllowedCommands exposes the guard's own slice")
	}
	if len(WriteCommands()) != 4 {
		t.Errorf("WriteCommands = %v", WriteCommands())
	}
}

// TestGuardNothingForbiddenReachesTheServer sends forbidden commands through
// the guarded client — alone, in a pipeline, in a transaction — and proves
// with MONITOR that the server never saw them, while it did see the allowed
// commands sent around them.
func TestGuardNothingForbiddenReachesTheServer(t *testing.T) {
	srv := redistest.StartServer(t)
	plain := redistest.Client(t, srv.Addr)
	ctx := testCtx(t)
	if err := plain.ConfigResetStat(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	mon := redistest.StartMonitor(t, srv.Addr)
	c := connectT(t, optsFor(srv.Addr))
	rdb := c.Raw()
	modern := redistest.Version(t, srv.Addr).AtLeast(7, 0, 0)

	forbidden := [][]any{
		args("set", "guard:k", "v"), args("flushall"), args("debug", "sleep", "0"), args("keys", "*"),
		args("config", "set", "maxmemory", "1mb"), args("config", "set", "activedefrag", "yes"),
		args("bgsave"), args("memory", "purge"),
	}
	for _, a := range forbidden {
		err := rdb.Do(ctx, a...).Err()
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("%v: err = %v, want ErrForbidden", a, err)
		}
	}
	if err := rdb.Set(ctx, "guard:typed", "v", 0).Err(); !errors.Is(err, ErrForbidden) {
		t.Errorf("typed Set: %v", err)
	}
	// A pipeline with one forbidden command is refused whole: the allowed
	// DBSIZE in it is not sent either.
	cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		p.Do(ctx, "dbsize")
		p.Do(ctx, "del", "guard:k")
		return nil
	})
	if !errors.Is(err, ErrForbidden) || len(cmds) != 2 || !errors.Is(cmds[0].Err(), ErrForbidden) || !errors.Is(cmds[1].Err(), ErrForbidden) {
		t.Errorf("pipeline: err=%v cmds=%v", err, cmds)
	}
	_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Ping(ctx)
		return nil
	})
	if !errors.Is(err, ErrForbidden) {
		t.Errorf("MULTI/EXEC transaction: %v", err)
	}

	// Allowed traffic goes through; the marker tells us the monitor has
	// caught up with everything the client sent before it.
	if err := rdb.Do(ctx, "config", "get", "maxmemory").Err(); err != nil {
		t.Fatal(err)
	}
	if err := rdb.Do(ctx, "ping", "guard-end-marker").Err(); err != nil {
		t.Fatal(err)
	}
	mon.WaitFor(t, "ping", "guard-end-marker")
	seen := mon.Commands()
	var sawInfo, sawConfigGet, sawSetname bool
	for _, cmd := range seen {
		if len(cmd) == 0 {
			continue
		}
		switch name := strings.ToLower(cmd[0]); {
		case name == "info":
			sawInfo = true
		case name == "config" && len(cmd) > 1 && strings.EqualFold(cmd[1], "get"):
			sawConfigGet = true
		case name == "client" && len(cmd) > 1 && strings.EqualFold(cmd[1], "setname"):
			sawSetname = true
		}
		if err := Check(false, toAny(cmd)); err != nil {
			t.Errorf("the server saw a forbidden command: %q", cmd)
		}
		if strings.EqualFold(cmd[0], "dbsize") {
			t.Errorf("DBSIZE from the refused pipeline reached the server")
		}
	}
	// MONITOR never shows admin commands (CONFIG, DEBUG, BGSAVE, CLIENT …),
	// so it sees INFO and CLIENT SETNAME here but not CONFIG GET; the
	// server's own per-command counters see everything.
	// Before 7.0 CLIENT is an admin command as a whole: MONITOR hides it.
	if !sawInfo || sawSetname != modern || sawConfigGet {
		t.Errorf("monitor traffic (info %v, setname %v, config get %v): %v", sawInfo, sawSetname, sawConfigGet, seen)
	}
	stats := commandStats(t, plain)
	// Before 7.0 the CONFIG RESETSTAT above counts under "config" too.
	configCalls := 1.0
	if !modern {
		configCalls = 2
	}
	if stats[statName(modern, "config|get")] != configCalls || stats["info"] < 1 {
		t.Errorf("commandstats missed allowed traffic: %v", stats)
	}
	for name := range stats {
		if name == "config|resetstat" || name == "monitor" || !modern && containers[name] {
			continue // the test's own setup and observer; a whole container before 7.0
		}
		if err := Check(false, toAny(strings.Split(name, "|"))); err != nil {
			t.Errorf("the server executed %q", name)
		}
	}
	for _, name := range []string{"set", "flushall", "debug", "keys", "config|set", "bgsave", "memory|purge", "dbsize", "del", "multi", "exec"} {
		if !modern && strings.Contains(name, "|") {
			continue // counted with its container, checked above (config: the one GET)
		}
		if stats[name] != 0 {
			t.Errorf("%s reached the server %v times", name, stats[name])
		}
	}
	// And the data is untouched.
	if n, err := plain.Exists(ctx, "guard:k", "guard:typed").Result(); err != nil || n != 0 {
		t.Errorf("keys written: %d %v", n, err)
	}
}

// commandStats reads INFO commandstats: command (7.0 "config|get" form) →
// calls. It counts every executed command, admin ones included.
func commandStats(t *testing.T, plain *redis.Client) map[string]float64 {
	t.Helper()
	text, err := plain.Info(testCtx(t), "commandstats").Result()
	if err != nil {
		t.Fatal(err)
	}
	sec, _ := ParseInfo(text).Section("commandstats")
	out := map[string]float64{}
	for _, f := range sec.Fields {
		name := strings.TrimPrefix(f.Key, "cmdstat_")
		calls, _ := kvGet(ParseKV(f.Value), "calls")
		out[name] = ParseNumber(calls).V
	}
	return out
}

// statName is the commandstats name of a command ("config|get") on a
// server of that age: before 7.0 commandstats counts a container command
// as a whole ("config"), so a test there checks the container's calls.
func statName(modern bool, name string) string {
	if modern {
		return name
	}
	top, _, _ := strings.Cut(name, "|")
	return top
}

// containers are the commands whose subcommands only 7.0+ commandstats
// tells apart; on older servers the guard checks of them rest on MONITOR
// and on their call counts.
var containers = map[string]bool{"config": true, "client": true, "memory": true, "cluster": true, "object": true, "acl": true, "command": true, "latency": true, "slowlog": true, "module": true, "script": true, "xinfo": true, "debug": false}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// TestWholeRunSendsOnlyAllowedCommands runs the poller with its Extras
// against a monitored server and checks every command the server saw from it.
func TestWholeRunSendsOnlyAllowedCommands(t *testing.T) {
	srv := redistest.StartServer(t, "maxmemory 64mb")
	plain := redistest.Client(t, srv.Addr)
	if err := plain.ConfigResetStat(testCtx(t)).Err(); err != nil {
		t.Fatal(err)
	}
	mon := redistest.StartMonitor(t, srv.Addr)
	c := connectT(t, optsFor(srv.Addr))
	modern := redistest.Version(t, srv.Addr).AtLeast(7, 0, 0)
	p := NewPoller(c, 50*time.Millisecond, time.Second)
	p.ExtrasInterval = 100 * time.Millisecond
	collect(t, p, func(u []updateRec) bool { return countExtras(u) >= 2 && countSamples(u) >= 4 })
	if err := c.Raw().Do(testCtx(t), "ping", "run-end-marker").Err(); err != nil {
		t.Fatal(err)
	}
	mon.WaitFor(t, "run-end-marker")
	names := map[string]bool{}
	for _, cmd := range mon.Commands() {
		if err := Check(false, toAny(cmd)); err != nil {
			t.Errorf("a run without --allow-writes sent %q", cmd)
		}
		names[commandName(toAny(cmd))] = true
	}
	seenByMonitor := []string{"INFO", "MEMORY DOCTOR", "CLIENT SETNAME"}
	if !modern {
		seenByMonitor = seenByMonitor[:2] // before 7.0 MONITOR hides CLIENT as a whole
	}
	for _, want := range seenByMonitor {
		if !names[want] {
			t.Errorf("MONITOR never saw %s (saw %v)", want, names)
		}
	}
	// Admin commands (CONFIG GET, CLIENT LIST) only show in commandstats.
	stats := commandStats(t, plain)
	for name := range stats {
		if name == "config|resetstat" || name == "monitor" || !modern && containers[name] {
			continue // the test's own setup and observer; a whole container before 7.0
		}
		if err := Check(false, toAny(strings.Split(name, "|"))); err != nil {
			t.Errorf("a run without --allow-writes executed %q", name)
		}
	}
	for _, want := range []string{"info", "config|get", "client|list", "memory|doctor", "client|setname"} {
		if stats[statName(modern, want)] == 0 {
			t.Errorf("the run never sent %s (commandstats %v)", want, stats)
		}
	}
}
