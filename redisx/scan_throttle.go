package redisx

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle factors: how much of the keys/s budget the worker allows itself.
const (
	forkFactor = 0.25 // while a fork child runs (copy-on-write: every touched page costs)
	minFactor  = 0.05 // the back-off never stops the scan outright
	// recoverStep is added to the factor after a slice where the scan hurt
	// nobody: from the floor back to full speed in 10 slices (~23 s).
	recoverStep = 0.1
)

// harmConfig are the harm governor's slices and thresholds.
type harmConfig struct {
	// On is a scan-on slice; Off the pause after it, whose probes after
	// Settle (the batch in flight drains) are the baseline.
	On, Off, Settle time.Duration
	// A slice hurt other clients when the probe's median round trip while
	// scanning is above the baseline's by more than Rise (a fraction) AND
	// by more than Floor: +25 % of 30 µs is noise to anyone.
	Rise  float64
	Floor time.Duration
	// Calm is the rise below which the scan speeds up again; between Calm
	// and Rise the factor holds.
	Calm float64
	// MinOn and MinOff are the probes a slice needs to be judged.
	MinOn, MinOff int
}

// defaultHarm: a 2 s scan slice, then a 0.3 s pause measured for its last
// 0.25 s; with a probe every 25 ms, ~80 probes scanning and ~20 (two
// pauses) of baseline a judgement, one every 2.3 s. The pauses cost no
// speed: the pacer spends the budget of a whole cycle during its scan slice.
var defaultHarm = harmConfig{
	On: 2 * time.Second, Off: 300 * time.Millisecond, Settle: 50 * time.Millisecond,
	Rise: 0.20, Floor: 40 * time.Microsecond, Calm: 0.10,
	MinOn: 20, MinOff: 6,
}

// probeEvery is the probe's period: 40 PINGs a second (~40 µs of server
// time), next to thousands of keys' commands, is nothing the server feels.
const probeEvery = 25 * time.Millisecond

// harmGovernor decides the scan's speed from the harm it does to other
// clients, not from its own round trips (those slow down with any
// client-side CPU noise too). A light probe on its own connection (PING) is
// timed while the scan runs and during short pauses of it; the medians are
// compared at the end of each pause: a scan that makes the probe slower
// backs off (the factor halves), one that does not speeds back up
// (additive increase). Client-side noise slows the probe as much in a pause
// as while scanning, so it reads as no harm. Pure logic: times come in as
// arguments.
type harmGovernor struct {
	cfg    harmConfig
	factor float64
	off    bool      // in a pause slice
	since  time.Time // start of the current slice
	onRTT  []time.Duration
	offRTT []time.Duration // this pause's probes
	prev   []time.Duration // the previous pause's
	// The last judgement: the medians and the rise (on/off − 1).
	judged        bool
	onMed, offMed time.Duration
	rise          float64
	// hurtRise is the rise that caused the last back-off (kept while the
	// factor climbs back, so the reason stays told).
	hurtRise float64
}

func newHarmGovernor(cfg harmConfig) harmGovernor { return harmGovernor{cfg: cfg, factor: 1} }

// advance moves the slices along to now; it judges at the end of a pause.
func (g *harmGovernor) advance(now time.Time) {
	if g.since.IsZero() {
		g.since = now
		return
	}
	switch {
	case !g.off && now.Sub(g.since) >= g.cfg.On:
		g.off, g.since = true, now
		g.offRTT = g.offRTT[:0]
	case g.off && now.Sub(g.since) >= g.cfg.Off:
		g.judge()
		g.off, g.since = false, now
		g.prev = append(g.prev[:0], g.offRTT...)
		g.onRTT = g.onRTT[:0]
	}
}

// observe records one probe round trip measured at now.
func (g *harmGovernor) observe(now time.Time, rtt time.Duration) {
	g.advance(now)
	if rtt <= 0 {
		return
	}
	switch {
	case !g.off:
		g.onRTT = append(g.onRTT, rtt)
	case now.Sub(g.since) >= g.cfg.Settle:
		g.offRTT = append(g.offRTT, rtt)
	}
}

// pausedUntil is the end of the current pause (zero when scanning).
func (g *harmGovernor) pausedUntil(now time.Time) time.Time {
	if !g.off {
		return time.Time{}
	}
	end := g.since.Add(g.cfg.Off)
	if !now.Before(end) {
		return time.Time{} // the probe stopped: never hold the scan for it
	}
	return end
}

// judge compares the scan slice with the pauses around it.
func (g *harmGovernor) judge() {
	base := append(slices.Clone(g.prev), g.offRTT...)
	if len(g.onRTT) < g.cfg.MinOn || len(base) < g.cfg.MinOff {
		return
	}
	g.onMed, g.offMed = median(g.onRTT), median(base)
	g.rise = float64(g.onMed)/float64(g.offMed) - 1
	g.judged = true
	switch {
	case g.rise > g.cfg.Rise && g.onMed-g.offMed > g.cfg.Floor:
		g.factor = max(g.factor/2, minFactor)
		g.hurtRise = g.rise
	case g.rise < g.cfg.Calm || g.onMed-g.offMed <= g.cfg.Floor:
		g.factor = min(g.factor+recoverStep, 1)
		if g.factor == 1 {
			g.hurtRise = 0
		}
	}
}

// median of a non-empty set (it sorts d).
func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// scanGovernor is what the pacer tells of itself (ScanProgress fields).
type scanGovernor struct {
	Factor      float64
	Reason      string
	ProbeOn     time.Duration // the probe's median while scanning (last judgement)
	ProbeOff    time.Duration // and during the pauses
	LatencyRise float64       // ProbeOn/ProbeOff − 1
	Measured    bool
}

// pacer spends the keys/s budget: a token bucket whose rate is the budget ×
// the harm factor × the fork factor. A zero budget means unlimited.
//
// The bucket holds one SCAN batch (about 1/200 s of budget): after an idle
// spell the worker may send one batch at once, never a burst of seconds.
type pacer struct {
	mu     sync.Mutex
	budget int
	fork   bool
	gov    harmGovernor
	lim    *rate.Limiter
}

func newPacer(budget int) *pacer {
	p := &pacer{budget: budget, gov: newHarmGovernor(defaultHarm)}
	p.lim = rate.NewLimiter(rate.Inf, 1)
	p.apply()
	return p
}

// apply sets the limiter from the budget and factors; call with mu held.
// The scan slices spend the budget of the pauses too: over a cycle the
// scan keeps to budget × factor.
func (p *pacer) apply() {
	if p.budget <= 0 {
		p.lim.SetLimit(rate.Inf)
		return
	}
	c := p.gov.cfg
	cycle := float64(c.On+c.Off) / float64(c.On)
	r := float64(p.budget) * p.factorLocked() * cycle
	p.lim.SetBurst(countFor(0, p.budget))
	p.lim.SetLimit(rate.Limit(r))
}

func (p *pacer) factorLocked() float64 {
	if p.budget <= 0 {
		return 1
	}
	f := p.gov.factor
	if p.fork {
		f *= forkFactor
	}
	return f
}

// Factor is the share of the budget allowed now.
func (p *pacer) Factor() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.factorLocked()
}

// Budget is the keys/s budget (0 = unlimited).
func (p *pacer) Budget() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.budget
}

func (p *pacer) SetBudget(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.budget = max(n, 0)
	p.apply()
}

func (p *pacer) SetFork(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fork = on
	p.apply()
}

// Probe feeds one probe round trip, measured at now, to the harm governor.
// Only a budgeted scan backs off: an unlimited one (--scan-rate 0) was
// asked to go as fast as the server allows.
func (p *pacer) Probe(now time.Time, rtt time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.budget <= 0 {
		return
	}
	p.gov.observe(now, rtt)
	p.apply()
}

// State is the governor's account: the factor and why it is below 1.
func (p *pacer) State() scanGovernor {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := &p.gov
	s := scanGovernor{Factor: p.factorLocked(), Measured: g.judged, ProbeOn: g.onMed, ProbeOff: g.offMed, LatencyRise: g.rise}
	if p.budget <= 0 {
		return s
	}
	s.Reason = slowReason(p.fork, g.factor, g.hurtRise)
	return s
}

// slowReason says why a budgeted scan runs below its budget ("" when it
// does not).
func slowReason(fork bool, harmFactor, hurtRise float64) string {
	var r string
	if harmFactor < 1 {
		r = "server latency +" + percent(hurtRise) + " while scanning"
		if hurtRise <= 0 {
			r = "server latency rose while scanning"
		}
	}
	if fork {
		f := "a fork is running (BGSAVE or AOF rewrite)"
		if r == "" {
			return f
		}
		return f + "; " + r
	}
	return r
}

// percent writes a fraction as "40 %", rounded, at least 1 %.
func percent(f float64) string {
	return fmt.Sprintf("%.0f %%", max(math.Round(100*f), 1))
}

// PausedUntil is the end of the governor's current pause (zero when the
// scan may run).
func (p *pacer) PausedUntil(now time.Time) time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.budget <= 0 {
		return time.Time{}
	}
	return p.gov.pausedUntil(now)
}

// Hold waits out a pause of the governor (the baseline is being measured).
func (p *pacer) Hold(ctx context.Context) error {
	for {
		end := p.PausedUntil(time.Now())
		if end.IsZero() {
			return nil
		}
		if !sleep(ctx, time.Until(end)) {
			return fmt.Errorf("redisx: scan pacing: %w", ctx.Err())
		}
	}
}

// Wait blocks until n keys may be inspected.
func (p *pacer) Wait(ctx context.Context, n int) error {
	if p.Budget() <= 0 {
		return nil
	}
	for n > 0 {
		step := min(n, max(p.lim.Burst(), 1))
		if err := p.lim.WaitN(ctx, step); err != nil {
			return fmt.Errorf("redisx: scan pacing: %w", err)
		}
		n -= step
	}
	return p.Hold(ctx)
}
