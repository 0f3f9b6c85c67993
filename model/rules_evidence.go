package model

// ruleEvidence reminds to save the facts before a restart wipes them. Until a
// report is saved it is at least watch, and as bad as the worst other check,
// so it sits next to the problems it documents.
func ruleEvidence(saved bool, others Checklist) Check {
	ch := Check{
		Commands: []string{"redis-memtop report > redis-incident.md", "redis-cli INFO everything > redis-info.txt", "redis-cli MEMORY DOCTOR"},
	}
	if saved {
		ch.Status = StatusOK
		ch.Title = "Evidence saved this session"
		ch.Evidence = []string{"a report was written (see the status line for the path)"}
		ch.Advice = "Attach the report to the incident. Save again after big changes."
		return ch
	}
	worst := StatusWatch
	n := 0
	for _, o := range others {
		worst = worse(worst, o.Status)
		if o.Status.Rank() >= StatusWarn.Rank() {
			n++
		}
	}
	ch.Status = worst
	ch.Title = "No evidence saved yet: press x before anyone restarts Redis"
	ch.Evidence = []string{"no report exported in this session"}
	if n > 0 {
		ch.Evidence = append(ch.Evidence, exactCount(float64(n))+" check(s) at warn or crit")
	}
	ch.Advice = "A restart wipes what explains the incident: the peak, the fragmentation, the client buffers, the big keys. Collect the facts first — x writes a report with INFO, CONFIG, the verdict, this checklist, big keys, top clients and MEMORY DOCTOR; `redis-memtop report` does the same from a shell."
	return ch
}
