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
	// ThresholdEvictNowWindow is the window of "evicting now": the recent
	// rate every face of the tool shows (ThresholdRecentRateSpan).
	ThresholdEvictNowWindow     = ThresholdRecentRateSpan
	ThresholdVerdictMinSamples  = 5                // ours: fewer samples than this → low confidence
	ThresholdVerdictHighShare   = 0.75             // ours: the cause explains ≥ 75 % of the growth → high confidence
	ThresholdVerdictMediumShare = 0.50             // ours: ≥ 50 % → medium
	ThresholdMinTrendSpan       = 10 * time.Second // ours: under 10 s of history a trend is not judged
)

// The verdict's phases (verdict_phase.go).
const (
	// ThresholdPhaseQuiet (ours): evictions or OOM rejections that resume
	// after this long without any open a new phase; shorter pauses are the
	// same episode (a write load comes in batches).
	ThresholdPhaseQuiet = 30 * time.Second
	// ThresholdPhaseFallShare (ours): used_memory falling by this share of
	// its peak (and by more than trend noise) is a mass delete, a phase of
	// its own — what follows is judged against the memory left.
	ThresholdPhaseFallShare = 0.10
	// ThresholdVerdictRecent (ours): evictions and OOM rejections are
	// "happening now" when their counters rose over this last stretch.
	ThresholdVerdictRecent = 15 * time.Second
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

// big-keys: growth between passes, from the re-measures of the top keys
// (bigkeys_watch.go). The byte figures are the between-pass ones
// (ThresholdKeyGrowthBytes / Share, Ratio, RatioMinBytes, SmallBytes).
const (
	// ThresholdWatchRisingReadings: a key is flagged only while it keeps
	// rising — at each of the last two re-measures (or the one there is) —
	// so a key that grew once and stopped is not (ours).
	ThresholdWatchRisingReadings = 2
	// ThresholdWatchRatioMinElements: a collection that doubled is flagged
	// once it holds this many elements (DESIGN's big-list figure).
	ThresholdWatchRatioMinElements = 1000
	// ThresholdWatchElements: a collection or stream that gained this many
	// elements over the readings held is filling up, whatever its size
	// (ours: ten times the big-list figure; a queue fed at 1,000 a second
	// passes it in ten seconds).
	ThresholdWatchElements = 10_000
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

// Issue 14's gaps in what the guides teach, part b: the replication
// backlog, keys and streams that keep growing, encodings among all keys,
// per-key overhead, O(N) reads, the TTL share over the window.

// replication-buffers: the backlog.
const (
	// ThresholdBacklogMinBytes: under 10 MB a backlog is not worth resizing
	// (the Redis default is 1 MB); DOCTOR's replica-buffer figure.
	ThresholdBacklogMinBytes = 10 * mib
	// ThresholdBacklogShareWatch / Warn: the backlog's share of used_memory
	// (ours). A backlog is replication history, not data: a quarter of the
	// memory is more than most outages need, half is memory taken from the
	// dataset.
	ThresholdBacklogShareWatch = 0.25
	ThresholdBacklogShareWarn  = 0.50
	// ThresholdBacklogOfMaxmemoryCrit: the backlog is not counted for
	// eviction (freeMemoryGetNotCountedMemory), so with a limit set it sits on
	// top of maxmemory: at half the limit, RSS can reach 1.5× what the limit
	// was sized for (ours).
	ThresholdBacklogOfMaxmemoryCrit = 0.50
	// ThresholdBacklogOutage is the disconnect the advice sizes the backlog
	// for when the write rate is known (ours: a replica restart or a network
	// blip of a minute; the guides: size it to the outage to survive).
	ThresholdBacklogOutage = time.Minute
)

// big-keys: keys and streams that keep growing.
const (
	// ThresholdKeyGrowthRatio: a key that doubled between two full passes
	// grows without bound more often than not (ours; issue 14: a queue grew
	// 6× and was not flagged), once it is past
	// ThresholdKeyGrowthRatioMinBytes.
	ThresholdKeyGrowthRatio = 2.0
	// ThresholdKeyGrowthRatioMinBytes: smaller keys doubling are noise of
	// MEMORY USAGE's sampling (ours).
	ThresholdKeyGrowthRatioMinBytes = 10_000
	// ThresholdKeyGrowthSmallBytes: a key that grew by ≥ 100 KB (and by
	// ThresholdKeyGrowthShare) between passes is rising (ours; RedisInsight's
	// big-string figure).
	ThresholdKeyGrowthSmallBytes = 100_000
	// ThresholdBigStreamEntries: a stream with more entries than this is
	// kept as a log without MAXLEN (ours: ten times RedisInsight's list
	// figure, as stream entries are small and read by range).
	ThresholdBigStreamEntries = 10_000
)

// encodings: counted among every key scanned.
const (
	// ThresholdEncodingManyKeys: this many keys of one type in the big
	// encoding under the compact limit is a pattern of the data, not one odd
	// key: warn (ours).
	ThresholdEncodingManyKeys = 1000
)

// encodings: per-key overhead.
const (
	// ThresholdOverheadMinKeys: per-key overhead matters with many keys
	// (ours: at 100k keys the ~50–70 bytes of dict entry, robj and SDS
	// header per key reach several MB).
	ThresholdOverheadMinKeys = 100_000
	// ThresholdOverheadShareWatch / Warn: the key-related overhead's share
	// of used_memory (ours: the guides' example is 56 %; at half the memory
	// spent on bookkeeping, bucketing small keys into hashes pays).
	ThresholdOverheadShareWatch = 0.40
	ThresholdOverheadShareWarn  = 0.60
	// ThresholdSmallObjectBytes: keys this small on average are "small
	// objects" in the hash-for-small-objects sense (ours: below the default
	// hash-max-listpack-value of 64 bytes plus a key name).
	ThresholdSmallObjectBytes = 200
)

// client-buffers: O(N) reads in INFO commandstats.
const (
	// ThresholdONReadMinRate: calls/s below this are not judged (ours: one
	// HGETALL a second on a small hash is normal use).
	ThresholdONReadMinRate = 10.0
	// ThresholdONReadRise: the later half of the window against the earlier
	// half (ours: a doubling is a change of traffic, not noise).
	ThresholdONReadRise = 2.0
	// ThresholdONReadSlowUsec: an O(N) read taking 1 ms a call blocks every
	// other client for that long (ours: a tenth of slowlog-log-slower-than's
	// 10 ms default).
	ThresholdONReadSlowUsec = 1000.0
	// ThresholdONReadMinSpan: each half of the window needs two polls at
	// least (ours: 4 s, so the rig's 100 ms polls and the default 1 s both
	// give a rate).
	ThresholdONReadMinSpan = 4 * time.Second
)

// ttl-discipline: the share of keys with a TTL over the window.
const (
	// ThresholdTTLShareFallWatch / Warn: the share of keys with a TTL fell by
	// this many points over the window (ours: 10 points is more than expiry
	// and normal writes move it; 25 points is a deploy that stopped setting
	// TTLs).
	ThresholdTTLShareFallWatch = 0.10
	ThresholdTTLShareFallWarn  = 0.25
	// ThresholdTTLShareMinKeys: under this many keys a share moves with
	// every key (ours).
	ThresholdTTLShareMinKeys = 100
)

// Issue 14, the guides' gaps: the policy judged by bytes, the worst-case
// RSS under a limit, restart versus fix, restarts, the host's memory.
const (
	// policy-fits: a volatile-* policy can only free the bytes held by keys
	// with a TTL (from the big-key scan's TTL buckets).
	ThresholdVolatileTTLBytesWarn  = 0.25 // ours: under a quarter of the bytes evictable, the limit is reached with ¾ of memory no eviction can free
	ThresholdVolatileTTLBytesWatch = 0.50 // ours: under half the bytes evictable, eviction frees less than the data it protects

	// maxmemory-set: at the limit, RSS can reach maxmemory × fragmentation
	// plus the buffers (clients, replication) the guides list.
	ThresholdProjectedRSSWarn = 0.90 // ours: as ThresholdForkHostCrit, a worst case past 90 % of the machine leaves nothing for the OS
	ThresholdProjectedRSSCrit = 1.00 // guides: past the machine's (or container's) memory the OOM killer ends Redis

	// fragmentation and activedefrag: restart (a replica, then fail over)
	// rather than defrag.
	ThresholdFragRestart            = 2.5  // guides: above a ratio of 2.5 restart or fail over; defrag will not win it back
	ThresholdAllocEfficiencyRestart = 0.50 // guides: allocator efficiency (allocated / active) under 50 %
	ThresholdDefragMissesPerHit     = 10.0 // ours: "misses ≫ hits": ten misses for each hit, defrag moves almost nothing
	// ThresholdDefragStallSpan: defrag running at both ends of this span
	// with allocator fragmentation falling less than ThresholdDefragProgress
	// is not converging (ours: two cron-driven defrag cycles a second, two
	// minutes is hundreds of cycles).
	ThresholdDefragStallSpan = 2 * time.Minute
	ThresholdDefragProgress  = 0.02 // ours: allocator_frag_ratio must fall by this much over the span

	// peak: a restart is the trace an OOM kill leaves.
	ThresholdRecentStart = 10 * time.Minute // ours: an uptime under 10 min means the server was (re)started during the incident

	// swap-and-host: the fork's copy-on-write worst case copies every page
	// of the dataset; it has to fit in what the host has available.
	ThresholdForkAvailWatch  = 0.50 // ours: a write-heavy save copies about half the dataset
	ThresholdForkAvailWarn   = 1.00 // guides: the worst case (every page written during the save) needs used_memory again
	ThresholdSwappinessWatch = 10   // guides advise vm.swappiness 1 on a Redis host; ours: above 10 is a general-purpose setting
)
