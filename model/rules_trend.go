package model

import (
	"math"
	"time"
)

// trendFacts are the changes over the window that the rss-vs-used check and
// the verdict read. Every delta is newest minus oldest sample of the newest
// server run inside the window (samples before a restart are left out).
type trendFacts struct {
	ok     bool
	reason string // why ok is false

	first, last *Sample
	lastIdx     int           // last's index in the history
	n           int           // non-gap samples used
	span        time.Duration // last.Time - first.Time
	gaps        int           // gap samples between first and last
	restart     bool          // the window held an earlier server run, left out

	dUsed, dRSS float64
	// Client and replication buffers are part of used_memory; their changes
	// are known only when both ends report them.
	dClients   float64
	hasClients bool
	dRepl      float64
	hasRepl    bool

	// Copy-on-write: the running fork's figure, and the biggest copy seen in
	// the window (running forks, or finished ones through *_last_cow_size).
	forkNow      bool
	forkKind     string
	forkSeen     bool // a fork ran at some point in the window
	forkEnded    bool // a fork that ran in the window has finished
	cowKnown     bool // the server reports current_cow_size (6.2+)
	cowNow       float64
	cowFirst     float64
	cowPeak      float64
	lastCOWAfter float64 // rdb/aof_last_cow_size of a fork that finished in the window
}

// analyseTrend computes the trend facts over (now-win, now].
func analyseTrend(h *History, now time.Time, win time.Duration) trendFacts {
	if h == nil {
		return trendFacts{reason: "no history yet"}
	}
	t := analyseRange(h, h.Since(now.Add(-win)), h.Len()-1)
	if t.last == nil {
		t.reason = "no sample in the last " + Duration(win)
	}
	return t
}

// analyseRange computes the trend facts over the samples from..to (indexes
// into h, both included): the verdict reads a phase, or what came before it,
// this way.
func analyseRange(h *History, from, to int) trendFacts {
	var t trendFacts
	first, last := h.spanIdx(from, to)
	if last == nil {
		t.reason = "no sample in the range"
		return t
	}
	t.first, t.last = first, last
	if first == last {
		t.n = 1
		t.reason = "only one sample so far"
		return t
	}
	inRun := false
	for i := from; i <= to; i++ {
		s := h.At(i)
		if s == first {
			inRun = true
		}
		if !inRun {
			if !s.IsGap() {
				t.restart = true
			}
			continue
		}
		if s.IsGap() {
			t.gaps++
			continue
		}
		if s == last {
			t.lastIdx = i
		}
		t.n++
		if s.ForkRunning() {
			t.forkSeen = true
			if v, ok := s.Persistence.CurrentCOWSize.Get(); ok {
				t.cowKnown = true
				t.cowPeak = math.Max(t.cowPeak, v)
			}
			if v, ok := s.Persistence.CurrentCOWPeak.Get(); ok {
				t.cowPeak = math.Max(t.cowPeak, v)
			}
		} else if t.forkSeen {
			t.forkEnded = true
		}
	}
	t.span = last.Time.Sub(first.Time)

	u0, ok1 := first.Memory.UsedMemory.Get()
	u1, ok2 := last.Memory.UsedMemory.Get()
	r0, ok3 := first.Memory.UsedMemoryRSS.Get()
	r1, ok4 := last.Memory.UsedMemoryRSS.Get()
	if !ok1 || !ok2 || !ok3 || !ok4 {
		t.reason = "used_memory or used_memory_rss is missing from the samples"
		return t
	}
	t.dUsed, t.dRSS = u1-u0, r1-r0
	if a, b, ok := both(first.Memory.MemClientsNormal, last.Memory.MemClientsNormal); ok {
		t.dClients, t.hasClients = b-a, true
	}
	if a, b, ok := both(replBuffers(first), replBuffers(last)); ok {
		t.dRepl, t.hasRepl = b-a, true
	}

	t.forkNow = last.ForkRunning()
	t.forkKind = forkKind(last)
	if t.forkNow {
		if v, ok := last.Persistence.CurrentCOWSize.Get(); ok {
			t.cowKnown = true
			t.cowNow = v
		}
	}
	if first.ForkRunning() {
		t.cowFirst = first.Persistence.CurrentCOWSize.Or(0)
	}
	// A fork that started and ended between two polls is only visible in the
	// counters; its copy-on-write is in *_last_cow_size.
	if forksGrew(first, last) && !t.forkNow {
		t.forkSeen, t.forkEnded = true, true
	}
	if t.forkEnded {
		lc := math.Max(last.Persistence.RDBLastCOWSize.Or(0), last.Persistence.AOFLastCOWSize.Or(0))
		lc = math.Max(lc, last.Persistence.ModuleForkLastCOWSize.Or(0))
		t.lastCOWAfter = lc
		t.cowPeak = math.Max(t.cowPeak, lc)
	}
	t.ok = true
	return t
}

// forksGrew reports whether a fork finished between a and b, from the
// counters (total_forks 6.2+, rdb_saves / aof_rewrites 7.0+).
func forksGrew(a, b *Sample) bool {
	for _, g := range []Getter{
		func(s *Sample) Opt { return s.Stats.TotalForks },
		func(s *Sample) Opt { return s.Persistence.RDBSaves },
		func(s *Sample) Opt { return s.Persistence.AOFRewrites },
	} {
		if x, y, ok := both(g(a), g(b)); ok && y > x {
			return true
		}
	}
	return false
}

// both returns two present values.
func both(a, b Opt) (x, y float64, ok bool) {
	if !a.Valid || !b.Valid {
		return 0, 0, false
	}
	return a.V, b.V, true
}

// replBuffers is the memory of replication buffers: the shared buffer on 7.0+
// (backlog and replica output), else replica output plus backlog.
func replBuffers(s *Sample) Opt {
	if v, ok := s.Memory.MemTotalReplicationBuffers.Get(); ok {
		return Some(v)
	}
	a, ok1 := s.Memory.MemClientsSlaves.Get()
	b, ok2 := s.Memory.MemReplicationBacklog.Get()
	if ok1 && ok2 {
		return Some(a + b)
	}
	return None()
}

// significant reports whether a change is more than noise for a figure that
// started at base.
func significant(delta, base float64) bool {
	return math.Abs(delta) >= trendFloor(base)
}

// trendFloor is the smallest change that counts for a figure at base.
func trendFloor(base float64) float64 {
	return math.Max(ThresholdTrendMinBytes, ThresholdTrendMinShare*math.Abs(base))
}

// timeToReach is how long, at the pace delta per span, a figure at cur takes
// to reach limit; false when it is not rising or already there.
func timeToReach(cur, limit, delta float64, span time.Duration) (time.Duration, bool) {
	if delta <= 0 || span <= 0 || limit <= cur {
		return 0, false
	}
	perSec := delta / span.Seconds()
	secs := (limit - cur) / perSec
	if secs > float64(math.MaxInt64/int64(time.Second)) {
		return 0, false
	}
	return time.Duration(secs * float64(time.Second)), true
}

// limitPace is when a rising figure reaches its limit, judged on the pace of
// the window's newest stretch: the average over the whole window keeps
// promising a limit for minutes after the load has stopped.
type limitPace struct {
	d       time.Duration // time left; valid when ok
	ok      bool
	over    time.Duration // the stretch the pace was measured on
	stopped bool          // rose over the window, flat over its newest stretch
	atLimit bool          // already within 1 % of the limit
}

// recentStretch is the newest part of the window a pace is read on: a
// quarter of it, between 10 s and a minute.
func recentStretch(span time.Duration) time.Duration {
	return min(max(span/4, 10*time.Second), time.Minute)
}

// paceToLimit reads the pace of get over the newest stretch of t's range
// and says when cur reaches limit at that pace.
func (c *ruleCtx) paceToLimit(t *trendFacts, cur, limit float64, get Getter) limitPace {
	if limit > 0 && cur >= 0.99*limit {
		return limitPace{atLimit: true}
	}
	whole := limitPace{over: t.span}
	whole.d, whole.ok = timeToReach(cur, limit, getDelta(t.first, t.last, get), t.span)
	if c.h == nil || t.last == nil {
		return whole
	}
	w := recentStretch(t.span)
	if w >= t.span {
		return whole
	}
	// The newest stretch ends at t.last (a phase's range may end before now).
	first, last := c.h.spanIdx(c.h.Since(t.last.Time.Add(-w)), t.lastIdx)
	if first == nil || first == last {
		return whole
	}
	over := last.Time.Sub(first.Time)
	rd := getDelta(first, last, get)
	wholeRate := getDelta(t.first, t.last, get) / t.span.Seconds()
	if rd/over.Seconds() <= wholeRate/4 && !significant(rd, cur) {
		return limitPace{over: over, stopped: true}
	}
	p := limitPace{over: over}
	p.d, p.ok = timeToReach(cur, limit, rd, over)
	return p
}

// getDelta is get(last) - get(first), 0 when either is missing.
func getDelta(first, last *Sample, get Getter) float64 {
	if first == nil || last == nil {
		return 0
	}
	a, b, ok := both(get(first), get(last))
	if !ok {
		return 0
	}
	return b - a
}

// evidence is the pace as a line of a check's evidence ("" when there is
// nothing to say): what of the figure reaches which limit, and when.
func (p limitPace) evidence(what, limit string) string {
	switch {
	case p.atLimit:
		return what + " is within 1 % of " + limit + " now"
	case p.stopped:
		return what + " rose over the window but is flat over the last " + Duration(p.over) + ": no time to " + limit + " while it holds"
	case p.ok:
		return "at the pace of the last " + Duration(p.over) + ", " + what + " reaches " + limit + " in " + Duration(p.d)
	}
	return ""
}
