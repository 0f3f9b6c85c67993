package model

import (
	"fmt"
	"strconv"
)

// hostMemory adds to the swap-and-host check what the host has beyond
// MemTotal: MemAvailable against a fork's copy-on-write worst case (every
// page of the dataset written while the child runs), the host's swap in use,
// and vm.swappiness.
func hostMemory(c *ruleCtx, hf *HostFacts, ch *Check, f *findings) {
	used, usedOK := c.last.Memory.UsedMemory.Get()
	if avail, ok := hf.MemAvailable.Get(); ok {
		ch.Evidence = append(ch.Evidence, "MemAvailable on the host: "+Bytes(avail))
		if usedOK && avail > 0 {
			r := used / avail
			ch.Evidence = append(ch.Evidence, fmt.Sprintf("fork headroom: a copy-on-write worst case copies used_memory %s, %s of MemAvailable", Bytes(used), sharePct(r)))
			fork := c.last.ForkRunning()
			switch {
			case r >= ThresholdForkAvailWarn && fork:
				f.raise(StatusCrit, fmt.Sprintf("A fork is running and its worst-case copy-on-write (%s) exceeds the host's MemAvailable (%s)", Bytes(used), Bytes(avail)),
					"If the save's writes touch most pages, the host runs out of memory before the child ends: the OOM killer picks the biggest process, Redis. Slow the writes, or let the save finish before a batch job; for good, give the host more memory or lower maxmemory.")
			case r >= ThresholdForkAvailWarn:
				f.raise(StatusWarn, fmt.Sprintf("A fork's worst-case copy-on-write (%s) exceeds the host's MemAvailable (%s)", Bytes(used), Bytes(avail)),
					"A BGSAVE, AOF rewrite or replica sync forks; under heavy writes the child copies every page it shares. There is not room for that here: free memory on the host, lower maxmemory, or save from a replica.")
			case r >= ThresholdForkAvailWatch:
				f.raise(StatusWatch, fmt.Sprintf("A fork's copy-on-write could use %s of the host's available memory", sharePct(r)),
					"A write-heavy save copies about half the dataset; the host has little more than that available. Watch the next BGSAVE's copy-on-write in the persistence pane.")
			}
		}
	}
	ch.Commands = append(ch.Commands, "grep -E 'MemAvailable|Swap' /proc/meminfo", "sysctl vm.swappiness")

	total, okT := hf.SwapTotal.Get()
	free, okF := hf.SwapFree.Get()
	switch {
	case okT && total == 0:
		ch.Evidence = append(ch.Evidence, "host swap: none configured")
	case okT && okF:
		inUse := max(total-free, 0)
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("host swap in use: %s of %s", Bytes(inUse), Bytes(total)))
		if sw, ok := hf.VMSwap.Get(); inUse > 0 && (!ok || sw == 0) {
			f.raise(StatusWatch, "The host has "+Bytes(inUse)+" in swap (Redis itself none yet)",
				"Other processes were paged out: the host is short of memory, and Redis's pages are next. Find what uses the host's memory (ps, the container's limits), or give it more.")
		}
	}
	if v, ok := hf.Swappiness.Get(); ok {
		line := "vm.swappiness: " + strconv.FormatFloat(v, 'f', -1, 64)
		if okT && total == 0 {
			line += " (no swap configured: it has no effect)"
		}
		ch.Evidence = append(ch.Evidence, line)
		if okT && total > 0 && v > ThresholdSwappinessWatch {
			f.raise(StatusWatch, fmt.Sprintf("vm.swappiness is %s with swap on: the kernel pages Redis out readily", strconv.FormatFloat(v, 'f', -1, 64)),
				"A swapped-out page turns a microsecond command into milliseconds. The guides set vm.swappiness to 1 on a Redis host: swap only to avoid the OOM killer.")
			ch.Commands = append(ch.Commands, "sudo sysctl -w vm.swappiness=1", "echo 'vm.swappiness = 1' | sudo tee /etc/sysctl.d/91-redis-swappiness.conf")
		}
	}
}
