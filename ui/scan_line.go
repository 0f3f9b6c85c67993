package ui

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// scanLineFacts are what the scan's progress line says: every fact the
// line must carry at any width, whatever words it finds room for.
type scanLineFacts struct {
	Phase            model.ScanPhase
	Fraction         float64 // of the pass, 0–1
	Scanned, DBSize  int64
	Rate             float64   // keys/s, recent
	ETA              model.Opt // seconds left
	Throttle         float64   // the share of the keys/s budget allowed now (1: full speed; 0: not told)
	Reason           string    // why the scan is slowed ("latency +40%", "a fork runs"); escaped here
	Err              string    // why the pass cannot go on; escaped here
	DoneAt           time.Time
	Elapsed          time.Duration
	Pass             int
	ResumeKey        string // the key that resumes a paused scan
	RetryWord, Until string // a failed pass: "retrying" (and when, if known)
}

// scanLineFactsOf reads the facts off the worker's progress.
func scanLineFactsOf(p *model.ScanProgress) scanLineFacts {
	return scanLineFacts{
		Phase: p.Phase, Fraction: p.Fraction(), Scanned: p.Scanned, DBSize: p.DBSize,
		Rate: p.KeysPerSec, ETA: p.ETA(), Throttle: p.Throttle, Reason: p.SlowReason, Err: p.Err,
		DoneAt: p.DoneAt, Elapsed: p.Elapsed, Pass: p.Pass,
		ResumeKey: "s", RetryWord: retryText(p),
	}
}

// scanPart is one fact of the line in long and short words.
type scanPart struct{ long, short string }

// scanLine is the progress line: the phase (and a bar when bar is set and
// there is room), then every fact, in the longest words that fit w cells on
// one line; when even the shortest do not, the facts go on as many lines as
// they need (never a fact cut off).
func scanLine(f scanLineFacts, st *themes.Styles, w int, bar bool) []string {
	if w <= 0 {
		return nil
	}
	head, style, parts := scanParts(f, st)
	sep := st.Muted.Render(" · ")
	join := func(short, withBar bool) string {
		h := head.long
		if short {
			h = head.short
		}
		line := style.Render(h)
		if withBar {
			bw := min(20, w/5)
			filled := int(math.Round(f.Fraction * float64(bw)))
			line += " " + gauge(st, bw, func(i int) gaugeCell { return gaugeCell{filled: i < filled, level: themes.LevelOK} })
		}
		for _, p := range parts {
			t := p.long
			if short {
				t = p.short
			}
			line += sep + st.Text.Render(t)
		}
		return line
	}
	withBar := bar && f.Phase != model.ScanDone && min(20, w/5) >= 5
	for _, v := range []string{join(false, withBar), join(false, false), join(true, false)} {
		if cellWidth(v) <= w {
			return []string{v}
		}
	}
	// Not on one line even in short words: the facts flow over lines.
	spans := []span{{style, head.short}}
	for _, p := range parts {
		spans = append(spans, span{st.Muted, " · "}, span{st.Text, p.short})
	}
	return wrapSpans(spans, w)
}

// scanParts are the line's head (the phase), its style and its facts.
func scanParts(f scanLineFacts, st *themes.Styles) (head scanPart, style lipgloss.Style, parts []scanPart) {
	pct := strconv.FormatFloat(100*f.Fraction, 'f', 0, 64) + "%"
	of := model.Count(float64(f.Scanned)) + "/" + model.Count(float64(f.DBSize))
	count := scanPart{of + " keys", of}
	switch f.Phase {
	case model.ScanScanning:
		head, style = scanPart{"scanning", "scan"}, st.Accent
		parts = []scanPart{{pct, pct}, count, {model.Count(f.Rate) + " keys/s", model.Count(f.Rate) + "/s"}}
		if eta, ok := f.ETA.Get(); ok {
			d := time.Duration(eta * float64(time.Second))
			parts = append(parts, scanPart{"ETA " + model.Duration(d), "ETA " + etaShort(d)})
		}
		if slow := slowPart(f); slow.long != "" {
			parts = append(parts, slow)
		}
	case model.ScanPaused:
		head, style = scanPart{string(model.ScanPaused), string(model.ScanPaused)}, st.Watch
		parts = []scanPart{{pct, pct}, count}
		if f.ResumeKey != "" {
			parts = append(parts, scanPart{f.ResumeKey + " resumes", f.ResumeKey + " resumes"})
		}
	case model.ScanDone:
		style = st.OK
		head = scanPart{"done", "done"}
		if !f.DoneAt.IsZero() {
			at := f.DoneAt.Format("15:04:05")
			head = scanPart{"done at " + at, "done " + at}
		}
		n := model.Count(float64(f.Scanned))
		parts = []scanPart{{n + " keys in " + model.Duration(f.Elapsed), n + " in " + model.Duration(f.Elapsed)}}
		if f.Rate > 0 {
			parts = append(parts, scanPart{model.Count(f.Rate) + " keys/s", model.Count(f.Rate) + "/s"})
		}
		if f.Pass > 1 {
			parts = append(parts, scanPart{"pass " + strconv.Itoa(f.Pass), "pass " + strconv.Itoa(f.Pass)})
		}
	case model.ScanFailed:
		head, style = scanPart{"scan error", "scan error"}, st.Crit
		e := model.Sanitize(f.Err, 0)
		parts = []scanPart{{e, e}}
		if f.RetryWord != "" {
			r := f.RetryWord
			if f.Until != "" {
				r += " " + f.Until
			}
			parts = append(parts, scanPart{r, r})
		}
		parts = append(parts, scanPart{pct, pct})
	case model.ScanIdle:
	}
	return head, style, parts
}

// slowPart says the scan runs below its budget, and why when the worker
// said: "slowed to 40%: latency +40%" or, short, "slow 40%: latency +40%".
func slowPart(f scanLineFacts) scanPart {
	slowed := f.Throttle > 0 && f.Throttle < 1
	reason := model.Sanitize(strings.TrimSpace(f.Reason), 0)
	if !slowed && reason == "" {
		return scanPart{}
	}
	long, short := "slowed", "slowed"
	if slowed {
		pct := strconv.FormatFloat(100*f.Throttle, 'f', 0, 64) + "%"
		long, short = "slowed to "+pct, "slow "+pct
	}
	if reason != "" {
		long += ": " + reason
		short += ": " + shortReason(reason)
	}
	return scanPart{long, short}
}

// etaShort is an ETA without the seconds that say nothing that far out:
// "23m", "2h05m"; under ten minutes it is model.Duration's.
func etaShort(d time.Duration) string {
	if d < 10*time.Minute {
		return model.Duration(d)
	}
	m := int(d.Round(time.Minute) / time.Minute)
	if m < 60 {
		return strconv.Itoa(m) + "m"
	}
	return fmt.Sprintf("%dh%02dm", m/60, m%60)
}

// shortReason is the governor's reason in the fewest words that keep its
// figure: "server latency +40 % while scanning" → "latency +40%".
func shortReason(r string) string {
	return strings.NewReplacer(
		"server latency ", "latency ",
		" while scanning", "",
		" %", "%",
		"a fork is running (BGSAVE or AOF rewrite)", "fork running",
	).Replace(r)
}
