package model

import (
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// mdCell makes a server string safe inside a Markdown table cell: controls
// escaped by Sanitize, then the characters Markdown would act on.
func mdCell(s string, width int) string {
	s = Sanitize(s, width)
	r := strings.NewReplacer("|", `\|`, "`", "'", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

// writeChecklistMarkdown writes a checklist: a table of every check, then,
// under headings of the given level, each check that is not ok with its
// reason, evidence, advice and commands.
func writeChecklistMarkdown(b *strings.Builder, cl Checklist, heading string) {
	p := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	p("| | check | finding |\n|---|---|---|\n")
	for _, c := range cl {
		p("| %s %s | %s | %s |\n", c.Status.Mark(), c.Status, mdCell(c.ID, 40), mdCell(c.Title, 0))
	}
	for _, c := range cl {
		if c.Status == StatusOK {
			continue
		}
		p("\n%s %s %s — %s\n\n", heading, c.Status.Mark(), mdCell(c.ID, 40), mdCell(c.Title, 0))
		if c.Reason != "" {
			p("Unknown: %s\n\n", mdCell(c.Reason, 0))
		}
		for _, e := range c.Evidence {
			p("- %s\n", mdCell(e, 0))
		}
		if c.Advice != "" {
			p("\n%s\n", mdCell(c.Advice, 0))
		}
		if len(c.Commands) > 0 {
			p("\n```\n")
			for _, cmd := range c.Commands {
				p("%s\n", mdFenced(cmd, 0))
			}
			p("```\n")
		}
	}
}

// mdFenced makes a server string safe inside a fenced code block: escaped,
// and unable to close the fence.
func mdFenced(s string, width int) string {
	return strings.ReplaceAll(Sanitize(s, width), "```", "'''")
}

func mdNum(o Opt) string {
	if v, ok := o.Get(); ok {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return "—"
}

func mdBytes(o Opt) string {
	if v, ok := o.Get(); ok {
		return fmt.Sprintf("%s (%s)", Bytes(v), strconv.FormatFloat(v, 'f', -1, 64))
	}
	return "—"
}

// WriteMarkdown writes the report for people. Every server string is escaped.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	p("# redis-memtop incident report\n\n")
	p("- Generated: %s\n", r.GeneratedAt.Format(time.RFC3339))
	p("- Target: `%s` (db %d, %s)\n", mdCell(r.Target.Addr, 120), r.Target.DB, mdCell(r.Target.Mode, 20))
	p("- Server: %s %s, role %s, uptime %s, run_id `%s`\n",
		mdCell(string(r.Server.Product), 20), mdCell(string(r.Server.Version), 40), mdCell(string(r.Server.Role), 20),
		uptimeText(r.Server.UptimeSeconds), mdCell(string(r.Server.RunID), 40))
	for _, n := range r.Notes {
		p("- Note: %s\n", mdCell(n, 0))
	}
	b.WriteString(actionsMarkdown(r.Actions))
	if r.Cluster != nil {
		b.WriteString(r.Cluster.SummaryMarkdown())
	}

	if v := r.Verdict; v != nil {
		p("\n## Verdict: %s (%s confidence)\n\n%s\n", mdCell(string(v.Kind), 40), mdCell(string(v.Confidence), 20), mdCell(v.Summary, 0))
		for _, e := range v.Evidence {
			p("\n- %s", mdCell(e, 0))
		}
		if len(v.Evidence) > 0 {
			p("\n")
		}
	}
	if len(r.Checklist) > 0 {
		p("\n## Checklist\n\n")
		writeChecklistMarkdown(&b, r.Checklist, "###")
	}

	p("\n## Memory\n\n| figure | value |\n|---|---|\n")
	m := &r.Memory
	rows := []struct {
		name string
		v    string
	}{
		{"used_memory", mdBytes(m.UsedMemory)},
		{"used_memory_rss", mdBytes(m.UsedMemoryRSS)},
		{"used_memory_peak", mdBytes(m.UsedMemoryPeak)},
		{"used_memory_dataset", mdBytes(m.UsedMemoryDataset)},
		{"used_memory_overhead", mdBytes(m.UsedMemoryOverhead)},
		{"maxmemory", maxmemoryText(m.MaxMemory)},
		{"maxmemory_policy", mdText(m.MaxMemoryPolicy)},
		{"mem_fragmentation_ratio", mdNum(m.MemFragmentationRatio)},
		{"mem_fragmentation_bytes", mdBytes(m.MemFragmentationBytes)},
		{"allocator_frag_ratio / bytes", mdNum(m.AllocatorFragRatio) + " / " + mdBytes(m.AllocatorFragBytes)},
		{"allocator_rss_ratio / bytes", mdNum(m.AllocatorRSSRatio) + " / " + mdBytes(m.AllocatorRSSBytes)},
		{"rss_overhead_ratio / bytes", mdNum(m.RSSOverheadRatio) + " / " + mdBytes(m.RSSOverheadBytes)},
		{"mem_clients_normal", mdBytes(m.MemClientsNormal)},
		{"mem_clients_slaves", mdBytes(m.MemClientsSlaves)},
		{"mem_replication_backlog", mdBytes(m.MemReplicationBacklog)},
		{"mem_not_counted_for_evict", mdBytes(m.MemNotCountedForEvict)},
		{"total_system_memory", mdBytes(m.TotalSystemMemory)},
		{"mem_allocator", mdText(m.MemAllocator)},
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
		{"rdb_bgsave_in_progress", mdNum(pe.RDBBgsaveInProgress)},
		{"aof_rewrite_in_progress", mdNum(pe.AOFRewriteInProgress)},
		{"current_cow_size", mdBytes(pe.CurrentCOWSize)},
		{"current_cow_peak", mdBytes(pe.CurrentCOWPeak)},
		{"current_fork_perc", mdNum(pe.CurrentForkPerc)},
		{"current_save_keys_processed / total", mdNum(pe.CurrentSaveKeysProcessed) + " / " + mdNum(pe.CurrentSaveKeysTotal)},
		{"rdb_last_cow_size", mdBytes(pe.RDBLastCOWSize)},
		{"aof_last_cow_size", mdBytes(pe.AOFLastCOWSize)},
		{"latest_fork_usec", mdNum(r.Stats.LatestForkUsec)},
		{"rdb_last_bgsave_status", mdText(pe.RDBLastBgsaveStatus)},
		{"rdb_last_save_time", epochText(pe.RDBLastSaveTime)},
		{"rdb_changes_since_last_save", mdNum(pe.RDBChangesSinceLastSave)},
		{"aof_enabled", mdNum(pe.AOFEnabled)},
	} {
		p("| %s | %s |\n", row.name, row.v)
	}

	s := &r.Stats
	p("\n## Limits, eviction and clients\n\n| figure | value |\n|---|---|\n")
	for _, row := range []struct {
		name string
		v    string
	}{
		{"evicted_keys", mdNum(s.EvictedKeys)},
		{"evicted keys / s", mdNum(roundOpt(r.Rates.EvictedKeysPerSec))},
		{"expired_keys", mdNum(s.ExpiredKeys)},
		{"expired keys / s", mdNum(roundOpt(r.Rates.ExpiredKeysPerSec))},
		{"OOM error replies (errorstat_OOM)", mdNum(s.ErrorstatOOM)},
		{"commands / s", mdNum(roundOpt(r.Rates.CommandsPerSec))},
		{"connected_clients", mdNum(s.ConnectedClients)},
		{"client_recent_max_output_buffer", mdBytes(s.ClientRecentMaxOutputBuffer)},
		{"connected_slaves", mdNum(s.ConnectedSlaves)},
	} {
		p("| %s | %s |\n", row.name, row.v)
	}

	p("\n## Keyspace\n\n")
	if len(r.Keyspace) == 0 {
		p("No keys.\n")
	} else {
		p("| db | keys | with TTL | avg_ttl (ms) |\n|---|---|---|---|\n")
		for _, k := range r.Keyspace {
			p("| %d | %s | %s | %s |\n", k.DB, mdNum(k.Keys), mdNum(k.Expires), mdNum(k.AvgTTL))
		}
	}

	if h := r.History; h != nil {
		p("\n## History (%s to %s, %d samples, %d gaps)\n\n", h.From.Format(time.TimeOnly), h.To.Format(time.TimeOnly), h.Samples, h.Gaps)
		p("| figure | min | max | last |\n|---|---|---|---|\n")
		p("| used_memory | %s | %s | %s |\n", mdBytes(h.UsedMemory.Min), mdBytes(h.UsedMemory.Max), mdBytes(h.UsedMemory.Last))
		p("| used_memory_rss | %s | %s | %s |\n", mdBytes(h.UsedMemoryRSS.Min), mdBytes(h.UsedMemoryRSS.Max), mdBytes(h.UsedMemoryRSS.Last))
		p("| mem_fragmentation_ratio | %s | %s | %s |\n", mdNum(h.Fragmentation.Min), mdNum(h.Fragmentation.Max), mdNum(h.Fragmentation.Last))
		if len(h.Events) > 0 {
			p("\nEvents:\n\n")
			for _, e := range h.Events {
				p("- %s %s %s\n", e.Time.Format(time.TimeOnly), e.Kind, mdCell(e.Detail, 80))
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
			p("| %s | `%s` |\n", mdCell(k, 60), mdCell(r.Config[k], 120))
		}
	}

	if c := r.Clients; c != nil {
		p("\n## Clients (CLIENT LIST): %d, total memory %s, output buffers %s\n\n", c.Count, mdBytes(c.TotalMem), mdBytes(c.TotalOmem))
		if len(c.Top) > 0 {
			p("| id | addr | name | tot-mem | omem | cmd |\n|---|---|---|---|---|---|\n")
			for _, ci := range c.Top {
				p("| %s | %s | %s | %s | %s | %s |\n", mdCell(ci.ID, 20), mdCell(ci.Addr, 48), mdCell(ci.Name, 32),
					mdBytes(ci.TotMem), mdBytes(ci.Omem), mdCell(ci.Cmd, 32))
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
			p("# %s\n", mdFenced(sec.Name, 60))
			for _, f := range sec.Fields {
				p("%s:%s\n", mdFenced(f[0], 120), mdFenced(f[1], 400))
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
			p("- %s: %s\n", mdCell(k, 40), mdCell(r.Unavailable[k], 200))
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

func roundOpt(o Opt) Opt {
	if v, ok := o.Get(); ok {
		return Some(float64(int64(v*100+0.5)) / 100)
	}
	return o
}

func mdText(t Text) string {
	if t == "" {
		return "—"
	}
	return mdCell(string(t), 60)
}

func maxmemoryText(o Opt) string {
	if v, ok := o.Get(); ok && v == 0 {
		return "0 (no limit)"
	}
	return mdBytes(o)
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
