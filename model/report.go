package model

import (
	"strings"
	"time"
)

// ReportSchema names the JSON shape of `redis-memtop report --format json`.
const ReportSchema = "redis-memtop.report/1"

// ReportTarget says what was examined; Addr is password-free.
type ReportTarget struct {
	Addr string `json:"addr"`
	DB   int    `json:"db"`
	Mode string `json:"mode"` // standalone / cluster / sentinel
}

// ReportServer identifies the server.
type ReportServer struct {
	Product       Product `json:"product"`
	Version       Text    `json:"version"`
	Role          Text    `json:"role"`
	UptimeSeconds Opt     `json:"uptime_seconds"`
	RunID         Text    `json:"run_id"`
}

// Rates are the per-second rates "now" (History.Recent): over the report's
// last ThresholdRecentRateSpan of samples, IntervalSeconds long.
type Rates struct {
	IntervalSeconds   Opt `json:"interval_seconds"`
	EvictedKeysPerSec Opt `json:"evicted_keys_per_sec"`
	ExpiredKeysPerSec Opt `json:"expired_keys_per_sec"`
	CommandsPerSec    Opt `json:"commands_per_sec"`
	OOMErrorsPerSec   Opt `json:"oom_errors_per_sec"`
}

// SeriesSummary is min / max / last of one figure over the report's window.
type SeriesSummary struct {
	Min  Opt `json:"min"`
	Max  Opt `json:"max"`
	Last Opt `json:"last"`
}

// HistorySummary summarises the history the report was made from.
type HistorySummary struct {
	From          time.Time     `json:"from"`
	To            time.Time     `json:"to"`
	Samples       int           `json:"samples"`
	Gaps          int           `json:"gaps"`
	UsedMemory    SeriesSummary `json:"used_memory"`
	UsedMemoryRSS SeriesSummary `json:"used_memory_rss"`
	Fragmentation SeriesSummary `json:"mem_fragmentation_ratio"`
	Events        []Event       `json:"events"`
}

// Report is the incident report: the non-interactive face of the tool and
// the evidence file the UI exports.
type Report struct {
	Schema      string            `json:"schema"`
	GeneratedAt time.Time         `json:"generated_at"`
	Target      ReportTarget      `json:"target"`
	Server      ReportServer      `json:"server"`
	Verdict     *VerdictResult    `json:"verdict,omitempty"`
	Checklist   Checklist         `json:"checklist,omitempty"`
	BigKeys     *BigKeysReport    `json:"bigkeys,omitempty"`
	Memory      Memory            `json:"memory"`
	Persistence Persistence       `json:"persistence"`
	Stats       Stats             `json:"stats"`
	Rates       Rates             `json:"rates"`
	Keyspace    []DBKeys          `json:"keyspace"`
	History     *HistorySummary   `json:"history,omitempty"`
	Config      map[string]string `json:"config,omitempty"`
	Clients     *Clients          `json:"clients,omitempty"`
	Doctor      string            `json:"memory_doctor,omitempty"`
	Unavailable map[string]string `json:"unavailable"`
	// Info is the latest INFO as the server gave it, section by section
	// (password-free: INFO holds none).
	Info []InfoSection `json:"info,omitempty"`
	// Notes are one-line remarks about how the report was made ("the server
	// stopped answering after the first sample").
	Notes []string `json:"notes,omitempty"`
	// Actions are the write actions confirmed in the UI (--allow-writes),
	// oldest first (actionlog.go).
	Actions []ActionLog `json:"actions,omitempty"`
	// Cluster covers every node when the target is a Redis Cluster
	// (cluster_report.go).
	Cluster *ClusterReport `json:"cluster,omitempty"`
	// Fork is the latest fork graded as the checklist and the persistence
	// pane grade it (History.LatestForkCost); absent when none was seen.
	Fork *ReportFork `json:"fork,omitempty"`
	// ClusterUnavailable says why a cluster node's report has no cluster
	// part (the server refuses CLUSTER: renamed, denied, a proxy); the
	// report then covers the node reached.
	ClusterUnavailable string `json:"cluster_unavailable,omitempty"`
}

// ReportFork is the latest fork's cost: its stall against the memory of
// the sample that first showed it, in ms per GB.
type ReportFork struct {
	LatestForkUsec float64   `json:"latest_fork_usec"`
	MemoryAtFork   Opt       `json:"memory_at_fork"`
	MemoryField    string    `json:"memory_field,omitempty"` // RSS or used_memory
	SeenAt         time.Time `json:"seen_at"`
	// MayBeOlder: the fork was there in the first sample, the memory at it
	// is that sample's.
	MayBeOlder bool   `json:"may_be_older,omitempty"`
	MsPerGB    Opt    `json:"ms_per_gb"` // null under ThresholdForkRateMinBytes
	Grade      string `json:"grade,omitempty"`
	Status     Status `json:"status"`
	Summary    string `json:"summary"`
}

// ReportInput is what a report is made from. Target must already be free of
// secrets.
type ReportInput struct {
	Now    time.Time
	Target ReportTarget
	Hist   *History
	Extras *Extras
	Window time.Duration // for the history summary; 0 = everything held
	// Diagnosis is the verdict and the checklist to include; nil = evaluate
	// them here from the same inputs (the report is the evidence, so the
	// evidence check counts it as saved).
	Diagnosis *Diagnosis
	// Scan is the big-key scan, when one ran: its report section, and the
	// facts the rules read.
	Scan *ScanState
	// Info is the latest raw INFO, when the caller kept it.
	Info []InfoSection
	// CommandTarget is the server the checklist's commands must reach (no
	// password: see CommandTarget); zero leaves them as written.
	CommandTarget CommandTarget
}

// InfoSection is one section of raw INFO, its fields in the server's order.
type InfoSection struct {
	Name   string      `json:"name"`
	Fields [][2]string `json:"fields"`
}

// BuildReport assembles a report from the latest sample, the history and the
// extras. Figures the server did not report stay null.
func BuildReport(in ReportInput) Report {
	r := Report{
		Schema:      ReportSchema,
		GeneratedAt: in.Now.UTC(),
		Target:      in.Target,
		Keyspace:    []DBKeys{},
		Unavailable: map[string]string{},
	}
	var last *Sample
	if in.Hist != nil {
		last = in.Hist.LastOK()
	}
	if last == nil {
		r.Notes = append(r.Notes, "no sample could be read from the server")
		return r
	}
	if r.Target.Mode == "" {
		r.Target.Mode = string(last.Server.Mode)
	}
	r.Server = ReportServer{
		Product:       last.Server.Product,
		Version:       last.Server.Version,
		Role:          last.Server.Role,
		UptimeSeconds: last.Server.Uptime,
		RunID:         last.Server.RunID,
	}
	r.Memory, r.Persistence, r.Stats = last.Memory, last.Persistence, last.Stats
	if len(last.Keyspace) > 0 {
		r.Keyspace = append(r.Keyspace, last.Keyspace...)
	}
	if !last.HasSection("memory") {
		r.Unavailable["INFO memory"] = "the server returned no Memory section (a sentinel, or a restricted lookalike)"
	}
	// The rates "now" are the ones the monitor's panes and checklist show
	// (History.Recent), over the same recent span.
	evict := in.Hist.Recent(GetEvict)
	if evict.Span > 0 {
		r.Rates.IntervalSeconds = Some(evict.Span.Seconds())
	} else if in.Hist.PrevOK() == nil {
		r.Notes = append(r.Notes, "one sample only: rates need two")
	}
	r.Rates.EvictedKeysPerSec = evict.PerSec
	r.Rates.ExpiredKeysPerSec = in.Hist.Recent(GetExpire).PerSec
	r.Rates.CommandsPerSec = in.Hist.Recent(GetCmds).PerSec
	r.Rates.OOMErrorsPerSec = in.Hist.Recent(GetOOM).PerSec
	r.History = summarise(in.Hist, in.Now, in.Window)
	if fc, ok := in.Hist.LatestForkCost(); ok {
		r.Fork = &ReportFork{
			LatestForkUsec: fc.Usec, MemoryField: fc.MemName, SeenAt: fc.Time.UTC(), MayBeOlder: fc.Before,
			MsPerGB: fc.MsPerGB, Grade: fc.Grade, Status: fc.Status, Summary: fc.Evidence(),
		}
		if fc.Mem > 0 {
			r.Fork.MemoryAtFork = Some(fc.Mem)
		}
	}
	r.Info = in.Info

	var facts *ScanFacts
	if in.Scan != nil {
		bk := in.Scan.Report()
		bk.SetEstimate(in.Scan, EstimateCap(last))
		r.BigKeys = &bk
		facts = ScanFactsFrom(in.Scan)
	}
	dg := in.Diagnosis
	if dg == nil {
		d := Diagnose(Inputs{Now: in.Now, Hist: in.Hist, Extras: in.Extras, Scan: facts, EvidenceSaved: true, Window: in.Window, CommandTarget: in.CommandTarget})
		dg = &d
	}
	v := dg.Verdict
	r.Verdict = &v
	// A diagnosis made elsewhere (the UI's) is aimed here too; Apply is
	// idempotent.
	r.Checklist = in.CommandTarget.Apply(dg.Checks)

	if x := in.Extras; x != nil {
		if x.Config != nil && x.Config.Err == "" {
			r.Config = x.Config.Values
		}
		if x.Clients != nil && x.Clients.Err == "" {
			r.Clients = x.Clients
		}
		if x.Doctor != nil && x.Doctor.Err == "" {
			r.Doctor = x.Doctor.Text
		}
		for _, u := range x.Unavailable {
			r.Unavailable[u.Command] = u.Reason
		}
	}
	// The big-key scan's denials ("MEMORY USAGE: …", "OBJECT ENCODING: …")
	// are unavailable commands too, not only notes in its section.
	if in.Scan != nil {
		for _, n := range in.Scan.Progress.Notes {
			for _, cmd := range []string{"MEMORY USAGE", "OBJECT ENCODING"} {
				if reason, ok := strings.CutPrefix(n, cmd+": "); ok {
					r.Unavailable[cmd] = reason
				}
			}
		}
	}
	return r
}

func summarise(h *History, now time.Time, window time.Duration) *HistorySummary {
	from := 0
	if window > 0 {
		from = h.Since(now.Add(-window))
	}
	if from >= h.Len() {
		return nil
	}
	hs := &HistorySummary{From: h.At(from).Time.UTC(), To: h.Last().Time.UTC(), Events: []Event{}}
	for i := from; i < h.Len(); i++ {
		hs.Samples++
		if h.At(i).IsGap() {
			hs.Gaps++
		}
	}
	sum := func(g Getter) SeriesSummary {
		s := SeriesSummary{Min: h.Min(now, window, g), Max: h.Max(now, window, g)}
		if l := h.LastOK(); l != nil {
			s.Last = g(l)
		}
		return s
	}
	hs.UsedMemory, hs.UsedMemoryRSS, hs.Fragmentation = sum(GetUsed), sum(GetRSS), sum(GetFrag)
	for _, e := range h.Events() {
		if !e.Time.Before(hs.From) {
			e.Time = e.Time.UTC()
			hs.Events = append(hs.Events, e)
		}
	}
	return hs
}
