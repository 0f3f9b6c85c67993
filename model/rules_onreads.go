package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
)

// ruleClientBuffers: memory held by normal clients' buffers
// (clientBuffersLevel), and the O(N) reads rising in INFO commandstats that
// fill them and block the server (issue 14, gap 10).
func ruleClientBuffers(c *ruleCtx) Check {
	ch := clientBuffersLevel(c)
	f, ok := onReads(c)
	if !ok {
		return ch
	}
	ch.Evidence = append(ch.Evidence, f.evidence...)
	for _, cmd := range f.commands {
		if !slices.Contains(ch.Commands, cmd) {
			ch.Commands = append(ch.Commands, cmd)
		}
	}
	if f.status.Rank() > ch.Status.Rank() {
		ch.Status = f.status
		ch.Title = f.title
		if ch.Advice == "No client holds much memory." {
			ch.Advice = f.advice
		} else {
			ch.Advice = f.advice + " " + ch.Advice
		}
	} else if f.status != StatusOK {
		ch.Advice += " " + f.advice
	}
	return ch
}

// onReadTrend is one O(N) command over the two halves of the window.
type onReadTrend struct {
	name                 string
	earlier, later       float64 // calls/s
	earlierUs, laterUs   float64 // µs a call; 0 when no call
	rising, slow, keysCm bool
}

type onReadFinding struct {
	status   Status
	title    string
	evidence []string
	advice   string
	commands []string
}

// onReads compares each O(N) read's calls/s and µs a call over the later
// half of the window with the earlier half. ok is false when the samples
// carry no commandstats or the window is too short to split.
func onReads(c *ruleCtx) (onReadFinding, bool) {
	first, last := c.h.span(c.now, c.win)
	if first == nil || last == nil || first.Commands == nil || last.Commands == nil {
		return onReadFinding{}, false
	}
	span := last.Time.Sub(first.Time)
	if span < ThresholdONReadMinSpan {
		return onReadFinding{}, false
	}
	mid := c.h.midSample(first, last)
	if mid == nil || mid.Commands == nil {
		return onReadFinding{}, false
	}
	var trends []onReadTrend
	for _, cl := range last.Commands {
		cm, _ := mid.Command(cl.Name)
		cf, _ := first.Command(cl.Name)
		t, ok := onReadTrendOf(cl.Name, cf, cm, cl, mid.Time.Sub(first.Time), last.Time.Sub(mid.Time))
		if ok {
			trends = append(trends, t)
		}
	}
	if len(trends) == 0 {
		return onReadFinding{}, false
	}
	slices.SortStableFunc(trends, func(a, b onReadTrend) int { return cmp.Compare(b.later, a.later) })
	f := onReadFinding{status: StatusOK, commands: []string{"redis-cli INFO commandstats"}}
	half := Duration(span / 2)
	var rising []onReadTrend
	for i, t := range trends {
		if i < 5 {
			f.evidence = append(f.evidence, fmt.Sprintf("%s: %s calls/s (earlier %s), %s a call (earlier %s) — INFO commandstats, halves of %s",
				strings.ToUpper(t.name), rateNum(t.later), rateNum(t.earlier), usecText(t.laterUs), usecText(t.earlierUs), half))
		}
		if t.rising || t.slow {
			rising = append(rising, t)
		}
	}
	if len(rising) == 0 {
		return f, true
	}
	f.status = StatusWatch
	var names []string
	for _, t := range rising {
		names = append(names, strings.ToUpper(t.name))
		if t.slow || t.keysCm {
			f.status = StatusWarn
		}
	}
	top := rising[0]
	f.title = fmt.Sprintf("O(N) reads rising: %s %s calls/s (was %s), %s a call", strings.ToUpper(top.name), rateNum(top.later), rateNum(top.earlier), usecText(top.laterUs))
	if len(rising) > 1 {
		f.title += fmt.Sprintf(" (+%d more)", len(rising)-1)
	}
	f.evidence = append(f.evidence, "rising: "+strings.Join(names, ", "))
	f.evidence = append(f.evidence, bigKeysHit(c, rising)...)
	f.commands = append(f.commands, "redis-cli SLOWLOG GET 10", "redis-cli --bigkeys -i 0.1")
	f.advice = "Reads whose cost grows with what they read (" + strings.Join(names, ", ") + ") block every other client while they run, and their replies sit in the client's output buffer (used_memory). Iterate with the SCAN family (HSCAN, SSCAN, ZSCAN; SCAN instead of KEYS), ask for smaller ranges (LRANGE key 0 99, not 0 -1), and find the big keys they hit: the big-key pane sorted by elements."
	return f, true
}

// onReadTrendOf works out one command's rates; false when it has no calls
// in the later half, or its counters went back (CONFIG RESETSTAT).
func onReadTrendOf(name string, first, mid, last CommandStat, d1, d2 time.Duration) (onReadTrend, bool) {
	c0, c1, c2 := first.Calls.Or(0), mid.Calls.Or(0), last.Calls.Or(0)
	u0, u1, u2 := first.Usec.Or(0), mid.Usec.Or(0), last.Usec.Or(0)
	if c1 < c0 || c2 < c1 || d1 <= 0 || d2 <= 0 || c2 == c1 {
		return onReadTrend{}, false
	}
	t := onReadTrend{name: name, earlier: (c1 - c0) / d1.Seconds(), later: (c2 - c1) / d2.Seconds(), keysCm: name == "keys"}
	t.laterUs = (u2 - u1) / (c2 - c1)
	if c1 > c0 {
		t.earlierUs = (u1 - u0) / (c1 - c0)
	}
	t.rising = t.later >= ThresholdONReadMinRate && t.later >= ThresholdONReadRise*t.earlier
	t.slow = t.laterUs >= ThresholdONReadSlowUsec && t.laterUs >= ThresholdONReadRise*t.earlierUs && t.later >= ThresholdONReadMinRate/10
	if t.keysCm && t.later > 0 && t.later >= ThresholdONReadRise*t.earlier {
		t.rising = true // KEYS walks the whole keyspace: any rise is worth a look
	}
	return t, true
}

// midSample is the non-gap sample nearest the middle of [first, last].
func (h *History) midSample(first, last *Sample) *Sample {
	at := first.Time.Add(last.Time.Sub(first.Time) / 2)
	for i := h.Since(at); i < h.n; i++ {
		s := h.At(i)
		if !s.IsGap() && s.Time.Before(last.Time) {
			return s
		}
		if !s.Time.Before(last.Time) {
			break
		}
	}
	return nil
}

// bigKeysHit names the biggest scanned keys of the types the rising
// commands read.
func bigKeysHit(c *ruleCtx, rising []onReadTrend) []string {
	if scanReason(c.scan) != "" {
		return nil
	}
	types := map[string]bool{}
	for _, t := range rising {
		switch {
		case strings.HasPrefix(t.name, "h"):
			types[typeHash] = true
		case t.name == "lrange":
			types[typeList] = true
		case strings.HasPrefix(t.name, "s") && t.name != "sort" && t.name != "sort_ro":
			types[typeSet] = true
		case strings.HasPrefix(t.name, "z"):
			types[typeZset] = true
		case strings.HasPrefix(t.name, "x"):
			types["stream"] = true
		}
	}
	keys := slices.Clone(c.scan.Keys)
	slices.SortStableFunc(keys, func(a, b ScanKey) int { return cmp.Compare(b.Elements.Or(0), a.Elements.Or(0)) })
	var out []string
	for _, k := range keys {
		if len(out) == 3 {
			break
		}
		if types[k.Type] {
			out = append(out, fmt.Sprintf("big %s they may read: db%d %s%s, %s", k.Type, k.DB, serverLabel(k.Key), elementsNote(k), keyBytes(k.Bytes)))
		}
	}
	return out
}

func rateNum(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f", v)
	}
	return exactCount(v)
}

func usecText(us float64) string {
	if us <= 0 {
		return "–"
	}
	return Duration(time.Duration(us * float64(time.Microsecond)))
}
