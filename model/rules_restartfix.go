package model

import (
	"fmt"
	"strings"
	"time"
)

// Restart versus fix: the guides' line between fragmentation that active
// defrag can win back and fragmentation that only a fresh process gives
// back (a replica restarted, then a failover to it), and the moments when
// defrag advice must wait.

const (
	cmdDefragOn     = "redis-cli CONFIG SET activedefrag yes"
	cmdDefragOnConf = "# redis.conf: activedefrag yes"
)

// defragProgress is what the window says of active defrag at work, from the
// active_defrag_hits / misses counters (values moved / not moved) and the
// allocator fragmentation at both ends.
type defragProgress struct {
	known          bool // both ends report the counters, of the same run
	running        bool // active_defrag_running now
	hits, misses   float64
	span           time.Duration
	notConverging  bool
	why            string
	fragA, fragB   float64
	fragKnown      bool
	runningAtStart bool
}

func defragProgressOf(c *ruleCtx) defragProgress {
	var p defragProgress
	t := c.trendOf()
	if t.first == nil || t.last == nil || t.first == t.last {
		return p
	}
	a, b := t.first, t.last
	h1, ok1 := a.Stats.ActiveDefragHits.Get()
	h2, ok2 := b.Stats.ActiveDefragHits.Get()
	m1, ok3 := a.Stats.ActiveDefragMisses.Get()
	m2, ok4 := b.Stats.ActiveDefragMisses.Get()
	if !ok1 || !ok2 || !ok3 || !ok4 || h2 < h1 || m2 < m1 {
		return p
	}
	p.known = true
	p.hits, p.misses = h2-h1, m2-m1
	p.span = b.Time.Sub(a.Time)
	p.running = b.Memory.ActiveDefragRunning.Or(0) > 0
	p.runningAtStart = a.Memory.ActiveDefragRunning.Or(0) > 0
	fa, okA := a.Memory.AllocatorFragRatio.Get()
	fb, okB := b.Memory.AllocatorFragRatio.Get()
	p.fragA, p.fragB, p.fragKnown = fa, fb, okA && okB
	switch {
	case p.misses >= ThresholdDefragMissesPerHit && p.misses > ThresholdDefragMissesPerHit*p.hits:
		p.notConverging = true
		p.why = fmt.Sprintf("%s misses for %s hits over %s (values it could not move)", exactCount(p.misses), exactCount(p.hits), Duration(p.span))
	case p.runningAtStart && p.running && p.span >= ThresholdDefragStallSpan && p.fragKnown && fa-fb < ThresholdDefragProgress:
		p.notConverging = true
		p.why = fmt.Sprintf("running for %s while allocator fragmentation went %s → %s", Duration(p.span), Ratio(fa), Ratio(fb))
	}
	return p
}

// line is the evidence line of the counters over the window.
func (p defragProgress) line() string {
	return fmt.Sprintf("active_defrag_hits / misses over the last %s: +%s / +%s", Duration(p.span), exactCount(p.hits), exactCount(p.misses))
}

// allocEfficiency is the share of the allocator's active pages that hold
// data (allocator_allocated / allocator_active).
func allocEfficiency(m *Memory) (float64, bool) {
	a, ok1 := m.AllocatorAllocated.Get()
	act, ok2 := m.AllocatorActive.Get()
	if ok1 && ok2 && act > 0 {
		return a / act, true
	}
	if r, ok := m.AllocatorFragRatio.Get(); ok && r > 0 {
		return 1 / r, true
	}
	return 0, false
}

// restartReasons lists why fragmentation at ratio fr calls for a restart
// (of a replica, then a failover) rather than a fix in place; none means
// defrag or waiting can still do.
func restartReasons(c *ruleCtx, fr float64) []string {
	m := &c.last.Memory
	var r []string
	if fr > ThresholdFragRestart {
		r = append(r, fmt.Sprintf("ratio %s is above %s", Ratio(fr), Ratio(ThresholdFragRestart)))
	}
	if eff, ok := allocEfficiency(m); ok && eff < ThresholdAllocEfficiencyRestart {
		r = append(r, fmt.Sprintf("allocator efficiency (allocated / active) is %s, under %s", sharePct(eff), sharePct(ThresholdAllocEfficiencyRestart)))
	}
	if alloc := string(m.MemAllocator); alloc != "" && !strings.HasPrefix(alloc, "jemalloc") {
		r = append(r, "active defrag is unsupported here (allocator "+Sanitize(alloc, 40)+")")
	}
	if p := defragProgressOf(c); p.notConverging {
		r = append(r, "active defrag is not converging: "+p.why)
	}
	return r
}

// defragHeldBack says why defrag advice must wait, or "": defrag copies
// values before it frees the old ones, so near the limit or with writes
// already refused it can tip the server over, during a fork every page it
// moves is copied again by copy-on-write, and it competes with a slot
// migration's MIGRATE for the same main thread.
func defragHeldBack(c *ruleCtx) string {
	var why []string
	if s, ok := c.usedShare(); ok && s >= ThresholdHeadroomWarn {
		why = append(why, "memory is at "+sharePct(s)+" of maxmemory")
	}
	if oom, ok := oomCount(c.last); ok && oom > 0 {
		if t := c.trendOf(); t.ok {
			if a, ok := oomCount(t.first); ok && oom > a {
				why = append(why, fmt.Sprintf("writes are failing with OOM (+%s in the last %s)", exactCount(oom-a), Duration(t.span)))
			}
		}
	}
	if c.last.ForkRunning() {
		why = append(why, "a fork ("+forkKind(c.last)+") is running")
	}
	if c.ex != nil && c.ex.Slots != nil {
		if m, i := len(c.ex.Slots.Migrating), len(c.ex.Slots.Importing); m+i > 0 {
			why = append(why, fmt.Sprintf("a slot migration is under way (%d migrating, %d importing)", m, i))
		}
	}
	return strings.Join(why, "; ")
}

const heldBackAdvice = "Not now for active defrag: it copies values before freeing the old ones, so under memory pressure or OOM errors it can tip the server over, and during a fork every page it moves is copied again (copy-on-write). Deal with the pressure first (headroom, OOM errors, the save), then turn it on."

// applyRestartOrFix adds the restart-versus-fix judgement and the held-back
// defrag advice to a fragmentation check; a restart is advised only at
// warn or crit.
func applyRestartOrFix(c *ruleCtx, ch *Check, fr float64) {
	var reasons []string
	if ch.Status.Rank() >= StatusWarn.Rank() {
		reasons = restartReasons(c, fr)
	}
	held := defragHeldBack(c)
	hadDefrag := dropCommands(ch, cmdDefragOn, cmdDefragOnConf)
	if len(reasons) > 0 {
		ch.Title = "Restart or fail over: " + strings.ToLower(ch.Title[:1]) + ch.Title[1:]
		ch.Evidence = append(ch.Evidence, "restart rather than fix: "+strings.Join(reasons, "; "))
		ch.Advice = "Defrag will not win this back in useful time (" + strings.Join(reasons, "; ") + "). Save the evidence first (x), then give the memory back with a fresh process — not a blind restart: restart a replica (it reloads a compact copy) and fail over to it (FAILOVER on 6.2+, SENTINEL FAILOVER, or CLUSTER FAILOVER on the replica). A master without a replica comes back only from its last save: save first, and expect the downtime."
		ch.Commands = append(ch.Commands, "redis-cli INFO replication", "redis-cli FAILOVER")
		hadDefrag = false
	}
	if held != "" && hadDefrag {
		ch.Evidence = append(ch.Evidence, "defrag advice held back: "+held)
		ch.Advice += " " + heldBackAdvice
		hadDefrag = false
	}
	if hadDefrag {
		ch.Commands = append(ch.Commands, cmdDefragOn, cmdDefragOnConf)
	}
}

// dropCommands removes the given commands from ch and reports whether any
// was there.
func dropCommands(ch *Check, drop ...string) bool {
	found := false
	out := ch.Commands[:0]
	for _, cmd := range ch.Commands {
		hit := false
		for _, d := range drop {
			if cmd == d {
				hit = true
			}
		}
		if hit {
			found = true
			continue
		}
		out = append(out, cmd)
	}
	ch.Commands = out
	return found
}

// defragHeldOrStuck judges the activedefrag check's cases this file adds:
// defrag on but not converging (a restart is the fix), and defrag advice
// held back under pressure. It reports whether it decided the check.
func defragHeldOrStuck(ch *Check, on bool, running float64, fragmented bool, prog defragProgress, held string) bool {
	switch {
	case on && prog.notConverging:
		ch.Status = StatusWarn
		ch.Title = "Active defrag is not converging: " + prog.why
		ch.Advice = "Defrag is spending CPU without giving memory back: the values left are ones it cannot move (or the build's allocator cannot defragment). Turn it off and give the memory back with a fresh process instead: save the evidence (x), restart a replica and fail over to it (FAILOVER on 6.2+, SENTINEL FAILOVER, CLUSTER FAILOVER on the replica)."
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET activedefrag no", "redis-cli INFO replication", "redis-cli FAILOVER")
	case on && running > 0 && held != "":
		ch.Status = StatusWatch
		ch.Title = "Active defrag is running under pressure: " + held
		ch.Advice = "Defrag copies values before freeing the old ones, and during a fork every page it moves is copied again. Consider turning it off until the pressure is over, then on again."
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET activedefrag no")
	case !on && fragmented && held != "":
		ch.Status = StatusWatch
		ch.Title = "Active defrag would help, but not now: " + held
		ch.Advice = heldBackAdvice
	default:
		return false
	}
	return true
}
