package redisx

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

var testTime = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

var optT = reflect.TypeFor[model.Opt]()

// walkOpts calls fn for every model.Opt field of the struct v (recursively),
// with its JSON name.
func walkOpts(v reflect.Value, fn func(name string, o model.Opt)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Type == optT:
			fn(name, v.Field(i).Interface().(model.Opt))
		case f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[time.Time]():
			walkOpts(v.Field(i), fn)
		}
	}
}

func checkFinite(t *testing.T, s model.Sample) {
	t.Helper()
	walkOpts(reflect.ValueOf(s), func(name string, o model.Opt) {
		if o.Valid && (math.IsNaN(o.V) || math.IsInf(o.V, 0) || math.Abs(o.V) > maxBogus) {
			t.Fatalf("%s = %v: not a finite, sane number", name, o.V)
		}
	})
	for _, db := range s.Keyspace {
		for _, o := range []model.Opt{db.Keys, db.Expires, db.AvgTTL} {
			if o.Valid && (math.IsNaN(o.V) || math.IsInf(o.V, 0)) {
				t.Fatalf("keyspace db%d: %v", db.DB, o.V)
			}
		}
	}
}

// TestSampleEveryFieldFromCaptures checks, on every capture, that each
// Memory / Persistence / Stats field equals an independent reading of the raw
// line named by its JSON tag, and is absent when the capture has no such line.
func TestSampleEveryFieldFromCaptures(t *testing.T) {
	for _, name := range fixtureNames(t) {
		t.Run(name, func(t *testing.T) {
			text := readFixture(t, name)
			s := SampleFromInfo(ParseInfo(text), testTime, 3*time.Millisecond)
			checkFinite(t, s)
			if !s.Time.Equal(testTime) || s.Latency != 3*time.Millisecond || s.IsGap() {
				t.Fatalf("time/latency/gap = %v %v %q", s.Time, s.Latency, s.Err)
			}
			checked := 0
			for _, part := range []any{s.Memory, s.Persistence, s.Stats} {
				walkOpts(reflect.ValueOf(part), func(key string, o model.Opt) {
					if key == keyOOM {
						return
					}
					raw, ok := rawLookup(text, key)
					if !ok {
						if o.Valid {
							t.Errorf("%s = %v but the capture has no such line", key, o.V)
						}
						return
					}
					want := ParseNumber(raw)
					if o != want {
						t.Errorf("%s = %+v, want %+v (raw %q)", key, o, want, raw)
					}
					checked++
				})
			}
			if checked < 20 {
				t.Errorf("only %d numeric fields matched: the capture or the mapping is off", checked)
			}
			// Text fields too.
			for key, got := range map[string]model.Text{
				"maxmemory_policy":   s.Memory.MaxMemoryPolicy,
				"mem_allocator":      s.Memory.MemAllocator,
				"master_link_status": s.Stats.MasterLinkStatus,
				"run_id":             s.Server.RunID,
				"role":               s.Server.Role,
				"os":                 s.Server.OS,
			} {
				raw, _ := rawLookup(text, key)
				if string(got) != raw {
					t.Errorf("%s = %q, want %q", key, got, raw)
				}
			}
			var headers []string
			for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
				if h, ok := strings.CutPrefix(line, "# "); ok {
					headers = append(headers, strings.ToLower(h))
				}
			}
			if !slices.Equal(s.Sections, headers) {
				t.Errorf("Sections = %v, want %v", s.Sections, headers)
			}
		})
	}
}

func sampleOf(t *testing.T, name string) model.Sample {
	t.Helper()
	return SampleFromInfo(ParseInfo(readFixture(t, name)), testTime, 0)
}

func TestSampleCaptureSpecifics(t *testing.T) {
	t.Run("redis 7.0.15", func(t *testing.T) {
		s := sampleOf(t, "redis-7.0.15-debian-full-localcapture.txt")
		if s.Memory.UsedMemory != model.Some(1464896) {
			t.Errorf("used_memory = %+v", s.Memory.UsedMemory)
		}
		if s.Server.Product != model.ProductRedis || s.Server.Version != v7015 || s.Server.Mode != ModeStandalone || s.Server.Role != "master" {
			t.Errorf("server = %+v", s.Server)
		}
		if s.Memory.UsedMemoryPeakPerc != model.Some(98.75) {
			t.Errorf("peak perc = %+v (the %% suffix)", s.Memory.UsedMemoryPeakPerc)
		}
		if s.Memory.MaxMemory != model.Some(0) {
			t.Errorf("maxmemory:0 is a value (unlimited), got %+v", s.Memory.MaxMemory)
		}
		if s.Persistence.RDBLastBgsaveTimeSec != model.Some(-1) {
			t.Errorf("rdb_last_bgsave_time_sec = %+v, want -1", s.Persistence.RDBLastBgsaveTimeSec)
		}
		if s.Stats.ErrorstatOOM != model.Some(0) {
			t.Errorf("errorstat_OOM = %+v: section present without OOM is 0", s.Stats.ErrorstatOOM)
		}
		if len(s.Keyspace) != 2 || s.Keyspace[1].DB != 1 || s.Keyspace[0].Keys != model.Some(16) {
			t.Errorf("keyspace = %+v", s.Keyspace)
		}
		if s.TotalKeys() != model.Some(17) || s.TotalExpires() != model.Some(2) {
			t.Errorf("totals = %+v %+v", s.TotalKeys(), s.TotalExpires())
		}
		if s.Server.Uptime != model.Some(1) || s.Server.Cluster != model.Some(0) || s.Server.TCPPort != model.Some(41031) {
			t.Errorf("server numbers = %+v", s.Server)
		}
	})
	t.Run("redis 4.0 has no allocator or cow fields", func(t *testing.T) {
		s := sampleOf(t, "redis-4.0.14-full-localcapture.txt")
		for name, o := range map[string]model.Opt{
			"allocator_allocated":  s.Memory.AllocatorAllocated,
			"allocator_frag_ratio": s.Memory.AllocatorFragRatio,
			"current_cow_size":     s.Persistence.CurrentCOWSize,
			"current_cow_peak":     s.Persistence.CurrentCOWPeak,
			"mem_clients_normal":   s.Memory.MemClientsNormal,
			keyOOM:                 s.Stats.ErrorstatOOM,
			"total_forks":          s.Stats.TotalForks,
		} {
			if o.Valid {
				t.Errorf("%s = %v on 4.0: want absent, not 0", name, o.V)
			}
		}
		if s.Memory.UsedMemory != model.Some(1062048) || s.Memory.MemFragmentationRatio != model.Some(4.44) {
			t.Errorf("memory = %+v", s.Memory)
		}
		if s.Memory.UsedMemoryPeakPerc != model.Some(100) {
			t.Errorf("peak perc = %+v", s.Memory.UsedMemoryPeakPerc)
		}
		if s.Server.Product != model.ProductRedis || s.Server.Version != v4014 {
			t.Errorf("server = %+v", s.Server)
		}
	})
	t.Run("sentinel has no memory", func(t *testing.T) {
		s := sampleOf(t, "redis-7.4.1-sentinel-full-localcapture.txt")
		if s.Server.Mode != ModeSentinel || s.HasSection("memory") || s.HasSection("persistence") {
			t.Errorf("mode %q sections %v", s.Server.Mode, s.Sections)
		}
		walkOpts(reflect.ValueOf(s.Memory), func(name string, o model.Opt) {
			if o.Valid {
				t.Errorf("%s = %v on a Sentinel: want absent", name, o.V)
			}
		})
		walkOpts(reflect.ValueOf(s.Persistence), func(name string, o model.Opt) {
			if o.Valid {
				t.Errorf("%s = %v on a Sentinel: want absent", name, o.V)
			}
		})
		if s.Memory.MaxMemoryPolicy != "" || s.TotalKeys().Valid {
			t.Errorf("policy %q keys %+v", s.Memory.MaxMemoryPolicy, s.TotalKeys())
		}
		if s.Stats.ConnectedClients != model.Some(1) {
			t.Errorf("clients = %+v", s.Stats.ConnectedClients)
		}
	})
	t.Run("valkey 8.0.1", func(t *testing.T) {
		s := sampleOf(t, "valkey-8.0.1-full-localcapture.txt")
		if s.Server.Product != model.ProductValkey || s.Server.Version != "8.0.1" || s.Server.RedisVersion != "7.2.4" {
			t.Errorf("server = %+v", s.Server)
		}
		if s.Server.Mode != ModeStandalone {
			t.Errorf("mode from server_mode = %q", s.Server.Mode)
		}
		if s.Memory.UsedMemory != model.Some(1459736) {
			t.Errorf("used_memory = %+v", s.Memory.UsedMemory)
		}
	})
	t.Run("replica", func(t *testing.T) {
		s := sampleOf(t, "redis-7.4.1-replica-full-localcapture.txt")
		if s.Server.Role != "slave" || s.Stats.MasterLinkStatus != "up" {
			t.Errorf("role %q link %q", s.Server.Role, s.Stats.MasterLinkStatus)
		}
		m := sampleOf(t, "redis-7.4.1-master-with-replica-full-localcapture.txt")
		if m.Server.Role != "master" || m.Stats.ConnectedSlaves != model.Some(1) || m.Stats.MasterLinkStatus != "" {
			t.Errorf("master: role %q slaves %+v link %q", m.Server.Role, m.Stats.ConnectedSlaves, m.Stats.MasterLinkStatus)
		}
		if m.Keyspace[0].Keys != model.Some(200) {
			t.Errorf("keyspace (7.4 subexpiry) = %+v", m.Keyspace)
		}
	})
	t.Run("cluster node", func(t *testing.T) {
		s := sampleOf(t, "redis-7.4.1-cluster-node-full-localcapture.txt")
		if s.Server.Mode != ModeCluster || s.Server.Cluster != model.Some(1) {
			t.Errorf("mode %q cluster_enabled %+v", s.Server.Mode, s.Server.Cluster)
		}
		if !s.HasSection("keyspace") || s.TotalKeys() != model.Some(0) {
			t.Errorf("empty keyspace section: total %+v", s.TotalKeys())
		}
		if s.Stats.ErrorstatOOM != model.Some(0) {
			t.Errorf("OOM = %+v", s.Stats.ErrorstatOOM)
		}
	})
}

func TestSampleSyntheticGotchas(t *testing.T) {
	text := strings.Join([]string{
		"# Server",
		rv724,
		nameValkey,
		"valkey_version:8.1.0",
		"server_mode:cluster",
		"run_id:abc",
		"uptime_in_seconds:-1",
		"# Memory",
		"used_memory:1000",
		"used_memory_rss:0",
		"mem_fragmentation_ratio:-nan",
		"allocator_frag_ratio:nan",
		"allocator_frag_bytes:18446744073708745280",
		"used_memory_dataset:18446744073709551000",
		"used_memory_peak_perc:inf%",
		"used_memory_dataset_perc:96.29%",
		"rss_overhead_bytes:-12345",
		"mem_fragmentation_bytes:-1000",
		"maxmemory:67108864",
		"maxmemory_policy:allkeys-lru",
		"active_defrag_running:25",
		"total_system_memory:",
		"# Persistence",
		"rdb_bgsave_in_progress:1",
		"current_cow_size:1048576",
		"current_fork_perc:42.50",
		"# Stats",
		"evicted_keys:12",
		"instantaneous_input_kbps:-1",
		"# Errorstats",
		"errorstat_OOM:count=5",
		"errorstat_ERR:count=1",
		"# Keyspace",
		"db0:keys=3,expires=1,avg_ttl=100",
	}, "\n")
	s := SampleFromInfo(ParseInfo(text), testTime, 0)
	checkFinite(t, s)
	for name, o := range map[string]model.Opt{
		"mem_fragmentation_ratio": s.Memory.MemFragmentationRatio,
		"allocator_frag_ratio":    s.Memory.AllocatorFragRatio,
		"allocator_frag_bytes":    s.Memory.AllocatorFragBytes,
		"used_memory_dataset":     s.Memory.UsedMemoryDataset,
		"used_memory_peak_perc":   s.Memory.UsedMemoryPeakPerc,
		"total_system_memory":     s.Memory.TotalSystemMemory,
	} {
		if o.Valid {
			t.Errorf("%s = %v: want absent", name, o.V)
		}
	}
	for name, c := range map[string]struct{ got, want model.Opt }{
		"used_memory_rss":          {s.Memory.UsedMemoryRSS, model.Some(0)},
		"used_memory_dataset_perc": {s.Memory.UsedMemoryDatasetPerc, model.Some(96.29)},
		"rss_overhead_bytes":       {s.Memory.RSSOverheadBytes, model.Some(-12345)},
		"mem_fragmentation_bytes":  {s.Memory.MemFragmentationBytes, model.Some(-1000)},
		"maxmemory":                {s.Memory.MaxMemory, model.Some(67108864)},
		"active_defrag_running":    {s.Memory.ActiveDefragRunning, model.Some(25)},
		"current_cow_size":         {s.Persistence.CurrentCOWSize, model.Some(1048576)},
		"current_fork_perc":        {s.Persistence.CurrentForkPerc, model.Some(42.5)},
		keyOOM:                     {s.Stats.ErrorstatOOM, model.Some(5)},
		"evicted_keys":             {s.Stats.EvictedKeys, model.Some(12)},
		"uptime":                   {s.Server.Uptime, model.Some(-1)},
	} {
		if c.got != c.want {
			t.Errorf("%s = %+v, want %+v", name, c.got, c.want)
		}
	}
	if s.Server.Product != model.ProductValkey || s.Server.Version != "8.1.0" || s.Server.Mode != ModeCluster {
		t.Errorf("server = %+v", s.Server)
	}
	if !s.ForkRunning() {
		t.Error("rdb_bgsave_in_progress:1 not seen as a fork")
	}
	if s.Memory.MaxMemoryPolicy != "allkeys-lru" {
		t.Errorf("policy = %q", s.Memory.MaxMemoryPolicy)
	}

	// A sample round-trips through JSON (recordings): absent stays null.
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"mem_fragmentation_ratio":null`) || !strings.Contains(string(b), `"errorstat_OOM":5`) {
		t.Errorf("json = %s", b)
	}
}

func TestSampleFromEmptyInfo(t *testing.T) {
	s := SampleFromInfo(ParseInfo(""), testTime, 0)
	if s.Server.Product != model.ProductUnknown || len(s.Sections) != 0 || s.Keyspace != nil {
		t.Errorf("empty INFO gave %+v", s)
	}
	walkOpts(reflect.ValueOf(s), func(name string, o model.Opt) {
		if o.Valid {
			t.Errorf("%s present from empty INFO", name)
		}
	})
}
