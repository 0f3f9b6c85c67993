package model

import "time"

// EventKind names something that happened between two samples.
type EventKind string

// The events the history detects; the graph marks them.
const (
	EventRestart   EventKind = "restart"    // run_id changed or uptime went back
	EventForkStart EventKind = "fork_start" // a BGSAVE / AOF rewrite / module fork began
	EventForkEnd   EventKind = "fork_end"
	EventGapStart  EventKind = "gap_start" // the server stopped answering
	EventGapEnd    EventKind = "gap_end"
	EventFailover  EventKind = "failover" // Sentinel promoted another master; Detail is "old → new"
)

// Event is a dated history event.
type Event struct {
	Kind   EventKind `json:"kind"`
	Time   time.Time `json:"time"`
	Detail string    `json:"detail,omitempty"`
}

// maxEvents bounds the event list; old events fall off the front.
const maxEvents = 512

// Getter picks one figure out of a sample.
type Getter func(*Sample) Opt

// History is a fixed-capacity ring buffer of samples (gaps included) plus the
// events detected between them. Memory does not grow with run time.
type History struct {
	buf    []Sample
	start  int // index of the oldest sample
	n      int
	events []Event
	lastOK int // absolute count index of the latest non-gap sample, -1 if none
	added  int // samples ever added
	// fork is the latest fork seen and the memory of the sample that first
	// showed it; kept here, not looked up in buf, so it stays the same when
	// that sample falls off the ring.
	fork   ForkSeen
	forkOK bool
}

// ForkSeen is the latest fork (latest_fork_usec) with the memory of the
// sample that first showed it: the best figure of the memory at the fork,
// the one its cost is graded against.
type ForkSeen struct {
	Usec  float64   // latest_fork_usec; 0 means no fork since the server started
	Total Opt       // total_forks (7.0+), which tells two forks of the same length apart
	Time  time.Time // the sample that first showed this fork
	Used  Opt       // used_memory of that sample
	RSS   Opt       // used_memory_rss of that sample
	// Before is true when the fork was already there in the first sample
	// of this server run: it may be older, and the memory then is unknown.
	Before bool
}

// LatestFork is the latest fork seen, false when no sample reported
// latest_fork_usec.
func (h *History) LatestFork() (ForkSeen, bool) { return h.fork, h.forkOK }

// noteFork remembers the sample that first shows a new latest_fork_usec.
func (h *History) noteFork(prev, s *Sample) {
	us, ok := s.Stats.LatestForkUsec.Get()
	if !ok {
		return
	}
	newRun := prev == nil || restarted(prev, s)
	if !newRun && h.forkOK && h.fork.Usec == us && h.fork.Total == s.Stats.TotalForks {
		return
	}
	h.fork = ForkSeen{
		Usec: us, Total: s.Stats.TotalForks, Time: s.Time,
		Used: s.Memory.UsedMemory, RSS: s.Memory.UsedMemoryRSS,
		Before: newRun || !h.forkOK,
	}
	h.forkOK = true
}

// Clone is an independent copy (a frozen display's).
func (h *History) Clone() *History {
	c := *h
	c.buf = append([]Sample(nil), h.buf...)
	c.events = append([]Event(nil), h.events...)
	return &c
}

// NewHistory returns a history holding at most capacity samples (at least 2).
func NewHistory(capacity int) *History {
	capacity = max(capacity, 2)
	return &History{buf: make([]Sample, capacity), lastOK: -1}
}

// Capacity is the most samples the history keeps.
func (h *History) Capacity() int { return len(h.buf) }

// Len is the number of samples held.
func (h *History) Len() int { return h.n }

// At returns the i-th sample held, 0 being the oldest. It panics when i is out
// of range, like a slice.
func (h *History) At(i int) *Sample {
	if i < 0 || i >= h.n {
		panic("model: History.At out of range")
	}
	return &h.buf[(h.start+i)%len(h.buf)]
}

// Last returns the newest sample (possibly a gap), or nil.
func (h *History) Last() *Sample {
	if h.n == 0 {
		return nil
	}
	return h.At(h.n - 1)
}

// LastOK returns the newest sample that is not a gap, or nil.
func (h *History) LastOK() *Sample {
	for i := h.n - 1; i >= 0; i-- {
		if s := h.At(i); !s.IsGap() {
			return s
		}
	}
	return nil
}

// PrevOK returns the non-gap sample before the newest non-gap one, or nil.
func (h *History) PrevOK() *Sample {
	seen := false
	for i := h.n - 1; i >= 0; i-- {
		s := h.At(i)
		if s.IsGap() {
			continue
		}
		if seen {
			return s
		}
		seen = true
	}
	return nil
}

// Events returns the detected events, oldest first. The slice is shared:
// callers must not modify it.
func (h *History) Events() []Event { return h.events }

// Add appends a sample and returns the events it reveals against the previous
// one (restart, fork start/end, gap start/end).
func (h *History) Add(s Sample) []Event {
	prev := h.Last()
	prevOK := h.LastOK()
	var evs []Event
	switch {
	case s.IsGap():
		if prev == nil || !prev.IsGap() {
			evs = append(evs, Event{Kind: EventGapStart, Time: s.Time, Detail: s.Err})
		}
	default:
		if prev != nil && prev.IsGap() {
			evs = append(evs, Event{Kind: EventGapEnd, Time: s.Time})
		}
		if prevOK != nil {
			if restarted(prevOK, &s) {
				evs = append(evs, Event{Kind: EventRestart, Time: s.Time, Detail: string(s.Server.RunID)})
			}
			switch was, is := prevOK.ForkRunning(), s.ForkRunning(); {
			case !was && is:
				evs = append(evs, Event{Kind: EventForkStart, Time: s.Time, Detail: forkKind(&s)})
			case was && !is:
				evs = append(evs, Event{Kind: EventForkEnd, Time: s.Time, Detail: forkKind(prevOK)})
			}
		} else if s.ForkRunning() {
			evs = append(evs, Event{Kind: EventForkStart, Time: s.Time, Detail: forkKind(&s)})
		}
		h.noteFork(prevOK, &s)
	}

	if h.n < len(h.buf) {
		h.buf[(h.start+h.n)%len(h.buf)] = s
		h.n++
	} else {
		h.buf[h.start] = s
		h.start = (h.start + 1) % len(h.buf)
	}
	h.added++
	h.events = append(h.events, evs...)
	if over := len(h.events) - maxEvents; over > 0 {
		h.events = append(h.events[:0], h.events[over:]...)
	}
	return evs
}

// restarted reports whether cur comes from a new server process: the run_id
// changed, or the uptime went back.
func restarted(prev, cur *Sample) bool {
	if prev.Server.RunID != "" && cur.Server.RunID != "" && prev.Server.RunID != cur.Server.RunID {
		return true
	}
	pu, ok1 := prev.Server.Uptime.Get()
	cu, ok2 := cur.Server.Uptime.Get()
	return ok1 && ok2 && cu < pu
}

func forkKind(s *Sample) string {
	p := &s.Persistence
	switch {
	case p.RDBBgsaveInProgress.IsTrue():
		return "rdb"
	case p.AOFRewriteInProgress.IsTrue():
		return "aof"
	case p.ModuleForkInProgress.IsTrue():
		return "module"
	}
	return ""
}

// Since returns the index of the oldest sample at or after t (Len() if none).
func (h *History) Since(t time.Time) int {
	lo, hi := 0, h.n
	for lo < hi {
		mid := (lo + hi) / 2
		if h.At(mid).Time.Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// Point is one value of a series; V is absent at a gap.
type Point struct {
	Time time.Time
	V    Opt
}

// Series returns get over the samples in (now-window, now]; a window of 0
// means everything held.
func (h *History) Series(now time.Time, window time.Duration, get Getter) []Point {
	from := 0
	if window > 0 {
		from = h.Since(now.Add(-window))
	}
	out := make([]Point, 0, h.n-from)
	for i := from; i < h.n; i++ {
		s := h.At(i)
		p := Point{Time: s.Time}
		if !s.IsGap() {
			p.V = get(s)
		}
		out = append(out, p)
	}
	return out
}

// Rate is the per-second rate of a counter between the two newest non-gap
// samples. It is absent when there are not two samples, when the server
// restarted between them, or when the counter went back (a reset).
func (h *History) Rate(get Getter) Opt {
	cur, prev := h.LastOK(), h.PrevOK()
	if cur == nil || prev == nil {
		return None()
	}
	return rateBetween(prev, cur, get)
}

// RateOver is the mean per-second rate of a counter over the window ending at
// now, from the oldest to the newest non-gap sample of the same server run.
func (h *History) RateOver(now time.Time, window time.Duration, get Getter) Opt {
	first, last := h.span(now, window)
	if first == nil || last == nil || first == last {
		return None()
	}
	return rateBetween(first, last, get)
}

func rateBetween(a, b *Sample, get Getter) Opt {
	if restarted(a, b) {
		return None()
	}
	va, ok1 := get(a).Get()
	vb, ok2 := get(b).Get()
	dt := b.Time.Sub(a.Time).Seconds()
	if !ok1 || !ok2 || dt <= 0 || vb < va {
		return None()
	}
	return Some((vb - va) / dt)
}

// span returns the oldest and newest non-gap samples in the window that belong
// to the newest server run (samples before a restart are left out).
func (h *History) span(now time.Time, window time.Duration) (first, last *Sample) {
	from := 0
	if window > 0 {
		from = h.Since(now.Add(-window))
	}
	return h.spanIdx(from, h.n-1)
}

// spanIdx is span over the samples from..to (indexes, both included).
func (h *History) spanIdx(from, to int) (first, last *Sample) {
	for i := min(to, h.n-1); i >= max(from, 0); i-- {
		s := h.At(i)
		if s.IsGap() {
			continue
		}
		if last == nil {
			last = s
			first = s
			continue
		}
		if restarted(s, first) {
			break
		}
		first = s
	}
	return first, last
}

// Delta is the change of a figure over the window ending at now (newest minus
// oldest non-gap sample of the same server run).
func (h *History) Delta(now time.Time, window time.Duration, get Getter) Opt {
	first, last := h.span(now, window)
	if first == nil || last == nil {
		return None()
	}
	a, ok1 := get(first).Get()
	b, ok2 := get(last).Get()
	if !ok1 || !ok2 {
		return None()
	}
	return Some(b - a)
}

// Max is the largest value of a figure over the window ending at now.
func (h *History) Max(now time.Time, window time.Duration, get Getter) Opt {
	return h.fold(now, window, get, func(a, b float64) bool { return b > a })
}

// Min is the smallest value of a figure over the window ending at now.
func (h *History) Min(now time.Time, window time.Duration, get Getter) Opt {
	return h.fold(now, window, get, func(a, b float64) bool { return b < a })
}

func (h *History) fold(now time.Time, window time.Duration, get Getter, better func(a, b float64) bool) Opt {
	from := 0
	if window > 0 {
		from = h.Since(now.Add(-window))
	}
	out := None()
	for i := from; i < h.n; i++ {
		s := h.At(i)
		if s.IsGap() {
			continue
		}
		if v, ok := get(s).Get(); ok && (!out.Valid || better(out.V, v)) {
			out = Some(v)
		}
	}
	return out
}

// Common getters, so panes and rules name figures the same way.
var (
	GetUsed   Getter = func(s *Sample) Opt { return s.Memory.UsedMemory }
	GetRSS    Getter = func(s *Sample) Opt { return s.Memory.UsedMemoryRSS }
	GetFrag   Getter = func(s *Sample) Opt { return s.Memory.MemFragmentationRatio }
	GetEvict  Getter = func(s *Sample) Opt { return s.Stats.EvictedKeys }
	GetExpire Getter = func(s *Sample) Opt { return s.Stats.ExpiredKeys }
	GetCmds   Getter = func(s *Sample) Opt { return s.Stats.TotalCommandsProcessed }
	GetOOM    Getter = func(s *Sample) Opt { return s.Stats.ErrorstatOOM }
	GetCOW    Getter = func(s *Sample) Opt { return s.Persistence.CurrentCOWSize }
)
