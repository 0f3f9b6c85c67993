package model

import (
	"strings"
	"testing"
	"time"
)

// The tables of the guides' gaps this file covers (issue 14, gaps 1, 2, 3,
// 8, 9, 12): each row also names a line the evidence must hold, or a
// command that must (or must not) be offered, so the numbers a status rests
// on are part of the contract.

// gapCase is a ruleCase plus what the evidence and the commands must say.
type gapCase struct {
	ruleCase
	evidence  string // must appear in one evidence line ("" = no check)
	command   string // must be among the commands
	noCommand string // must not be among the commands
}

// runGapCases drives the rule through the table (the contract of
// runRuleCases), checks evidence and commands, and that every status in want
// is reached.
func runGapCases(t *testing.T, id string, cases []gapCase, want ...Status) {
	t.Helper()
	plain := make([]ruleCase, len(cases))
	for i, c := range cases {
		plain[i] = c.ruleCase
	}
	reached := runRuleCases(t, id, plain)
	for _, st := range want {
		if !reached[st] {
			t.Errorf("the table never drives %s to %s", id, st)
		}
	}
	for _, c := range cases {
		ch := evalOne(t, id, c.in())
		ev := strings.Join(ch.Evidence, "\n")
		if c.evidence != "" && !strings.Contains(ev, c.evidence) {
			t.Errorf("%s: evidence does not say %q:\n%s", c.name, c.evidence, ev)
		}
		cmds := strings.Join(ch.Commands, "\n")
		if c.command != "" && !strings.Contains(cmds, c.command) {
			t.Errorf("%s: commands do not offer %q:\n%s", c.name, c.command, cmds)
		}
		if c.noCommand != "" && strings.Contains(cmds, c.noCommand) {
			t.Errorf("%s: commands offer %q, which the state does not justify:\n%s", c.name, c.noCommand, cmds)
		}
	}
}

func gc(name string, in func() Inputs, want Status, title, evidence string) gapCase {
	return gapCase{ruleCase: ruleCase{name, in, want, title}, evidence: evidence}
}

func (c gapCase) offers(cmd string) gapCase    { c.command = cmd; return c }
func (c gapCase) withholds(cmd string) gapCase { c.noCommand = cmd; return c }
func volatile(pol string) func(s *Sample) {
	return func(s *Sample) { s.Memory.MaxMemoryPolicy = Text(pol) }
}
func nearLimit(s *Sample) { s.Memory.UsedMemory = Some(0.9 * gb) }
func allOf(fs ...func(s *Sample)) func(s *Sample) {
	return func(s *Sample) {
		for _, f := range fs {
			f(s)
		}
	}
}

// ttlScan is a complete scan of 1,000 keys whose TTL-less ones hold noTTL
// of the total bytes.
func ttlScan(ttlMB, noTTLMB float64, complete bool) *ScanFacts {
	return &ScanFacts{
		Scanned: 1000, Total: Some(2000), Complete: complete,
		TTLKeys: 800, TTLBytes: ttlMB * mb, NoTTLKeys: 200, NoTTLBytes: noTTLMB * mb,
	}
}

// Gap 1: a volatile-* policy is judged by the bytes in keys with a TTL.
func TestGapVolatilePolicyByBytes(t *testing.T) {
	pol := volatile("volatile-ttl")
	runGapCases(t, CheckPolicyFits, []gapCase{
		gc("80 % of the keys, 7 % of the bytes", withScan(one(pol), ttlScan(7, 93, true)), StatusWarn,
			"only 7.0% of the bytes are in keys with a TTL: 93.00M can never be evicted",
			"bytes in keys with a TTL: 7.00M of 100.00M (7.0%); without a TTL: 93.00M (93.0%)").offers(cmdPolicyLRU),
		gc("7 % of the bytes near the limit", withScan(one(allOf(pol, nearLimit)), ttlScan(7, 93, true)), StatusCrit,
			"7.0% of the bytes", "used / maxmemory: 90.0%"),
		gc("40 % of the bytes", withScan(one(pol), ttlScan(40, 60, true)), StatusWatch, "40.0% of the bytes", "scan complete"),
		gc("40 % of the bytes near the limit", withScan(one(allOf(pol, nearLimit)), ttlScan(40, 60, true)), StatusWarn, "40.0% of the bytes", ""),
		gc("a partial scan says partial", withScan(one(pol), ttlScan(7, 93, false)), StatusWarn, "can never be evicted — partial (50 % scanned)", "partial (50 % scanned): 1,000 of 2,000 keys sized"),
		gc("most bytes evictable", withScan(one(pol), ttlScan(80, 20, true)), StatusOK,
			"fits: 80.0% of the keys and 80.0% of the bytes have a TTL", "without a TTL: 20.00M (20.0%)").withholds(cmdPolicyLRU),
		gc("no scan: keys only, and bytes need the scan", one(pol), StatusOK,
			"fits by key count: 80.0% of the keys have a TTL (their bytes need the scan)", "bytes in keys with a TTL: unknown (no scan yet)"),
		gc("the scan has sized nothing yet", withScan(one(pol), &ScanFacts{Total: Some(2000)}), StatusOK,
			"fits by key count", "unknown (the scan has not sized any key yet)"),
		gc("few keys with a TTL and no scan: the key share decides", one(allOf(pol, func(s *Sample) { s.Keyspace[0].Expires = Some(50) })), StatusWatch, "5.0%", "the big-key scan measures it"),
		gc("the key share is worse than the bytes'", withScan(one(allOf(pol, func(s *Sample) { s.Keyspace[0].Expires = Some(5) })), ttlScan(90, 10, true)), StatusWarn,
			"only 5 of 1,000 keys have a TTL", "90.0%"),
		gc("keyspace not read", one(allOf(pol, func(s *Sample) {
			s.Keyspace = nil
			s.Sections = []string{"memory"}
		})), StatusUnknown, "INFO keyspace", ""),
	}, StatusOK, StatusWatch, StatusWarn, StatusCrit, StatusUnknown)
}

// Gap 12: allkeys-random is watched; noeviction says how it reads the
// instance, and why.
func TestGapPolicyReadings(t *testing.T) {
	noev := volatile("noeviction")
	noTTL := func(s *Sample) { s.Keyspace[0].Expires = Some(0) }
	full := func(s *Sample) {
		s.Memory.UsedMemory = Some(0.99 * gb)
		s.Stats.ErrorstatOOM = Some(4321)
	}
	runGapCases(t, CheckPolicyFits, []gapCase{
		gc("allkeys-random", one(volatile("allkeys-random")), StatusWatch, "allkeys-random evicts hot keys as readily as cold ones", "maxmemory_policy: allkeys-random").
			offers("redis-cli CONFIG SET maxmemory-policy allkeys-lfu"),
		gc("allkeys-random without a limit is idle", one(allOf(volatile("allkeys-random"), func(s *Sample) { s.Memory.MaxMemory = Some(0) })), StatusOK, "idle", ""),
		gc("allkeys-lfu", one(volatile("allkeys-lfu")), StatusOK, "can evict any key", ""),
		gc("noeviction, no TTLs, full and refusing writes: read as a store, says why", one(allOf(noev, noTTL, full)), StatusOK,
			"noeviction read as a store (0.0% of keys have a TTL): it refuses writes at the limit",
			"OOM error replies since start: 4,321 (writes refused at the limit)").withholds(cmdPolicyLRU), // an ok check offers no write (the store reading stands)
		gc("noeviction, no TTLs, room left", one(allOf(noev, noTTL)), StatusOK, "suits a data store (0.0% of the keys have a TTL)", "").withholds(cmdPolicyLRU),
		gc("noeviction, no TTLs, full but no OOM yet", one(allOf(noev, noTTL, nearLimit)), StatusOK, "suits a data store", ""),
		gc("noeviction on a cache", one(noev), StatusWatch, "looks like a cache (80.0%", ""),
		gc("noeviction on a full cache", one(allOf(noev, nearLimit)), StatusWarn, "looks like a cache", "used / maxmemory: 90.0%"),
		gc("no policy", one(func(s *Sample) {
			s.Memory.MaxMemoryPolicy = ""
			s.Server.Version = "3.0.7"
		}), StatusUnknown, "older than 3.2", ""),
	}, StatusOK, StatusWatch, StatusWarn, StatusUnknown)
}

// Gap 2: RSS at the limit (maxmemory × fragmentation + buffers) against the
// machine's memory or the container's limit.
func TestGapRSSWorstCaseAtTheLimit(t *testing.T) {
	limit6G := func(fr float64) func(s *Sample) {
		return func(s *Sample) {
			s.Memory.MaxMemory = Some(6 * gb)
			s.Memory.MemFragmentationRatio = Some(fr)
		}
	}
	runGapCases(t, CheckMaxmemorySet, []gapCase{
		gc("small limit", one(nil), StatusOK, "12.5%", "RSS at the limit, worst case: maxmemory 1.00G × 1.10 + client buffers 40.00K + replication buffers 0B = 1.10G, 13.8% of the total_system_memory (8.00G)"),
		gc("75 % of RAM, ratio 1.10: fits", one(limit6G(1.1)), StatusOK, "75.0%", "= 6.60G, 82.5%"),
		gc("75 % of RAM, ratio 1.25: 94 %", one(limit6G(1.25)), StatusWarn, "At maxmemory 6.00G, RSS can reach 7.50G: 93.8% of the machine's memory", "fragmentation: 1.25 (mem_fragmentation_ratio now)").
			offers("redis-cli CONFIG SET maxmemory 4587mb").withholds("CONFIG SET maxmemory 5734mb"),
		gc("75 % of RAM, ratio 1.50: past the machine", one(limit6G(1.5)), StatusCrit, "RSS can reach 9.00G: past the machine's memory (112.5%)", "× 1.50"),
		gc("ratio ignored on a small dataset", one(allOf(limit6G(1.5), func(s *Sample) { s.Memory.UsedMemory = Some(1 * mb) })), StatusOK, "75.0%", "ignored on a small dataset"),
		gc("ratio under 1 counts as 1", one(limit6G(0.8)), StatusOK, "75.0%", "fragmentation: 0.80, taken as 1.00"),
		gc("replication buffers on top", one(allOf(limit6G(1.1), func(s *Sample) { s.Memory.MemTotalReplicationBuffers = Some(1.5 * gb) })), StatusCrit,
			"past the machine's memory", "replication buffers 1.50G = 8.10G"),
		gc("under a container's limit", withEx(one(func(s *Sample) {
			s.Memory.MaxMemory = Some(1.5 * gb)
			s.Memory.MemFragmentationRatio = Some(1.3)
		}), &Extras{Host: &HostFacts{Local: true, HostRAM: Some(8 * gb), CgroupLimit: Some(2 * gb)}}), StatusWarn,
			"RSS can reach 1.95G: 97.5%", "of the cgroup memory limit (2.00G)"),
		gc("no limit: no projection", one(func(s *Sample) { s.Memory.MaxMemory = Some(0) }), StatusWarn, "No memory limit", ""),
		gc("machine unknown: not compared", one(func(s *Sample) { s.Memory.TotalSystemMemory = None() }), StatusOK, "not compared", ""),
		gc("limit unreadable", withEx(one(func(s *Sample) {
			s.Memory.MaxMemory = None()
			s.Server.Version = "3.0.7"
		}), &Extras{Config: &Config{Err: noperm}}), StatusUnknown, "CONFIG is not allowed", ""),
	}, StatusOK, StatusWarn, StatusCrit, StatusUnknown)
}

// fragAt is a fragmented sample: allocator fragmentation dominates, ratio fr.
func fragAt(fr, allocRatio float64) func(s *Sample) {
	return func(s *Sample) {
		s.Memory.MemFragmentationRatio = Some(fr)
		s.Memory.UsedMemoryRSS = Some(fr * 100 * mb)
		s.Memory.MemFragmentationBytes = Some((fr - 1) * 100 * mb)
		s.Memory.AllocatorFragRatio = Some(allocRatio)
		s.Memory.AllocatorFragBytes = Some((allocRatio - 1) * 100 * mb)
	}
}

// defragging is a sample with active defrag running and its counters.
func defragging(hits, misses float64) func(s *Sample) {
	return func(s *Sample) {
		s.Memory.ActiveDefragRunning = Some(25)
		s.Stats.ActiveDefragHits = Some(hits)
		s.Stats.ActiveDefragMisses = Some(misses)
	}
}

func defragOn(f func() Inputs) func() Inputs {
	return withEx(f, &Extras{Config: configOf("activedefrag", "yes")})
}

// Gap 3: restart (a replica, then fail over) versus fix, in the
// fragmentation check.
func TestGapFragmentationRestartOrFix(t *testing.T) {
	runGapCases(t, CheckFragmentation, []gapCase{
		gc("ratio 2.80: restart or fail over", one(fragAt(2.8, 2.4)), StatusCrit, "Restart or fail over: fragmentation 2.80", "restart rather than fix: ratio 2.80 is above 2.50").
			offers("redis-cli FAILOVER").withholds(cmdDefragOn),
		gc("ratio 2.50 exactly: defrag still", one(fragAt(2.5, 1.6)), StatusCrit, "mostly allocator fragmentation", "").offers(cmdDefragOn).withholds("FAILOVER"),
		gc("allocator efficiency under 50 %", one(allOf(fragAt(1.7, 1.6), func(s *Sample) {
			s.Memory.AllocatorAllocated = Some(40 * mb)
			s.Memory.AllocatorActive = Some(100 * mb)
		})), StatusWarn, "Restart or fail over", "allocator efficiency (allocated / active) is 40.0%, under 50.0%"),
		gc("defrag unsupported (libc)", one(allOf(fragAt(1.7, 1.6), func(s *Sample) { s.Memory.MemAllocator = "libc" })), StatusWarn,
			"Restart or fail over", "active defrag is unsupported here (allocator libc)"),
		gc("defrag not converging", defragOn(pair(allOf(fragAt(1.7, 1.6), defragging(100, 1000)), allOf(fragAt(1.7, 1.6), defragging(110, 5000)))), StatusWarn,
			"Restart or fail over", "active defrag is not converging: 4,000 misses for 10 hits over 1m00s"),
		gc("serious, defrag can do it", one(fragAt(1.7, 1.6)), StatusWarn, "Fragmentation 1.70", "").offers(cmdDefragOn).withholds("FAILOVER"),
		gc("defrag held back near the limit", one(allOf(fragAt(1.7, 1.6), func(s *Sample) { s.Memory.MaxMemory = Some(110 * mb) })), StatusWarn,
			"mostly allocator fragmentation", "defrag advice held back: memory is at 90.9% of maxmemory").withholds(cmdDefragOn),
		gc("defrag held back during a fork", one(allOf(fragAt(1.7, 1.6), func(s *Sample) { s.Persistence.RDBBgsaveInProgress = Some(1) })), StatusWarn,
			"mostly allocator fragmentation", "defrag advice held back: a fork (rdb) is running").withholds(cmdDefragOn),
		gc("defrag held back while writes fail", pair(fragAt(1.7, 1.6), allOf(fragAt(1.7, 1.6), func(s *Sample) { s.Stats.ErrorstatOOM = Some(12) })), StatusWarn,
			"", "held back: writes are failing with OOM (+12 in the last 1m00s)").withholds(cmdDefragOn),
		gc("defrag held back during a slot migration", withEx(one(fragAt(1.7, 1.6)), &Extras{Slots: &SlotMoves{Migrating: []SlotMove{{Slot: 7, Peer: "b"}, {Slot: 8, Peer: "b"}}}}), StatusWarn,
			"mostly allocator fragmentation", "defrag advice held back: a slot migration is under way (2 migrating, 0 importing)").withholds(cmdDefragOn),
		gc("watch band: no restart", one(fragAt(1.4, 1.3)), StatusWatch, "1.40", ""),
		gc("healthy", one(nil), StatusOK, "healthy", ""),
		gc("not measured", one(func(s *Sample) {
			s.Memory.UsedMemoryRSS = Some(0)
			s.Memory.MemFragmentationRatio = Some(0)
		}), StatusUnknown, "not measured", ""),
	}, StatusOK, StatusWatch, StatusWarn, StatusCrit, StatusUnknown)
}

// Gap 3: the activedefrag check reads active_defrag_hits / misses over the
// window, and holds its advice back under pressure.
func TestGapActiveDefragProgress(t *testing.T) {
	high := fragAt(2.0, 1.6) // 60 % and 60 MB... above the lower threshold; ignore-bytes lowered below
	lowIgnore := func(f func() Inputs) func() Inputs {
		return withEx(f, &Extras{Config: configOf("active-defrag-ignore-bytes", "10mb")})
	}
	stalled := func() Inputs {
		return defragOn(func() Inputs {
			return inputsOf(seriesOf(4, 50, func(i int, s *Sample) {
				high(s)
				defragging(float64(100+i), float64(100+i))(s)
				s.Memory.AllocatorFragRatio = Some(1.6 - 0.001*float64(i))
			}))
		})()
	}
	runGapCases(t, CheckActiveDefrag, []gapCase{
		gc("on, misses ≫ hits", defragOn(pair(allOf(high, defragging(100, 1000)), allOf(high, defragging(110, 5000)))), StatusWarn,
			"Active defrag is not converging: 4,000 misses for 10 hits", "active_defrag_hits / misses over the last 1m00s: +10 / +4,000").
			offers("redis-cli CONFIG SET activedefrag no"),
		gc("on, running 2.5 min without progress", stalled, StatusWarn, "running for 2m30s while allocator fragmentation went 1.60 → 1.60", "+3 / +3"),
		gc("on, running and moving", defragOn(pair(allOf(high, defragging(100, 10)), allOf(high, defragging(9000, 200)))), StatusWatch,
			"Active defrag is running", "+8,900 / +190"),
		gc("on, running during a fork", defragOn(one(allOf(high, defragging(1, 1), func(s *Sample) { s.Persistence.AOFRewriteInProgress = Some(1) }))), StatusWatch,
			"Active defrag is running under pressure: a fork (aof) is running", "held back: a fork (aof) is running"),
		gc("off, worth it, but near the limit", lowIgnore(one(allOf(high, func(s *Sample) { s.Memory.MaxMemory = Some(110 * mb) }))), StatusWatch,
			"Active defrag would help, but not now: memory is at 90.9% of maxmemory", "").withholds(cmdDefragOn),
		gc("off, worth it, writes failing", lowIgnore(pair(high, allOf(high, func(s *Sample) { s.Stats.ErrorstatOOM = Some(3) }))), StatusWatch,
			"but not now: writes are failing with OOM (+3 in the last 1m00s)", "").withholds(cmdDefragOn),
		gc("off, worth it, a reshard under way", withEx(one(high), &Extras{Config: configOf("active-defrag-ignore-bytes", "10mb"), Slots: &SlotMoves{Importing: []SlotMove{{Slot: 7, Peer: "a"}}}}), StatusWatch,
			"but not now: a slot migration is under way (0 migrating, 1 importing)", "").withholds(cmdDefragOn),
		gc("off, worth it, nothing holds it back", lowIgnore(one(high)), StatusWarn, "Active defrag is off while allocator fragmentation is 1.60", "").offers(cmdDefragOn),
		gc("on and idle", defragOn(one(nil)), StatusOK, "on and idle", ""),
		gc("CONFIG denied", withEx(one(nil), &Extras{Config: &Config{Err: noperm}}), StatusUnknown, "not allowed", ""),
	}, StatusOK, StatusWatch, StatusWarn, StatusUnknown)
}

// Gap 8: a restart as the trace of an OOM kill, in the peak check.
func TestGapRestartTrace(t *testing.T) {
	before := func(s *Sample) {
		s.Memory.UsedMemory = Some(900 * mb)
		s.Memory.UsedMemoryRSS = Some(1.5 * gb)
		s.Memory.UsedMemoryPeak = Some(950 * mb)
	}
	after := func(s *Sample) {
		s.Server.RunID = "run-2-abcdefghij"
		s.Server.Uptime = Some(3)
		s.Memory.UsedMemory = Some(20 * mb)
		s.Memory.UsedMemoryRSS = Some(30 * mb)
		s.Memory.UsedMemoryPeak = Some(20 * mb)
	}
	killed := func() Inputs {
		a, b, c := sampleAt(0), sampleAt(20), sampleAt(40)
		before(&a)
		b = Sample{Time: b.Time, Err: "connection refused"}
		after(&c)
		return inputsOf(histOf(a, b, c))
	}
	longAgo := func() Inputs {
		h := NewHistory(100)
		a := sampleAt(0)
		before(&a)
		h.Add(a)
		for _, sec := range []int{400, 500, 700} {
			s := sampleAt(sec)
			s.Server.RunID = "run-2"
			s.Server.Uptime = Some(float64(sec))
			h.Add(s)
		}
		return inputsOf(h)
	}
	runGapCases(t, CheckPeak, []gapCase{
		gc("run_id changed in the window", killed, StatusWarn, "Restarted 0s ago (new run_id; RSS was 1.50G before): an OOM kill?",
			"run_id changed 0s ago: run-1 → run-2-ab…").offers("dmesg"),
		gc("the peak before is in the evidence", killed, StatusWarn, "", "before the restart: used_memory 900.00M, RSS 1.50G, used_memory_peak 950.00M; highest seen in the window: used 900.00M, RSS 1.50G"),
		gc("the outage is in the evidence", killed, StatusWarn, "", "unreachable for 40s between the two runs (1 failed poll(s))"),
		gc("loading after a start", one(func(s *Sample) {
			s.Server.Uptime = Some(5)
			s.Persistence.Loading = Some(1)
		}), StatusWarn, "Loading its dataset after a start 5.0s ago: was it killed (OOM)?", "loading: 1").offers("docker inspect"),
		gc("low uptime only", one(func(s *Sample) { s.Server.Uptime = Some(120) }), StatusWatch, "Started 2m00s ago: if nobody restarted it, look for an OOM kill", "uptime_in_seconds: 120 (2m00s)"),
		gc("the restart left the window", longAgo, StatusOK, "close to used", "uptime_in_seconds: 700"),
		gc("up for long", one(nil), StatusOK, "close to used", "uptime_in_seconds: 1,000").withholds("dmesg"),
		gc("no peak reported", one(func(s *Sample) { s.Memory.UsedMemoryPeak = None() }), StatusUnknown, "used_memory_peak", ""),
	}, StatusOK, StatusWatch, StatusWarn, StatusUnknown)
}

// Gap 9: MemAvailable for the fork headroom, the host's swap, swappiness.
func TestGapHostMemory(t *testing.T) {
	host := func(mod func(h *HostFacts)) *Extras {
		h := localHost()
		h.MemAvailable, h.SwapTotal, h.SwapFree, h.Swappiness = Some(6*gb), Some(0), Some(0), Some(60)
		if mod != nil {
			mod(h)
		}
		return &Extras{Host: h}
	}
	avail := func(v float64) func(h *HostFacts) { return func(h *HostFacts) { h.MemAvailable = Some(v) } }
	runGapCases(t, CheckSwapAndHost, []gapCase{
		gc("plenty available, no swap", withEx(one(nil), host(nil)), StatusOK, "No swap", "MemAvailable on the host: 6.00G"),
		gc("the fork headroom is in the evidence", withEx(one(nil), host(nil)), StatusOK, "", "fork headroom: a copy-on-write worst case copies used_memory 100.00M, 1.6% of MemAvailable"),
		gc("swappiness without swap is moot", withEx(one(nil), host(nil)), StatusOK, "", "vm.swappiness: 60 (no swap configured: it has no effect)"),
		gc("a fork could use two thirds of what is left", withEx(one(nil), host(avail(150*mb))), StatusWatch, "could use 66.7% of the host's available memory", ""),
		gc("the worst case does not fit", withEx(one(nil), host(avail(80*mb))), StatusWarn, "A fork's worst-case copy-on-write (100.00M) exceeds the host's MemAvailable (80.00M)", ""),
		gc("it does not fit and a fork runs", withEx(one(func(s *Sample) { s.Persistence.RDBBgsaveInProgress = Some(1) }), host(avail(80*mb))), StatusCrit, "A fork is running", ""),
		gc("the host swaps, Redis not yet", withEx(one(nil), host(func(h *HostFacts) {
			h.SwapTotal, h.SwapFree, h.Swappiness = Some(2*gb), Some(1.5*gb), Some(1)
		})), StatusWatch, "The host has 512.00M in swap (Redis itself none yet)", "host swap in use: 512.00M of 2.00G"),
		gc("swap on, swappiness 60", withEx(one(nil), host(func(h *HostFacts) { h.SwapTotal, h.SwapFree = Some(2*gb), Some(2*gb) })), StatusWatch,
			"vm.swappiness is 60 with swap on", "vm.swappiness: 60").offers("sudo sysctl -w vm.swappiness=1"),
		gc("swap on, swappiness 1", withEx(one(nil), host(func(h *HostFacts) { h.SwapTotal, h.SwapFree, h.Swappiness = Some(2*gb), Some(2*gb), Some(1) })), StatusOK,
			"No swap", "host swap in use: 0B of 2.00G").withholds("swappiness=1"),
		gc("not this host", withEx(one(nil), &Extras{Host: &HostFacts{Reason: "the server does not run on this host (no process 4242 here)"}}), StatusUnknown, "does not run on this host", ""),
	}, StatusOK, StatusWatch, StatusWarn, StatusCrit, StatusUnknown)
}

// The restart trace reads the window the inputs give, not a fixed one.
func TestGapRestartTraceFollowsTheWindow(t *testing.T) {
	a, b := sampleAt(0), sampleAt(120)
	b.Server.RunID, b.Server.Uptime = "run-2", Some(1000)
	in := inputsOf(histOf(a, b))
	in.Window = time.Minute
	if ch := evalOne(t, CheckPeak, in); ch.Status != StatusOK {
		t.Fatalf("a restart two minutes back is outside a 1-minute window: %s %q", ch.Status, ch.Title)
	}
	in.Window = 5 * time.Minute
	if ch := evalOne(t, CheckPeak, in); ch.Status != StatusWarn {
		t.Fatalf("inside a 5-minute window: %s %q", ch.Status, ch.Title)
	}
}
