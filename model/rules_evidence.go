package model

import "slices"

// evidenceState is how far the facts of this session are saved.
type evidenceState int

const (
	evidenceNone        evidenceState = iota // nothing exported yet
	evidenceThisSession                      // a report was written earlier in this session
	evidenceThisReport                       // the check is being written into a report: that report is the evidence
)

// evidenceCheck is the evidence check, normalised like the table's rules.
// It is judged after the others because it reads their results.
func evidenceCheck(state evidenceState, others Checklist) Check {
	ch := ruleEvidence(state, others)
	ch.ID = CheckEvidence
	return normalise(ch)
}

// ruleEvidence reminds to save the facts before a restart wipes them. It is
// a reminder about this session, not a finding about the server: watch
// until a report is saved, however bad the findings are, and it has its own
// place — last in the checklist (evaluate, Checklist.Findings), drawn under
// the verdict — so it never ranks above the findings it documents.
func ruleEvidence(state evidenceState, others Checklist) Check {
	ch := Check{
		Commands: []string{"redis-memtop report > redis-incident.md", "redis-cli INFO everything > redis-info.txt", "redis-cli MEMORY DOCTOR"},
	}
	if state != evidenceNone {
		ch.Status = StatusOK
		ch.Title = "Evidence saved this session"
		ch.Evidence = []string{"a report was written (see the status line for the path)"}
		if state == evidenceThisReport {
			ch.Title = "Evidence saved: this report"
			ch.Evidence = []string{"this report holds the figures the checks read"}
		}
		ch.Advice = "Attach the report to the incident. Save again after big changes."
		return ch
	}
	n := 0
	for _, o := range others {
		if o.Status.Rank() >= StatusWarn.Rank() {
			n++
		}
	}
	ch.Status = StatusWatch
	ch.Title = "No evidence saved yet: press x before anyone restarts Redis"
	ch.Evidence = []string{"no report exported in this session"}
	if n > 0 {
		ch.Evidence = append(ch.Evidence, exactCount(float64(n))+" check(s) at warn or crit")
	}
	ch.Advice = "A restart wipes what explains the incident: the peak, the fragmentation, the client buffers, the big keys. Collect the facts first — x writes a report with INFO, CONFIG, the verdict, this checklist, big keys, top clients and MEMORY DOCTOR; `redis-memtop report` does the same from a shell."
	return ch
}

// WithEvidenceSaved is the diagnosis as a report being written states it:
// the evidence check judged again with that report as the saved evidence
// (ok, "Evidence saved: this report"), in the place evaluate gives it (last,
// after the findings). d itself is not changed; nil gives nil.
func (d *Diagnosis) WithEvidenceSaved() *Diagnosis {
	if d == nil {
		return nil
	}
	c := *d
	c.Checks = make(Checklist, 0, len(d.Checks))
	found := false
	for _, ch := range d.Checks {
		if ch.ID == CheckEvidence {
			found = true
			continue
		}
		c.Checks = append(c.Checks, ch)
	}
	sortWorstFirst(c.Checks)
	if found {
		c.Checks = append(c.Checks, evidenceCheck(evidenceThisReport, nil))
	}
	return &c
}

// Findings are the checks about the server, worst first: the checklist
// without the evidence reminder, which is drawn in a place of its own.
func (cl Checklist) Findings() Checklist {
	i := slices.IndexFunc(cl, func(c Check) bool { return c.ID == CheckEvidence })
	if i < 0 {
		return cl
	}
	return slices.Delete(slices.Clone(cl), i, i+1)
}

// Reminder is the evidence reminder, false when the checklist has none (a
// cluster's, a fleet's).
func (cl Checklist) Reminder() (Check, bool) { return cl.Find(CheckEvidence) }
