package model

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// one builds inputs from a single baseline sample changed by mod.
func one(mod func(s *Sample)) func() Inputs {
	return func() Inputs {
		s := sampleAt(0)
		if mod != nil {
			mod(&s)
		}
		return inputsOf(histOf(s))
	}
}

// withEx adds extras to inputs.
func withEx(f func() Inputs, ex *Extras) func() Inputs {
	return func() Inputs {
		in := f()
		in.Extras = ex
		return in
	}
}

// withScan adds scan facts to inputs.
func withScan(f func() Inputs, sc *ScanFacts) func() Inputs {
	return func() Inputs {
		in := f()
		in.Scan = sc
		return in
	}
}

// pair builds a two-sample history 60 s apart: a baseline then mod applied.
func pair(modFirst, modLast func(s *Sample)) func() Inputs {
	return func() Inputs {
		a, b := sampleAt(0), sampleAt(60)
		if modFirst != nil {
			modFirst(&a)
		}
		if modLast != nil {
			modLast(&b)
		}
		return inputsOf(histOf(a, b))
	}
}

var noperm = "NOPERM this user has no permissions to run the 'config|get' command"

// ruleTables holds the table of every rule.
func ruleTables() map[string][]ruleCase {
	return map[string][]ruleCase{
		CheckMaxmemorySet: {
			{"limit well below RAM", one(nil), StatusOK, "12.5%"},
			{"no limit", one(func(s *Sample) { s.Memory.MaxMemory = Some(0) }), StatusWarn, "No memory limit"},
			{"limit at 87 % of RAM", one(func(s *Sample) { s.Memory.MaxMemory = Some(7 * gb) }), StatusWarn, "no room for a fork"},
			{"limit above a container's limit", withEx(one(func(s *Sample) { s.Memory.MaxMemory = Some(1.8 * gb) }),
				&Extras{Host: &HostFacts{Local: true, HostRAM: Some(8 * gb), CgroupLimit: Some(2 * gb)}}), StatusWarn, "90.0%"},
			{"limit above RAM", one(func(s *Sample) { s.Memory.MaxMemory = Some(10 * gb) }), StatusCrit, "above the machine's memory"},
			{"no limit and RSS near RAM", one(func(s *Sample) {
				s.Memory.MaxMemory = Some(0)
				s.Memory.UsedMemoryRSS = Some(7 * gb)
			}), StatusCrit, "RSS is already 87.5%"},
			{"RAM unknown", one(func(s *Sample) { s.Memory.TotalSystemMemory = None() }), StatusOK, "not compared"},
			{"old server, CONFIG denied", withEx(one(func(s *Sample) {
				s.Memory.MaxMemory = None()
				s.Server.Version = "3.0.7"
			}), &Extras{Config: &Config{Err: noperm}}), StatusUnknown, "CONFIG is not allowed for this user"},
			{"old server, CONFIG allowed", withEx(one(func(s *Sample) {
				s.Memory.MaxMemory = None()
				s.Server.Version = "3.0.7"
			}), &Extras{Config: configOf("maxmemory", "0")}), StatusWarn, "No memory limit"},
		},
		CheckPolicyFits: {
			{"allkeys-lru", one(nil), StatusOK, "can evict any key"},
			{"volatile-lru with enough TTLs", one(func(s *Sample) { s.Memory.MaxMemoryPolicy = "volatile-lru" }), StatusOK, "fits"},
			{"volatile-lru with few TTLs", one(func(s *Sample) {
				s.Memory.MaxMemoryPolicy = "volatile-lru"
				s.Keyspace[0].Expires = Some(50)
			}), StatusWatch, "5.0%"},
			{"volatile-lru without TTLs", one(func(s *Sample) {
				s.Memory.MaxMemoryPolicy = "volatile-lru"
				s.Keyspace[0].Expires = None()
			}), StatusWarn, "almost nothing can be evicted"},
			{"volatile-lru without TTLs near the limit", one(func(s *Sample) {
				s.Memory.MaxMemoryPolicy = "volatile-ttl"
				s.Keyspace[0].Expires = Some(0)
				s.Memory.UsedMemory = Some(0.9 * gb)
			}), StatusCrit, "almost nothing can be evicted"},
			{"noeviction on a cache", one(func(s *Sample) { s.Memory.MaxMemoryPolicy = "noeviction" }), StatusWatch, "looks like a cache"},
			{"noeviction on a store", one(func(s *Sample) {
				s.Memory.MaxMemoryPolicy = "noeviction"
				s.Keyspace[0].Expires = Some(0)
			}), StatusOK, "data store"},
			{"no limit", one(func(s *Sample) {
				s.Memory.MaxMemory = Some(0)
				s.Memory.MaxMemoryPolicy = "volatile-lru"
				s.Keyspace[0].Expires = Some(0)
			}), StatusOK, "idle"},
			{"no policy reported", one(func(s *Sample) {
				s.Memory.MaxMemoryPolicy = ""
				s.Server.Version = "3.0.7"
			}), StatusUnknown, "older than 3.2"},
			{"keyspace not read", one(func(s *Sample) {
				s.Keyspace = nil
				s.Sections = []string{"memory"}
			}), StatusUnknown, "INFO keyspace"},
		},
		CheckHeadroom: {
			{"plenty", one(nil), StatusOK, "9.8%"},
			{"past 75 %", one(func(s *Sample) { s.Memory.UsedMemory = Some(0.8 * gb) }), StatusWatch, "80.0%"},
			{"past 85 %", one(func(s *Sample) { s.Memory.UsedMemory = Some(0.9 * gb) }), StatusWarn, "90.0%"},
			{"OOM errors rising", pair(
				func(s *Sample) { s.Memory.UsedMemory = Some(0.99 * gb) },
				func(s *Sample) {
					s.Memory.UsedMemory = Some(0.99 * gb)
					s.Stats.ErrorstatOOM = Some(17)
				}), StatusCrit, "OOM"},
			{"OOM errors old, not rising", pair(
				func(s *Sample) { s.Stats.ErrorstatOOM = Some(17) },
				func(s *Sample) { s.Stats.ErrorstatOOM = Some(17) }), StatusOK, ""},
			{"no limit: RSS against RAM", one(func(s *Sample) {
				s.Memory.MaxMemory = Some(0)
				s.Memory.UsedMemoryRSS = Some(7 * gb)
			}), StatusWarn, "no maxmemory"},
			{"no limit, RAM unknown", one(func(s *Sample) {
				s.Memory.MaxMemory = Some(0)
				s.Memory.TotalSystemMemory = None()
			}), StatusUnknown, "machine's memory is unknown"},
			{"no maxmemory field", one(func(s *Sample) { s.Memory.MaxMemory = None() }), StatusUnknown, "maxmemory"},
		},
		CheckEvictions: {
			{"one sample", one(nil), StatusUnknown, "two samples"},
			{"none", pair(nil, nil), StatusOK, "No evictions"},
			{"a few", pair(nil, func(s *Sample) { s.Stats.EvictedKeys = Some(3) }), StatusWatch, "is that expected"},
			{"1 % of the keys per minute", pair(nil, func(s *Sample) { s.Stats.EvictedKeys = Some(20) }), StatusWarn, "2.0% of the keys per minute"},
			{"thrashing", pair(nil, func(s *Sample) { s.Stats.EvictedKeys = Some(500) }), StatusCrit, "thrashing"},
			{"not reported", one(func(s *Sample) { s.Stats.EvictedKeys = None() }), StatusUnknown, "evicted_keys"},
		},
		CheckFragmentation: {
			{"healthy", one(nil), StatusOK, "healthy"},
			{"watch band", one(func(s *Sample) {
				s.Memory.MemFragmentationRatio = Some(1.4)
				s.Memory.MemFragmentationBytes = Some(40 * mb)
			}), StatusWatch, "1.40"},
			{"serious, allocator fragmentation dominates", one(func(s *Sample) {
				s.Memory.MemFragmentationRatio = Some(1.7)
				s.Memory.UsedMemoryRSS = Some(170 * mb)
				s.Memory.MemFragmentationBytes = Some(70 * mb)
				s.Memory.AllocatorFragRatio = Some(1.6)
				s.Memory.AllocatorFragBytes = Some(60 * mb)
			}), StatusWarn, "mostly allocator fragmentation"},
			{"critical, allocator RSS dominates", one(func(s *Sample) {
				s.Memory.MemFragmentationRatio = Some(2.5)
				s.Memory.UsedMemoryRSS = Some(250 * mb)
				s.Memory.MemFragmentationBytes = Some(150 * mb)
				s.Memory.AllocatorRSSRatio = Some(2.2)
				s.Memory.AllocatorRSSBytes = Some(120 * mb)
			}), StatusCrit, "mostly allocator RSS overhead"},
			{"high ratio but few bytes", one(func(s *Sample) {
				s.Memory.UsedMemory = Some(6 * mb)
				s.Memory.UsedMemoryRSS = Some(12 * mb)
				s.Memory.MemFragmentationRatio = Some(2.0)
				s.Memory.MemFragmentationBytes = Some(6 * mb)
			}), StatusWatch, "2.00"},
			{"small dataset", one(func(s *Sample) {
				s.Memory.UsedMemory = Some(1 * mb)
				s.Memory.UsedMemoryRSS = Some(9 * mb)
				s.Memory.MemFragmentationRatio = Some(8.87)
			}), StatusOK, "meaningless"},
			{"ratio below 1", one(func(s *Sample) {
				s.Memory.UsedMemoryRSS = Some(70 * mb)
				s.Memory.MemFragmentationRatio = Some(0.7)
			}), StatusWatch, "swapped"},
			{"Dragonfly: computed from RSS / used", one(func(s *Sample) {
				s.Server.Product = ProductDragonfly
				s.Memory.MemFragmentationRatio = None()
				s.Memory.MemFragmentationBytes = None()
				s.Memory.UsedMemoryRSS = Some(300 * mb)
			}), StatusCrit, "3.00"},
			{"not measured yet", one(func(s *Sample) {
				s.Memory.UsedMemoryRSS = Some(0)
				s.Memory.MemFragmentationRatio = Some(0)
			}), StatusUnknown, "not measured"},
			{"sentinel", one(func(s *Sample) {
				s.Memory = Memory{}
				s.Sections = []string{"server", "clients", "stats", "sentinel"}
			}), StatusUnknown, "mem_fragmentation_ratio"},
		},
		CheckRSSVsUsed: {
			{"one sample", one(nil), StatusUnknown, "one sample"},
			{"too short", func() Inputs { return inputsOf(histOf(sampleAt(0), sampleAt(3))) }, StatusUnknown, "needs 10s"},
			{"flat", func() Inputs { return inputsOf(seriesOf(7, 10, nil)) }, StatusOK, "Stable"},
			{"both grow", func() Inputs {
				return inputsOf(seriesOf(7, 10, func(i int, s *Sample) {
					s.Memory.MaxMemory = Some(0)
					s.Memory.UsedMemory = Some((100 + 10*float64(i)) * mb)
					s.Memory.UsedMemoryRSS = Some((110 + 10*float64(i)) * mb)
				}))
			}, StatusWatch, "Data growth"},
			{"RSS grows, used flat", func() Inputs {
				return inputsOf(seriesOf(7, 10, func(i int, s *Sample) {
					s.Memory.UsedMemoryRSS = Some((110 + 20*float64(i)) * mb)
				}))
			}, StatusWarn, "fragmentation or copy-on-write"},
			{"RSS kept after deletes", func() Inputs {
				return inputsOf(seriesOf(7, 10, func(i int, s *Sample) {
					s.Memory.UsedMemory = Some((100 - 10*float64(i)) * mb)
				}))
			}, StatusWatch, "allocator retention"},
			{"growth reaches maxmemory within minutes", func() Inputs {
				return inputsOf(seriesOf(7, 10, func(i int, s *Sample) {
					s.Memory.UsedMemory = Some((800 + 20*float64(i)) * mb)
					s.Memory.UsedMemoryRSS = Some((810 + 20*float64(i)) * mb)
				}))
			}, StatusCrit, "Data growth"},
		},
		CheckFork: {
			{"no fork, saves fine", one(nil), StatusOK, "No fork running"},
			// rdb_last_bgsave_status is "ok" before any save: no "succeeded"
			// for a save that never happened.
			{"never saved since the start", one(func(s *Sample) {
				s.Persistence.RDBSaves, s.Persistence.AOFRewrites = Some(0), Some(0)
			}), StatusOK, "No fork running; no save since the server started"},
			{"slow fork", one(func(s *Sample) {
				s.Memory.UsedMemory = Some(2 * gb)
				s.Stats.LatestForkUsec = Some(20_000)
			}), StatusWatch, "Forking takes 20.00 ms"},
			{"terribly slow fork", one(func(s *Sample) {
				s.Memory.UsedMemoryRSS = Some(2 * gb)
				s.Stats.LatestForkUsec = Some(300_000)
			}), StatusWarn, "150.0ms/GB terrible"},
			{"copy-on-write half the dataset", one(func(s *Sample) {
				s.Persistence.RDBBgsaveInProgress = Some(1)
				s.Persistence.CurrentCOWSize = Some(60 * mb)
				s.Persistence.RDBCurrentBgsaveTimeSec = Some(12)
			}), StatusWarn, "Copy-on-write 60.00M"},
			{"copy-on-write small", one(func(s *Sample) {
				s.Persistence.AOFRewriteInProgress = Some(1)
				s.Persistence.CurrentCOWSize = Some(1 * mb)
			}), StatusOK, "AOF rewrite running"},
			{"fork exhausts the host", one(func(s *Sample) {
				s.Persistence.RDBBgsaveInProgress = Some(1)
				s.Memory.UsedMemoryRSS = Some(6 * gb)
				s.Memory.UsedMemory = Some(6 * gb)
				s.Memory.MaxMemory = Some(0)
				s.Persistence.CurrentCOWSize = Some(1.5 * gb)
			}), StatusCrit, "RSS + copy-on-write"},
			{"last save failed", one(func(s *Sample) { s.Persistence.RDBLastBgsaveStatus = "err" }), StatusCrit, "BGSAVE failed"},
			{"no room for the next fork", one(func(s *Sample) {
				s.Memory.MaxMemory = Some(0)
				s.Memory.UsedMemory = Some(6 * gb)
				s.Memory.UsedMemoryRSS = Some(6.5 * gb)
				s.Persistence.RDBLastCOWSize = Some(2 * gb)
				s.Stats.LatestForkUsec = Some(200)
			}), StatusWarn, "No room for the next fork"},
			{"6.0 server during a fork", one(func(s *Sample) {
				s.Server.Version = "6.0.20"
				s.Persistence.RDBBgsaveInProgress = Some(1)
				s.Persistence.CurrentCOWSize = None()
				s.Persistence.CurrentCOWPeak = None()
			}), StatusUnknown, "server older than 6.2 has no live copy-on-write figure"},
			{"Dragonfly", one(func(s *Sample) { s.Server.Product = ProductDragonfly }), StatusOK, "without fork"},
			{"no persistence section", one(func(s *Sample) {
				s.Persistence = Persistence{}
				s.Sections = []string{"memory"}
			}), StatusUnknown, "INFO persistence"},
		},
		CheckPersistenceRisk: {
			{"recent save", one(nil), StatusOK, "recent save"},
			{"many changes", one(func(s *Sample) { s.Persistence.RDBChangesSinceLastSave = Some(50_000) }), StatusWatch, "50,000 changes unsaved"},
			{"old save", one(func(s *Sample) {
				s.Persistence.RDBLastSaveTime = Some(float64(baseTime.Add(-50 * time.Hour).Unix()))
			}), StatusWarn, "last save 2d02h ago"},
			{"save failing", one(func(s *Sample) { s.Persistence.RDBLastBgsaveStatus = "err" }), StatusCrit, "last save failed"},
			{"AOF on", one(func(s *Sample) {
				s.Persistence.AOFEnabled = Some(1)
				s.Persistence.RDBChangesSinceLastSave = Some(5_000_000)
			}), StatusOK, "AOF is on"},
			{"no persistence at all", withEx(one(nil), &Extras{Config: configOf("save", "")}), StatusWatch, "restart empties"},
			{"not reported", one(func(s *Sample) { s.Persistence.RDBChangesSinceLastSave = None() }), StatusUnknown, "rdb_changes_since_last_save"},
		},
		CheckClientBuffers: {
			{"small", one(nil), StatusOK, "small"},
			{"big per client", one(func(s *Sample) { s.Memory.MemClientsNormal = Some(1 * mb) }), StatusWarn, "512.00K per client"},
			{
				"a quarter of used", withEx(one(func(s *Sample) { s.Memory.MemClientsNormal = Some(40 * mb) }),
					&Extras{Clients: &Clients{Count: 2, TotalOmem: Some(39 * mb), Top: []ClientInfo{{ID: "7", Addr: "127.0.0.1:5000", Name: "sub\x1b[31m", Cmd: "subscribe", Omem: Some(39 * mb)}}}}),
				StatusCrit, "40.0% of used_memory",
			},
			{
				"old server, CLIENT LIST denied", withEx(one(func(s *Sample) {
					s.Server.Version = "4.0.14"
					s.Memory.MemClientsNormal = None()
				}), &Extras{Clients: &Clients{Err: "NOPERM this user has no permissions to run the 'client|list' command"}}),
				StatusUnknown, "CLIENT LIST is not allowed for this user",
			},
			{"old server, CLIENT LIST allowed", withEx(one(func(s *Sample) {
				s.Server.Version = "4.0.14"
				s.Memory.UsedMemory = Some(gb)
				s.Memory.MemClientsNormal = None()
			}), &Extras{Clients: &Clients{Count: 2, TotalMem: Some(30 * mb)}}), StatusWarn, "30.00M"},
		},
		CheckReplicationBuffers: {
			{"no replicas", one(nil), StatusOK, "No replicas"},
			{"replicas keep up", one(func(s *Sample) {
				s.Stats.ConnectedSlaves = Some(1)
				s.Memory.MemReplicationBacklog = Some(1 * mb)
				s.Memory.MemTotalReplicationBuffers = Some(1.2 * mb)
			}), StatusOK, "small"},
			{"replica buffers 20 MB", one(func(s *Sample) {
				s.Memory.UsedMemory = Some(gb)
				s.Stats.ConnectedSlaves = Some(1)
				s.Memory.MemReplicationBacklog = Some(1 * mb)
				s.Memory.MemTotalReplicationBuffers = Some(21 * mb)
			}), StatusWarn, "20.00M"},
			{"replica buffers a third of used (pre-7.0)", one(func(s *Sample) {
				s.Stats.ConnectedSlaves = Some(1)
				s.Memory.MemTotalReplicationBuffers = None()
				s.Memory.MemClientsSlaves = Some(35 * mb)
			}), StatusCrit, "35.0% of used_memory"},
			{"not reported", one(func(s *Sample) {
				s.Server.Version = "4.0.14"
				s.Memory.MemClientsSlaves = None()
				s.Memory.MemTotalReplicationBuffers = None()
			}), StatusUnknown, "older than 5.0"},
		},
		CheckScripts: {
			{"few", one(nil), StatusOK, "3 cached scripts"},
			{"hundreds", one(func(s *Sample) { s.Memory.NumberOfCachedScripts = Some(500) }), StatusWatch, "500"},
			{"thousands", one(func(s *Sample) { s.Memory.NumberOfCachedScripts = Some(2000) }), StatusWarn, "2,000"},
			{"generated per call", one(func(s *Sample) { s.Memory.NumberOfCachedScripts = Some(250_000) }), StatusCrit, "generated per call"},
			{"4.0 server", one(func(s *Sample) {
				s.Server.Version = "4.0.14"
				s.Memory.NumberOfCachedScripts = None()
			}), StatusUnknown, "older than 5.0"},
		},
		CheckPeak: {
			{"close", one(nil), StatusOK, "close to used"},
			{"peak far above, RSS came down", one(func(s *Sample) { s.Memory.UsedMemoryPeak = Some(300 * mb) }), StatusWatch, "may not shrink back"},
			{"peak far above, RSS did not", one(func(s *Sample) {
				s.Memory.UsedMemoryPeak = Some(300 * mb)
				s.Memory.UsedMemoryRSS = Some(290 * mb)
			}), StatusWarn, "never came back down"},
			{"not reported", one(func(s *Sample) { s.Memory.UsedMemoryPeak = None() }), StatusUnknown, "used_memory_peak"},
		},
		CheckSwapAndHost: {
			{"not read", one(nil), StatusUnknown, "host facts not read yet"},
			{"remote", withEx(one(nil), &Extras{Host: &HostFacts{Reason: "the server does not run on this host (no process 4242 here)"}}), StatusUnknown, "does not run on this host"},
			{"all fine", withEx(one(nil), &Extras{Host: localHost()}), StatusOK, "No swap"},
			{"THP always, disable-thp unknown", withEx(one(nil), &Extras{Host: &HostFacts{Local: true, VMSwap: Some(0), Overcommit: Some(1), THP: "always"}}), StatusWatch, "huge pages"},
			{"THP always, disable-thp yes", withEx(one(nil), &Extras{Config: configOf("disable-thp", "yes"), Host: &HostFacts{Local: true, VMSwap: Some(0), Overcommit: Some(1), THP: "always"}}), StatusOK, "No swap"},
			{"THP always on 6.0", withEx(one(func(s *Sample) { s.Server.Version = "6.0.20" }), &Extras{Host: &HostFacts{Local: true, VMSwap: Some(0), Overcommit: Some(1), THP: "always"}}), StatusWarn, "huge pages"},
			{"overcommit 0", withEx(one(nil), &Extras{Host: &HostFacts{Local: true, VMSwap: Some(0), Overcommit: Some(0), THP: "never"}}), StatusWarn, "overcommit_memory is 0"},
			{"a little swap", withEx(one(nil), &Extras{Host: &HostFacts{Local: true, VMSwap: Some(1 * mb), Overcommit: Some(1), THP: "never"}}), StatusWarn, "in swap"},
			{"swapping", withEx(one(nil), &Extras{Host: &HostFacts{Local: true, VMSwap: Some(20 * mb), Overcommit: Some(0), THP: "never"}}), StatusCrit, "swapping"},
		},
		CheckActiveDefrag: {
			{"CONFIG not read", one(nil), StatusUnknown, "CONFIG not read yet"},
			{"CONFIG denied", withEx(one(nil), &Extras{Config: &Config{Err: noperm}}), StatusUnknown, "CONFIG is not allowed for this user"},
			{"CONFIG unknown command", withEx(one(nil), &Extras{Unavailable: []Unavailable{{Command: "CONFIG GET", Reason: "unknown command (renamed or blocked by the provider)"}}}), StatusUnknown, "disabled or renamed"},
			{"low fragmentation", withEx(one(nil), &Extras{Config: configOf()}), StatusOK, "low"},
			{"moderate, off", withEx(one(func(s *Sample) {
				s.Memory.AllocatorFragRatio = Some(1.3)
				s.Memory.AllocatorFragBytes = Some(30 * mb)
			}), &Extras{Config: configOf()}), StatusWatch, "below its start threshold"},
			{"high, off", withEx(one(func(s *Sample) {
				s.Memory.AllocatorFragRatio = Some(1.5)
				s.Memory.AllocatorFragBytes = Some(300 * mb)
			}), &Extras{Config: configOf()}), StatusWarn, "off while allocator fragmentation"},
			{"running", withEx(one(func(s *Sample) {
				s.Memory.AllocatorFragRatio = Some(1.5)
				s.Memory.AllocatorFragBytes = Some(300 * mb)
				s.Memory.ActiveDefragRunning = Some(25)
			}), &Extras{Config: configOf("activedefrag", "yes")}), StatusWatch, "running"},
			{"libc", withEx(one(func(s *Sample) { s.Memory.MemAllocator = "libc" }), &Extras{Config: configOf()}), StatusOK, "needs jemalloc"},
			{"4.0 server", one(func(s *Sample) {
				s.Server.Version = "4.0.14"
				s.Memory.AllocatorFragRatio = None()
				s.Memory.AllocatorFragBytes = None()
			}), StatusUnknown, "older than 5.0"},
		},
		CheckLogicalDBs: {
			{"one database", one(nil), StatusOK, "one database"},
			{"empty", one(func(s *Sample) { s.Keyspace = nil }), StatusOK, "No keys"},
			{"two databases", one(func(s *Sample) {
				s.Keyspace = append(s.Keyspace, DBKeys{DB: 3, Keys: Some(50), Expires: Some(0)})
			}), StatusWatch, "2 databases"},
			{"keyspace not read", one(func(s *Sample) {
				s.Keyspace = nil
				s.Sections = []string{"memory"}
			}), StatusUnknown, "INFO keyspace"},
		},
		CheckBigKeys:       bigKeyCases(),
		CheckTTLDiscipline: ttlCases(),
		CheckEncodings:     encodingCases(),
	}
}

func bigKeyCases() []ruleCase {
	small := &ScanFacts{Scanned: 1000, Total: Some(1000), Complete: true, Keys: []ScanKey{
		{Key: "user:1", Type: "hash", Encoding: "listpack", Bytes: Some(2000), Elements: Some(20), TTL: Some(-1)},
	}}
	list := &ScanFacts{Scanned: 500, Total: Some(1000), Keys: []ScanKey{
		{Key: "queue", Type: "list", Encoding: "quicklist", Bytes: Some(50_000), Elements: Some(2000), TTL: Some(-1)},
	}}
	hash := &ScanFacts{Scanned: 1000, Complete: true, Keys: []ScanKey{
		{Key: "big\x1b[2Jhash", DB: 2, Type: "hash", Encoding: "hashtable", Bytes: Some(20 * mb), Elements: Some(9000), TTL: Some(-1)},
	}}
	huge := &ScanFacts{Scanned: 1000, Complete: true, Keys: []ScanKey{
		{Key: "blob", Type: "string", Encoding: "raw", Bytes: Some(30 * mb), TTL: Some(-1)},
	}}
	growing := &ScanFacts{Scanned: 1000, Complete: true, Keys: []ScanKey{
		{Key: "log", Type: "stream", Encoding: "stream", Bytes: Some(9 * mb), Elements: Some(100), PrevBytes: Some(2 * mb)},
	}}
	return []ruleCase{
		{"no scan", one(nil), StatusUnknown, "no scan yet"},
		{"scan started, nothing sized", withScan(one(nil), &ScanFacts{Total: Some(1000)}), StatusUnknown, "not sized any key"},
		{"nothing big", withScan(one(nil), small), StatusOK, "No big key"},
		{"long list", withScan(one(nil), list), StatusWatch, "queue"},
		{"20 MB hash", withScan(one(func(s *Sample) { s.Memory.UsedMemory = Some(gb) }), hash), StatusWarn, `big\x1b[2Jhash`},
		{"one key holds 30 % of memory", withScan(one(nil), huge), StatusCrit, "blob"},
		{"growing key", withScan(one(func(s *Sample) { s.Memory.UsedMemory = Some(gb) }), growing), StatusWatch, "log"},
	}
}

func ttlCases() []ruleCase {
	noTTL := func(keys, exp float64) func(s *Sample) {
		return func(s *Sample) {
			s.Keyspace[0].Keys = Some(keys)
			s.Keyspace[0].Expires = Some(exp)
		}
	}
	scan := &ScanFacts{
		Scanned: 1000, Complete: true, NoTTLKeys: 900, NoTTLBytes: 80 * mb, TTLKeys: 100, TTLBytes: 5 * mb,
		Prefixes: []ScanPrefix{{Prefix: "session", Keys: 900, Bytes: 80 * mb, NoTTLKeys: 880, NoTTLBytes: 79 * mb}},
		Keys:     []ScanKey{{Key: "session:42", Type: "string", Bytes: Some(90_000), TTL: Some(-1)}},
	}
	return []ruleCase{
		{"most keys expire", one(nil), StatusOK, "Most keys have a TTL"},
		{"a store", one(func(s *Sample) {
			noTTL(1000, 0)(s)
			s.Stats.ExpiredKeys = Some(0)
			s.Memory.MaxMemoryPolicy = "noeviction"
		}), StatusOK, "data store"},
		{"60 % without", one(noTTL(1000, 400)), StatusWatch, "60.0%"},
		{"95 % without", withScan(one(func(s *Sample) {
			noTTL(1000, 50)(s)
			s.Memory.MaxMemoryPolicy = "volatile-lru"
		}), scan), StatusWarn, "95.0%"},
		{"95 % without, allkeys policy", one(noTTL(1000, 50)), StatusWatch, "95.0%"},
		{"95 % without, noeviction, near the limit", one(func(s *Sample) {
			noTTL(1000, 50)(s)
			s.Memory.MaxMemoryPolicy = "noeviction"
			s.Memory.UsedMemory = Some(0.95 * gb)
		}), StatusCrit, "95.0%"},
		{"no keys", one(noTTL(0, 0)), StatusOK, "No keys"},
		{"keyspace not read", one(func(s *Sample) {
			s.Keyspace = nil
			s.Sections = []string{"memory"}
		}), StatusUnknown, "INFO keyspace"},
	}
}

func encodingCases() []ruleCase {
	keys := func(ks ...ScanKey) *ScanFacts { return &ScanFacts{Scanned: 100, Complete: true, Keys: ks} }
	justPast := keys(ScanKey{Key: "h1", Type: "hash", Encoding: "hashtable", Bytes: Some(40_000), Elements: Some(200)})
	longValues := keys(ScanKey{Key: "h2", Type: "hash", Encoding: "hashtable", Bytes: Some(30_000), Elements: Some(10)})
	heavy := keys(ScanKey{Key: "z1", Type: "zset", Encoding: "skiplist", Bytes: Some(15 * mb), Elements: Some(250)})
	compact := keys(ScanKey{Key: "h3", Type: "hash", Encoding: "listpack", Bytes: Some(4000), Elements: Some(100)},
		ScanKey{Key: "s1", Type: "set", Encoding: "hashtable", Bytes: Some(400_000), Elements: Some(5000)})
	cfg := &Extras{Config: configOf()}
	old := &Extras{Config: &Config{Values: map[string]string{"hash-max-ziplist-entries": "128", "hash-max-ziplist-value": "64", "set-max-intset-entries": "512"}}}
	intset := keys(ScanKey{Key: "ids", Type: "set", Encoding: "hashtable", Bytes: Some(30_000), Elements: Some(600)})
	return []ruleCase{
		{"no scan", withEx(one(nil), cfg), StatusUnknown, "no scan yet"},
		{"CONFIG denied", withScan(withEx(one(nil), &Extras{Config: &Config{Err: noperm}}), justPast), StatusUnknown, "CONFIG is not allowed for this user"},
		{"compact", withScan(withEx(one(nil), cfg), compact), StatusOK, "No collection"},
		{"hash just past entries", withScan(withEx(one(nil), cfg), justPast), StatusWatch, "1 collection"},
		{"hash with long values", withScan(withEx(one(nil), cfg), longValues), StatusWatch, "1 collection"},
		{"zset past entries, 15 % of memory", withScan(withEx(one(nil), cfg), heavy), StatusWarn, "15.00M"},
		{"6.2 names: set just past intset", withScan(withEx(one(func(s *Sample) { s.Server.Version = "6.2.16" }), old), intset), StatusWatch, "1 collection"},
	}
}

// noCrit lists the rules that have no critical level, and why: their worst
// case is worth a warning, never an emergency.
var noCrit = map[string]string{
	CheckEncodings:    "a wasteful encoding costs memory, never an outage by itself",
	CheckPeak:         "an old peak is history; the live figures are judged by other checks",
	CheckActiveDefrag: "the fragmentation check carries the severity; this one says whether defrag helps",
	CheckLogicalDBs:   "several databases is a design smell, not an emergency",
}

func TestRules(t *testing.T) {
	tables := ruleTables()
	for _, id := range RuleIDs() {
		if id == CheckEvidence {
			continue // TestEvidenceRule
		}
		cases, ok := tables[id]
		if !ok {
			t.Errorf("no table for rule %s", id)
			continue
		}
		t.Run(id, func(t *testing.T) {
			reached := runRuleCases(t, id, cases)
			want := []Status{StatusOK, StatusUnknown, StatusCrit}
			if _, ok := noCrit[id]; ok {
				want = want[:2]
			}
			for _, st := range want {
				if !reached[st] {
					t.Errorf("the table never drives %s to %s", id, st)
				}
			}
			if !reached[StatusWatch] && !reached[StatusWarn] {
				t.Errorf("the table never drives %s to watch or warn", id)
			}
		})
	}
}

func TestEvidenceRule(t *testing.T) {
	in := inputsOf(histOf(sampleAt(0)))
	if ch := evalOne(t, CheckEvidence, in); ch.Status != StatusWatch || !strings.Contains(ch.Title, "press x") {
		t.Fatalf("healthy server, nothing saved: %s %q", ch.Status, ch.Title)
	}
	s := sampleAt(0)
	s.Persistence.RDBLastBgsaveStatus = "err"
	in = inputsOf(histOf(s))
	// A reminder, not a finding: it does not take the worst finding's
	// status (it used to be crit on nearly every screen, above real causes).
	if ch := evalOne(t, CheckEvidence, in); ch.Status != StatusWatch || !strings.Contains(strings.Join(ch.Evidence, "\n"), "check(s) at warn or crit") {
		t.Fatalf("a crit check and nothing saved: %s %v, want watch", ch.Status, ch.Evidence)
	}
	in.EvidenceSaved = true
	if ch := evalOne(t, CheckEvidence, in); ch.Status != StatusOK {
		t.Fatalf("saved: %s, want ok", ch.Status)
	}
}

func TestEvaluateWithoutSamples(t *testing.T) {
	for name, h := range map[string]*History{
		"nil":     nil,
		"empty":   NewHistory(10),
		"one gap": histOf(Sample{Time: baseTime, Err: "dial tcp 127.0.0.1:1: connection refused"}),
	} {
		t.Run(name, func(t *testing.T) {
			cl := Evaluate(Inputs{Hist: h, Now: baseTime})
			if len(cl) != len(RuleIDs()) {
				t.Fatalf("%d checks, want %d", len(cl), len(RuleIDs()))
			}
			for _, ch := range cl {
				if ch.ID == CheckEvidence {
					continue
				}
				if ch.Status != StatusUnknown || ch.Reason == "" {
					t.Errorf("%s: %s %q, want unknown with a reason", ch.ID, ch.Status, ch.Reason)
				}
			}
			if name == "one gap" && !strings.Contains(cl[len(cl)-1].Reason+cl[0].Reason, "connection refused") {
				t.Errorf("the reason should quote the poll error: %q", cl[0].Reason)
			}
		})
	}
}

func TestEvaluateSortsWorstFirstAndListsEveryRuleOnce(t *testing.T) {
	s := sampleAt(0)
	s.Persistence.RDBLastBgsaveStatus = "err"    // fork crit
	s.Memory.UsedMemory = Some(0.8 * gb)         // headroom watch
	s.Memory.NumberOfCachedScripts = Some(2_000) // scripts warn
	all := Evaluate(inputsOf(histOf(s)))
	if all[len(all)-1].ID != CheckEvidence {
		t.Fatalf("the evidence reminder is not last, after the findings: %s", ids(all))
	}
	seen := map[string]int{CheckEvidence: 1}
	cl := all.Findings()
	for i, ch := range cl {
		seen[ch.ID]++
		if i > 0 && cl[i-1].Status.Rank() < ch.Status.Rank() {
			t.Fatalf("not worst first at %d: %s before %s", i, cl[i-1].Status, ch.Status)
		}
		if ch.Evidence == nil || ch.Commands == nil {
			t.Fatalf("%s: evidence and commands must be lists, not null", ch.ID)
		}
		if ch.ID != CheckEvidence && ch.Pane == PaneNone {
			t.Errorf("%s points at no pane", ch.ID)
		}
	}
	for _, id := range RuleIDs() {
		if seen[id] != 1 {
			t.Errorf("%s appears %d times", id, seen[id])
		}
	}
	if cl[0].Status != StatusCrit || cl.Worst() != StatusCrit {
		t.Fatalf("first %s, worst %s; want crit", cl[0].Status, cl.Worst())
	}
	if cl.Count(StatusCrit) != 2 { // fork and persistence-risk… and evidence follows the worst
		t.Logf("crit checks: %d", cl.Count(StatusCrit))
	}
	// Within one status, the table order holds.
	var crits []string
	for _, ch := range cl {
		if ch.Status == StatusCrit {
			crits = append(crits, ch.ID)
		}
	}
	if !slices.IsSorted(indexes(crits)) {
		t.Errorf("crit checks out of table order: %v", crits)
	}
}

func indexes(ids []string) []int {
	all := RuleIDs()
	out := make([]int, len(ids))
	for i, id := range ids {
		out[i] = slices.Index(all, id)
	}
	return out
}

func TestCommandsQuoteKeyNames(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain:key", `'plain:key'`},
		{"it's", `'it'\''s'`},
		{"esc\x1b[31m", `$'esc\x1b[31m'`},
		{"bad\xffutf8", `$'bad\xffutf8'`},
		{"bidi\u202eevil", `$'bidi\xe2\x80\xaeevil'`},
		{"q'\x01", `$'q\'\x01'`},
	} {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	sc := &ScanFacts{Scanned: 1, Complete: true, Keys: []ScanKey{{Key: "k\x1b]0;pwn\x07", Type: "string", Bytes: Some(30 * mb)}}}
	ch := evalOne(t, CheckBigKeys, Inputs{Hist: histOf(sampleAt(0)), Scan: sc})
	for _, line := range append(append([]string{ch.Title}, ch.Evidence...), ch.Commands...) {
		if strings.ContainsAny(line, "\x1b\x07") {
			t.Fatalf("raw control byte in %q", line)
		}
	}
	if !slices.Contains(ch.Commands, `redis-cli -n 0 MEMORY USAGE $'k\x1b]0;pwn\x07' SAMPLES 5`) {
		t.Fatalf("commands: %q", ch.Commands)
	}
}

func TestParseVersionAndConfSize(t *testing.T) {
	if !versionLess("6.0.20", "6.2") || versionLess("7.0.15", "6.2") || versionLess("6.2", "6.2.0") {
		t.Fatal("version order")
	}
	if versionLess("df-dev", "6.2") {
		t.Fatal("an unparsable version is never older")
	}
	for s, want := range map[string]float64{"104857600": 104857600, "100mb": 100 * mb, "1gb": gb, "64k": 64000} {
		if got, ok := parseConfSize(s); !ok || got != want {
			t.Errorf("parseConfSize(%q) = %v %v", s, got, ok)
		}
	}
	if got := confSize(0.7 * 8 * gb); got != "5734mb" {
		t.Errorf("confSize = %s", got)
	}
	if got := confSize(2 * gb); got != "2gb" {
		t.Errorf("confSize = %s", got)
	}
}

func TestEvaluateSentinel(t *testing.T) {
	s := Sample{
		Time: baseTime, Server: Server{Product: ProductRedis, Version: "7.4.1", Mode: "sentinel"},
		Stats: Stats{EvictedKeys: Some(0)}, Sections: []string{"server", "clients", "stats", "sentinel"},
	}
	for _, ch := range Evaluate(inputsOf(histOf(s))) {
		if ch.ID == CheckEvidence {
			continue
		}
		if ch.Status != StatusUnknown || ch.Reason != "a Sentinel holds no data" {
			t.Errorf("%s: %s %q", ch.ID, ch.Status, ch.Reason)
		}
	}
}
