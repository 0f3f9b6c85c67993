package model

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// VerdictKind names the dominant cause of what memory is doing.
type VerdictKind string

// The verdicts. Unknown only when there is not even one sample to judge.
const (
	VerdictUnknown            VerdictKind = "unknown"
	VerdictStable             VerdictKind = "stable"
	VerdictDataGrowth         VerdictKind = "data-growth"
	VerdictFragmentation      VerdictKind = "fragmentation"
	VerdictCopyOnWrite        VerdictKind = "copy-on-write"
	VerdictClientBuffers      VerdictKind = "client-buffers"
	VerdictReplicationBuffers VerdictKind = "replication-buffers"
)

// Label is the verdict as the checklist's headline says it.
func (k VerdictKind) Label() string {
	switch k {
	case VerdictStable:
		return "stable"
	case VerdictDataGrowth:
		return "looks like data growth"
	case VerdictFragmentation:
		return "looks like fragmentation / allocator retention"
	case VerdictCopyOnWrite:
		return "looks like copy-on-write during a fork"
	case VerdictClientBuffers:
		return "looks like client output buffers"
	case VerdictReplicationBuffers:
		return "looks like replication buffers"
	default:
		return "no verdict yet"
	}
}

// Confidence says how sure the verdict is.
type Confidence string

// Confidence levels.
const (
	ConfidenceLow    Confidence = "low"
	ConfidenceMedium Confidence = "medium"
	ConfidenceHigh   Confidence = "high"
)

// VerdictResult is the verdict with the figures behind it. Summary is one or
// two sentences naming the cause and its numbers, and why the confidence is
// low when it is.
type VerdictResult struct {
	Kind       VerdictKind `json:"kind"`
	Summary    string      `json:"summary"`
	Confidence Confidence  `json:"confidence"`
	// Evidence lists the figures the verdict weighed, one per line.
	Evidence []string `json:"evidence,omitempty"`
	// Span is how much history the verdict covered (≤ the window).
	Span time.Duration `json:"-"`
}

// verdictPart is one candidate cause and how many bytes of growth it explains.
type verdictPart struct {
	kind  VerdictKind
	bytes float64
}

// Verdict names the dominant cause of memory's behaviour over the window
// (default 5 minutes, or the history held when shorter): data growth (used and
// RSS rise together), fragmentation (RSS rises or stays while used is flat or
// falls), copy-on-write (the fork child copies pages), client or replication
// buffers (their share of the growth), or stable.
func Verdict(in Inputs) VerdictResult { return verdictNow(newRuleCtx(in)) }

// verdictNow judges the last minute first: when a cause dominates it and it
// is not the one the whole window names, it is what is happening now (the
// copy-on-write of a BGSAVE started after a load, the holes left by deletes)
// and it wins; the whole window's cause is kept in the evidence.
func verdictNow(c *ruleCtx) VerdictResult {
	full := verdict(c)
	if c.win <= ThresholdVerdictNow || !isTrendKind(full.Kind) && full.Kind != VerdictStable {
		return full
	}
	in := c.in
	in.Window = ThresholdVerdictNow
	rc := newRuleCtx(in)
	rc.now = c.now
	recent := verdict(rc)
	if !isTrendKind(recent.Kind) || recent.Kind == full.Kind || !rc.trendOf().ok {
		return full
	}
	recent.Evidence = append(recent.Evidence, fmt.Sprintf("over the whole %s window: %s", Duration(full.Span), full.Kind))
	return recent
}

// isTrendKind reports a verdict that names a cause of growth.
func isTrendKind(k VerdictKind) bool {
	switch k {
	case VerdictDataGrowth, VerdictFragmentation, VerdictCopyOnWrite, VerdictClientBuffers, VerdictReplicationBuffers:
		return true
	default:
		return false
	}
}

func verdict(c *ruleCtx) VerdictResult {
	if c.last == nil {
		return VerdictResult{Kind: VerdictUnknown, Summary: "No verdict yet: " + c.noSampleReason() + ".", Confidence: ConfidenceLow}
	}
	t := c.trendOf()
	if !t.ok {
		v := verdictLevel(c, t)
		switch {
		case v.Kind != VerdictUnknown:
		case t.n <= 1:
			v.Summary = "No verdict yet: " + t.reason + "; a trend needs at least two samples."
		default:
			v.Summary = "No verdict: " + t.reason + "."
		}
		if v.Kind != VerdictUnknown {
			v.Summary += " Low confidence: " + t.reason + ", no trend yet."
		}
		v.Confidence = ConfidenceLow
		return v
	}

	r0 := t.first.Memory.UsedMemoryRSS.V
	floor := trendFloor(r0)
	cow := 0.0
	if t.forkSeen {
		cow = math.Max(t.cowNow, t.cowPeak) - t.cowFirst
	}
	data := t.dUsed
	if t.hasClients {
		data -= t.dClients
	}
	if t.hasRepl {
		data -= t.dRepl
	}
	parts := []verdictPart{
		{VerdictDataGrowth, data},
		{VerdictFragmentation, t.dRSS - t.dUsed},
		{VerdictCopyOnWrite, cow},
		{VerdictClientBuffers, t.dClients},
		{VerdictReplicationBuffers, t.dRepl},
	}
	dom, sum := parts[0], 0.0
	for _, p := range parts {
		if p.bytes > 0 {
			sum += p.bytes
		}
		if p.bytes > dom.bytes {
			dom = p
		}
	}

	ev := []string{
		fmt.Sprintf("window: %s of history, %d samples", Duration(t.span), t.n),
		fmt.Sprintf("used_memory %s, used_memory_rss %s", signedBytes(t.dUsed), signedBytes(t.dRSS)),
		fmt.Sprintf("dataset (used minus buffers) %s", signedBytes(data)),
		fmt.Sprintf("RSS beyond used %s", signedBytes(t.dRSS-t.dUsed)),
	}
	if t.hasClients {
		ev = append(ev, "client buffers "+signedBytes(t.dClients))
	}
	if t.hasRepl {
		ev = append(ev, "replication buffers "+signedBytes(t.dRepl))
	}
	if t.forkSeen {
		ev = append(ev, "copy-on-write of the fork: "+Bytes(math.Max(t.cowNow, t.cowPeak)))
	}
	ev = append(ev, "changes under "+Bytes(floor)+" count as noise")

	var v VerdictResult
	if dom.bytes >= floor {
		v = verdictTrend(c, t, dom)
		share := dom.bytes / sum
		ev = append(ev, fmt.Sprintf("%s explains %s of the growth", dom.kind, sharePct(share)))
		switch {
		case share >= ThresholdVerdictHighShare:
			v.Confidence = ConfidenceHigh
		case share >= ThresholdVerdictMediumShare:
			v.Confidence = ConfidenceMedium
		default:
			v.Confidence = ConfidenceLow
			v.Summary += fmt.Sprintf(" Low confidence: several causes mixed, this one explains only %s.", sharePct(share))
		}
	} else {
		v = verdictLevel(c, t)
		if v.Kind == VerdictUnknown {
			v = verdictStable(t)
		}
	}
	v.Evidence = ev
	v.Span = t.span

	// Too little history, gaps or a restart lower the confidence, and the
	// summary says so.
	var caveats []string
	if t.n < ThresholdVerdictMinSamples || t.span < min(ThresholdVerdictMinSpan, c.win*9/10) {
		v.Confidence = ConfidenceLow
		caveats = append(caveats, fmt.Sprintf("only %s of history (%d samples)", Duration(t.span), t.n))
	}
	if t.restart || t.gaps > 0 {
		if v.Confidence == ConfidenceHigh {
			v.Confidence = ConfidenceMedium
		}
		if t.restart {
			caveats = append(caveats, "the server restarted inside the window")
		}
		if t.gaps > 0 {
			caveats = append(caveats, fmt.Sprintf("%d missed poll(s)", t.gaps))
		}
	}
	if len(caveats) > 0 {
		v.Summary += " " + capitalise(string(v.Confidence)) + " confidence: " + strings.Join(caveats, ", ") + "."
	}
	return v
}

// verdictTrend writes the summary for a cause found in the trend.
func verdictTrend(c *ruleCtx, t *trendFacts, dom verdictPart) VerdictResult {
	over := " over the last " + Duration(t.span)
	v := VerdictResult{Kind: dom.kind}
	switch dom.kind {
	case VerdictDataGrowth:
		v.Summary = fmt.Sprintf("Looks like data growth: used %s and RSS %s%s; the dataset itself grew %s.",
			signedBytes(t.dUsed), signedBytes(t.dRSS), over, signedBytes(dom.bytes))
		if limit, ok := c.maxmemory(); ok && limit > 0 {
			if d, ok := timeToReach(t.last.Memory.UsedMemory.V, limit, t.dUsed, t.span); ok {
				v.Summary += " At this pace it reaches maxmemory in " + Duration(d) + "."
			}
		}
	case VerdictFragmentation:
		fr := t.last.Memory.MemFragmentationRatio.Or(0)
		if t.dUsed < 0 {
			v.Summary = fmt.Sprintf("Looks like allocator retention: used %s but RSS %s%s — freed memory is not returned to the OS",
				signedBytes(t.dUsed), signedBytes(t.dRSS), over)
		} else {
			v.Summary = fmt.Sprintf("Looks like fragmentation: RSS %s while used %s%s",
				signedBytes(t.dRSS), signedBytes(t.dUsed), over)
		}
		if fr > 0 {
			v.Summary += fmt.Sprintf("; RSS is now %s× used", Ratio(fr))
		}
		v.Summary += "."
	case VerdictCopyOnWrite:
		cow := math.Max(t.cowNow, t.cowPeak)
		if t.forkNow {
			v.Summary = fmt.Sprintf("Looks like copy-on-write during the %s: the fork child has copied %s while used moved %s%s; it is freed when the save ends.",
				forkName(t.forkKind), Bytes(cow), signedBytes(t.dUsed), over)
		} else {
			v.Summary = fmt.Sprintf("Looks like copy-on-write: a fork in the window copied up to %s (used moved %s%s); it was freed when the fork ended.",
				Bytes(cow), signedBytes(t.dUsed), over)
		}
	case VerdictClientBuffers:
		v.Summary = fmt.Sprintf("Looks like client output buffers: normal clients' buffers grew %s (now %s) of used's %s%s.",
			signedBytes(t.dClients), Bytes(t.last.Memory.MemClientsNormal.Or(0)), signedBytes(t.dUsed), over)
	case VerdictReplicationBuffers:
		v.Summary = fmt.Sprintf("Looks like replication buffers: they grew %s (now %s) of used's %s%s.",
			signedBytes(t.dRepl), Bytes(replBuffers(t.last).Or(0)), signedBytes(t.dUsed), over)
	default:
	}
	return v
}

// verdictLevel judges from the newest sample alone when the trend shows
// nothing: a fork copying a lot, or RSS far above used on a real dataset.
// It returns VerdictUnknown when the levels say nothing either.
func verdictLevel(c *ruleCtx, t *trendFacts) VerdictResult {
	s := c.last
	used := s.Memory.UsedMemory.Or(0)
	rss := s.Memory.UsedMemoryRSS.Or(0)
	floor := trendFloor(rss)
	if s.ForkRunning() {
		if cow, ok := s.Persistence.CurrentCOWSize.Get(); ok && cow >= floor {
			return VerdictResult{
				Kind: VerdictCopyOnWrite, Confidence: ConfidenceMedium,
				Summary: fmt.Sprintf("Looks like copy-on-write during the %s: the fork child has copied %s; nothing else moved.", forkName(forkKind(s)), Bytes(cow)),
			}
		}
	}
	fr, ok := s.Memory.MemFragmentationRatio.Get()
	if !ok && used > 0 {
		fr, ok = rss/used, rss > 0
	}
	if ok && used >= ThresholdSmallDataset && fr >= ThresholdFragWarn && rss-used >= ThresholdFragMinBytes {
		v := VerdictResult{
			Kind: VerdictFragmentation, Confidence: ConfidenceMedium,
			Summary: fmt.Sprintf("Looks like fragmentation / allocator retention: RSS is %s× used (%s beyond the data)", Ratio(fr), Bytes(rss-used)),
		}
		if t.ok {
			v.Summary += fmt.Sprintf(" and stayed there over the last %s", Duration(t.span))
		}
		v.Summary += "."
		return v
	}
	return VerdictResult{Kind: VerdictUnknown}
}

// verdictStable: nothing moved beyond noise.
func verdictStable(t *trendFacts) VerdictResult {
	return VerdictResult{
		Kind:       VerdictStable,
		Confidence: ConfidenceHigh,
		Summary: fmt.Sprintf("Stable: used %s (%s), RSS %s (%s) over the last %s.",
			Bytes(t.last.Memory.UsedMemory.V), signedBytes(t.dUsed),
			Bytes(t.last.Memory.UsedMemoryRSS.V), signedBytes(t.dRSS), Duration(t.span)),
	}
}

func forkName(kind string) string {
	switch kind {
	case forkRDB:
		return "BGSAVE"
	case forkAOF:
		return "AOF rewrite"
	case forkModule:
		return "module fork"
	}
	return "fork"
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
