package model

import (
	"fmt"
	"math"
	"time"
)

// PhaseChange names the change of regime that opened the present phase: the
// verdict judges the samples since the latest one, so a load a minute ago is
// not read as what memory is doing now (a BGSAVE copying pages, the holes a
// delete left, writes refused at the limit).
type PhaseChange string

// The changes of regime, in the order they are looked for. PhaseWindow is
// "no change inside the window": the phase is the whole window.
const (
	PhaseWindow         PhaseChange = "window"
	PhaseRestart        PhaseChange = "restart"         // run_id changed or uptime went back
	PhaseReload         PhaseChange = "reload"          // loading:1 → 0, the dataset is back in memory
	PhaseForkStart      PhaseChange = "fork-start"      // a BGSAVE / AOF rewrite / module fork began
	PhaseForkEnd        PhaseChange = "fork-end"        // it ended (or one came and went between two polls)
	PhaseMaxmemory      PhaseChange = "maxmemory"       // CONFIG SET maxmemory changed the limit
	PhaseEvictionsStart PhaseChange = "evictions-start" // evicted_keys rose after a quiet spell
	PhaseOOMStart       PhaseChange = "oom-start"       // errorstat_OOM rose after a quiet spell
	PhaseMassDelete     PhaseChange = "mass-delete"     // used_memory fell by a large share
	PhaseRegrowth       PhaseChange = "regrowth"        // used_memory rose again after such a fall
)

// Phase is the present phase of the window: what opened it, when, and
// from which sample the verdict reads.
type Phase struct {
	Change PhaseChange
	// At is when the change was seen (the first sample after it).
	At time.Time
	// Detail is the change's figure: the fork's kind, the fall, the limits.
	Detail string
	// from is the index of the phase's first sample: the last one before
	// the change when the change is a step between two samples (a fork
	// starting, a delete), the first one after it otherwise (a restart).
	from int
}

// Describe says the change as the "earlier" line ends: "the BGSAVE started".
func (p Phase) Describe() string {
	switch p.Change {
	case PhaseRestart:
		return "the server restarted"
	case PhaseReload:
		return "the server finished loading its dataset"
	case PhaseForkStart:
		return "the " + forkName(p.Detail) + " started"
	case PhaseForkEnd:
		return "the " + forkName(p.Detail) + " ended"
	case PhaseMaxmemory:
		return "maxmemory changed (" + p.Detail + ")"
	case PhaseEvictionsStart:
		return "evictions started"
	case PhaseOOMStart:
		return "writes began failing with OOM"
	case PhaseMassDelete:
		return "used_memory fell " + p.Detail
	case PhaseRegrowth:
		return "used_memory began rising again"
	default:
		return "the window began"
	}
}

// findPhase finds the latest change of regime among the non-gap samples in
// (now-win, now]. With none, the phase is the whole window.
func findPhase(h *History, now time.Time, win time.Duration) Phase {
	return phaseIn(h, h.Since(now.Add(-win)), h.Len()-1)
}

// phaseIn finds the latest change of regime among the samples from..to
// (indexes, both included); the earlier line reads the phase before the
// present one this way.
func phaseIn(h *History, wfrom, to int) Phase {
	var idx []int
	for i := wfrom; i <= to; i++ {
		if !h.At(i).IsGap() {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return Phase{Change: PhaseWindow, from: wfrom}
	}
	ph := Phase{Change: PhaseWindow, At: h.At(idx[0]).Time, from: idx[0]}
	// A later phase start wins; at the same sample the first found wins.
	at := func(from, seen int, change PhaseChange, detail string) {
		if from > ph.from || ph.Change == PhaseWindow && from >= ph.from {
			ph = Phase{Change: change, At: h.At(seen).Time, Detail: detail, from: from}
		}
	}
	// A counter rising from the first pair on was already rising: it
	// "starts" only after a quiet spell seen inside the window.
	lastEvict := h.At(idx[0]).Time
	lastOOM := lastEvict
	for k := 1; k < len(idx); k++ {
		a, b := h.At(idx[k-1]), h.At(idx[k])
		if restarted(a, b) {
			at(idx[k], idx[k], PhaseRestart, "")
			lastEvict, lastOOM = b.Time, b.Time
			continue
		}
		if a.Persistence.Loading.IsTrue() && !b.Persistence.Loading.IsTrue() {
			at(idx[k], idx[k], PhaseReload, "")
		}
		switch was, is := a.ForkRunning(), b.ForkRunning(); {
		case !was && is:
			at(idx[k-1], idx[k], PhaseForkStart, forkKind(b))
		case was && !is:
			at(idx[k], idx[k], PhaseForkEnd, forkKind(a))
		case !was && forksGrew(a, b):
			at(idx[k], idx[k], PhaseForkEnd, lastForkKind(a, b))
		}
		if x, y, ok := both(a.Memory.MaxMemory, b.Memory.MaxMemory); ok && x != y {
			at(idx[k-1], idx[k], PhaseMaxmemory, limitName(x)+" → "+limitName(y))
		}
		if x, y, ok := both(a.Stats.EvictedKeys, b.Stats.EvictedKeys); ok && y > x {
			if a.Time.Sub(lastEvict) >= ThresholdPhaseQuiet {
				at(idx[k-1], idx[k], PhaseEvictionsStart, "")
			}
			lastEvict = b.Time
		}
		// errorstat_OOM is absent until the first OOM error.
		if b.Stats.ErrorstatOOM.Valid && b.Stats.ErrorstatOOM.V > a.Stats.ErrorstatOOM.Or(0) {
			if a.Time.Sub(lastOOM) >= ThresholdPhaseQuiet {
				at(idx[k-1], idx[k], PhaseOOMStart, "")
			}
			lastOOM = b.Time
		}
	}
	findFalls(h, idx, at)
	return ph
}

// findFalls looks for a large fall of used_memory (a FLUSHALL, a mass delete,
// keys expiring together): the phase starts at the peak before the fall, so
// it holds the fall and what RSS did meanwhile. When used then rises again by
// more than noise (a new load after a flush), that rise is a phase of its own.
func findFalls(h *History, idx []int, at func(from, seen int, change PhaseChange, detail string)) {
	used := func(k int) float64 { return h.At(idx[k]).Memory.UsedMemory.Or(0) }
	lastFall := -1 // position in idx of the bottom of the latest large fall
	pk, mn := 0, 0
	emit := func() {
		if mn <= pk {
			return
		}
		top, bottom := used(pk), used(mn)
		if top-bottom >= math.Max(trendFloor(top), ThresholdPhaseFallShare*top) {
			at(idx[pk], idx[pk+1], PhaseMassDelete, "by "+Bytes(top-bottom)+" (from "+Bytes(top)+" to "+Bytes(bottom)+")")
			lastFall = mn
		}
	}
	for k := 1; k < len(idx); k++ {
		u := used(k)
		switch {
		case restarted(h.At(idx[k-1]), h.At(idx[k])):
			emit()
			pk, mn = k, k
		case u < used(mn):
			mn = k
		case u > used(mn)+trendFloor(used(pk))/2:
			// Rising again from the bottom: a fall, if any, is over.
			emit()
			pk, mn = k, k
		case mn == pk && u >= used(pk):
			pk, mn = k, k
		}
	}
	emit()
	if lastFall < 0 {
		return
	}
	bottom := used(lastFall)
	for k := lastFall + 1; k < len(idx); k++ {
		if restarted(h.At(idx[k-1]), h.At(idx[k])) {
			return
		}
		if used(k)-bottom >= trendFloor(bottom) {
			at(idx[lastFall], idx[lastFall+1], PhaseRegrowth, "")
			return
		}
	}
}

// lastForkKind names a fork that came and went between two polls, from the
// counters that grew.
func lastForkKind(a, b *Sample) string {
	if x, y, ok := both(a.Persistence.RDBSaves, b.Persistence.RDBSaves); ok && y > x {
		return forkRDB
	}
	if x, y, ok := both(a.Persistence.AOFRewrites, b.Persistence.AOFRewrites); ok && y > x {
		return forkAOF
	}
	return ""
}

// limitName is a maxmemory value as a person says it.
func limitName(v float64) string {
	if v <= 0 {
		return "no limit"
	}
	return Bytes(v)
}

// verdictPresent turns the phase's verdict into a state of its own when the
// newest polls show one that outweighs any trend: the dataset is loading,
// writes are refused at the limit, or the server is evicting to stay under
// it. The counters are compared over the last ThresholdVerdictRecent.
func verdictPresent(c *ruleCtx, v VerdictResult) VerdictResult {
	s := c.last
	if s.Persistence.Loading.IsTrue() || s.Persistence.AsyncLoading.IsTrue() {
		return VerdictResult{
			Kind: VerdictLoading, Confidence: ConfidenceHigh,
			Summary: fmt.Sprintf("Loading the dataset (loading:1): used %s so far; the server restarted or a replica is syncing, and memory grows until the load ends — that is not new data.",
				Bytes(s.Memory.UsedMemory.Or(0))),
			Evidence: []string{"loading: 1", "used_memory " + Bytes(s.Memory.UsedMemory.Or(0))},
		}
	}
	a := c.recentBase()
	if a == nil {
		return v
	}
	over := Duration(s.Time.Sub(a.Time))
	used := s.Memory.UsedMemory.Or(0)
	limit, hasLimit := c.maxmemory()
	at := "used " + Bytes(used)
	if hasLimit && limit > 0 {
		at += " of maxmemory " + Bytes(limit) + " (" + sharePct(used/limit) + ")"
	}
	policy := ""
	if p, ok := c.policy(); ok {
		policy = " under " + Sanitize(p, 40)
	}
	if s.Stats.ErrorstatOOM.Valid {
		if oom := s.Stats.ErrorstatOOM.V - a.Stats.ErrorstatOOM.Or(0); oom > 0 {
			return VerdictResult{
				Kind: VerdictWritesRefused, Confidence: ConfidenceHigh,
				Summary: fmt.Sprintf("At the limit, writes refused: %s write(s) rejected with OOM in the last %s (errorstat_OOM); %s, and nothing more can be evicted%s.",
					exactCount(oom), over, at, policy),
				Evidence: append([]string{
					fmt.Sprintf("errorstat_OOM %s → %s over %s", exactCount(a.Stats.ErrorstatOOM.Or(0)), exactCount(s.Stats.ErrorstatOOM.V), over),
					at,
				}, v.Evidence...),
			}
		}
	}
	x, y, ok := both(a.Stats.EvictedKeys, s.Stats.EvictedKeys)
	if !ok || y <= x || !hasLimit || limit <= 0 || used < ThresholdHeadroomWatch*limit {
		// Evictions far under the limit (memory not counted for eviction,
		// a limit just lowered and already met) are the checklist's matter.
		return v
	}
	rate := (y - x) / s.Time.Sub(a.Time).Seconds()
	line := fmt.Sprintf("evicted_keys +%s over %s (%s)", exactCount(y-x), over, Rate(rate))
	switch v.Kind {
	case VerdictClientBuffers, VerdictReplicationBuffers, VerdictCopyOnWrite:
		// The buffers or the fork push used over the limit: they stay the
		// cause, the evictions their effect.
		if v.Confidence != ConfidenceLow {
			v.Summary += fmt.Sprintf(" The server is evicting keys to make room: %s.", line)
			v.Evidence = append(v.Evidence, line)
			return v
		}
	default:
	}
	e := VerdictResult{
		Kind: VerdictEvicting, Confidence: ConfidenceHigh,
		Summary: fmt.Sprintf("At the limit, evicting: %s keys evicted in the last %s (%s)%s; %s, and writes still succeed.",
			exactCount(y-x), over, Rate(rate), policy, at),
		Evidence: append([]string{line, at}, v.Evidence...),
	}
	if v.Kind == VerdictDataGrowth {
		e.Summary += " New data pushes older keys out."
	}
	return e
}

// recentBase is the sample the present state's counters are compared with:
// the oldest of the newest run at most ThresholdVerdictRecent before the
// newest, or else the one before the newest.
func (c *ruleCtx) recentBase() *Sample {
	h, s := c.h, c.last
	var base *Sample
	for i := h.Len() - 1; i >= 0; i-- {
		x := h.At(i)
		if x.IsGap() || x == s {
			continue
		}
		if restarted(x, s) {
			break
		}
		if base != nil && s.Time.Sub(x.Time) > ThresholdVerdictRecent {
			break
		}
		base = x
	}
	return base
}

// earlierLine says what the window held before the present phase, and the
// change that ended it: "data growth, used +64.00M over 12s; then the
// BGSAVE started 3s ago".
func earlierLine(c *ruleCtx, ph Phase) string {
	wfrom := c.h.Since(c.now.Add(-c.win))
	// A step between two samples (a fork starting, a fall) starts the phase
	// at the sample before it, which ends the earlier stretch too; a change
	// seen on the first sample after it (a restart, a reload, a fork's end)
	// starts the phase there, and the stretch before ends one sample sooner
	// — though a reload's and a fork's end belong to what they close.
	end, search := ph.from, ph.from
	switch ph.Change {
	case PhaseRestart:
		end, search = ph.from-1, ph.from-1
	case PhaseReload, PhaseForkEnd:
		search = ph.from - 1
	default:
	}
	then := ph.Describe() + " " + Duration(c.now.Sub(ph.At)) + " ago"
	if search <= wfrom {
		return then
	}
	// The phase before the present one, not the whole window before it: a
	// load, then a flush, then a limit set would net out to "stable".
	prev := phaseIn(c.h, wfrom, search)
	t := analyseRange(c.h, prev.from, end)
	if !t.ok {
		return then
	}
	if dom, _ := dominant(&t); t.n < ThresholdVerdictMinSamples && dom.bytes < trendFloor(t.first.Memory.UsedMemoryRSS.V) && t.dUsed > -trendFloor(t.first.Memory.UsedMemoryRSS.V) {
		return then // a moment of nothing before the change says nothing
	}
	if ph.Change == PhaseReload {
		return fmt.Sprintf("the server restarted and reloaded its dataset (used %s over %s); then it finished %s ago",
			signedBytes(t.dUsed), Duration(t.span), Duration(c.now.Sub(ph.At)))
	}
	return segmentLine(&t) + "; then " + then
}

// segmentLine is one phrase for a stretch of history: its dominant cause and
// the figure behind it.
func segmentLine(t *trendFacts) string {
	over := " over " + Duration(t.span)
	dom, _ := dominant(t)
	if floor := trendFloor(t.first.Memory.UsedMemoryRSS.V); dom.bytes < floor {
		if t.dUsed <= -floor {
			return fmt.Sprintf("used %s and RSS %s%s (memory freed)", signedBytes(t.dUsed), signedBytes(t.dRSS), over)
		}
		return fmt.Sprintf("stable (used %s%s)", signedBytes(t.dUsed), over)
	}
	fork := ""
	if cow := math.Max(t.cowNow, t.cowPeak); t.forkSeen && dom.kind != VerdictCopyOnWrite && cow >= trendFloor(t.first.Memory.UsedMemoryRSS.V) {
		fork = "; a fork copied up to " + Bytes(cow)
	}
	switch dom.kind {
	case VerdictDataGrowth:
		return fmt.Sprintf("data growth, used %s%s%s", signedBytes(t.dUsed), over, fork)
	case VerdictFragmentation:
		if t.dUsed < 0 {
			return fmt.Sprintf("used %s while RSS %s%s (freed memory kept by the allocator)", signedBytes(t.dUsed), signedBytes(t.dRSS), over)
		}
		return fmt.Sprintf("fragmentation, RSS %s beyond used%s", signedBytes(t.dRSS-t.dUsed), over)
	case VerdictCopyOnWrite:
		return fmt.Sprintf("copy-on-write, a %s copied up to %s", forkName(t.forkKind), Bytes(math.Max(t.cowNow, t.cowPeak)))
	case VerdictClientBuffers:
		return fmt.Sprintf("client output buffers %s%s", signedBytes(t.dClients), over)
	case VerdictReplicationBuffers:
		return fmt.Sprintf("replication buffers %s%s", signedBytes(t.dRepl), over)
	default:
		return fmt.Sprintf("used %s%s", signedBytes(t.dUsed), over)
	}
}
