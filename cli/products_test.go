package cli

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

const crlf = "\r\n"

func lines(ls ...string) string { return strings.Join(ls, crlf) + crlf }

// dragonflyScript answers as Dragonfly v1.27 does (reference §5): a fake
// redis_version, no fragmentation or allocator fields, human sizes in
// *_human and CONFIG GET, policy "eviction", Persistence and Errorstats only
// when named, no INFO everything, no OBJECT, no MEMORY DOCTOR, MEMORY USAGE
// without SAMPLES, CLIENT LIST without memory fields, fake module lines.
func dragonflyScript(keys []redistest.FakeKey) redistest.FakeScript {
	sec := map[string]string{
		"server": lines("# Server", "redis_version:7.4.0", "dragonfly_version:df-v1.27.1", "redis_mode:standalone",
			"arch_bits:64", "os:Linux 6.1.0-28-amd64 x86_64", "thread_count:2", "multiplexing_api:epoll",
			"tcp_port:6379", "uptime_in_seconds:1234", "uptime_in_days:0"),
		"clients": lines("# Clients", "connected_clients:3", "max_clients:64000", "client_read_buffer_bytes:1024",
			"blocked_clients:0", "pipeline_queue_length:0"),
		"memory": lines("# Memory", "used_memory:5242880", "used_memory_human:5.00MiB", "used_memory_peak:6291456",
			"used_memory_peak_human:6.00MiB", "fibers_stack_vms:2000000", "fibers_count:20",
			"used_memory_rss:16777216", "used_memory_rss_human:16.00MiB", "used_memory_peak_rss:17000000",
			"maxmemory:1073741824", "maxmemory_human:1.00GiB", "used_memory_lua:0", "object_used_memory:4194304",
			"type_used_memory_string:1000000", "type_used_memory_list:3194304", "table_used_memory:500000",
			"prime_capacity:1000", "expire_capacity:100", "num_entries:241", "inline_keys:120",
			"cache_mode:cache", "maxmemory_policy:eviction", "replication_streaming_buffer_bytes:0"),
		"stats": lines("# Stats", "total_connections_received:12", "total_commands_processed:900",
			"instantaneous_ops_per_sec:3", "total_pipelined_commands:0", "total_net_input_bytes:1000",
			"total_net_output_bytes:2000", "instantaneous_input_kbps:-1", "instantaneous_output_kbps:-1",
			"rejected_connections:-1", "expired_keys:0", "evicted_keys:0", "hard_evictions:0",
			"keyspace_hits:10", "keyspace_misses:2"),
		"replication": lines("# Replication", "role:master", "connected_slaves:0", "master_replid:5d7aa2e5a4f3a2d1c0b9e8f7a6b5c4d3e2f1a0b9"),
		"modules": lines("# Modules", "module:name=ReJSON,ver=20000,api=1,filters=0,usedby=[search],using=[],options=[handle-io-errors]",
			"module:name=search,ver=20000,api=1,filters=0,usedby=[],using=[ReJSON],options=[handle-io-errors]"),
		"keyspace": lines("# Keyspace", "db0:keys="+strconv.Itoa(len(keys))+",expires=120,hits=10,misses=2,hit_ratio=83.33,avg_ttl=-1"),
		"cpu":      lines("# CPU", "used_cpu_sys:0.76107", "used_cpu_user:1.5123", "used_cpu_sys_children:0.0", "used_cpu_user_children:0.0"),
		"cluster":  lines("# Cluster", "cluster_enabled:0"),
		"persistence": lines("# Persistence", "current_snapshot_perc:0", "current_save_keys_processed:0",
			"current_save_keys_total:0", "last_success_save:1700000000", "last_saved_file:/data/dump.dfs",
			"last_success_save_duration_sec:0", "loading:0", "saving:0", "current_save_duration_sec:0",
			"rdb_changes_since_last_success_save:12", "rdb_bgsave_in_progress:0", "rdb_last_bgsave_status:ok",
			"last_failed_save:0", "last_error:", "last_failed_save_duration_sec:0"),
		"errorstats": lines("# Errorstats", "syntax_error:3", "unknown_cmd:2"),
	}
	return redistest.FakeScript{
		Sections: sec,
		Order:    []string{"server", "clients", "memory", "stats", "replication", "modules", "keyspace", "cpu", "cluster", "persistence", "errorstats"},
		Plain:    []string{"server", "clients", "memory", "stats", "replication", "modules", "keyspace", "cpu", "cluster"},
		Multi:    true,
		Unknown:  map[string]bool{"OBJECT": true, "CLIENT NO-TOUCH": true},
		// MEMORY DOCTOR falls through to "ERR Unknown subcommand".
		NoSamples: true,
		Config:    map[string]string{"maxmemory": "1.00GiB", "cache_mode": "true"},
		ClientList: "id=1 addr=127.0.0.1:40000 laddr=127.0.0.1:6379 fd=10 name=app tid=0 irqmatch=0 age=50 idle=0 tot-cmds=3 tot-net-in=100 tot-read-calls=3 tot-dispatches=3 db=0 flags=N phase=process lib-name= lib-ver=\n" +
			"id=2 addr=127.0.0.1:40002 laddr=127.0.0.1:6379 fd=11 name=redis-memtop tid=1 irqmatch=0 age=1 idle=0 tot-cmds=9 tot-net-in=300 tot-read-calls=9 tot-dispatches=9 db=0 flags=N phase=process lib-name= lib-ver=\n",
		Keys: keys,
	}
}

// keydbScript answers as KeyDB 6.3.4 does (reference §4): Redis 6.2's
// INFO (one section a call) plus KeyDB's own fields, among them
// available_system_memory:unavailable and a # KeyDB section.
func keydbScript(t *testing.T, keys []redistest.FakeKey) redistest.FakeScript {
	t.Helper()
	sec, order := redistest.SectionsOf(redistest.InfoCapture(t, "redis-6.2.16-full-localcapture.txt"))
	sec["server"] = strings.Replace(sec["server"], "redis_version:6.2.16", "redis_version:6.3.4", 1) + "availability_zone:" + crlf + "features:cluster_mget" + crlf
	sec["memory"] += lines("storage_provider:none", "available_system_memory:unavailable")
	sec["stats"] += lines("instantaneous_lock_contention:1", "avg_lock_contention:0.000000", "storage_provider_read_hits:0", "storage_provider_read_misses:0")
	sec["cpu"] += lines("server_threads:2", "long_lock_waits:0")
	sec["keyspace"] = lines("# Keyspace", "db0:keys="+strconv.Itoa(len(keys))+",expires=120,avg_ttl=3599000,cached_keys="+strconv.Itoa(len(keys)))
	sec["keydb"] = lines("# KeyDB", "mvcc_depth:0")
	order = append(order, "keydb")
	var plain []string
	for _, n := range order {
		if n != "commandstats" && n != "errorstats" && n != "latencystats" {
			plain = append(plain, n)
		}
	}
	return redistest.FakeScript{
		Sections: sec, Order: order, Plain: plain, Everything: true,
		Config: map[string]string{
			"maxmemory": "0", "maxmemory-policy": "noeviction", "activedefrag": "no",
			"hash-max-ziplist-entries": "512", "save": "3600 1", "appendonly": "no",
		},
		ClientList: "id=3 addr=127.0.0.1:40000 laddr=127.0.0.1:6379 fd=9 name= age=1 idle=0 flags=N db=0 sub=0 psub=0 multi=-1 qbuf=26 qbuf-free=40928 argv-mem=10 obl=0 oll=0 omem=0 tot-mem=61466 events=r cmd=client user=default redir=-1\n",
		Doctor:     "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.",
		Keys:       keys,
	}
}

// elasticacheScript answers as ElastiCache (Redis OSS 7.0) does (reference
// §10): os:Amazon ElastiCache, no total_system_memory, an # SSL section,
// CONFIG and BGSAVE unknown.
func elasticacheScript(t *testing.T, keys []redistest.FakeKey) redistest.FakeScript {
	t.Helper()
	sec, order := redistest.SectionsOf(redistest.InfoCapture(t, "redis-7.0.15-debian-full-localcapture.txt"))
	srv := sec["server"]
	for old, repl := range map[string]string{
		"os:":           "os:Amazon ElastiCache\r\nos_was:",
		"gcc_version:":  "gcc_version:0.0.0\r\ngcc_was:",
		"process_id:":   "process_id:1\r\npid_was:",
		"executable:":   "executable:-\r\nexe_was:",
		"config_file:":  "config_file:-\r\ncfg_was:",
		"redis_version": "redis_version",
	} {
		srv = strings.Replace(srv, old, repl, 1)
	}
	// Drop the original values the replacements pushed aside.
	var kept []string
	for l := range strings.SplitSeq(strings.TrimRight(srv, crlf), crlf) {
		if !strings.Contains(l, "_was:") {
			kept = append(kept, l)
		}
	}
	sec["server"] = lines(kept...)
	var mem []string
	for l := range strings.SplitSeq(strings.TrimRight(sec["memory"], crlf), crlf) {
		if !strings.HasPrefix(l, "total_system_memory") {
			mem = append(mem, l)
		}
	}
	sec["memory"] = lines(mem...)
	sec["keyspace"] = lines("# Keyspace", "db0:keys="+strconv.Itoa(len(keys))+",expires=120,avg_ttl=3599000")
	sec["ssl"] = lines("# SSL", "ssl_enabled:yes", "ssl_connections_to_previous_certificate:0",
		"ssl_connections_to_current_certificate:3", "ssl_current_certificate_not_before_date:(null)",
		"ssl_current_certificate_not_after_date:(null)", "ssl_current_certificate_serial:0")
	order = append(order, "ssl")
	plain := []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "modules", "errorstats", "cluster", "keyspace", "ssl"}
	return redistest.FakeScript{
		Sections: sec, Order: order, Plain: plain, Multi: true, Everything: true,
		Unknown:    map[string]bool{"CONFIG": true, "BGSAVE": true, "BGREWRITEAOF": true},
		ClientList: "id=3 addr=10.0.0.9:40000 laddr=10.0.0.5:6379 fd=9 name=web age=1 idle=0 flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=26 qbuf-free=20448 argv-mem=10 multi-mem=0 rbs=1024 rbp=1024 obl=0 oll=0 omem=0 tot-mem=22426 events=r cmd=client|list user=default redir=-1 resp=2\n",
		Doctor:     "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.",
		Keys:       keys,
	}
}

// lookalikeScript answers like the Redis-compatible servers that break the
// INFO grammar (reference §11.5–6: Pika, Picodata): no redis_version, a
// "# Replication(MASTER)" header, lines without a colon, a comment inside
// Keyspace, spaces after colons, NaN and inf%, and no OBJECT, no MEMORY,
// no CONFIG, no CLIENT LIST.
func lookalikeScript(keys []redistest.FakeKey) redistest.FakeScript {
	text := lines(
		"# Server", "pika_version:3.5.0", "pika_git_sha:abc123", "os:Linux 5.10", "arch_bits:64", "process_id:4242",
		"tcp_port:9221", "thread_num:1", "uptime_in_seconds:77", "uptime_in_days:0", "config_file:/etc/pika.conf", "server_id:1",
		"", "# Data", "db_size:123456", "db_size_human:0M", "used_memory: 2048", "used_memory_human:0M", "db_memtable_usage:0",
		"mem_fragmentation_ratio:NaN", "used_memory_peak_perc:inf%", "key: 0",
		"", "# Clients", "connected_clients:1",
		"", "# Stats", "total_connections_received:5", "instantaneous_ops_per_sec:0", "total_commands_processed: 10",
		"is_bgsaving:No, , 0", "is_scaning_keyspace:No", "is_compact:No", "compact-cron:",
		"", "# CPU", "used_cpu_sys:0.5", "used_cpu_user:-nan",
		"", "# Replication(MASTER)", "role:master", "connected_slaves:0", "slave0: i1, , running, 0, 0", "this line has no colon",
		"", "# Keyspace", "# Time:2024-01-01 00:00:00", "db0 Strings_keys=10, expires=0, invalid_keys=0", "db0:keys=bogus",
	)
	sec, order := redistest.SectionsOf(text)
	return redistest.FakeScript{
		Sections: sec, Order: order, Plain: order,
		Unknown: map[string]bool{"OBJECT": true, "MEMORY": true, "CONFIG": true, "CLIENT LIST": true},
		Keys:    keys,
	}
}

// productReport is the part of the JSON report the product tests read.
type productReport struct {
	Server struct {
		Product string `json:"product"`
		Version string `json:"version"`
		RunID   string `json:"run_id"`
	} `json:"server"`
	Memory      map[string]any    `json:"memory"`
	Persistence map[string]any    `json:"persistence"`
	Unavailable map[string]string `json:"unavailable"`
	Config      map[string]string `json:"config"`
	Clients     *model.Clients    `json:"clients"`
	Doctor      string            `json:"memory_doctor"`
	BigKeys     *struct {
		Complete bool     `json:"complete"`
		Scanned  int64    `json:"scanned"`
		Notes    []string `json:"notes"`
	} `json:"bigkeys"`
	Checklist []struct {
		ID       string   `json:"id"`
		Status   string   `json:"status"`
		Reason   string   `json:"reason"`
		Title    string   `json:"title"`
		Evidence []string `json:"evidence"`
	} `json:"checklist"`
	Info []struct {
		Name string `json:"name"`
	} `json:"info"`
}

func (r *productReport) check(id string) (status, reason string) {
	for _, c := range r.Checklist {
		if c.ID == id {
			return c.Status, c.Reason
		}
	}
	return "", ""
}

var nanInfWord = regexp.MustCompile(`(?i)(^|[^a-z])(nan|[+-]?inf)([^a-z]|$)`)

// TestUnusualProducts runs the report (JSON and Markdown) and the live UI
// against fake Dragonfly, KeyDB, ElastiCache and lookalike servers: the
// product is detected the way the reference says; the JSON is valid and a
// figure the product does not report is null; every check that cannot be
// judged says unknown and why; nothing prints NaN or Inf; the scan counts
// every key and says what it could not read; the tool sends only commands
// the read-only guard allows.
func TestUnusualProducts(t *testing.T) {
	keys := redistest.FakeKeys()
	cases := []struct {
		name    string
		script  redistest.FakeScript
		product model.Product
		version string
		// nulls are memory / persistence fields that must be null.
		nullMemory, nullPersistence []string
		// present are memory fields that must be numbers.
		present     []string
		unavailable map[string]string // command → a word of the reason
		unknown     map[string]string // check → a word of the reason
		scanNotes   []string          // words the scan notes must hold
		// computedFrag: the server reports no ratio; the check computes it
		// from RSS and used and says so.
		computedFrag bool
	}{
		{
			name: "dragonfly", script: dragonflyScript(keys), product: model.ProductDragonfly, version: "1.27.1",
			nullMemory:      []string{"mem_fragmentation_ratio", "allocator_frag_ratio", "allocator_rss_ratio", "used_memory_overhead", "used_memory_dataset", "total_system_memory", "mem_clients_normal"},
			nullPersistence: []string{"current_cow_size", "rdb_last_cow_size", "rdb_last_save_time"},
			present:         []string{"used_memory", "used_memory_rss", "maxmemory"},
			unavailable:     map[string]string{"MEMORY DOCTOR": "no MEMORY DOCTOR", "OBJECT ENCODING": "unknown command"},
			unknown:         map[string]string{model.CheckEncodings: "CONFIG", model.CheckActiveDefrag: ""},
			computedFrag:    true,
			scanNotes:       []string{"OBJECT ENCODING"},
		},
		{
			name: "keydb", script: keydbScript(t, keys), product: model.ProductKeyDB, version: "6.3.4",
			nullPersistence: []string{"current_cow_peak"},
			present:         []string{"used_memory", "used_memory_rss", "mem_fragmentation_ratio", "allocator_frag_ratio", "total_system_memory"},
			unavailable:     map[string]string{},
		},
		{
			name: "elasticache", script: elasticacheScript(t, keys), product: model.ProductElastiCache, version: "7.0.15",
			nullMemory:  []string{"total_system_memory"},
			present:     []string{"used_memory", "used_memory_rss", "mem_fragmentation_ratio", "maxmemory"},
			unavailable: map[string]string{"CONFIG GET": "unknown command"},
			unknown:     map[string]string{model.CheckActiveDefrag: "CONFIG", model.CheckEncodings: "CONFIG"},
		},
		{
			name: "lookalike", script: lookalikeScript(keys), product: model.ProductUnknown, version: "",
			nullMemory: []string{"mem_fragmentation_ratio", "used_memory_peak_perc", "maxmemory", "used_memory_rss"},
			unavailable: map[string]string{
				"CONFIG GET": "unknown", "CLIENT LIST": "unknown", "MEMORY DOCTOR": "no MEMORY DOCTOR",
				"INFO memory": "no Memory section", "MEMORY USAGE": "unknown command", "OBJECT ENCODING": "unknown command",
			},
			unknown: map[string]string{
				model.CheckFragmentation: "", model.CheckMaxmemorySet: "",
				model.CheckTTLDiscipline: "keyspace", model.CheckLogicalDBs: "",
			},
			scanNotes: []string{"OBJECT ENCODING", "MEMORY USAGE"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := redistest.StartFake(t, tc.script)
			o := redisx.DefaultOptions()
			o.Addr = f.Addr
			c := connectMain(t, o)
			if c.Product() != tc.product || c.Version() != tc.version {
				t.Errorf("detected %s %q, want %s %q", c.Product(), c.Version(), tc.product, tc.version)
			}

			code, out, errOut := runCLI(t, "report", "--quick", "--scan", "--format", "json", "--interval", "100ms", "redis://"+f.Addr)
			if code != 0 {
				t.Fatalf("report: exit %d: %s", code, errOut)
			}
			var rep productReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if rep.Server.Product != string(tc.product) {
				t.Errorf("report product %q", rep.Server.Product)
			}
			for _, k := range tc.nullMemory {
				if v, ok := rep.Memory[k]; !ok || v != nil {
					t.Errorf("memory.%s = %v (present %v), want null", k, v, ok)
				}
			}
			for _, k := range tc.nullPersistence {
				if v, ok := rep.Persistence[k]; !ok || v != nil {
					t.Errorf("persistence.%s = %v (present %v), want null", k, v, ok)
				}
			}
			for _, k := range tc.present {
				if _, ok := rep.Memory[k].(float64); !ok {
					t.Errorf("memory.%s = %v, want a number", k, rep.Memory[k])
				}
			}
			for cmd, word := range tc.unavailable {
				if r, ok := rep.Unavailable[cmd]; !ok || !strings.Contains(r, word) {
					t.Errorf("unavailable[%s] = %q, want %q", cmd, r, word)
				}
			}
			if len(rep.Unavailable) != len(tc.unavailable) {
				t.Errorf("unavailable = %v, want %v", rep.Unavailable, tc.unavailable)
			}
			for id, word := range tc.unknown {
				if st, why := rep.check(id); st != "unknown" || why == "" || !strings.Contains(why, word) {
					t.Errorf("%s: %s %q, want unknown (%s)", id, st, why, word)
				}
			}
			for _, ch := range rep.Checklist {
				if ch.ID == model.CheckFragmentation && tc.computedFrag && !strings.Contains(strings.Join(ch.Evidence, "\n"), "computed as RSS / used") {
					t.Errorf("fragmentation from a computed ratio does not say so: %q", ch.Evidence)
				}
				if ch.Status == "unknown" && ch.Reason == "" {
					t.Errorf("%s unknown without a reason", ch.ID)
				}
				if nanInfWord.MatchString(ch.Title) {
					t.Errorf("%s: %q", ch.ID, ch.Title)
				}
			}
			if _, denied := tc.unavailable["CONFIG GET"]; denied && len(rep.Config) != 0 {
				t.Errorf("config invented: %v", rep.Config)
			}
			if rep.Clients != nil && tc.product == model.ProductDragonfly && (rep.Clients.TotalMem.Valid || rep.Clients.Count != 2) {
				t.Errorf("Dragonfly clients: %+v (no memory fields in its CLIENT LIST)", rep.Clients)
			}
			if len(rep.Info) == 0 {
				t.Error("the report's INFO is empty")
			}
			bk := rep.BigKeys
			if bk == nil || !bk.Complete || bk.Scanned != int64(len(keys)) {
				t.Fatalf("bigkeys %+v, want %d keys", bk, len(keys))
			}
			notes := strings.Join(bk.Notes, "\n")
			for _, n := range tc.scanNotes {
				if !strings.Contains(notes, n) {
					t.Errorf("scan notes %q lack %s", bk.Notes, n)
				}
			}
			if len(tc.scanNotes) == 0 && len(bk.Notes) != 0 {
				t.Errorf("scan notes %q", bk.Notes)
			}

			code, md, errOut := runCLI(t, "report", "--quick", "--interval", "100ms", "redis://"+f.Addr)
			if code != 0 {
				t.Fatalf("markdown report: exit %d: %s", code, errOut)
			}
			body := md[:strings.Index(md, "## INFO (latest)")] // the raw INFO quotes the server as it is
			if m := nanInfWord.FindString(body); m != "" {
				t.Errorf("Markdown prints %q", m)
			}

			// The live UI: it renders the product and the degraded panes.
			r := startLive(t, c, rigOptions{scan: &app.ScanConfig{}, w: 200, h: 60})
			r.until("a scan, the extras and three samples", func(m ui.Model) bool {
				return scanDone(m) && m.Live().Extras != nil && r.folded >= 3
			})
			frame := r.frame()
			for _, want := range []string{"Memory", "Fragmentation", "Big keys", "Checklist", "feed:big"} {
				if !strings.Contains(frame, want) {
					t.Errorf("frame lacks %q:\n%s", want, frame)
				}
			}
			if strings.Contains(frame, "No keys") {
				t.Errorf("the frame says there are no keys; the scan found %d:\n%s", len(keys), frame)
			}
			if m := nanInfWord.FindString(frame); m != "" {
				t.Errorf("frame prints %q:\n%s", m, frame)
			}
			r.stop()

			// Whatever the product, only read-only commands were sent.
			for _, cmd := range f.Commands() {
				if err := redisx.Check(false, toArgs(cmd)); err != nil {
					t.Errorf("sent %q to a %s", cmd, tc.name)
				}
			}
		})
	}
}
