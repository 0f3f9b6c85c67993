package model

import "time"

// Product names the server family, detected from INFO the way
// reference/redis-info-fields.md §11.21 says (never from redis_version alone).
type Product string

// The products redis-memtop knows.
const (
	ProductRedis       Product = "redis"
	ProductValkey      Product = "valkey"
	ProductKeyDB       Product = "keydb"
	ProductDragonfly   Product = "dragonfly"
	ProductElastiCache Product = "elasticache"
	ProductMemoryDB    Product = "memorydb"
	ProductUnknown     Product = "unknown"
)

// Server identifies the server a sample came from.
type Server struct {
	Product      Product `json:"product"`
	Version      Text    `json:"version"`       // the real version (valkey_version, dragonfly_version …)
	RedisVersion Text    `json:"redis_version"` // as reported, compatibility only
	Mode         Text    `json:"mode"`          // standalone / cluster / sentinel
	Role         Text    `json:"role"`
	RunID        Text    `json:"run_id"`
	Uptime       Opt     `json:"uptime_seconds"`
	ProcessID    Opt     `json:"process_id"`
	TCPPort      Opt     `json:"tcp_port"`
	Executable   Text    `json:"executable"`
	OS           Text    `json:"os"`
	ConfigFile   Text    `json:"config_file"`
	Hz           Opt     `json:"hz"`
	Cluster      Opt     `json:"cluster_enabled"`
}

// Memory holds INFO memory, with the INFO field names as JSON keys.
type Memory struct {
	UsedMemory                 Opt  `json:"used_memory"`
	UsedMemoryRSS              Opt  `json:"used_memory_rss"`
	UsedMemoryPeak             Opt  `json:"used_memory_peak"`
	UsedMemoryPeakPerc         Opt  `json:"used_memory_peak_perc"`
	UsedMemoryOverhead         Opt  `json:"used_memory_overhead"`
	UsedMemoryStartup          Opt  `json:"used_memory_startup"`
	UsedMemoryDataset          Opt  `json:"used_memory_dataset"`
	UsedMemoryDatasetPerc      Opt  `json:"used_memory_dataset_perc"`
	AllocatorAllocated         Opt  `json:"allocator_allocated"`
	AllocatorActive            Opt  `json:"allocator_active"`
	AllocatorResident          Opt  `json:"allocator_resident"`
	TotalSystemMemory          Opt  `json:"total_system_memory"`
	UsedMemoryLua              Opt  `json:"used_memory_lua"`
	UsedMemoryVMTotal          Opt  `json:"used_memory_vm_total"`
	UsedMemoryScripts          Opt  `json:"used_memory_scripts"`
	NumberOfCachedScripts      Opt  `json:"number_of_cached_scripts"`
	MaxMemory                  Opt  `json:"maxmemory"`
	MaxMemoryPolicy            Text `json:"maxmemory_policy"`
	AllocatorFragRatio         Opt  `json:"allocator_frag_ratio"`
	AllocatorFragBytes         Opt  `json:"allocator_frag_bytes"`
	AllocatorRSSRatio          Opt  `json:"allocator_rss_ratio"`
	AllocatorRSSBytes          Opt  `json:"allocator_rss_bytes"`
	RSSOverheadRatio           Opt  `json:"rss_overhead_ratio"`
	RSSOverheadBytes           Opt  `json:"rss_overhead_bytes"`
	MemFragmentationRatio      Opt  `json:"mem_fragmentation_ratio"`
	MemFragmentationBytes      Opt  `json:"mem_fragmentation_bytes"`
	MemNotCountedForEvict      Opt  `json:"mem_not_counted_for_evict"`
	MemReplicationBacklog      Opt  `json:"mem_replication_backlog"`
	MemTotalReplicationBuffers Opt  `json:"mem_total_replication_buffers"`
	MemClientsSlaves           Opt  `json:"mem_clients_slaves"`
	MemClientsNormal           Opt  `json:"mem_clients_normal"`
	MemClusterLinks            Opt  `json:"mem_cluster_links"`
	MemAOFBuffer               Opt  `json:"mem_aof_buffer"`
	MemAllocator               Text `json:"mem_allocator"`
	ActiveDefragRunning        Opt  `json:"active_defrag_running"`
	LazyfreePendingObjects     Opt  `json:"lazyfree_pending_objects"`
}

// Persistence holds INFO persistence, with the INFO field names as JSON keys.
type Persistence struct {
	Loading                  Opt  `json:"loading"`
	AsyncLoading             Opt  `json:"async_loading"`
	RDBChangesSinceLastSave  Opt  `json:"rdb_changes_since_last_save"`
	RDBBgsaveInProgress      Opt  `json:"rdb_bgsave_in_progress"`
	RDBLastSaveTime          Opt  `json:"rdb_last_save_time"`
	RDBLastBgsaveStatus      Text `json:"rdb_last_bgsave_status"`
	RDBLastBgsaveTimeSec     Opt  `json:"rdb_last_bgsave_time_sec"`
	RDBCurrentBgsaveTimeSec  Opt  `json:"rdb_current_bgsave_time_sec"`
	RDBSaves                 Opt  `json:"rdb_saves"`
	RDBLastCOWSize           Opt  `json:"rdb_last_cow_size"`
	AOFEnabled               Opt  `json:"aof_enabled"`
	AOFRewriteInProgress     Opt  `json:"aof_rewrite_in_progress"`
	AOFRewriteScheduled      Opt  `json:"aof_rewrite_scheduled"`
	AOFLastRewriteTimeSec    Opt  `json:"aof_last_rewrite_time_sec"`
	AOFCurrentRewriteTimeSec Opt  `json:"aof_current_rewrite_time_sec"`
	AOFLastBgrewriteStatus   Text `json:"aof_last_bgrewrite_status"`
	AOFLastWriteStatus       Text `json:"aof_last_write_status"`
	AOFRewrites              Opt  `json:"aof_rewrites"`
	AOFLastCOWSize           Opt  `json:"aof_last_cow_size"`
	ModuleForkInProgress     Opt  `json:"module_fork_in_progress"`
	ModuleForkLastCOWSize    Opt  `json:"module_fork_last_cow_size"`
	CurrentCOWSize           Opt  `json:"current_cow_size"`
	CurrentCOWSizeAge        Opt  `json:"current_cow_size_age"`
	CurrentCOWPeak           Opt  `json:"current_cow_peak"`
	CurrentForkPerc          Opt  `json:"current_fork_perc"`
	CurrentSaveKeysProcessed Opt  `json:"current_save_keys_processed"`
	CurrentSaveKeysTotal     Opt  `json:"current_save_keys_total"`
}

// Stats holds the INFO stats, clients, replication, errorstats and CPU
// figures the panes and rules use, with the INFO field names as JSON keys.
type Stats struct {
	TotalConnectionsReceived              Opt  `json:"total_connections_received"`
	TotalCommandsProcessed                Opt  `json:"total_commands_processed"`
	InstantaneousOpsPerSec                Opt  `json:"instantaneous_ops_per_sec"`
	TotalNetInputBytes                    Opt  `json:"total_net_input_bytes"`
	TotalNetOutputBytes                   Opt  `json:"total_net_output_bytes"`
	RejectedConnections                   Opt  `json:"rejected_connections"`
	ExpiredKeys                           Opt  `json:"expired_keys"`
	EvictedKeys                           Opt  `json:"evicted_keys"`
	EvictedClients                        Opt  `json:"evicted_clients"`
	KeyspaceHits                          Opt  `json:"keyspace_hits"`
	KeyspaceMisses                        Opt  `json:"keyspace_misses"`
	LatestForkUsec                        Opt  `json:"latest_fork_usec"`
	TotalForks                            Opt  `json:"total_forks"`
	TotalErrorReplies                     Opt  `json:"total_error_replies"`
	CurrentEvictionExceededTime           Opt  `json:"current_eviction_exceeded_time"`
	ActiveDefragHits                      Opt  `json:"active_defrag_hits"`
	ActiveDefragMisses                    Opt  `json:"active_defrag_misses"`
	ClientOutputBufferLimitDisconnections Opt  `json:"client_output_buffer_limit_disconnections"`
	ErrorstatOOM                          Opt  `json:"errorstat_OOM"` // errorstats: count of OOM error replies
	ConnectedClients                      Opt  `json:"connected_clients"`
	BlockedClients                        Opt  `json:"blocked_clients"`
	MaxClients                            Opt  `json:"maxclients"`
	PubsubClients                         Opt  `json:"pubsub_clients"`
	ClientRecentMaxInputBuffer            Opt  `json:"client_recent_max_input_buffer"`
	ClientRecentMaxOutputBuffer           Opt  `json:"client_recent_max_output_buffer"`
	ConnectedSlaves                       Opt  `json:"connected_slaves"`
	ReplBacklogActive                     Opt  `json:"repl_backlog_active"`
	ReplBacklogSize                       Opt  `json:"repl_backlog_size"`
	MasterReplOffset                      Opt  `json:"master_repl_offset"`
	MasterLinkStatus                      Text `json:"master_link_status"`
	UsedCPUSys                            Opt  `json:"used_cpu_sys"`
	UsedCPUUser                           Opt  `json:"used_cpu_user"`
}

// DBKeys is one line of INFO keyspace.
type DBKeys struct {
	DB      int `json:"db"`
	Keys    Opt `json:"keys"`
	Expires Opt `json:"expires"`
	AvgTTL  Opt `json:"avg_ttl"` // milliseconds, as the server reports it
}

// Sample is one poll of the server. A sample with Err set is a gap: the server
// could not be read at Time, and every other field is absent.
type Sample struct {
	Time        time.Time     `json:"time"`
	Latency     time.Duration `json:"latency_ns"` // round trip of the INFO call
	Err         string        `json:"err,omitempty"`
	Server      Server        `json:"server"`
	Memory      Memory        `json:"memory"`
	Persistence Persistence   `json:"persistence"`
	Stats       Stats         `json:"stats"`
	Keyspace    []DBKeys      `json:"keyspace"`
	// Commands are the O(N) reads of INFO commandstats (ONReadCommands),
	// those the server has counted; absent on servers that were not asked.
	Commands []CommandStat `json:"commandstats,omitempty"`
	// Sections lists the INFO sections the server returned, so a pane can tell
	// "the server has no such section" (sentinel, Dragonfly) from "zero".
	Sections []string `json:"sections,omitempty"`
	// Backfilled marks a sample read from stored history (Prometheus)
	// for the time before the first live poll, not polled live.
	Backfilled bool `json:"backfilled,omitempty"`
}

// IsGap reports whether the sample records a failed poll.
func (s *Sample) IsGap() bool { return s.Err != "" }

// HasSection reports whether INFO returned the named section (lower case).
func (s *Sample) HasSection(name string) bool {
	for _, n := range s.Sections {
		if n == name {
			return true
		}
	}
	return false
}

// ForkRunning reports whether a fork child (RDB save, AOF rewrite or module
// fork) is running according to this sample.
func (s *Sample) ForkRunning() bool {
	p := &s.Persistence
	return p.RDBBgsaveInProgress.IsTrue() || p.AOFRewriteInProgress.IsTrue() || p.ModuleForkInProgress.IsTrue()
}

// TotalKeys sums keys over the keyspace; absent when the server has no
// keyspace section.
func (s *Sample) TotalKeys() Opt { return s.sumKeyspace(func(d DBKeys) Opt { return d.Keys }) }

// TotalExpires sums keys with a TTL over the keyspace.
func (s *Sample) TotalExpires() Opt { return s.sumKeyspace(func(d DBKeys) Opt { return d.Expires }) }

func (s *Sample) sumKeyspace(get func(DBKeys) Opt) Opt {
	var sum float64
	seen := false
	for _, db := range s.Keyspace {
		if v, ok := get(db).Get(); ok {
			sum += v
			seen = true
		}
	}
	switch {
	case seen:
		return Some(sum)
	case s.HasSection("keyspace") && len(s.Keyspace) == 0:
		return Some(0) // the section is there and empty: no keys at all
	case s.HasSection("keyspace"):
		return None() // dbN lines whose counts do not parse (a lookalike): unknown, not 0
	default:
		return None()
	}
}

// ConnState is the state of the link to the server.
type ConnState string

// Connection states shown in the header.
const (
	ConnConnecting   ConnState = "connecting"
	ConnLive         ConnState = "live"
	ConnStalled      ConnState = "stalled"      // a poll is overdue but the link is not known dead
	ConnReconnecting ConnState = "reconnecting" // polls fail; retrying with back-off
)

// Conn reports a change of connection state.
type Conn struct {
	State   ConnState `json:"state"`
	Since   time.Time `json:"since"`
	Err     string    `json:"err,omitempty"` // one line, password-free
	Attempt int       `json:"attempt,omitempty"`
}
