package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// fragLayer is one of the three layers of fragmentation INFO breaks RSS into
// (5.0+): allocator fragmentation, allocator RSS overhead, process RSS
// overhead.
type fragLayer struct {
	name   string
	ratio  float64
	bytes  float64
	advice string
}

func fragLayers(m *Memory) []fragLayer {
	var out []fragLayer
	add := func(name string, r, b Opt, advice string) {
		if r.Valid && b.Valid && b.V < 1<<62 { // allocator_frag_bytes wraps around on libc builds
			out = append(out, fragLayer{name, r.V, b.V, advice})
		}
	}
	add("allocator fragmentation", m.AllocatorFragRatio, m.AllocatorFragBytes,
		"Allocator fragmentation is free space inside the allocator's pages, left by deleted or resized values. Active defrag (jemalloc builds) moves values to compact it: CONFIG SET activedefrag yes. It costs CPU and some latency while it runs.")
	add("allocator RSS overhead", m.AllocatorRSSRatio, m.AllocatorRSSBytes,
		"Allocator RSS overhead is memory the allocator holds but no longer uses; it usually returns it by itself. MEMORY PURGE asks jemalloc to give it back to the OS now.")
	add("process RSS overhead", m.RSSOverheadRatio, m.RSSOverheadBytes,
		"Process RSS overhead is memory outside the allocator: the Lua VM, modules, shared libraries, or pages touched during a fork. Check used_memory_vm_total (scripts) and loaded modules.")
	return out
}

// dominantLayer is the layer with the most bytes among those MEMORY DOCTOR
// would flag (ratio > 1.1 and > 10 MB); false when none is.
func dominantLayer(ls []fragLayer) (fragLayer, bool) {
	best, found := fragLayer{}, false
	for _, l := range ls {
		if l.ratio > ThresholdLayerRatio && l.bytes > ThresholdLayerMinBytes && (!found || l.bytes > best.bytes) {
			best, found = l, true
		}
	}
	return best, found
}

// ruleFragmentation: how much RSS is not data, and which layer wastes it?
func ruleFragmentation(c *ruleCtx) Check {
	const topic = "Fragmentation"
	m := &c.last.Memory
	used, okU := m.UsedMemory.Get()
	rss, okR := m.UsedMemoryRSS.Get()
	fr, ok := m.MemFragmentationRatio.Get()
	computed := false
	if !ok && okU && okR && used > 0 {
		fr, ok, computed = rss/used, true, true
	}
	if !ok || !okU || !okR {
		return unknownCheck(topic, c.missing("mem_fragmentation_ratio", ""), "", cmdInfoMemory, "redis-cli MEMORY DOCTOR")
	}
	if fr <= 0 || rss <= 0 {
		return unknownCheck(topic, "RSS is not measured yet (the server just started, or is loading)", "Wait for the server's next cron tick.", cmdInfoMemory)
	}
	fragBytes := m.MemFragmentationBytes.Or(rss - used)
	ch := Check{Commands: []string{cmdInfoMemory, "redis-cli MEMORY DOCTOR", "redis-cli MEMORY STATS"}}
	line := fmt.Sprintf("mem_fragmentation_ratio: %s (RSS %s / used %s)", Ratio(fr), Bytes(rss), Bytes(used))
	if computed {
		line += ", computed as RSS / used"
	}
	ch.Evidence = append(ch.Evidence, line, "RSS beyond used: "+Bytes(fragBytes))
	layers := fragLayers(m)
	for _, l := range layers {
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("%s: %s (%s)", l.name, Ratio(l.ratio), Bytes(l.bytes)))
	}
	if len(layers) == 0 {
		ch.Evidence = append(ch.Evidence, "no breakdown into allocator / RSS layers (needs Redis 5.0+ with jemalloc)")
	}

	if used < ThresholdSmallDataset {
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Ratio %s is meaningless on a small dataset (%s used)", Ratio(fr), Bytes(used))
		ch.Advice = "Under a few MB, the server's fixed overhead (code, stacks, allocator arenas) dwarfs the data, so the ratio is high by construction. Nothing to do."
		return ch
	}
	if fr < ThresholdFragSwapRatio {
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("RSS is below used (ratio %s): part of Redis may be swapped out", Ratio(fr))
		ch.Advice = "A ratio under 1 means the OS holds less of Redis in RAM than Redis allocated: the rest may be in swap, which makes Redis very slow. See the swap-and-host check (run redis-memtop on the Redis host to read VmSwap)."
		ch.Commands = append(ch.Commands, "grep VmSwap /proc/$(redis-cli INFO server | awk -F: '/^process_id/{print $2}' | tr -d '\\r')/status")
		return ch
	}

	dom, hasDom := dominantLayer(layers)
	switch {
	case fr >= ThresholdFragCrit:
		ch.Status = StatusCrit
	case fr >= ThresholdFragWarn:
		ch.Status = StatusWarn
	case fr >= ThresholdFragWatch:
		ch.Status = StatusWatch
	default:
		ch.Status = StatusOK
	}
	// A high ratio over a few MB is not worth an alarm (MEMORY DOCTOR wants > 10 MB).
	if ch.Status.Rank() > StatusWatch.Rank() && fragBytes < ThresholdFragMinBytes {
		ch.Status = StatusWatch
	}
	if ch.Status == StatusOK {
		ch.Title = fmt.Sprintf("Fragmentation healthy: ratio %s", Ratio(fr))
		ch.Advice = "RSS is close to what Redis allocated."
		return ch
	}
	ch.Title = fmt.Sprintf("Fragmentation %s: RSS is %s× used, %s beyond the data", Ratio(fr), Ratio(fr), Bytes(fragBytes))
	switch {
	case hasDom:
		ch.Title += ", mostly " + dom.name
		ch.Advice = dom.advice
		if strings.HasPrefix(dom.name, "allocator fragmentation") {
			ch.Commands = append(ch.Commands, cmdDefragOn, cmdDefragOnConf)
		}
		if strings.HasPrefix(dom.name, "allocator RSS") {
			ch.Commands = append(ch.Commands, "redis-cli MEMORY PURGE")
		}
	case len(layers) > 0:
		ch.Advice = "No single layer stands out (none above 1.1 and 10 MB): the waste is spread out, often pages kept after a big delete. It shrinks as the dataset is rewritten; active defrag or a restart (after saving the evidence) gives it back."
	default:
		ch.Advice = "This server does not break RSS into layers. Deleted or resized values leave holes the allocator cannot return; active defrag (Redis 4.0+ with jemalloc) compacts them, a restart after a save frees them."
	}
	applyRestartOrFix(c, &ch, fr)
	return ch
}

// ruleRSSVsUsed: how used and RSS moved over the window.
func ruleRSSVsUsed(c *ruleCtx) Check {
	const topic = "RSS vs used trend"
	t := c.trendOf()
	if !t.ok {
		return unknownCheck(topic, "a trend needs history: "+t.reason, "Wait a few polls.", cmdInfoMemory)
	}
	if t.span < ThresholdMinTrendSpan {
		return unknownCheck(topic, fmt.Sprintf("a trend needs %s of history; there is %s", Duration(ThresholdMinTrendSpan), Duration(t.span)), "Wait a few polls.", cmdInfoMemory)
	}
	u0 := t.first.Memory.UsedMemory.V
	r0 := t.first.Memory.UsedMemoryRSS.V
	u1 := t.last.Memory.UsedMemory.V
	r1 := t.last.Memory.UsedMemoryRSS.V
	usedUp := t.dUsed > 0 && significant(t.dUsed, u0)
	usedDown := t.dUsed < 0 && significant(t.dUsed, u0)
	rssUp := t.dRSS > 0 && significant(t.dRSS, r0)
	rssDown := t.dRSS < 0 && significant(t.dRSS, r0)
	ch := Check{
		Evidence: []string{
			fmt.Sprintf("used_memory: %s → %s (%s) over %s", Bytes(u0), Bytes(u1), signedBytes(t.dUsed), Duration(t.span)),
			fmt.Sprintf("used_memory_rss: %s → %s (%s)", Bytes(r0), Bytes(r1), signedBytes(t.dRSS)),
			fmt.Sprintf("changes smaller than %s (used) / %s (RSS) count as flat", Bytes(trendFloor(u0)), Bytes(trendFloor(r0))),
		},
		Commands: []string{cmdInfoMemory},
	}
	if t.restart {
		ch.Evidence = append(ch.Evidence, "the server restarted inside the window: earlier samples left out")
	}

	switch {
	case rssUp && !usedUp:
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("RSS climbing (%s) while used is flat: fragmentation or copy-on-write", signedBytes(t.dRSS))
		ch.Advice = "Memory the OS sees grows without more data. During a fork it is copy-on-write; otherwise the allocator keeps pages (fragmentation). The fragmentation and persistence panes tell which."
	case usedDown && !rssDown:
		ch.Status = StatusWatch
		if fr, ok := t.last.Memory.MemFragmentationRatio.Get(); ok && fr >= ThresholdFragWarn {
			ch.Status = StatusWarn
		}
		ch.Title = fmt.Sprintf("RSS not falling after deletes: used %s, RSS %s (allocator retention)", signedBytes(t.dUsed), signedBytes(t.dRSS))
		ch.Advice = "Deleting keys frees memory inside Redis, but the allocator keeps the pages: RSS stays up. It is reused for new data; active defrag or MEMORY PURGE can give some back."
	case usedUp && rssUp:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("Data growth: used %s and RSS %s over %s", signedBytes(t.dUsed), signedBytes(t.dRSS), Duration(t.span))
		ch.Advice = "Both rise together: more data (or bigger buffers) is being stored. The verdict and the big-key scan show what grows."
	case usedUp:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("Used growing (%s) while RSS holds: the allocator reuses freed pages", signedBytes(t.dUsed))
		ch.Advice = "New data fills memory the allocator already had. RSS will climb once that slack is used up."
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Stable: used %s, RSS %s over %s", signedBytes(t.dUsed), signedBytes(t.dRSS), Duration(t.span))
		ch.Advice = "Neither used nor RSS moved beyond noise."
		return ch
	}

	// At this pace, when is the limit reached?
	if limit, ok := c.maxmemory(); ok && limit > 0 && usedUp {
		p := c.paceToLimit(t, u1, limit, GetUsed)
		if line := p.evidence("used", "maxmemory ("+Bytes(limit)+")"); line != "" {
			ch.Evidence = append(ch.Evidence, line)
		}
		if p.ok {
			ch.Status = worse(ch.Status, paceStatus(p.d))
		}
	}
	if ram, src, ok := c.hostRAM(); ok && rssUp {
		p := c.paceToLimit(t, r1, ram, GetRSS)
		if line := p.evidence("RSS", "the "+src+" ("+Bytes(ram)+")"); line != "" {
			ch.Evidence = append(ch.Evidence, line)
		}
		if p.ok {
			ch.Status = worse(ch.Status, paceStatus(p.d))
		}
	}
	return ch
}

// paceStatus grades the time left before a limit.
func paceStatus(d time.Duration) Status {
	switch {
	case d <= ThresholdTimeToLimitCrit:
		return StatusCrit
	case d <= ThresholdTimeToLimitWarn:
		return StatusWarn
	}
	return StatusOK
}

// parseConfSize reads a CONFIG size: bytes ("104857600") or with a unit
// ("100mb", "1gb", "64k").
func parseConfSize(s string) (float64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	mult := 1.0
	for _, u := range []struct {
		suffix string
		mult   float64
	}{{"gb", 1 << 30}, {"mb", 1 << 20}, {"kb", 1 << 10}, {"g", 1e9}, {"m", 1e6}, {"k", 1e3}, {"b", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return v * mult, true
}

// ruleActiveDefrag: is active defrag off while the allocator fragments?
func ruleActiveDefrag(c *ruleCtx) Check {
	const topic = "Active defrag"
	m := &c.last.Memory
	fr, ok1 := m.AllocatorFragRatio.Get()
	fb, ok2 := m.AllocatorFragBytes.Get()
	if !ok1 || !ok2 || fb >= 1<<62 {
		return unknownCheck(topic, c.missing("allocator_frag_ratio", "5.0"), "", cmdInfoMemory)
	}
	ch := Check{
		Evidence: []string{fmt.Sprintf("allocator fragmentation: %s (%s)", Ratio(fr), Bytes(fb))},
		Commands: []string{"redis-cli CONFIG GET activedefrag", "redis-cli CONFIG GET active-defrag-*", cmdInfoMemory},
	}
	if alloc := string(m.MemAllocator); alloc != "" && !strings.HasPrefix(alloc, "jemalloc") {
		ch.Status = StatusOK
		ch.Title = "Active defrag needs jemalloc; this server uses " + alloc
		ch.Evidence = append(ch.Evidence, "mem_allocator: "+alloc)
		ch.Advice = "Active defrag is only available on jemalloc builds. A restart after a save is the only way to compact memory here."
		return ch
	}
	if r := c.configReason(); r != "" {
		u := unknownCheck(topic, r, "The activedefrag setting is only visible through CONFIG GET.", "redis-cli CONFIG GET activedefrag")
		u.Evidence = append(ch.Evidence, u.Evidence...)
		return u
	}
	onVal, ok := c.config("activedefrag")
	if !ok {
		return unknownCheck(topic, "the server has no activedefrag setting (needs Redis 4.0+)", "", "redis-cli CONFIG GET activedefrag")
	}
	on := strings.EqualFold(onVal, "yes")
	lower := ThresholdDefragLowerPct
	if s, ok := c.config("active-defrag-threshold-lower"); ok {
		if v, ok := parseConfSize(s); ok {
			lower = v
		}
	}
	ignore := float64(ThresholdDefragIgnoreBytes)
	if s, ok := c.config("active-defrag-ignore-bytes"); ok {
		if v, ok := parseConfSize(s); ok {
			ignore = v
		}
	}
	ch.Evidence = append(ch.Evidence,
		"activedefrag: "+onVal,
		fmt.Sprintf("starts at: > %s %% and > %s (active-defrag-threshold-lower, active-defrag-ignore-bytes)", strconv.FormatFloat(lower, 'f', -1, 64), Bytes(ignore)))
	running := m.ActiveDefragRunning.Or(0)
	if running > 0 {
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("active_defrag_running: %s %% CPU", strconv.FormatFloat(running, 'f', -1, 64)))
	}
	fragPct := (fr - 1) * 100
	high := fragPct >= lower && fb >= ignore
	moderate := fr > ThresholdLayerRatio && fb > ThresholdLayerMinBytes
	prog := defragProgressOf(c)
	if prog.known {
		ch.Evidence = append(ch.Evidence, prog.line())
	}
	held := defragHeldBack(c)
	if held != "" {
		ch.Evidence = append(ch.Evidence, "held back: "+held)
	}
	if defragHeldOrStuck(&ch, on, running, high || moderate, prog, held) {
		return ch
	}
	switch {
	case !on && high:
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("Active defrag is off while allocator fragmentation is %s (%s)", Ratio(fr), Bytes(fb))
		ch.Advice = "Active defrag would reclaim this memory without a restart. It uses CPU (active-defrag-cycle-min/max, 1–25 % by default) and can add latency on big keys; turn it on during a quiet period and watch latency."
		ch.Commands = append(ch.Commands, cmdDefragOn, cmdDefragOnConf)
	case !on && moderate:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("Active defrag is off; allocator fragmentation %s (%s) is below its start threshold", Ratio(fr), Bytes(fb))
		ch.Advice = "Not worth the CPU yet. If fragmentation keeps growing, active defrag reclaims it without a restart (at some CPU and latency cost)."
	case on && running > 0:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("Active defrag is running (%s %% CPU)", strconv.FormatFloat(running, 'f', -1, 64))
		ch.Advice = "Defrag is compacting memory now. It costs CPU and may add latency; RSS should fall over the next minutes."
	case on:
		ch.Status = StatusOK
		ch.Title = "Active defrag is on and idle"
		ch.Advice = "It starts by itself past its thresholds."
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Active defrag is off; allocator fragmentation is low (%s)", Ratio(fr))
		ch.Advice = "Nothing to reclaim."
	}
	return ch
}

// rulePeak: the peak far above today's usage means RSS may stay high.
func rulePeakOnly(c *ruleCtx) Check {
	const topic = "Peak vs now"
	m := &c.last.Memory
	peak, ok1 := m.UsedMemoryPeak.Get()
	used, ok2 := m.UsedMemory.Get()
	if !ok1 || !ok2 {
		return unknownCheck(topic, c.missing("used_memory_peak", ""), "", cmdInfoMemory)
	}
	ch := Check{
		Evidence: []string{fmt.Sprintf("used_memory_peak: %s, used_memory: %s", Bytes(peak), Bytes(used))},
		Commands: []string{cmdInfoMemory, "redis-cli MEMORY STATS"},
	}
	rss, rssOK := m.UsedMemoryRSS.Get()
	if rssOK {
		ch.Evidence = append(ch.Evidence, "used_memory_rss: "+Bytes(rss))
	}
	if peak < ThresholdSmallDataset || used <= 0 {
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Peak %s: too small to matter", Bytes(peak))
		ch.Advice = "Nothing to do."
		return ch
	}
	r := peak / used
	ch.Evidence = append(ch.Evidence, "peak / used: "+Ratio(r))
	switch {
	case r > ThresholdPeakRatio && rssOK && rss >= ThresholdPeakRSSKept*peak:
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("Peak %s is %s× used, and RSS (%s) never came back down", Bytes(peak), Ratio(r), Bytes(rss))
		ch.Advice = "The server once held much more data; the allocator kept the pages, so the machine still pays for the peak. Find what caused the peak (a batch job, a big key, a replica resync); active defrag, MEMORY PURGE or a restart after a save give memory back."
		ch.Commands = append(ch.Commands, "redis-cli MEMORY PURGE")
	case r > ThresholdPeakRatio:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("Peak %s is %s× used now: RSS may not shrink back", Bytes(peak), Ratio(r))
		ch.Advice = "Memory use was much higher before. Plan capacity for the peak, not for today."
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Peak %s is close to used now (%s×)", Bytes(peak), Ratio(r))
		ch.Advice = "No big swing since the start."
	}
	return ch
}

// rulePeak: the peak far above today's usage, and a restart — whose peak
// before is the figure that explains it (rules_restart.go).
func rulePeak(c *ruleCtx) Check {
	ch := rulePeakOnly(c)
	if ch.Status != StatusUnknown {
		applyRestartTrace(c, &ch)
	}
	return ch
}
