package model

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// writeChecklistMarkdown writes a checklist: a table of every check, then,
// under headings of the given level, each check that is not ok with its
// reason, evidence, advice and commands.
func writeChecklistMarkdown(b *strings.Builder, cl Checklist, heading string) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("| | check | finding |\n|---|---|---|\n")
	for _, c := range cl {
		p("| %s %s | %s | %s |\n", c.Status.Mark(), c.Status, cell(c.ID, 40), cell(c.Title, 0))
	}
	for _, c := range cl {
		if c.Status == StatusOK {
			continue
		}
		p("\n%s %s %s — %s\n\n", heading, c.Status.Mark(), cell(c.ID, 40), cell(c.Title, 0))
		if c.Reason != "" {
			p("Unknown: %s\n\n", cell(c.Reason, 0))
		}
		for _, e := range c.Evidence {
			p("- %s\n", cell(e, 0))
		}
		if c.Advice != "" {
			p("\n%s\n", cell(c.Advice, 0))
		}
		if len(c.Commands) > 0 {
			p("\n```\n")
			for _, cmd := range c.Commands {
				p("%s\n", fenced(cmd, 0))
			}
			p("```\n")
		}
	}
}

// WriteMarkdown writes the report for people. Every server string is escaped.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# redis-memtop incident report\n\n")
	p("- Generated: %s\n", r.GeneratedAt.Format(time.RFC3339))
	p("- Target: `%s` (db %d, %s)\n", codeCell(r.Target.Addr, 120), r.Target.DB, cell(r.Target.Mode, 20))
	p("- Server: %s %s, role %s, uptime %s, run_id `%s`\n",
		cell(string(r.Server.Product), 20), cell(string(r.Server.Version), 40), cell(string(r.Server.Role), 20),
		uptimeText(r.Server.UptimeSeconds), cell(string(r.Server.RunID), 40))
	for _, n := range r.Notes {
		p("- Note: %s\n", cell(n, 0))
	}
	b.WriteString(actionsMarkdown(r.Actions))
	if r.Cluster != nil {
		b.WriteString(r.Cluster.SummaryMarkdown())
	}
	if r.ClusterUnavailable != "" {
		p("- Cluster: unavailable — %s; this report covers the node reached only\n", cell(r.ClusterUnavailable, 0))
	}

	if v := r.Verdict; v != nil {
		p("\n## Verdict: %s (%s confidence)\n\n%s\n", cell(string(v.Kind), 40), cell(string(v.Confidence), 20), cell(v.Summary, 0))
		if v.Earlier != "" {
			p("\nEarlier: %s\n", cell(v.Earlier, 0))
		}
		for _, e := range v.Evidence {
			p("\n- %s", cell(e, 0))
		}
		if len(v.Evidence) > 0 {
			p("\n")
		}
	}
	if ev, ok := r.Checklist.Reminder(); ok {
		// The evidence reminder under the verdict, not a row among the
		// findings.
		p("\n%s %s\n", ev.Status.Mark(), cell(ev.Title, 0))
	}
	if cl := r.Checklist.Findings(); len(cl) > 0 {
		p("\n## Checklist\n\n")
		writeChecklistMarkdown(&b, cl, "###")
	}

	p("\n## Memory\n\n| figure | value |\n|---|---|\n")
	m := &r.Memory
	rows := []struct {
		name string
		v    string
	}{
		{"used_memory", bytesCell(m.UsedMemory)},
		{"used_memory_rss", bytesCell(m.UsedMemoryRSS)},
		{"used_memory_peak", bytesCell(m.UsedMemoryPeak)},
		{"used_memory_dataset", bytesCell(m.UsedMemoryDataset)},
		{"used_memory_overhead", bytesCell(m.UsedMemoryOverhead)},
		{"maxmemory", maxmemoryText(m.MaxMemory)},
		{"maxmemory_policy", textCell(m.MaxMemoryPolicy)},
		{"mem_fragmentation_ratio", numberCell(m.MemFragmentationRatio)},
		{"mem_fragmentation_bytes", bytesCell(m.MemFragmentationBytes)},
		{"allocator_frag_ratio / bytes", numberCell(m.AllocatorFragRatio) + " / " + bytesCell(m.AllocatorFragBytes)},
		{"allocator_rss_ratio / bytes", numberCell(m.AllocatorRSSRatio) + " / " + bytesCell(m.AllocatorRSSBytes)},
		{"rss_overhead_ratio / bytes", numberCell(m.RSSOverheadRatio) + " / " + bytesCell(m.RSSOverheadBytes)},
		{"mem_clients_normal", bytesCell(m.MemClientsNormal)},
		{"mem_clients_slaves", bytesCell(m.MemClientsSlaves)},
		{"mem_replication_backlog", bytesCell(m.MemReplicationBacklog)},
		{"mem_not_counted_for_evict", bytesCell(m.MemNotCountedForEvict)},
		{"total_system_memory", bytesCell(m.TotalSystemMemory)},
		{"mem_allocator", textCell(m.MemAllocator)},
	}
	for _, row := range rows {
		p("| %s | %s |\n", row.name, row.v)
	}

	pe := &r.Persistence
	p("\n## Persistence and fork\n\n| figure | value |\n|---|---|\n")
	for _, row := range []struct {
		name string
		v    string
	}{
		{"rdb_bgsave_in_progress", numberCell(pe.RDBBgsaveInProgress)},
		{"aof_rewrite_in_progress", numberCell(pe.AOFRewriteInProgress)},
		{"current_cow_size", bytesCell(pe.CurrentCOWSize)},
		{"current_cow_peak", bytesCell(pe.CurrentCOWPeak)},
		{"current_fork_perc", numberCell(pe.CurrentForkPerc)},
		{"current_save_keys_processed / total", numberCell(pe.CurrentSaveKeysProcessed) + " / " + numberCell(pe.CurrentSaveKeysTotal)},
		{"rdb_last_cow_size", bytesCell(pe.RDBLastCOWSize)},
		{"aof_last_cow_size", bytesCell(pe.AOFLastCOWSize)},
		{"latest_fork_usec", numberCell(r.Stats.LatestForkUsec)},
		{"latest fork, graded", forkCell(r.Fork)},
		{"rdb_last_bgsave_status", textCell(pe.RDBLastBgsaveStatus)},
		{"rdb_last_save_time", epochText(pe.RDBLastSaveTime)},
		{"rdb_changes_since_last_save", numberCell(pe.RDBChangesSinceLastSave)},
		{"aof_enabled", numberCell(pe.AOFEnabled)},
	} {
		p("| %s | %s |\n", row.name, row.v)
	}

	s := &r.Stats
	p("\n## Limits, eviction and clients\n\n| figure | value |\n|---|---|\n")
	for _, row := range []struct {
		name string
		v    string
	}{
		{"rates over the last (s)", numberCell(roundOpt(r.Rates.IntervalSeconds))},
		{"evicted_keys", numberCell(s.EvictedKeys)},
		{"evicted keys / s", numberCell(roundOpt(r.Rates.EvictedKeysPerSec))},
		{"expired_keys", numberCell(s.ExpiredKeys)},
		{"expired keys / s", numberCell(roundOpt(r.Rates.ExpiredKeysPerSec))},
		{"OOM error replies (errorstat_OOM)", numberCell(s.ErrorstatOOM)},
		{"commands / s", numberCell(roundOpt(r.Rates.CommandsPerSec))},
		{"connected_clients", numberCell(s.ConnectedClients)},
		{"client_recent_max_output_buffer", bytesCell(s.ClientRecentMaxOutputBuffer)},
		{"connected_slaves", numberCell(s.ConnectedSlaves)},
	} {
		p("| %s | %s |\n", row.name, row.v)
	}

	p("\n## Keyspace\n\n")
	if len(r.Keyspace) == 0 {
		p("No keys.\n")
	} else {
		p("| db | keys | with TTL | avg_ttl (ms) |\n|---|---|---|---|\n")
		for _, k := range r.Keyspace {
			p("| %d | %s | %s | %s |\n", k.DB, numberCell(k.Keys), numberCell(k.Expires), numberCell(k.AvgTTL))
		}
	}

	if h := r.History; h != nil {
		p("\n## History (%s to %s, %d samples, %d gaps)\n\n", h.From.Format(time.TimeOnly), h.To.Format(time.TimeOnly), h.Samples, h.Gaps)
		p("| figure | min | max | last |\n|---|---|---|---|\n")
		p("| used_memory | %s | %s | %s |\n", bytesCell(h.UsedMemory.Min), bytesCell(h.UsedMemory.Max), bytesCell(h.UsedMemory.Last))
		p("| used_memory_rss | %s | %s | %s |\n", bytesCell(h.UsedMemoryRSS.Min), bytesCell(h.UsedMemoryRSS.Max), bytesCell(h.UsedMemoryRSS.Last))
		p("| mem_fragmentation_ratio | %s | %s | %s |\n", numberCell(h.Fragmentation.Min), numberCell(h.Fragmentation.Max), numberCell(h.Fragmentation.Last))
		if len(h.Events) > 0 {
			p("\nEvents:\n\n")
			for _, e := range h.Events {
				p("- %s %s %s\n", e.Time.Format(time.TimeOnly), e.Kind, cell(e.Detail, 80))
			}
		}
	}

	if r.BigKeys != nil {
		if _, err := io.WriteString(w, b.String()); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		b.Reset()
		p("\n")
		if err := r.BigKeys.Markdown(w); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}

	if len(r.Config) > 0 {
		p("\n## Configuration (CONFIG GET)\n\n| name | value |\n|---|---|\n")
		names := make([]string, 0, len(r.Config))
		for k := range r.Config {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			p("| %s | `%s` |\n", cell(k, 60), codeCell(r.Config[k], 120))
		}
	}

	if c := r.Clients; c != nil {
		p("\n## Clients (CLIENT LIST): %d, total memory %s, output buffers %s\n\n", c.Count, bytesCell(c.TotalMem), bytesCell(c.TotalOmem))
		if len(c.Top) > 0 {
			p("| id | addr | name | tot-mem | omem | cmd |\n|---|---|---|---|---|---|\n")
			for _, ci := range c.Top {
				p("| %s | %s | %s | %s | %s | %s |\n", cell(ci.ID, 20), cell(ci.Addr, 48), cell(ci.Name, 32),
					bytesCell(ci.TotMem), bytesCell(ci.Omem), cell(ci.Cmd, 32))
			}
		}
	}

	if r.Doctor != "" {
		p("\n## MEMORY DOCTOR\n\n")
		for _, line := range strings.Split(SanitizeMultiline(r.Doctor, 0), "\n") {
			p("> %s\n", line)
		}
	}

	if len(r.Info) > 0 {
		p("\n## INFO (latest)\n\n```\n")
		for _, sec := range r.Info {
			p("# %s\n", fenced(sec.Name, 60))
			for _, f := range sec.Fields {
				p("%s:%s\n", fenced(f[0], 120), fenced(f[1], 400))
			}
			p("\n")
		}
		p("```\n")
	}

	if len(r.Unavailable) > 0 {
		p("\n## Not available\n\n")
		names := make([]string, 0, len(r.Unavailable))
		for k := range r.Unavailable {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			p("- %s: %s\n", cell(k, 40), cell(r.Unavailable[k], 200))
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if r.Cluster != nil {
		return r.Cluster.NodesMarkdown(w)
	}
	return nil
}

// forkCell is the latest fork as the checklist grades it: "14.09 ms, RSS
// 1.02G at the fork … = 13.8ms/GB good (…)", or — when none was seen.
func forkCell(f *ReportFork) string {
	if f == nil {
		return "—"
	}
	return cell(strings.TrimPrefix(f.Summary, "latest_fork_usec: ")+" — "+string(f.Status), 0)
}

func roundOpt(o Opt) Opt {
	if v, ok := o.Get(); ok {
		return Some(float64(int64(v*100+0.5)) / 100)
	}
	return o
}

func maxmemoryText(o Opt) string {
	if v, ok := o.Get(); ok && v == 0 {
		return "0 (no limit)"
	}
	return bytesCell(o)
}

func uptimeText(o Opt) string {
	v, ok := o.Get()
	if !ok {
		return "—"
	}
	return (time.Duration(v) * time.Second).String()
}

func epochText(o Opt) string {
	v, ok := o.Get()
	if !ok {
		return "—"
	}
	return time.Unix(int64(v), 0).UTC().Format(time.RFC3339)
}
