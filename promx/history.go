package promx

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	pm "github.com/prometheus/common/model"

	"github.com/redis-memtop/redis-memtop/model"
)

// field sets one figure of a sample from a metric's value.
type field func(s *model.Sample, v float64)

func opt(get func(s *model.Sample) *model.Opt) field {
	return func(s *model.Sample, v float64) { *get(s) = model.Some(v) }
}

// fields maps redis_exporter's metric names (1.45, checked against its
// /metrics on a real server) to the INFO fields of a sample. Metrics not
// listed are not read.
var fields = map[string]field{
	"redis_memory_used_bytes":                  opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemory }),
	"redis_memory_used_rss_bytes":              opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryRSS }),
	"redis_memory_used_peak_bytes":             opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryPeak }),
	"redis_memory_used_overhead_bytes":         opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryOverhead }),
	"redis_memory_used_startup_bytes":          opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryStartup }),
	"redis_memory_used_dataset_bytes":          opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryDataset }),
	"redis_memory_used_lua_bytes":              opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryLua }),
	"redis_memory_used_scripts_bytes":          opt(func(s *model.Sample) *model.Opt { return &s.Memory.UsedMemoryScripts }),
	"redis_number_of_cached_scripts":           opt(func(s *model.Sample) *model.Opt { return &s.Memory.NumberOfCachedScripts }),
	"redis_memory_max_bytes":                   opt(func(s *model.Sample) *model.Opt { return &s.Memory.MaxMemory }),
	"redis_total_system_memory_bytes":          opt(func(s *model.Sample) *model.Opt { return &s.Memory.TotalSystemMemory }),
	"redis_mem_fragmentation_ratio":            opt(func(s *model.Sample) *model.Opt { return &s.Memory.MemFragmentationRatio }),
	"redis_mem_fragmentation_bytes":            opt(func(s *model.Sample) *model.Opt { return &s.Memory.MemFragmentationBytes }),
	"redis_allocator_allocated_bytes":          opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorAllocated }),
	"redis_allocator_active_bytes":             opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorActive }),
	"redis_allocator_resident_bytes":           opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorResident }),
	"redis_allocator_frag_ratio":               opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorFragRatio }),
	"redis_allocator_frag_bytes":               opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorFragBytes }),
	"redis_allocator_rss_ratio":                opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorRSSRatio }),
	"redis_allocator_rss_bytes":                opt(func(s *model.Sample) *model.Opt { return &s.Memory.AllocatorRSSBytes }),
	"redis_mem_not_counted_for_eviction_bytes": opt(func(s *model.Sample) *model.Opt { return &s.Memory.MemNotCountedForEvict }),
	"redis_mem_clients_normal":                 opt(func(s *model.Sample) *model.Opt { return &s.Memory.MemClientsNormal }),
	"redis_mem_clients_slaves":                 opt(func(s *model.Sample) *model.Opt { return &s.Memory.MemClientsSlaves }),
	"redis_active_defrag_running":              opt(func(s *model.Sample) *model.Opt { return &s.Memory.ActiveDefragRunning }),
	"redis_lazyfree_pending_objects":           opt(func(s *model.Sample) *model.Opt { return &s.Memory.LazyfreePendingObjects }),

	"redis_loading_dump_file":               opt(func(s *model.Sample) *model.Opt { return &s.Persistence.Loading }),
	"redis_rdb_changes_since_last_save":     opt(func(s *model.Sample) *model.Opt { return &s.Persistence.RDBChangesSinceLastSave }),
	"redis_rdb_bgsave_in_progress":          opt(func(s *model.Sample) *model.Opt { return &s.Persistence.RDBBgsaveInProgress }),
	"redis_rdb_last_save_timestamp_seconds": opt(func(s *model.Sample) *model.Opt { return &s.Persistence.RDBLastSaveTime }),
	"redis_rdb_last_cow_size_bytes":         opt(func(s *model.Sample) *model.Opt { return &s.Persistence.RDBLastCOWSize }),
	"redis_aof_enabled":                     opt(func(s *model.Sample) *model.Opt { return &s.Persistence.AOFEnabled }),
	"redis_aof_rewrite_in_progress":         opt(func(s *model.Sample) *model.Opt { return &s.Persistence.AOFRewriteInProgress }),
	"redis_aof_last_cow_size_bytes":         opt(func(s *model.Sample) *model.Opt { return &s.Persistence.AOFLastCOWSize }),
	"redis_module_fork_in_progress":         opt(func(s *model.Sample) *model.Opt { return &s.Persistence.ModuleForkInProgress }),
	"redis_rdb_last_bgsave_status": func(s *model.Sample, v float64) {
		s.Persistence.RDBLastBgsaveStatus = okErr(v)
	},
	"redis_aof_last_bgrewrite_status": func(s *model.Sample, v float64) {
		s.Persistence.AOFLastBgrewriteStatus = okErr(v)
	},

	"redis_evicted_keys_total":                    opt(func(s *model.Sample) *model.Opt { return &s.Stats.EvictedKeys }),
	"redis_expired_keys_total":                    opt(func(s *model.Sample) *model.Opt { return &s.Stats.ExpiredKeys }),
	"redis_commands_processed_total":              opt(func(s *model.Sample) *model.Opt { return &s.Stats.TotalCommandsProcessed }),
	"redis_connections_received_total":            opt(func(s *model.Sample) *model.Opt { return &s.Stats.TotalConnectionsReceived }),
	"redis_rejected_connections_total":            opt(func(s *model.Sample) *model.Opt { return &s.Stats.RejectedConnections }),
	"redis_net_input_bytes_total":                 opt(func(s *model.Sample) *model.Opt { return &s.Stats.TotalNetInputBytes }),
	"redis_net_output_bytes_total":                opt(func(s *model.Sample) *model.Opt { return &s.Stats.TotalNetOutputBytes }),
	"redis_keyspace_hits_total":                   opt(func(s *model.Sample) *model.Opt { return &s.Stats.KeyspaceHits }),
	"redis_keyspace_misses_total":                 opt(func(s *model.Sample) *model.Opt { return &s.Stats.KeyspaceMisses }),
	"redis_total_error_replies":                   opt(func(s *model.Sample) *model.Opt { return &s.Stats.TotalErrorReplies }),
	"redis_connected_clients":                     opt(func(s *model.Sample) *model.Opt { return &s.Stats.ConnectedClients }),
	"redis_blocked_clients":                       opt(func(s *model.Sample) *model.Opt { return &s.Stats.BlockedClients }),
	"redis_config_maxclients":                     opt(func(s *model.Sample) *model.Opt { return &s.Stats.MaxClients }),
	"redis_client_recent_max_input_buffer_bytes":  opt(func(s *model.Sample) *model.Opt { return &s.Stats.ClientRecentMaxInputBuffer }),
	"redis_client_recent_max_output_buffer_bytes": opt(func(s *model.Sample) *model.Opt { return &s.Stats.ClientRecentMaxOutputBuffer }),
	"redis_connected_slaves":                      opt(func(s *model.Sample) *model.Opt { return &s.Stats.ConnectedSlaves }),
	"redis_repl_backlog_is_active":                opt(func(s *model.Sample) *model.Opt { return &s.Stats.ReplBacklogActive }),
	"redis_master_repl_offset":                    opt(func(s *model.Sample) *model.Opt { return &s.Stats.MasterReplOffset }),
	"redis_cpu_sys_seconds_total":                 opt(func(s *model.Sample) *model.Opt { return &s.Stats.UsedCPUSys }),
	"redis_cpu_user_seconds_total":                opt(func(s *model.Sample) *model.Opt { return &s.Stats.UsedCPUUser }),
	"redis_latest_fork_seconds": func(s *model.Sample, v float64) {
		s.Stats.LatestForkUsec = model.Some(math.Round(v * 1e6))
	},

	"redis_uptime_in_seconds": opt(func(s *model.Sample) *model.Opt { return &s.Server.Uptime }),
	"redis_process_id":        opt(func(s *model.Sample) *model.Opt { return &s.Server.ProcessID }),
	"redis_cluster_enabled":   opt(func(s *model.Sample) *model.Opt { return &s.Server.Cluster }),
}

// The metrics read with labels of their own.
const (
	metricInfo      = "redis_instance_info"
	metricUp        = "redis_up"
	metricKeys      = "redis_db_keys"
	metricExpiring  = "redis_db_keys_expiring"
	metricAvgTTL    = "redis_db_avg_ttl_seconds"
	metricErrors    = "redis_errors_total"
	maxPointsPerSet = 11000 // a series' points per query: Prometheus refuses more than 11,000 in a range query
)

func okErr(v float64) model.Text {
	if v == 1 {
		return "ok"
	}
	return "err"
}

// metricNames is the regular expression of every metric read.
func metricNames() string {
	names := make([]string, 0, 6+len(fields))
	names = append(names, metricInfo, metricUp, metricKeys, metricExpiring, metricAvgTTL, metricErrors)
	for n := range fields {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, "|")
}

// History reads the target's scrapes over (from, to] — raw, one sample per
// scrape, so their times are the scrapes' and a missed scrape stays a gap —
// and turns each into a model.Sample marked Backfilled. Scrapes closer than
// minStep to the previous one kept are skipped (a poll period is finer
// than the monitor needs); at most maxSamples are kept, the newest.
// product is the live server's (the exporter does not tell Valkey apart).
func (c *Client) History(ctx context.Context, m Match, from, to time.Time, minStep time.Duration, maxSamples int, product model.Product) ([]model.Sample, error) {
	every, err := c.scrapeInterval(ctx, m, to)
	if err != nil {
		return nil, err
	}
	// One query per chunk, each a range selector read raw at the chunk's
	// end: a series' points per answer stay bounded however long the
	// window.
	chunk := max(every*maxPointsPerSet/2, time.Minute)
	byTime := map[int64]*scrape{}
	for end := to; end.After(from); end = end.Add(-chunk) {
		span := min(chunk, end.Sub(from))
		q := fmt.Sprintf(`{__name__=~%q,%s}[%dms]`, metricNames(), m.Selector(), span.Milliseconds())
		v, err := c.query(ctx, q, end)
		if err != nil {
			return nil, err
		}
		mat, ok := v.(pm.Matrix)
		if !ok {
			return nil, &QueryError{Msg: fmt.Sprintf("unexpected answer to a range selector: %s", v.Type())}
		}
		for _, ss := range mat {
			for _, p := range ss.Values {
				sc := byTime[int64(p.Timestamp)]
				if sc == nil {
					sc = &scrape{}
					byTime[int64(p.Timestamp)] = sc
				}
				sc.add(ss.Metric, float64(p.Value))
			}
		}
	}
	return assemble(byTime, every, minStep, maxSamples, product), nil
}

// scrape is one scrape's values, gathered metric by metric.
type scrape struct {
	vals []struct {
		lbl pm.Metric
		v   float64
	}
}

func (s *scrape) add(lbl pm.Metric, v float64) {
	s.vals = append(s.vals, struct {
		lbl pm.Metric
		v   float64
	}{lbl, v})
}

// assemble orders the scrapes, thins them to minStep, marks the missed
// ones as gaps and keeps the newest maxSamples.
func assemble(byTime map[int64]*scrape, every, minStep time.Duration, maxSamples int, product model.Product) []model.Sample {
	times := make([]int64, 0, len(byTime))
	for t := range byTime {
		times = append(times, t)
	}
	slices.Sort(times)
	var out []model.Sample
	var last time.Time
	for _, ms := range times {
		t := time.UnixMilli(ms).UTC()
		if !last.IsZero() && t.Sub(last) < minStep*3/4 { // scrapes jitter around their interval
			continue
		}
		// A scrape missed (Prometheus or the exporter was down, or the
		// target was not scraped): the stored data has a gap, and so does
		// the history.
		if !last.IsZero() && t.Sub(last) > 2*max(every, minStep)+every/2 {
			out = append(out, model.Sample{Time: last.Add(max(every, minStep)), Err: "no data in Prometheus", Backfilled: true})
		}
		out = append(out, byTime[ms].sample(t, product))
		last = t
	}
	if maxSamples > 0 && len(out) > maxSamples {
		out = out[len(out)-maxSamples:]
	}
	return out
}

// sample turns one scrape into a sample as a poll would have read it.
func (s *scrape) sample(t time.Time, product model.Product) model.Sample {
	out := model.Sample{Time: t, Backfilled: true}
	up := true
	dbs := map[int]*model.DBKeys{}
	db := func(lbl pm.Metric) *model.DBKeys {
		n, err := strconv.Atoi(strings.TrimPrefix(string(lbl["db"]), "db"))
		if err != nil {
			return nil
		}
		if dbs[n] == nil {
			dbs[n] = &model.DBKeys{DB: n}
		}
		return dbs[n]
	}
	for _, mv := range s.vals {
		name := string(mv.lbl[pm.MetricNameLabel])
		switch name {
		case metricUp:
			up = mv.v == 1
		case metricInfo:
			out.Server.RunID = model.Text(mv.lbl["run_id"])
			out.Server.RedisVersion = model.Text(mv.lbl["redis_version"])
			out.Server.Version = out.Server.RedisVersion
			out.Server.Role = model.Text(mv.lbl["role"])
			out.Server.Mode = model.Text(mv.lbl["redis_mode"])
			out.Memory.MaxMemoryPolicy = model.Text(mv.lbl["maxmemory_policy"])
			if p, err := strconv.ParseFloat(string(mv.lbl["tcp_port"]), 64); err == nil {
				out.Server.TCPPort = model.Some(p)
			}
		case metricKeys:
			if d := db(mv.lbl); d != nil {
				d.Keys = model.Some(mv.v)
			}
		case metricExpiring:
			if d := db(mv.lbl); d != nil {
				d.Expires = model.Some(mv.v)
			}
		case metricAvgTTL:
			if d := db(mv.lbl); d != nil {
				d.AvgTTL = model.Some(mv.v * 1000)
			}
		case metricErrors:
			if mv.lbl["err"] == "OOM" {
				out.Stats.ErrorstatOOM = model.Some(mv.v)
			}
		default:
			if f := fields[name]; f != nil {
				f(&out, mv.v)
			}
		}
	}
	if !up {
		return model.Sample{Time: t, Err: "redis_exporter could not read the server (redis_up 0)", Backfilled: true}
	}
	// INFO keyspace lists only the databases that hold keys; the exporter
	// lists every one of them.
	for _, n := range slices.Sorted(maps.Keys(dbs)) {
		if d := dbs[n]; d.Keys.Or(0) > 0 {
			out.Keyspace = append(out.Keyspace, *d)
		}
	}
	out.Server.Product = product
	if product == "" {
		out.Server.Product = model.ProductRedis
	}
	out.Sections = []string{"server", "clients", "memory", "persistence", "stats", "replication", "cpu", "keyspace"}
	return out
}

// scrapeInterval is the time between the target's scrapes, read from
// redis_up's last few minutes (the median step).
func (c *Client) scrapeInterval(ctx context.Context, m Match, now time.Time) (time.Duration, error) {
	v, err := c.query(ctx, fmt.Sprintf(`%s{%s}[5m]`, metricUp, m.Selector()), now)
	if err != nil {
		return 0, err
	}
	mat, _ := v.(pm.Matrix)
	var steps []time.Duration
	for _, ss := range mat {
		for i := 1; i < len(ss.Values); i++ {
			steps = append(steps, ss.Values[i].Timestamp.Sub(ss.Values[i-1].Timestamp))
		}
	}
	if len(steps) == 0 {
		return 15 * time.Second, nil // Prometheus's default scrape interval
	}
	slices.Sort(steps)
	return steps[len(steps)/2], nil
}

// LastScrape is the time of the target's latest scrape Prometheus holds.
func (c *Client) LastScrape(ctx context.Context, m Match, now time.Time) (time.Time, error) {
	v, err := c.query(ctx, fmt.Sprintf(`timestamp(%s{%s})`, metricUp, m.Selector()), now)
	if err != nil {
		return time.Time{}, err
	}
	vec, _ := v.(pm.Vector)
	if len(vec) == 0 {
		return time.Time{}, &QueryError{Msg: fmt.Sprintf("no recent scrape of %s", m.Instance)}
	}
	sec := float64(vec[0].Value)
	return time.Unix(0, int64(sec*1e9)).UTC(), nil
}

func (c *Client) query(ctx context.Context, q string, at time.Time) (pm.Value, error) {
	qctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	v, _, _, err := c.api.Query(qctx, q, at)
	if err != nil {
		return nil, c.fail(err)
	}
	return v, nil
}
