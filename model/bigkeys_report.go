package model

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BigKeysReport is the "bigkeys" section of the incident report: where the
// scan stands, then the aggregate itself (BigKeys, inline), then what the
// server would not let the scan read.
type BigKeysReport struct {
	// Complete is true when the pass went over every database; otherwise
	// the figures cover the keys scanned so far.
	Complete       bool      `json:"complete"`
	State          ScanPhase `json:"state"`
	Scanned        int64     `json:"scanned"`
	DBSize         int64     `json:"dbsize"`
	ElapsedSeconds float64   `json:"elapsed_seconds"`
	KeysPerSecond  float64   `json:"keys_per_second"`
	Samples        int       `json:"samples"` // MEMORY USAGE SAMPLES
	DBs            []int     `json:"dbs"`
	// Governor is the scan's speed account: its budget and whether, why
	// and how far it slowed during the pass.
	Governor ScanGovernorReport `json:"governor"`
	// BigKeys holds the totals and lists over the keys scanned.
	BigKeys
	// Estimate scales a partial pass up to the whole keyspace, each figure
	// with its 95 % interval (EstimateBigKeys); absent when the pass is
	// complete. The big keys above stay the ones found.
	Estimate *BigKeysEstimate `json:"estimate,omitempty"`
	KeySizes *KeySizes        `json:"keysizes,omitempty"`
	// KeyGrowth is the re-measure of the top keys after the pass (report
	// --growth-wait): their growth per minute, and which keep growing.
	KeyGrowth *KeyGrowth `json:"key_growth,omitempty"`
	Notes     []string   `json:"notes,omitempty"`
	Err       string     `json:"err,omitempty"`
}

// ScanGovernorReport says how fast the scan was allowed to go and why it
// went slower.
type ScanGovernorReport struct {
	// Rate is the keys/s budget; 0 is unlimited (--scan-rate 0).
	Rate int `json:"rate"`
	// SlowestFactor is the lowest share of the budget the pass was allowed
	// (1 when never slowed), SlowReason why ("server latency +40 % while
	// scanning").
	SlowestFactor float64 `json:"slowest_factor"`
	SlowReason    string  `json:"slow_reason,omitempty"`
	// The harm probe's last judgement: medians in µs and the rise.
	ProbeScanningMicros float64 `json:"probe_scanning_us,omitempty"`
	ProbePausedMicros   float64 `json:"probe_paused_us,omitempty"`
	LatencyRise         float64 `json:"latency_rise,omitempty"`
}

// governorReport is the pass's speed account.
func governorReport(p *ScanProgress) ScanGovernorReport {
	g := ScanGovernorReport{
		Rate: p.Rate, SlowestFactor: 1,
		ProbeScanningMicros: p.ProbeOnMicros, ProbePausedMicros: p.ProbeOffMicros, LatencyRise: p.LatencyRise,
	}
	if p.LowestFactor > 0 && p.LowestFactor < 1 {
		g.SlowestFactor, g.SlowReason = p.LowestFactor, p.LowestReason
	}
	return g
}

// Markdown is the report's speed line.
func (g ScanGovernorReport) Markdown() string {
	if g.Rate <= 0 {
		return "unlimited (--scan-rate 0): as fast as the server allows, no back-off"
	}
	s := "budget " + Count(float64(g.Rate)) + " keys/s"
	if g.SlowestFactor < 1 {
		s += "; slowed to " + strconv.FormatFloat(100*g.SlowestFactor, 'f', 0, 64) + " % of it at most: " + Sanitize(g.SlowReason, 0)
	} else {
		s += ", never slowed"
	}
	if g.ProbePausedMicros > 0 {
		s += fmt.Sprintf(" (a PING took %s scanning, %s in the scan's pauses)",
			Duration(time.Duration(g.ProbeScanningMicros*float64(time.Microsecond))),
			Duration(time.Duration(g.ProbePausedMicros*float64(time.Microsecond))))
	}
	return s
}

// Report makes the report section from the current pass (or, when it has
// seen nothing yet, the previous complete one).
func (s *ScanState) Report() BigKeysReport {
	p := &s.Progress
	r := BigKeysReport{
		Complete:       p.Complete(),
		State:          p.Phase,
		Scanned:        p.Scanned,
		DBSize:         p.DBSize,
		ElapsedSeconds: p.Elapsed.Seconds(),
		Samples:        p.Samples,
		DBs:            append([]int{}, p.DBs...),
		Governor:       governorReport(p),
		KeySizes:       s.KeySizes,
		KeyGrowth:      s.Watch,
		Notes:          append([]string(nil), p.Notes...),
		Err:            p.Err,
	}
	if p.Elapsed > 0 {
		r.KeysPerSecond = float64(p.Scanned) / p.Elapsed.Seconds()
	}
	if r.State == "" {
		r.State = ScanIdle
	}
	b := s.Result
	if b == nil || (b.Keys == 0 && s.Prev != nil) {
		if s.Prev != nil {
			r.Notes = append(r.Notes, "figures are from the previous complete pass")
		}
		b = s.Prev
	}
	if b == nil {
		b = NewBigKeysAgg(BigKeysConfig{}, nil).Snapshot()
	}
	r.BigKeys = *b
	// The report lists the figures, not the knobs that bounded them; a
	// reader can always range over the lists.
	r.Config = BigKeysConfig{}
	r.BytesSq, r.NoTTLBytesSq, r.Moments = 0, 0, false
	r.TopBytes = nonNil(b.TopBytes)
	r.TopElements = nonNil(b.TopElements)
	r.Prefixes = nonNil(b.Prefixes)
	r.Types = nonNil(b.Types)
	r.Encodings = nonNil(b.Encodings)
	r.TTL = nonNil(b.TTL)
	r.Sizes = nonNil(b.Sizes)
	return r
}

// SetEstimate adds the estimate of a partial pass (see EstimateBigKeys);
// capBytes bounds all keys together (EstimateCap). Only the current pass
// is estimated, never the previous complete one shown in its place.
func (r *BigKeysReport) SetEstimate(s *ScanState, capBytes int64) {
	if s == nil || s.Result == nil || s.Result.Keys != r.Keys {
		return
	}
	r.Estimate = EstimateBigKeys(s.Result, &s.Progress, capBytes)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Rows the Markdown section shows at most (the JSON has them all).
const (
	markdownTopRows    = 30
	markdownPrefixRows = 30
	markdownGrowthRows = 10
	markdownKeyWidth   = 80
)

// Markdown writes the section for people ("## Big keys"), every key name and
// server string escaped.
func (r BigKeysReport) Markdown(w io.Writer) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }

	// Without MEMORY USAGE for any key (renamed, denied) every byte sum is
	// unknown: show —, not a 0B that looks like a measurement.
	sum := func(v int64) string {
		if r.Keys > 0 && r.UnknownBytes >= r.Keys {
			return "—"
		}
		return Bytes(float64(v))
	}

	p("## Big keys\n\n")
	status := "complete"
	switch {
	case r.Complete:
	case r.Estimate != nil && r.State == ScanDone:
		status = "a sample (--scan-sample) of " + estimateFrom(r.Estimate) + ": the figures below cover the keys sampled, the estimates the whole keyspace"
	default:
		part := (&ScanFacts{Scanned: int(r.Scanned), Total: Some(float64(r.DBSize))}).Partial()
		status = part + ", " + cell(string(r.State), 20) + ": figures cover the keys scanned so far"
	}
	p("- Scan: %s; %s of %s keys in %s (%s keys/s), MEMORY USAGE SAMPLES %d\n",
		status, Count(float64(r.Scanned)), Count(float64(r.DBSize)),
		Duration(time.Duration(r.ElapsedSeconds*float64(time.Second))), Count(r.KeysPerSecond), r.Samples)
	p("- Speed: %s\n", r.Governor.Markdown())
	p("- Total: %s in %s keys; without TTL: %s in %s keys\n",
		sum(r.Bytes), Count(float64(r.Keys)), sum(r.NoTTLBytes), Count(float64(r.NoTTLKeys)))
	if e := r.Estimate; e != nil {
		markdownEstimateLine(&b, e)
	}
	if r.UnknownBytes > 0 {
		p("- MEMORY USAGE was not available for %s keys\n", Count(float64(r.UnknownBytes)))
	}
	for _, n := range r.Notes {
		p("- Note: %s\n", cell(n, 0))
	}
	if r.Err != "" {
		p("- Error: %s\n", cell(r.Err, 0))
	}

	if e := r.Estimate; e != nil {
		markdownEstimateTables(&b, e)
	}

	// A cluster's keys name the node they live on; a single server's table
	// keeps its columns.
	nodes := slices.ContainsFunc(r.TopBytes, func(k KeyInfo) bool { return k.Node != "" })
	if nodes {
		p("\n### Biggest keys by memory\n\n| # | key | node | db | type | encoding | bytes | elements | TTL |\n|---:|---|---|---:|---|---|---:|---:|---:|\n")
	} else {
		p("\n### Biggest keys by memory\n\n| # | key | db | type | encoding | bytes | elements | TTL |\n|---:|---|---:|---|---|---:|---:|---:|\n")
	}
	for i, k := range r.TopBytes {
		if i >= markdownTopRows {
			p("\n(%d more in the JSON report)\n", len(r.TopBytes)-markdownTopRows)
			break
		}
		node := ""
		if nodes {
			node = " " + cell(k.Node, 60) + " |"
		}
		p("| %d | `%s` |%s %d | %s | %s | %s | %s | %s |\n", i+1, codeCell(k.Key, markdownKeyWidth), node, k.DB,
			cell(k.Type, 20), cell(k.Encoding, 20), bytesCell(optInt(k.Bytes)), numberCell(optInt(k.Elements)), TTLText(k.TTL))
	}

	p("\n### By type\n\n| type | keys | bytes | elements |\n|---|---:|---:|---:|\n")
	for _, t := range r.Types {
		p("| %s | %d | %s | %d |\n", cell(t.Type, 30), t.Keys, sum(t.Bytes), t.Elements)
	}
	if len(r.Encodings) > 0 {
		p("\n### Encodings\n\n| type | encoding | keys | bytes |\n|---|---|---:|---:|\n")
		for _, e := range r.Encodings {
			p("| %s | %s | %d | %s |\n", cell(e.Type, 30), cell(e.Encoding, 30), e.Keys, sum(e.Bytes))
		}
	}

	p("\n### By TTL\n\n| TTL | keys | bytes |\n|---|---:|---:|\n")
	for _, t := range r.TTL {
		p("| %s | %d | %s |\n", t.Label, t.Keys, sum(t.Bytes))
	}

	p("\n### By key prefix (largest first)\n\n| prefix | depth | keys | bytes | keys without TTL | bytes without TTL |\n|---|---:|---:|---:|---:|---:|\n")
	for _, pr := range topPrefixes(PrefixRows(r.Prefixes), markdownPrefixRows) {
		p("| `%s` | %d | %d | %s | %d | %s |\n", codeCell(pr.Prefix, markdownKeyWidth), pr.Depth, pr.Keys,
			sum(pr.Bytes), pr.NoTTLKeys, sum(pr.NoTTLBytes))
	}

	if len(r.Growth) > 0 {
		p("\n### Growing since the previous pass\n\n| key | db | before | after | change |\n|---|---:|---:|---:|---:|\n")
		for i, g := range r.Growth {
			if i >= markdownGrowthRows {
				break
			}
			p("| `%s` | %d | %s | %s | %s |\n", codeCell(g.Key, markdownKeyWidth), g.DB,
				Bytes(float64(g.Before)), Bytes(float64(g.After)), signedBytes(float64(g.Delta)))
		}
	}
	if g := r.KeyGrowth; g != nil && len(g.Keys) > 0 {
		p("\n### Growth of the top keys (re-measured)\n\n")
		p("MEMORY USAGE and the length of the %d top keys, read again after the pass; ↑ marks a key that keeps growing.\n\n", len(g.Keys))
		p("| key | db | type | bytes | elements | over | bytes/min | elements/min | flag |\n|---|---:|---|---:|---:|---:|---:|---:|---|\n")
		for i, k := range g.Keys {
			if i >= markdownTopRows {
				break
			}
			flag := ""
			if k.Flag != "" {
				flag = "↑ " + cell(k.Flag, 120)
			}
			p("| `%s` | %d | %s | %s | %s | %s | %s | %s | %s |\n", codeCell(k.Key, markdownKeyWidth), k.DB, cell(k.Type, 20),
				bytesCell(optInt(k.Bytes)), numberCell(optInt(k.Elements)), Duration(k.Span),
				signedBytes(k.BytesPerMin), signedCount(k.ElementsPerMin), flag)
		}
	}
	if r.KeySizes != nil {
		p("\n### INFO KEYSIZES\n\n| db | kind | keys | buckets |\n|---:|---|---:|---|\n")
		for _, h := range r.KeySizes.Hists {
			parts := make([]string, 0, len(h.Buckets))
			for _, bk := range h.Buckets {
				parts = append(parts, strconv.FormatInt(bk.Min, 10)+"="+strconv.FormatInt(bk.Count, 10))
			}
			p("| %d | %s | %d | %s |\n", h.DB, cell(h.Kind, 30), h.Total(), cell(strings.Join(parts, ", "), 200))
		}
	}
	_, err := io.WriteString(w, b.String())
	if err != nil {
		return fmt.Errorf("bigkeys markdown: %w", err)
	}
	return nil
}

// Rows of each estimate table the Markdown shows (the JSON has them all).
const markdownEstimateRows = 10

// markdownEstimateLine writes the estimated totals of a partial pass: "≈
// value (95 % interval low – high, from N % of keys)".
func markdownEstimateLine(b *strings.Builder, e *BigKeysEstimate) {
	from := estimateFrom(e)
	rng := func(iv Interval, format func(float64) string) string {
		return "≈ " + format(iv.Value) + " (" + format(iv.Low) + " – " + format(iv.High) + ")"
	}
	fmt.Fprintf(b, "- Estimated total: %s in %s keys; without TTL: %s in %s keys\n",
		EstimateText(e.Total.Bytes, Bytes, from), rng(e.Total.Keys, Count), rng(e.NoTTL.Bytes, Bytes), rng(e.NoTTL.Keys, Count))
	if !e.TailBounded {
		b.WriteString("- Note: used_memory unknown: the high bounds cannot allow for a big key the sample missed\n")
	}
}

// estimateFrom is "5 % of keys" (one decimal where it matters).
func estimateFrom(e *BigKeysEstimate) string {
	return sharePercent(e.Fraction) + " of keys"
}

// markdownEstimateTables writes the estimated bytes by type, encoding and
// prefix, the biggest first.
func markdownEstimateTables(b *strings.Builder, e *BigKeysEstimate) {
	from := estimateFrom(e)
	table := func(col string, list []GroupEstimate, code bool) {
		fmt.Fprintf(b, "\n### Estimated bytes by %s (from %s)\n\n| %s | keys ≈ | bytes ≈ | bytes, 95 %% interval |\n|---|---:|---:|---|\n", col, from, col)
		rows := slices.Clone(list)
		slices.SortStableFunc(rows, func(x, y GroupEstimate) int { return cmpDesc(int64(x.Bytes.Value), int64(y.Bytes.Value)) })
		for i, g := range rows {
			if i >= markdownEstimateRows {
				fmt.Fprintf(b, "\n(%d more in the JSON report)\n", len(rows)-markdownEstimateRows)
				break
			}
			name := cell(g.Name, 60)
			if code {
				name = "`" + codeCell(g.Name, markdownKeyWidth) + "`"
			}
			span := Bytes(g.Bytes.Low) + " – " + Bytes(g.Bytes.High)
			if g.Exact {
				span = "exact: a key seen whole"
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", name, Count(g.Keys.Value), Bytes(g.Bytes.Value), span)
		}
	}
	table("type", e.Types, false)
	table("encoding", e.Encodings, false)
	table("prefix", e.Prefixes, true)
}

// EstimateText words an estimate: "≈ 4.1G (95 % interval 3.9G – 4.4G, from
// 5 % of keys)"; format draws one figure (Bytes, Count).
func EstimateText(iv Interval, format func(float64) string, from string) string {
	return "≈ " + format(iv.Value) + " (95 % interval " + format(iv.Low) + " – " + format(iv.High) + ", from " + from + ")"
}

// EstimateShort words an estimate for a pane: "≈ 4.1G ± 3 %".
func EstimateShort(iv Interval, format func(float64) string) string {
	return "≈ " + format(iv.Value) + " ± " + strconv.FormatFloat(math.Ceil(100*iv.HalfWidth()), 'f', 0, 64) + " %"
}

// topPrefixes picks the n biggest prefixes, in the tree's order (parents
// before children).
func topPrefixes(all []PrefixStat, n int) []PrefixStat {
	if len(all) <= n {
		return all
	}
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpDesc(all[a].Bytes, all[b].Bytes) })
	keep := idx[:n]
	slices.Sort(keep)
	out := make([]PrefixStat, 0, n)
	for _, i := range keep {
		out = append(out, all[i])
	}
	return out
}
