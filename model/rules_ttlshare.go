package model

import (
	"fmt"
	"strings"
)

// ruleTTLDiscipline: keys without a TTL on an instance that works as a cache
// (ttlLevel), and the share of keys with a TTL falling over the window
// (issue 14, gap 11): a deploy that stopped setting TTLs shows as new keys
// without one while the share that expires drops.
func ruleTTLDiscipline(c *ruleCtx) Check {
	ch := ttlLevel(c)
	if ch.Status == StatusUnknown {
		return ch
	}
	f, ok := ttlShareFall(c)
	if !ok {
		return ch
	}
	ch.Evidence = append(ch.Evidence, f.evidence...)
	if f.status.Rank() > ch.Status.Rank() {
		ch.Status = f.status
		ch.Title = f.title
		ch.Advice = f.advice + " " + ch.Advice
	} else if f.status != StatusOK {
		ch.Advice += " " + f.advice
	}
	return ch
}

// ttlFall is the change of the share of keys with a TTL over the window.
type ttlFall struct {
	status   Status
	title    string
	evidence []string
	advice   string
}

// ttlShareFall compares the oldest sample of the window (same server run)
// with the newest. ok is false when there is nothing to compare: one
// sample, too few keys, or no key had a TTL at the start.
func ttlShareFall(c *ruleCtx) (ttlFall, bool) {
	first, last := c.h.span(c.now, c.win)
	if first == nil || last == nil || first == last {
		return ttlFall{}, false
	}
	k0, e0, r0 := keyspaceTotals(first)
	k1, e1, r1 := keyspaceTotals(last)
	if r0 != "" || r1 != "" || k0 < ThresholdTTLShareMinKeys || k1 < ThresholdTTLShareMinKeys || e0 <= 0 {
		return ttlFall{}, false
	}
	before, after := e0/k0, e1/k1
	span := Duration(last.Time.Sub(first.Time))
	f := ttlFall{status: StatusOK}
	f.evidence = append(f.evidence, fmt.Sprintf("keys with a TTL: %s of %s (%s) %s ago → %s of %s (%s) now",
		exactCount(e0), exactCount(k0), sharePct(before), span, exactCount(e1), exactCount(k1), sharePct(after)))
	fall := before - after
	grewNoTTL := (k1 - e1) - (k0 - e0)
	// Keys with a TTL expiring while nothing new arrives also lowers the
	// share; only new keys without a TTL are the sign of a writer that
	// stopped setting them.
	if fall < ThresholdTTLShareFallWatch || grewNoTTL <= 0 {
		return f, true
	}
	f.evidence = append(f.evidence, fmt.Sprintf("keys without a TTL: +%s over %s", exactCount(grewNoTTL), span))
	f.status = StatusWatch
	if fall >= ThresholdTTLShareFallWarn {
		f.status = StatusWarn
	}
	f.title = fmt.Sprintf("Keys with a TTL fell from %s to %s in %s: are new keys written without one?", sharePct(before), sharePct(after), span)
	f.advice = fmt.Sprintf("The share of keys that expire fell by %s points while %s keys without a TTL appeared: a deploy that dropped EXPIRE (or SET without EX, or a SET that overwrote a key and cleared its TTL) fills the memory with keys that never leave. Find their prefix in the big-key pane's TTL view, fix the writer, and give them a TTL.",
		strings.TrimSuffix(sharePct(fall), "%"), exactCount(grewNoTTL))
	return f, true
}
