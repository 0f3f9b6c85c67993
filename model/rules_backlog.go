package model

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// backlogFinding judges the replication backlog (issue 14, gap 4): memory
// kept for replicas to resume after a disconnect, counted in used_memory but
// not for eviction. It weighs mem_replication_backlog against used_memory
// and maxmemory and, when the write rate is known (master_repl_offset over
// the window), says how long an outage the backlog covers. ok is false when
// the backlog is too small to matter or not reported.
type backlog struct {
	status   Status
	title    string
	evidence []string
	advice   string
	commands []string
}

func backlogFinding(c *ruleCtx) (backlog, bool) {
	m := &c.last.Memory
	b, ok := m.MemReplicationBacklog.Get()
	if !ok || b < ThresholdBacklogMinBytes {
		return backlog{}, false
	}
	used := m.UsedMemory.Or(0)
	f := backlog{status: StatusOK}
	if size, ok := c.last.Stats.ReplBacklogSize.Get(); ok {
		f.evidence = append(f.evidence, "repl_backlog_size: "+Bytes(size))
	}
	share := 0.0
	if used > 0 {
		share = b / used
		f.evidence = append(f.evidence, fmt.Sprintf("backlog share of used_memory: %s (%s of %s)", sharePct(share), Bytes(b), Bytes(used)))
	}
	limit, _ := c.maxmemory()
	if limit > 0 {
		f.evidence = append(f.evidence, fmt.Sprintf("backlog against maxmemory: %s of %s (%s), outside the eviction count", Bytes(b), Bytes(limit), sharePct(b/limit)))
	}
	switch {
	case limit > 0 && b >= ThresholdBacklogOfMaxmemoryCrit*limit:
		f.status = StatusCrit
		f.title = fmt.Sprintf("Replication backlog %s is %s of maxmemory, on top of the limit", Bytes(b), sharePct(b/limit))
	case share >= ThresholdBacklogShareWarn:
		f.status = StatusWarn
		f.title = fmt.Sprintf("Replication backlog holds %s, %s of used_memory", Bytes(b), sharePct(share))
	case share >= ThresholdBacklogShareWatch:
		f.status = StatusWatch
		f.title = fmt.Sprintf("Replication backlog holds %s, %s of used_memory", Bytes(b), sharePct(share))
	default:
		f.title = fmt.Sprintf("Replication backlog %s (%s of used_memory)", Bytes(b), sharePct(share))
	}
	f.commands = []string{"redis-cli CONFIG GET repl-backlog-size"}
	f.advice = "The replication backlog keeps the latest writes so a replica that lost its link can resume instead of resyncing from scratch; it is held in full once a replica has connected, even when no replica is lagging, and it is not counted for eviction. Size repl-backlog-size to the outage you want to survive (write rate × seconds of disconnect), not more."
	rate := c.h.RateOver(c.now, c.win, func(s *Sample) Opt { return s.Stats.MasterReplOffset })
	if r, ok := rate.Get(); ok && r > 0 {
		covers := time.Duration(b / r * float64(time.Second))
		f.evidence = append(f.evidence, fmt.Sprintf("replication stream: %s/s (master_repl_offset over %s): the backlog covers %s of disconnect", Bytes(r), Duration(c.win), Duration(covers)))
		want := r * ThresholdBacklogOutage.Seconds()
		if f.status != StatusOK && want < b {
			next := strconv.FormatFloat(max(want, 1*mib), 'f', 0, 64)
			f.advice += fmt.Sprintf(" At %s/s, %s covers a %s disconnect.", Bytes(r), Bytes(max(want, 1*mib)), Duration(ThresholdBacklogOutage))
			f.commands = append(f.commands, "redis-cli CONFIG SET repl-backlog-size "+next, "# redis.conf: repl-backlog-size "+next)
		}
	} else if f.status != StatusOK {
		f.advice += " Measure the write rate first: master_repl_offset grows by the bytes written per second (redis-cli INFO replication, twice, a minute apart)."
	}
	return f, true
}

// merge adds the backlog's finding to the replica-buffer check: the worse
// finding names the check; both keep their evidence, advice and commands.
func (f backlog) merge(ch Check) Check {
	ch.Evidence = append(ch.Evidence, f.evidence...)
	for _, cmd := range f.commands {
		if !slices.Contains(ch.Commands, cmd) {
			ch.Commands = append(ch.Commands, cmd)
		}
	}
	if f.status == StatusOK {
		return ch
	}
	if f.status.Rank() > ch.Status.Rank() {
		ch.Status = f.status
		ch.Title = f.title
		if ch.Advice == "Nothing is buffered for replicas." || ch.Advice == "The replicas keep up." {
			ch.Advice = f.advice
			return ch
		}
	}
	ch.Advice += " " + f.advice
	return ch
}
