package model

import (
	"fmt"
	"strconv"
	"strings"
)

// ruleSwapAndHost: swap, overcommit and transparent huge pages of the machine
// the server runs on — only when that is this machine.
func ruleSwapAndHost(c *ruleCtx) Check {
	const topic = "Swap and host settings"
	if c.ex == nil || c.ex.Host == nil {
		return unknownCheck(topic, "host facts not read yet", "")
	}
	hf := c.ex.Host
	if !hf.Local {
		reason := hf.Reason
		if reason == "" {
			reason = "the server does not run on this host"
		}
		return unknownCheck(topic, reason, "Run redis-memtop on the Redis host (as the redis user or root) to read swap, overcommit and transparent huge pages; or check them there by hand.",
			"grep VmSwap /proc/$(pidof redis-server)/status", "sysctl vm.overcommit_memory", "cat /sys/kernel/mm/transparent_hugepage/enabled")
	}
	pid := "PID"
	if v, ok := c.last.Server.ProcessID.Get(); ok {
		pid = strconv.FormatInt(int64(v), 10)
	}
	ch := Check{Commands: []string{"grep VmSwap /proc/" + pid + "/status", "sysctl vm.overcommit_memory", "cat /sys/kernel/mm/transparent_hugepage/enabled"}}
	f := &findings{status: StatusOK}

	rss := c.last.Memory.UsedMemoryRSS.Or(0)
	if sw, ok := hf.VMSwap.Get(); ok {
		ch.Evidence = append(ch.Evidence, "VmSwap of the server process: "+Bytes(sw))
		switch {
		case sw > 0 && rss > 0 && sw >= ThresholdSwapCritShare*rss:
			f.raise(StatusCrit, fmt.Sprintf("Redis is swapping: %s swapped out (%s of RSS)", Bytes(sw), sharePct(sw/rss)),
				"Swapped pages make every command that touches them take milliseconds. Free memory on the host (or lower maxmemory), and consider vm.swappiness 1 for a Redis host.")
		case sw > 0:
			f.raise(StatusWarn, "Redis has "+Bytes(sw)+" in swap",
				"Some of Redis is in swap; commands touching those pages are slow. Check the host's free memory.")
		}
	} else {
		ch.Evidence = append(ch.Evidence, "VmSwap: not readable")
	}
	if oc, ok := hf.Overcommit.Get(); ok {
		ch.Evidence = append(ch.Evidence, "vm.overcommit_memory: "+strconv.FormatFloat(oc, 'f', -1, 64))
		if oc != 1 {
			f.raise(StatusWarn, fmt.Sprintf("vm.overcommit_memory is %s: a BGSAVE fork may fail", strconv.FormatFloat(oc, 'f', -1, 64)),
				"With overcommit 0 or 2 the kernel may refuse the fork of a big Redis (\"Cannot allocate memory\"), so saves and replica syncs fail. Redis asks for vm.overcommit_memory = 1.")
			ch.Commands = append(ch.Commands, "sudo sysctl -w vm.overcommit_memory=1", "echo 'vm.overcommit_memory = 1' | sudo tee /etc/sysctl.d/90-redis.conf")
		}
	} else {
		ch.Evidence = append(ch.Evidence, "vm.overcommit_memory: not readable")
	}
	if hf.THP != "" {
		ch.Evidence = append(ch.Evidence, "transparent_hugepage: "+hf.THP)
		if hf.THP == "always" {
			dis, known := c.config("disable-thp")
			switch {
			case known && strings.EqualFold(dis, "yes"):
				ch.Evidence = append(ch.Evidence, "disable-thp: yes (Redis turns THP off for its own process)")
			case !known && !versionBefore(c.last, "6.2"):
				f.raise(StatusWatch, "Transparent huge pages are always on",
					"THP makes forks slower and copy-on-write coarser (2 MB pages). Redis 6.2+ turns it off for itself when disable-thp is yes (the default); CONFIG could not confirm that here.")
			default:
				f.raise(StatusWarn, "Transparent huge pages are always on",
					"THP makes forks slower and each copy-on-write copy 2 MB instead of 4 KB, so memory jumps during saves. Set it to madvise or never.")
				ch.Commands = append(ch.Commands, "echo madvise | sudo tee /sys/kernel/mm/transparent_hugepage/enabled")
			}
		}
	} else {
		ch.Evidence = append(ch.Evidence, "transparent_hugepage: not readable")
	}
	if v, ok := hf.CgroupLimit.Get(); ok {
		ch.Evidence = append(ch.Evidence, "cgroup memory limit: "+Bytes(v))
	}
	if v, ok := hf.HostRAM.Get(); ok {
		ch.Evidence = append(ch.Evidence, "host RAM: "+Bytes(v))
	}
	hostMemory(c, hf, &ch, f)
	ch.Evidence = append(ch.Evidence, hf.Notes...)
	ch.Status = f.status
	if len(f.titles) == 0 {
		ch.Title = "No swap; overcommit and huge pages set as Redis wants"
		ch.Advice = "The host is set up for Redis."
		return ch
	}
	ch.Title = f.titles[0]
	if len(f.titles) > 1 {
		ch.Title += fmt.Sprintf(" (+%d more)", len(f.titles)-1)
	}
	ch.Advice = strings.Join(f.advice, " ")
	return ch
}

// versionBefore reports whether the sample's server is known to be older than v.
func versionBefore(s *Sample, v string) bool {
	sv, ok := serverVersion(s)
	return ok && versionLess(sv, v)
}
