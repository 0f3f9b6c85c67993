package model

import "time"

// Every threshold of the checklist and the verdict, named, with its source:
//
//	DESIGN          shared/DESIGN.md, "Diagnosis: the checklist and the verdict"
//	DOCTOR          MEMORY DOCTOR (redis object.c getMemoryDoctorReport), see
//	                reference/anchors.md §1 notes
//	LATENCY DOCTOR  redis latency.c, fork-rate grading
//	RedisInsight    its recommendation rules (reference/anchors.md §4)
//	exporter        the widely copied redis_exporter alert set (anchors §1)
//	Redis default   the server's own default for a setting
//	ours            a redis-memtop choice; the comment says why
const mib = 1 << 20

// maxmemory-set.
const (
	ThresholdMaxmemoryOfRAMWarn    = 0.80 // DESIGN: a limit above ~80 % of RAM leaves no room for fork, clients, allocator
	ThresholdMaxmemoryOfRAMCrit    = 1.00 // ours: a limit above the RAM cannot protect the machine at all
	ThresholdMaxmemorySuggestOfRAM = 0.70 // ours: the limit we suggest, leaving ~30 % for copy-on-write and buffers
	ThresholdNoLimitRSSOfRAMCrit   = 0.80 // ours: no limit and RSS already past 80 % of RAM
)

// headroom (used / maxmemory).
const (
	ThresholdHeadroomWatch = 0.75 // DESIGN
	ThresholdHeadroomWarn  = 0.85 // DESIGN (OOM errors rising = crit, also DESIGN)
)

// policy-fits.
const (
	ThresholdCacheTTLShare         = 0.50 // ours: at least half the keys carry a TTL → the instance is used as a cache
	ThresholdVolatileTTLShareWarn  = 0.01 // DESIGN "(almost) no keys with a TTL": under 1 % nothing is evictable
	ThresholdVolatileTTLShareWatch = 0.10 // ours: under 10 % the evictable pool is small
)

// evictions (share of the keyspace evicted per minute).
const (
	ThresholdEvictPerMinWarn = 0.01 // ours: 1 %/min means the working set no longer fits
	ThresholdEvictPerMinCrit = 0.10 // ours: 10 %/min is a thrashing cache
)

// fragmentation.
const (
	ThresholdFragWatch         = 1.3       // DESIGN bands: 1.0–1.3 healthy, 1.3–1.5 watch
	ThresholdFragWarn          = 1.5       // DESIGN: 1.5–2.0 serious
	ThresholdFragCrit          = 2.0       // DESIGN: > 2.0 critical
	ThresholdFragMinBytes      = 10 * mib  // DOCTOR: high RSS needs > 10 MB of it to matter
	ThresholdSmallDataset      = 5 * mib   // DOCTOR: skipped under 5 MB, the ratio means nothing there
	ThresholdLayerRatio        = 1.1       // DOCTOR: allocator frag / allocator RSS / process RSS > 1.1 …
	ThresholdLayerMinBytes     = 10 * mib  // DOCTOR: … and > 10 MB
	ThresholdFragSwapRatio     = 1.0       // DESIGN: a ratio under 1 can mean swapping
	ThresholdDefragIgnoreBytes = 100 * mib // Redis default of active-defrag-ignore-bytes
	ThresholdDefragLowerPct    = 10.0      // Redis default of active-defrag-threshold-lower (percent)
)

// rss-vs-used trend and the verdict.
const (
	ThresholdTrendMinBytes   = 2 * mib          // ours: smaller moves are allocator noise
	ThresholdTrendMinShare   = 0.02             // ours: … or 2 % of the starting value, whichever is larger
	ThresholdTimeToLimitWarn = time.Hour        // ours: at this pace the limit is reached within the hour
	ThresholdTimeToLimitCrit = 15 * time.Minute // ours: … within a quarter of an hour
	ThresholdVerdictWindow   = 5 * time.Minute  // DESIGN: the verdict looks at 5 minutes by default
	// ThresholdVerdictNow is the recent window the verdict looks at first
	// (ours): a cause that dominates the last minute is what is happening
	// now, even when an older change (a load four minutes ago) dominates the
	// whole window — a BGSAVE's copy-on-write, or the holes deletes leave.
	ThresholdVerdictNow = time.Minute
	// ThresholdEvictNowWindow is the window of "evicting now": the recent
	// rate every face of the tool shows (ThresholdRecentRateSpan).
	ThresholdEvictNowWindow     = ThresholdRecentRateSpan
	ThresholdVerdictMinSamples  = 5                // ours: fewer samples than this → low confidence
	ThresholdVerdictMinSpan     = time.Minute      // ours: less history than this → low confidence
	ThresholdVerdictHighShare   = 0.75             // ours: the cause explains ≥ 75 % of the growth → high confidence
	ThresholdVerdictMediumShare = 0.50             // ours: ≥ 50 % → medium
	ThresholdMinTrendSpan       = 10 * time.Second // ours: under 10 s of history a trend is not judged
)

// ThresholdRecentRateSpan is the span of every per-second figure "now"
// (History.Recent: evicted, expired, commands, OOM rejections), the same in
// the limits pane, the checklist and the report (ours): ten polls at the
// default interval smooth one poll's jitter, and a burst over for ten
// seconds reads 0/s — "now" means now, not the last minute.
const ThresholdRecentRateSpan = 10 * time.Second

// fork.
const (
	ThresholdForkSlowUsec     = 10_000 // DESIGN: a fork longer than 10 ms stalls every client
	ThresholdForkRateTerrible = 10.0   // LATENCY DOCTOR: < 10 GB/s is "terrible"
	ThresholdForkRatePoor     = 25.0   // LATENCY DOCTOR: < 25 GB/s is "poor"
	ThresholdCOWShareWarn     = 0.50   // ours: the child copied half the dataset: writes are heavy during the save
	ThresholdCOWShareWatch    = 0.10   // ours: the child copied a tenth of the dataset
	ThresholdForkHostCrit     = 0.90   // ours: RSS + copy-on-write past 90 % of RAM during a fork
)

// The fork's cost (fork_cost.go): its stall, and ms per GB of the memory at
// the fork — the unit of the Redis latency guide ("6.1GB RSS forked in 80
// milliseconds (13.1 milliseconds per GB)"; 9–24 ms per GB on hardware and
// modern VMs, 239–424 on old Xen) — with LATENCY DOCTOR's grades turned
// into that unit (1000 / GB/s). ThresholdForkSlowUsec (DESIGN, and Redis's
// default slowlog-log-slower-than) is the stall clients start to feel.
const (
	ThresholdForkMsPerGBTerrible = 1000 / ThresholdForkRateTerrible // LATENCY DOCTOR: > 100 ms per GB is "terrible"
	ThresholdForkMsPerGBPoor     = 1000 / ThresholdForkRatePoor     // LATENCY DOCTOR: > 40 ms per GB is "poor"
	ThresholdForkMsPerGBGood     = 10.0                             // LATENCY DOCTOR: ≥ 100 GB/s (≤ 10 ms per GB) is "excellent", else "good"
	// ThresholdForkRateMinBytes: a fork is graded per GB only from 1 GB of
	// memory at the fork (ours): below, the fixed cost of fork() and a busy
	// host outweigh the page tables, and a 39 ms fork of 200 MB says little
	// about the machine (the guide's measurements are of 0.36–6.9 GB).
	ThresholdForkRateMinBytes = 1 << 30
	// ThresholdForkStallWarnUsec: a fork that stalls every client for half
	// a second is felt whatever the dataset (ours: client timeouts are
	// commonly around a second).
	ThresholdForkStallWarnUsec = 500_000
)

// persistence-risk.
const (
	ThresholdUnsavedAgeWatch     = time.Hour      // ours
	ThresholdUnsavedAgeWarn      = 24 * time.Hour // exporter: RedisMissingBackup fires after 24 h
	ThresholdUnsavedChangesWatch = 10_000         // ours
	ThresholdUnsavedChangesWarn  = 1_000_000      // ours
)

// big-keys.
const (
	ThresholdBigKeyBytes     = 10 * mib // DESIGN
	ThresholdBigKeyShare     = 0.01     // DESIGN: above 1 % of used_memory …
	ThresholdBigKeyShareMin  = 100_000  // ours: … and at least 100 KB, so a small instance does not flag every key
	ThresholdBigKeyCritShare = 0.10     // ours: one key holding a tenth of the memory
	ThresholdBigListElements = 1000     // DESIGN (RedisInsight compressionForList)
	ThresholdBigHashFields   = 5000     // DESIGN (RedisInsight bigHashes)
	ThresholdBigStringBytes  = 100_000  // DESIGN (RedisInsight bigStrings)
	ThresholdKeyGrowthBytes  = 1 * mib  // ours: a key that grew by ≥ 1 MiB …
	ThresholdKeyGrowthShare  = 0.10     // ours: … and ≥ 10 % between two scans
)

// ttl-discipline.
const (
	ThresholdNoTTLWatch = 0.50 // DESIGN: "most keys without TTL"
	ThresholdNoTTLWarn  = 0.90 // ours
)

// encodings.
const (
	ThresholdEncodingJustPast  = 2.0  // ours: up to 2× the listpack/intset limit counts as "just past"
	ThresholdEncodingWarnShare = 0.10 // ours: such keys hold ≥ 10 % of used_memory → warn
)

// client-buffers and replication-buffers.
const (
	ThresholdClientBuffersTotal      = 10 * mib   // DESIGN: > 10 MB in total
	ThresholdClientBufferAvg         = 200 * 1024 // DOCTOR: > 200 KB per normal client on average
	ThresholdClientBuffersCritShare  = 0.25       // ours: buffers hold a quarter of used_memory (they count for eviction)
	ThresholdReplicaBuffers          = 10 * mib   // DOCTOR: > 10 MB of replica buffers
	ThresholdReplicaBuffersCritShare = 0.25       // ours
)

// scripts, peak, host.
const (
	ThresholdScriptsWatch    = 100       // ours: a tenth of DOCTOR's figure (RedisInsight warns at 10)
	ThresholdScriptsWarn     = 1000      // DOCTOR: > 1000 cached scripts
	ThresholdScriptsCrit     = 100_000   // ours: scripts generated per call, the cache grows without end
	ThresholdScriptsVMWarn   = 100 * mib // ours: a Lua VM this big (outside maxmemory) is worth a look
	ThresholdPeakRatio       = 1.5       // DOCTOR and DESIGN: peak > 1.5 × now
	ThresholdPeakRSSKept     = 0.80      // ours: RSS still ≥ 80 % of the peak → memory was not given back
	ThresholdSwapCritShare   = 0.05      // ours: ≥ 5 % of RSS swapped out
	ThresholdLogicalDBsWatch = 2         // DESIGN: keys spread over several databases
)

// The thresholds of the cluster rules (rules_cluster.go).
const (
	ThresholdClusterUsedRatioWatch = 1.5 // ours: one master holds 1.5× another's memory — a hot hash tag or uneven slots
	ThresholdClusterUsedRatioWarn  = 2.0 // ours: 2× means the largest master hits maxmemory at half the cluster's capacity
	// ThresholdClusterImbalanceMinBytes: smaller differences are per-node
	// overhead (cluster bus, replication backlog), not data.
	ThresholdClusterImbalanceMinBytes = 8 * mib // ours
	// A node fragments while its peers do not: its ratio is at least
	// ThresholdFragWarn and at least this much above the peers' median, and
	// it is not a small dataset (ThresholdSmallDataset).
	ThresholdClusterFragOutlierGap = 0.3 // ours: the width of one DESIGN fragmentation band
	// ThresholdClusterMigrationStuckViews: a slot seen in migration in this
	// many consecutive views is stuck (a reshard that died half-way leaves
	// MIGRATING/IMPORTING set for ever).
	ThresholdClusterMigrationStuckViews = 30 // ours: 30 polls, 30 s at the default interval
)
