package model

import (
	"fmt"
	"strings"
)

// rssWorstCase projects the RSS a server can reach at its limit: maxmemory
// caps used_memory, not RSS. Fragmentation multiplies it, and the buffers
// the guides list (client output buffers, replica buffers and the backlog)
// come on top — replica buffers are not even counted for eviction — so a
// limit that fits the machine can still end with the OOM killer.
type rssWorstCase struct {
	projected float64
	ratio     float64
	buffers   float64
	share     float64 // projected / the machine's memory
	evidence  []string
}

func projectRSS(c *ruleCtx, limit, ram float64, src string) rssWorstCase {
	m := &c.last.Memory
	ratio, ratioLine := 1.0, "fragmentation: taken as 1.00"
	if fr, ok := m.MemFragmentationRatio.Get(); ok {
		used := m.UsedMemory.Or(0)
		switch {
		case used < ThresholdSmallDataset:
			ratioLine = fmt.Sprintf("fragmentation: %s ignored on a small dataset (%s used), taken as 1.00", Ratio(fr), Bytes(used))
		case fr > 1:
			ratio, ratioLine = fr, "fragmentation: "+Ratio(fr)+" (mem_fragmentation_ratio now)"
		default:
			ratioLine = fmt.Sprintf("fragmentation: %s, taken as 1.00", Ratio(fr))
		}
	}
	clients := m.MemClientsNormal.Or(0)
	repl := m.MemTotalReplicationBuffers.Or(m.MemClientsSlaves.Or(0) + m.MemReplicationBacklog.Or(0))
	p := limit*ratio + clients + repl
	return rssWorstCase{
		projected: p,
		ratio:     ratio,
		buffers:   clients + repl,
		share:     p / ram,
		evidence: []string{
			fmt.Sprintf("RSS at the limit, worst case: maxmemory %s × %s + client buffers %s + replication buffers %s = %s, %s of the %s (%s)",
				Bytes(limit), Ratio(ratio), Bytes(clients), Bytes(repl), Bytes(p), sharePct(p/ram), src, Bytes(ram)),
			ratioLine,
		},
	}
}

// status grades the projection.
func (w rssWorstCase) status() Status {
	switch {
	case w.share >= ThresholdProjectedRSSCrit:
		return StatusCrit
	case w.share >= ThresholdProjectedRSSWarn:
		return StatusWarn
	}
	return StatusOK
}

// applyRSSWorstCase adds the projection to the maxmemory-set check, and
// takes over its title when it is the worse finding.
func applyRSSWorstCase(c *ruleCtx, ch *Check, limit, ram float64, src string) {
	w := projectRSS(c, limit, ram, src)
	ch.Evidence = append(ch.Evidence, w.evidence...)
	st := w.status()
	if st.Rank() <= ch.Status.Rank() {
		return
	}
	ch.Status = st
	if st == StatusCrit {
		ch.Title = fmt.Sprintf("At maxmemory %s, RSS can reach %s: past the machine's memory (%s)", Bytes(limit), Bytes(w.projected), sharePct(w.share))
	} else {
		ch.Title = fmt.Sprintf("At maxmemory %s, RSS can reach %s: %s of the machine's memory", Bytes(limit), Bytes(w.projected), sharePct(w.share))
	}
	ch.Advice = "maxmemory caps the data, not the process: at the limit RSS is the limit times the fragmentation ratio, plus client and replication buffers (replica buffers are not even counted for eviction). That worst case leaves the machine no room, so the OOM killer, not eviction, would end it. Lower maxmemory so the worst case stays under ~90 % of the machine, or bring fragmentation down (see the fragmentation check) and cap client buffers (client-output-buffer-limit)."
	// The limit the memory-limit check suggests (70 % of the machine) does
	// not hold this fragmentation: suggest the one whose worst case does.
	cmds := ch.Commands[:0]
	for _, cmd := range ch.Commands {
		if !strings.HasPrefix(cmd, "redis-cli CONFIG SET maxmemory ") && !strings.HasPrefix(cmd, "# redis.conf: maxmemory ") {
			cmds = append(cmds, cmd)
		}
	}
	ch.Commands = cmds
	if safe := (ThresholdMaxmemorySuggestOfRAM*ram - w.buffers) / w.ratio; safe > 0 && safe < limit {
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET maxmemory "+confSize(safe), "# redis.conf: maxmemory "+confSize(safe))
	}
	ch.Commands = append(ch.Commands, "redis-cli CONFIG GET client-output-buffer-limit")
}
