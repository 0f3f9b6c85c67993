package redisx

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Throttle factors: how much of the keys/s budget the worker allows itself.
const (
	forkFactor   = 0.25 // while a fork child runs (copy-on-write: every touched page costs)
	minFactor    = 0.05 // the back-off never stops the scan outright
	backoffRatio = 2.0  // latency above this × baseline halves the speed
	recoverRatio = 1.3  // below this × baseline the speed climbs back
)

// latencyGovernor turns the worker's own round-trip times into a speed
// factor: multiplicative decrease when the latency per key rises well above
// its baseline (the server is busy with someone else), additive increase
// when it is back. The baseline is the lowest latency seen, drifting up
// slowly so a server that has become permanently slower is not punished for
// ever. Pure logic: times come in as arguments.
type latencyGovernor struct {
	baseline float64 // µs per key
	ewma     float64
	factor   float64
}

func newLatencyGovernor() latencyGovernor { return latencyGovernor{factor: 1} }

// observe records one round trip that carried keys keys and returns the new
// factor.
func (g *latencyGovernor) observe(rtt time.Duration, keys int) float64 {
	if keys <= 0 || rtt <= 0 {
		return g.factor
	}
	per := float64(rtt.Microseconds()) / float64(keys)
	per = max(per, 0.01)
	if g.baseline == 0 {
		g.baseline, g.ewma = per, per
		return g.factor
	}
	g.ewma = 0.7*g.ewma + 0.3*per
	if per < g.baseline {
		g.baseline = per
	} else {
		g.baseline += (per - g.baseline) * 0.002
	}
	switch {
	case g.ewma > backoffRatio*g.baseline:
		g.factor = max(g.factor/2, minFactor)
	case g.ewma < recoverRatio*g.baseline:
		g.factor = min(g.factor+0.1, 1)
	}
	return g.factor
}

// pacer spends the keys/s budget: a token bucket whose rate is the budget ×
// the latency factor × the fork factor. A zero budget means unlimited.
//
// The bucket holds one SCAN batch (about 1/50 s of budget): after an idle
// spell the worker may send one batch at once, never a burst of seconds.
type pacer struct {
	mu     sync.Mutex
	budget int
	fork   bool
	gov    latencyGovernor
	lim    *rate.Limiter
}

func newPacer(budget int) *pacer {
	p := &pacer{budget: budget, gov: newLatencyGovernor()}
	p.lim = rate.NewLimiter(rate.Inf, 1)
	p.apply()
	return p
}

// apply sets the limiter from the budget and factors; call with mu held.
func (p *pacer) apply() {
	if p.budget <= 0 {
		p.lim.SetLimit(rate.Inf)
		return
	}
	r := float64(p.budget) * p.factorLocked()
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

// Observe feeds a round trip to the latency governor. Only a budgeted scan
// backs off: an unlimited one (the report, the benchmark) was asked to go as
// fast as the server allows.
func (p *pacer) Observe(rtt time.Duration, keys int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.budget <= 0 {
		return
	}
	p.gov.observe(rtt, keys)
	p.apply()
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
	return nil
}
