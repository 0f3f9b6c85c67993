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
// Evicting, writes-refused and loading are states of the present that
// outweigh any trend.
const (
	VerdictUnknown            VerdictKind = "unknown"
	VerdictStable             VerdictKind = "stable"
	VerdictDataGrowth         VerdictKind = "data-growth"
	VerdictFragmentation      VerdictKind = "fragmentation"
	VerdictCopyOnWrite        VerdictKind = "copy-on-write"
	VerdictClientBuffers      VerdictKind = "client-buffers"
	VerdictReplicationBuffers VerdictKind = "replication-buffers"
	VerdictEvicting           VerdictKind = "evicting"
	VerdictWritesRefused      VerdictKind = "writes-refused"
	VerdictLoading            VerdictKind = "loading"
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
	case VerdictEvicting:
		return "at the limit: evicting keys"
	case VerdictWritesRefused:
		return "at the limit: writes refused (OOM)"
	case VerdictLoading:
		return "loading the dataset"
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
	// Phase is the change of regime the verdict judges from (PhaseWindow:
	// none in the window), and PhaseStart when it was seen.
	Phase      PhaseChange `json:"phase,omitempty"`
	PhaseStart time.Time   `json:"phase_start,omitzero"`
	// Earlier says what the window held before the present phase, and the
	// change that ended it; empty when the phase is the whole window.
	Earlier string `json:"earlier,omitempty"`
	// Span is how much history the verdict covered: the present phase.
	Span time.Duration `json:"-"`
}

// verdictPart is one candidate cause and how many bytes of growth it explains.
type verdictPart struct {
	kind  VerdictKind
	bytes float64
}

// Verdict names what memory is doing now: it finds the latest change of
// regime in the window (default 5 minutes, or the history held when
// shorter) — a fork starting or ending, a restart or reload, a large fall
// of used_memory, evictions or OOM rejections starting, a new maxmemory —
// and judges the samples since: data growth (used and RSS rise together),
// fragmentation (RSS rises or stays while used is flat or falls),
// copy-on-write (the fork child copies pages), client or replication
// buffers (their share of the growth), or stable; at the limit, evicting or
// refusing writes; loading while the dataset loads. What came before the
// phase is said apart, in Earlier.
func Verdict(in Inputs) VerdictResult { return verdict(newRuleCtx(in)) }

func verdict(c *ruleCtx) VerdictResult {
	if c.last == nil {
		return VerdictResult{Kind: VerdictUnknown, Summary: "No verdict yet: " + c.noSampleReason() + ".", Confidence: ConfidenceLow}
	}
	ph := findPhase(c.h, c.now, c.win)
	t := c.trendOf()
	if ph.Change != PhaseWindow {
		pt := analyseRange(c.h, ph.from, c.h.Len()-1)
		t = &pt
	}
	v := verdictPresent(c, withKeyGrowth(c, verdictOn(c, t, ph)))
	v.Phase, v.PhaseStart, v.Span = ph.Change, ph.At, t.span
	if ph.Change != PhaseWindow {
		v.Earlier = earlierLine(c, ph)
		if w := c.trendOf(); w.ok {
			if dom, _ := dominant(w); dom.bytes >= trendFloor(w.first.Memory.UsedMemoryRSS.V) && dom.kind != v.Kind {
				v.Evidence = append(v.Evidence, fmt.Sprintf("over the whole %s window: %s", Duration(w.span), dom.kind))
			}
		}
	}
	return v
}

// dominant returns the cause that explains the most bytes of the change,
// and the sum of the positive parts.
func dominant(t *trendFacts) (verdictPart, float64) {
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
	return dom, sum
}

// verdictOn judges the trend t of the phase ph.
func verdictOn(c *ruleCtx, t *trendFacts, ph Phase) VerdictResult {
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

	floor := trendFloor(t.first.Memory.UsedMemoryRSS.V)
	dom, sum := dominant(t)
	data := t.dUsed
	if t.hasClients {
		data -= t.dClients
	}
	if t.hasRepl {
		data -= t.dRepl
	}

	ev := []string{
		fmt.Sprintf("window: %s of history, %d samples", Duration(t.span), t.n),
		fmt.Sprintf("used_memory %s, used_memory_rss %s", signedBytes(t.dUsed), signedBytes(t.dRSS)),
		fmt.Sprintf("dataset (used minus buffers) %s", signedBytes(data)),
		fmt.Sprintf("RSS beyond used %s", signedBytes(t.dRSS-t.dUsed)),
	}
	if ph.Change != PhaseWindow {
		ev[0] = fmt.Sprintf("present phase: since %s, %s of history, %d samples", ph.Describe(), Duration(t.span), t.n)
	}
	// History read from Prometheus counts as evidence like polled history;
	// the verdict says what it stood on.
	split := c.h.SourceSplit(t.first.Time, t.last.Time)
	if split != "" {
		ev[0] += " (" + split + ")"
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
	switch {
	case dom.bytes >= floor:
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
	case t.forkNow:
		// The fork is what is happening, even before its copy counts.
		v = verdictLevel(c, t)
		if v.Kind != VerdictCopyOnWrite {
			v = VerdictResult{
				Kind: VerdictCopyOnWrite, Confidence: ConfidenceLow,
				Summary: fmt.Sprintf("A %s is running: the fork child has copied %s so far, under the %s that counts; the copy grows with every page the writes touch.",
					forkName(t.forkKind), Bytes(t.cowNow), Bytes(floor)),
			}
		}
	default:
		v = verdictLevel(c, t)
		if v.Kind == VerdictUnknown {
			v = verdictStable(t)
		}
	}
	v.Evidence = ev

	// Too few samples in the phase, gaps or a restart lower the confidence,
	// and the summary says so.
	var caveats []string
	if t.n < ThresholdVerdictMinSamples {
		v.Confidence = ConfidenceLow
		if ph.Change == PhaseWindow {
			caveats = append(caveats, fmt.Sprintf("only %s of history (%d samples)", Duration(t.span), t.n))
		} else {
			caveats = append(caveats, fmt.Sprintf("only %s since %s (%d samples)", Duration(t.span), ph.Describe(), t.n))
		}
	}
	restart := ph.Change == PhaseRestart || ph.Change == PhaseReload || ph.Change == PhaseWindow && t.restart
	if restart || t.gaps > 0 {
		if v.Confidence == ConfidenceHigh {
			v.Confidence = ConfidenceMedium
		}
		if restart {
			caveats = append(caveats, "the server restarted inside the window")
		}
		if t.gaps > 0 {
			caveats = append(caveats, fmt.Sprintf("%d missed poll(s)", t.gaps))
		}
	}
	if len(caveats) > 0 {
		v.Summary += " " + capitalise(string(v.Confidence)) + " confidence: " + strings.Join(caveats, ", ") + "."
	}
	if split != "" {
		v.Summary += " From " + split + "."
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
			p := c.paceToLimit(t, t.last.Memory.UsedMemory.V, limit, GetUsed)
			switch {
			case p.atLimit:
				v.Summary += " Used is at maxmemory now."
			case p.stopped:
				v.Summary += " The growth has stopped: used is flat over the last " + Duration(p.over) + "."
			case p.ok:
				v.Summary += " At the pace of the last " + Duration(p.over) + " it reaches maxmemory in " + Duration(p.d) + "."
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
