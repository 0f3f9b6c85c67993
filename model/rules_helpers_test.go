package model

import (
	"strings"
	"testing"
	"time"
)

// baseTime is the time of the first synthetic sample.
var baseTime = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

const (
	mb = float64(1 << 20)
	gb = float64(1 << 30)
)

// sampleAt is a healthy Redis 7.0 sample taken sec seconds after baseTime:
// 100 MiB used of a 1 GiB limit on an 8 GiB host, allkeys-lru, 1000 keys of
// which 800 have a TTL, a recent successful save, no fork running.
func sampleAt(sec int) Sample {
	return Sample{
		Time: baseTime.Add(time.Duration(sec) * time.Second),
		Server: Server{
			Product: ProductRedis, Version: "7.0.15", RedisVersion: "7.0.15", Mode: "standalone", Role: "master",
			RunID: "run-1", Uptime: Some(float64(1000 + sec)), ProcessID: Some(4242), Executable: "/usr/bin/redis-server",
		},
		Memory: Memory{
			UsedMemory: Some(100 * mb), UsedMemoryRSS: Some(110 * mb), UsedMemoryPeak: Some(105 * mb),
			UsedMemoryOverhead: Some(5 * mb), UsedMemoryDataset: Some(95 * mb),
			TotalSystemMemory: Some(8 * gb), MaxMemory: Some(gb), MaxMemoryPolicy: "allkeys-lru",
			MemFragmentationRatio: Some(1.1), MemFragmentationBytes: Some(10 * mb),
			AllocatorFragRatio: Some(1.02), AllocatorFragBytes: Some(2 * mb),
			AllocatorRSSRatio: Some(1.01), AllocatorRSSBytes: Some(1 * mb),
			RSSOverheadRatio: Some(1.05), RSSOverheadBytes: Some(5 * mb),
			MemClientsNormal: Some(40 * 1024), MemClientsSlaves: Some(0), MemReplicationBacklog: Some(0),
			MemTotalReplicationBuffers: Some(0), MemNotCountedForEvict: Some(0),
			NumberOfCachedScripts: Some(3), UsedMemoryVMTotal: Some(64 * 1024), UsedMemoryScripts: Some(1024),
			MemAllocator: "jemalloc-5.2.1", ActiveDefragRunning: Some(0),
		},
		Persistence: Persistence{
			RDBChangesSinceLastSave: Some(10), RDBBgsaveInProgress: Some(0),
			RDBLastSaveTime: Some(float64(baseTime.Add(-time.Minute).Unix())), RDBLastBgsaveStatus: "ok",
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

// histOf builds a history from samples.
func histOf(samples ...Sample) *History {
	h := NewHistory(1000)
	for _, s := range samples {
		h.Add(s)
	}
	return h
}

// seriesOf builds n samples every step seconds, each changed by mod(i, s).
func seriesOf(n, step int, mod func(i int, s *Sample)) *History {
	h := NewHistory(1000)
	for i := range n {
		s := sampleAt(i * step)
		if mod != nil {
			mod(i, &s)
		}
		h.Add(s)
	}
	return h
}

// inputsOf makes inputs evaluated at the newest sample.
func inputsOf(h *History) Inputs {
	in := Inputs{Hist: h}
	if s := h.Last(); s != nil {
		in.Now = s.Time
	}
	return in
}

// evalOne evaluates the inputs and returns one check.
func evalOne(t *testing.T, id string, in Inputs) Check {
	t.Helper()
	ch, ok := Evaluate(in).Find(id)
	if !ok {
		t.Fatalf("check %s missing from the checklist", id)
	}
	return ch
}

// configOf is a readable CONFIG with the usual defaults, plus overrides.
func configOf(kv ...string) *Config {
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

// localHost is host facts of a server on this machine with nothing wrong.
func localHost() *HostFacts {
	return &HostFacts{Local: true, VMSwap: Some(0), Overcommit: Some(1), THP: "madvise", HostRAM: Some(8 * gb)}
}

// ruleCase is one row of a rule's table.
type ruleCase struct {
	name   string
	in     func() Inputs
	want   Status
	substr string // must appear in the title (or the reason when unknown)
}

// runRuleCases drives one rule through its table and returns the statuses reached.
func runRuleCases(t *testing.T, id string, cases []ruleCase) map[Status]bool {
	t.Helper()
	reached := map[Status]bool{}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ch := evalOne(t, id, tc.in())
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
