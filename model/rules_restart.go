package model

import (
	"fmt"
	"time"
)

// A restart during a memory incident is the trace an OOM kill leaves: the
// kernel (or the container's limit) kills redis-server, a supervisor starts
// it again, and the new process shows a low uptime, a new run_id and, while
// it reads its dataset back, loading:1. Redis cannot say why it died; the
// check says what to look at.

// restartTrace is what the history and the newest sample say of a restart.
type restartTrace struct {
	status   Status // ok when there is no trace
	title    string
	evidence []string
}

var restartCommands = []string{
	"redis-cli INFO server",
	"sudo dmesg -T | grep -i -E 'out of memory|killed process'",
	"sudo journalctl -k --since -1h | grep -i -E 'oom|killed process'",
	"docker inspect -f '{{.State.OOMKilled}} {{.RestartCount}}' CONTAINER",
	"kubectl get pod POD -o jsonpath='{.status.containerStatuses[*].restartCount} {.status.containerStatuses[*].lastState.terminated.reason}'",
}

const restartAdvice = "A server that restarts by itself during a memory incident was most likely killed by the kernel's OOM killer or its container's memory limit; Redis does not log that. Look for \"Out of memory: Killed process … (redis-server)\" in dmesg or the kernel journal, and for OOMKilled or a rising restart count on the container. The peak before the restart is what it needed: keep maxmemory × fragmentation plus buffers under the machine's memory (see the memory-limit check)."

// restartTraceOf looks for a run_id change inside the window (the latest
// one), a dataset being loaded, and an uptime under ThresholdRecentStart.
func restartTraceOf(c *ruleCtx) restartTrace {
	tr := restartTrace{status: StatusOK}
	s := c.last
	up, upOK := s.Server.Uptime.Get()
	loading := s.Persistence.Loading.IsTrue() || s.Persistence.AsyncLoading.IsTrue()

	var before, after *Sample
	var peakUsed, peakRSS float64
	gaps := 0
	if c.h != nil {
		var prev *Sample
		runPeakUsed, runPeakRSS := 0.0, 0.0
		for i := c.h.Since(c.now.Add(-c.win)); i < c.h.Len(); i++ {
			cur := c.h.At(i)
			if cur.IsGap() {
				if prev != nil {
					gaps++
				}
				continue
			}
			if prev != nil && restarted(prev, cur) {
				before, after = prev, cur
				peakUsed, peakRSS = runPeakUsed, runPeakRSS
				runPeakUsed, runPeakRSS = 0, 0
			}
			runPeakUsed = max(runPeakUsed, cur.Memory.UsedMemory.Or(0))
			runPeakRSS = max(runPeakRSS, cur.Memory.UsedMemoryRSS.Or(0))
			prev = cur
		}
	}

	if upOK {
		tr.evidence = append(tr.evidence, "uptime_in_seconds: "+exactCount(up)+" ("+Duration(seconds(up))+")")
	}
	if before != nil {
		tr.evidence = append(tr.evidence,
			fmt.Sprintf("run_id changed %s ago: %s → %s", Duration(c.now.Sub(after.Time)), shortRunID(before), shortRunID(after)),
			fmt.Sprintf("before the restart: used_memory %s, RSS %s, used_memory_peak %s; highest seen in the window: used %s, RSS %s",
				optBytes(before.Memory.UsedMemory), optBytes(before.Memory.UsedMemoryRSS), optBytes(before.Memory.UsedMemoryPeak), Bytes(peakUsed), Bytes(peakRSS)))
		if lim, ok := before.Memory.MaxMemory.Get(); ok && lim > 0 {
			tr.evidence = append(tr.evidence, "maxmemory before the restart: "+Bytes(lim))
		}
		if ram, src, ok := c.hostRAM(); ok {
			tr.evidence = append(tr.evidence, fmt.Sprintf("memory of the machine: %s (%s)", Bytes(ram), src))
		}
		if gaps > 0 {
			tr.evidence = append(tr.evidence, fmt.Sprintf("unreachable for %s between the two runs (%d failed poll(s))", Duration(after.Time.Sub(before.Time)), gaps))
		}
	}
	if loading {
		tr.evidence = append(tr.evidence, "loading: 1 (the dataset is being read back from disk)")
	}

	switch {
	case before != nil:
		tr.status = StatusWarn
		tr.title = fmt.Sprintf("Restarted %s ago (new run_id; RSS was %s before): an OOM kill?", Duration(c.now.Sub(after.Time)), optBytes(before.Memory.UsedMemoryRSS))
	case loading:
		tr.status = StatusWarn
		tr.title = "Loading its dataset after a start"
		if upOK {
			tr.title += " " + Duration(seconds(up)) + " ago"
		}
		tr.title += ": was it killed (OOM)?"
	case upOK && seconds(up) < ThresholdRecentStart:
		tr.status = StatusWatch
		tr.title = fmt.Sprintf("Started %s ago: if nobody restarted it, look for an OOM kill", Duration(seconds(up)))
	}
	return tr
}

// applyRestartTrace puts a restart's trace into the peak check: the peak of
// the run that ended is the figure that explains it.
func applyRestartTrace(c *ruleCtx, ch *Check) {
	tr := restartTraceOf(c)
	ch.Evidence = append(ch.Evidence, tr.evidence...)
	if tr.status == StatusOK {
		return
	}
	ch.Commands = append(ch.Commands, restartCommands...)
	if tr.status.Rank() >= ch.Status.Rank() {
		ch.Evidence = append(ch.Evidence, "peak check: "+ch.Title)
		advice := restartAdvice
		if ch.Status != StatusOK {
			advice += " " + ch.Advice
		}
		ch.Status, ch.Title, ch.Advice = tr.status, tr.title, advice
		return
	}
	ch.Advice += " " + restartAdvice
}

func seconds(v float64) time.Duration { return time.Duration(v * float64(time.Second)) }

func optBytes(o Opt) string {
	if v, ok := o.Get(); ok {
		return Bytes(v)
	}
	return "unknown"
}

// shortRunID is a run_id cut to its first 8 characters, escaped.
func shortRunID(s *Sample) string {
	id := string(s.Server.RunID)
	if id == "" {
		return "(none)"
	}
	if len(id) > 8 {
		id = id[:8] + "…"
	}
	return Sanitize(id, 12)
}
