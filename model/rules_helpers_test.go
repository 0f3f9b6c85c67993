package model

import (
	"strings"
	"testing"
	"time"
)

// rlT0 is the time of the first synthetic sample.
var rlT0 = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

const (
	rlMB = float64(1 << 20)
	rlGB = float64(1 << 30)
)

// rlSample is a healthy Redis 7.0 sample taken sec seconds after rlT0:
// 100 MiB used of a 1 GiB limit on an 8 GiB host, allkeys-lru, 1000 keys of
// which 800 have a TTL, a recent successful save, no fork running.
func rlSample(sec int) Sample {
	return Sample{
		Time: rlT0.Add(time.Duration(sec) * time.Second),
		Server: Server{
			Product: ProductRedis, Version: "7.0.15", RedisVersion: "7.0.15", Mode: "standalone", Role: "master",
			RunID: "run-1", Uptime: Some(float64(1000 + sec)), ProcessID: Some(4242), Executable: "/usr/bin/redis-server",
		},
		Memory: Memory{
			UsedMemory: Some(100 * rlMB), UsedMemoryRSS: Some(110 * rlMB), UsedMemoryPeak: Some(105 * rlMB),
			UsedMemoryOverhead: Some(5 * rlMB), UsedMemoryDataset: Some(95 * rlMB),
			TotalSystemMemory: Some(8 * rlGB), MaxMemory: Some(rlGB), MaxMemoryPolicy: "allkeys-lru",
			MemFragmentationRatio: Some(1.1), MemFragmentationBytes: Some(10 * rlMB),
			AllocatorFragRatio: Some(1.02), AllocatorFragBytes: Some(2 * rlMB),
			AllocatorRSSRatio: Some(1.01), AllocatorRSSBytes: Some(1 * rlMB),
			RSSOverheadRatio: Some(1.05), RSSOverheadBytes: Some(5 * rlMB),
			MemClientsNormal: Some(40 * 1024), MemClientsSlaves: Some(0), MemReplicationBacklog: Some(0),
			MemTotalReplicationBuffers: Some(0), MemNotCountedForEvict: Some(0),
			NumberOfCachedScripts: Some(3), UsedMemoryVMTotal: Some(64 * 1024), UsedMemoryScripts: Some(1024),
			MemAllocator: "jemalloc-5.2.1", ActiveDefragRunning: Some(0),
		},
		Persistence: Persistence{
			RDBChangesSinceLastSave: Some(10), RDBBgsaveInProgress: Some(0),
			RDBLastSaveTime: Some(float64(rlT0.Add(-time.Minute).Unix())), RDBLastBgsaveStatus: "ok",
			RDBLastCOWSize: Some(0), AOFEnabled: Some(0), AOFRewriteInProgress: Some(0), AOFLastBgrewriteStatus: "ok",
			AOFLastWriteStatus: "ok", AOFLastCOWSize: Some(0), ModuleForkInProgress: Some(0),
			CurrentCOWSize: Some(0), CurrentCOWPeak: Some(0), CurrentForkPerc: Some(0), RDBSaves: Some(1), AOFRewrites: Some(0),
		},
		Stats: Stats{
			ConnectedClients: Some(2), EvictedKeys: Some(0), ExpiredKeys: Some(100), LatestForkUsec: Some(500),
			TotalForks: Some(1), ConnectedSlaves: Some(0), ClientRecentMaxOutputBuffer: Some(0),
		},
		Keyspace: []DBKeys{{DB: 0, Keys: Some(1000), Expires: Some(800), AvgTTL: Some(60000)}},
		Sections: []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "errorstats", "keyspace"},
	}
}

// rlHist builds a history from samples.
func rlHist(samples ...Sample) *History {
	h := NewHistory(1000)
	for _, s := range samples {
		h.Add(s)
	}
	return h
}

// rlSeries builds n samples every step seconds, each changed by mod(i, s).
func rlSeries(n, step int, mod func(i int, s *Sample)) *History {
	h := NewHistory(1000)
	for i := range n {
		s := rlSample(i * step)
		if mod != nil {
			mod(i, &s)
		}
		h.Add(s)
	}
	return h
}

// rlIn makes inputs evaluated at the newest sample.
func rlIn(h *History) Inputs {
	in := Inputs{Hist: h}
	if s := h.Last(); s != nil {
		in.Now = s.Time
	}
	return in
}

// rlOne evaluates the inputs and returns one check.
func rlOne(t *testing.T, id string, in Inputs) Check {
	t.Helper()
	ch, ok := Evaluate(in).Find(id)
	if !ok {
		t.Fatalf("check %s missing from the checklist", id)
	}
	return ch
}

// rlConfig is a readable CONFIG with the usual defaults, plus overrides.
func rlConfig(kv ...string) *Config {
	v := map[string]string{
		"maxmemory": "1073741824", "maxmemory-policy": "allkeys-lru", "activedefrag": "no",
		"active-defrag-ignore-bytes": "104857600", "active-defrag-threshold-lower": "10",
		"hash-max-listpack-entries": "128", "hash-max-listpack-value": "64",
		"zset-max-listpack-entries": "128", "zset-max-listpack-value": "64",
		"set-max-intset-entries": "512", "list-max-listpack-size": "-2",
		"save": "3600 1 300 100 60 10000", "appendonly": "no",
	}
	for i := 0; i+1 < len(kv); i += 2 {
		v[kv[i]] = kv[i+1]
	}
	return &Config{Values: v}
}

// rlLocalHost is host facts of a server on this machine with nothing wrong.
func rlLocalHost() *HostFacts {
	return &HostFacts{Local: true, VMSwap: Some(0), Overcommit: Some(1), THP: "madvise", HostRAM: Some(8 * rlGB)}
}

// rlCase is one row of a rule's table.
type rlCase struct {
	name   string
	in     func() Inputs
	want   Status
	substr string // must appear in the title (or the reason when unknown)
}

// rlRun drives one rule through its table and returns the statuses reached.
func rlRun(t *testing.T, id string, cases []rlCase) map[Status]bool {
	t.Helper()
	reached := map[Status]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := rlOne(t, id, tc.in())
			if ch.Status != tc.want {
				t.Fatalf("status %s, want %s\ntitle: %s\nevidence: %s\nreason: %s", ch.Status, tc.want, ch.Title, strings.Join(ch.Evidence, " | "), ch.Reason)
			}
			text := ch.Title
			if ch.Status == StatusUnknown {
				text = ch.Reason
				if ch.Reason == "" {
					t.Fatal("an unknown check must say why")
				}
			}
			if tc.substr != "" && !strings.Contains(text, tc.substr) {
				t.Fatalf("%q does not contain %q", text, tc.substr)
			}
			if ch.Title == "" || strings.Contains(ch.Title, "\n") {
				t.Fatalf("title must be one non-empty line: %q", ch.Title)
			}
			if ch.Advice == "" && ch.Status != StatusUnknown {
				t.Fatal("advice missing")
			}
			reached[ch.Status] = true
		})
	}
	return reached
}
