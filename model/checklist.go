package model

import "time"

// Checklist is the evaluated checks, worst first. It marshals as the report's
// "checklist" array: [{"id","status","title","evidence","advice","commands"}].
type Checklist []Check

// Worst is the worst status in the list (ok for an empty list).
func (cl Checklist) Worst() Status {
	w := StatusOK
	for _, c := range cl {
		w = worse(w, c.Status)
	}
	return w
}

// Find returns the check with the given id.
func (cl Checklist) Find(id string) (Check, bool) {
	for _, c := range cl {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Count is how many checks have the given status.
func (cl Checklist) Count(st Status) int {
	n := 0
	for _, c := range cl {
		if c.Status == st {
			n++
		}
	}
	return n
}

// Diagnosis is one evaluation: the verdict and the checklist, at a time. The
// UI keeps the latest one; the report embeds both parts.
type Diagnosis struct {
	Time    time.Time     `json:"time"`
	Verdict VerdictResult `json:"verdict"`
	Checks  Checklist     `json:"checklist"`
}

// Diagnose evaluates the verdict and the checklist from the same inputs.
func Diagnose(in Inputs) Diagnosis {
	t := in.Now
	if t.IsZero() && in.Hist != nil {
		if s := in.Hist.LastOK(); s != nil {
			t = s.Time
		}
	}
	c := newRuleCtx(in) // the trend is analysed once for both
	return Diagnosis{Time: t, Verdict: verdict(c), Checks: evaluate(c)}
}
