package model

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ruleMaxmemorySet: is there a limit, and does it leave room on the machine?
func ruleMaxmemorySet(c *ruleCtx) Check {
	const topic = "Memory limit"
	limit, ok := c.maxmemory()
	if !ok {
		reason := c.missing("maxmemory", "3.2")
		if cr := c.configReason(); cr != "" {
			reason += "; " + cr
		}
		return unknownCheck(topic, reason, "Read the limit by hand if this user may.", "redis-cli CONFIG GET maxmemory")
	}
	ram, src, ramOK := c.hostRAM()
	rss, rssOK := c.last.Memory.UsedMemoryRSS.Get()
	ch := Check{Commands: []string{"redis-cli CONFIG GET maxmemory", cmdInfoMemory}}
	if limit == 0 {
		ch.Evidence = append(ch.Evidence, "maxmemory: 0 (no limit)")
	} else {
		ch.Evidence = append(ch.Evidence, "maxmemory: "+Bytes(limit))
	}
	if ramOK {
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("memory of the machine: %s (%s)", Bytes(ram), src))
		if src == srcTotalSystem {
			ch.Evidence = append(ch.Evidence, "total_system_memory is the host's RAM: a container limit, if any, is lower")
		}
		suggest := confSize(ram * ThresholdMaxmemorySuggestOfRAM)
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET maxmemory "+suggest, "# redis.conf: maxmemory "+suggest)
	} else {
		ch.Evidence = append(ch.Evidence, "memory of the machine: unknown (no total_system_memory, and the server does not run on this host)")
	}
	if rssOK {
		ch.Evidence = append(ch.Evidence, "used_memory_rss: "+Bytes(rss))
	}

	switch {
	case limit == 0 && ramOK && rssOK && rss >= ThresholdNoLimitRSSOfRAMCrit*ram:
		ch.Status = StatusCrit
		ch.Title = fmt.Sprintf("No memory limit, and RSS is already %s of the machine's memory", sharePct(rss/ram))
		ch.Advice = "Nothing stops Redis before the kernel's OOM killer or the container limit does. Set maxmemory below the machine's memory (about 70 %, leaving room for a fork's copy-on-write and client buffers) and pick an eviction policy that fits."
	case limit == 0:
		ch.Status = StatusWarn
		ch.Title = "No memory limit (maxmemory 0): Redis grows until the host or container stops it"
		ch.Advice = "Without maxmemory, Redis never evicts and never refuses a write: it grows until the OOM killer ends it. Set maxmemory to about 70 % of the machine's memory, leaving room for forks, clients and the allocator."
	case ramOK && limit >= ThresholdMaxmemoryOfRAMCrit*ram:
		ch.Status = StatusCrit
		ch.Title = fmt.Sprintf("maxmemory %s is above the machine's memory (%s)", Bytes(limit), Bytes(ram))
		ch.Advice = "The limit can never be reached before the machine runs out of memory, so it protects nothing. Lower it to about 70 % of the machine's memory."
	case ramOK && limit >= ThresholdMaxmemoryOfRAMWarn*ram:
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("maxmemory is %s of the machine's memory: no room for a fork", sharePct(limit/ram))
		ch.Advice = "Above ~80 % of RAM there is no room left for the copy-on-write of a BGSAVE or AOF rewrite, client output buffers and allocator overhead. Lower maxmemory, or give the machine more memory."
	case ramOK:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("maxmemory %s is %s of the machine's memory", Bytes(limit), sharePct(limit/ram))
		ch.Advice = "The limit leaves room for forks, clients and the allocator."
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("maxmemory is %s (the machine's memory is unknown: not compared)", Bytes(limit))
		ch.Advice = "A limit is set. Check by hand that it stays below ~80 % of the memory of the machine or container."
	}
	if limit > 0 && ramOK {
		applyRSSWorstCase(c, &ch, limit, ram, src)
	}
	return ch
}

// rulePolicyFits: does the eviction policy suit how the keys are used?
func rulePolicyFits(c *ruleCtx) Check {
	const topic = "Eviction policy"
	pol, ok := c.policy()
	if !ok {
		return unknownCheck(topic, c.missing("maxmemory_policy", "3.2"), "Read the policy by hand.", "redis-cli CONFIG GET maxmemory-policy")
	}
	keys, exp, ksReason := keyspaceTotals(c.last)
	if ksReason != "" {
		return unknownCheck(topic, ksReason, "The keyspace section is needed to tell a cache from a store.", cmdInfoKeyspace)
	}
	limit, limOK := c.maxmemory()
	ch := Check{
		Evidence: []string{
			"maxmemory_policy: " + pol,
			fmt.Sprintf("keys: %s, with a TTL: %s", exactCount(keys), exactCount(exp)),
		},
		Commands: []string{"redis-cli CONFIG GET maxmemory-policy", cmdInfoKeyspace},
	}
	share := 0.0
	if keys > 0 {
		share = exp / keys
		ch.Evidence[1] += " (" + sharePct(share) + ")"
	}
	near := false
	if s, ok := c.usedShare(); ok {
		near = s >= ThresholdHeadroomWarn
		ch.Evidence = append(ch.Evidence, "used / maxmemory: "+sharePct(s))
	}
	switch {
	case limOK && limit == 0:
		ch.Status = StatusOK
		ch.Title = "Policy " + pol + " is idle: no maxmemory is set"
		ch.Advice = "The policy only acts at the limit; see the memory-limit check."
	case keys == 0:
		ch.Status = StatusOK
		ch.Title = "Policy " + pol + ": no keys yet"
		ch.Advice = "Nothing to judge until there are keys."
	case strings.HasPrefix(pol, "volatile-"):
		policyVolatile(c, &ch, pol, keys, exp, share, near)
	case pol == "noeviction":
		policyNoEviction(c, &ch, keys, exp, share, near)
	case pol == "allkeys-random":
		policyRandom(&ch)
	default:
		ch.Status = StatusOK
		ch.Title = "Policy " + pol + " can evict any key"
		ch.Advice = "At the limit the server makes room by evicting; watch the eviction rate."
	}
	return ch
}

// keyspaceTotals sums INFO keyspace; the reason is set when it was not read.
func keyspaceTotals(s *Sample) (keys, expires float64, reason string) {
	k := s.TotalKeys()
	e := s.TotalExpires()
	if !k.Valid {
		return 0, 0, "INFO keyspace was not read"
	}
	return k.V, e.Or(0), ""
}

// oomCount is the count of OOM error replies: errorstat_OOM, or 0 when the
// errorstats section is there without an OOM line (the server lists only
// errors that happened).
func oomCount(s *Sample) (float64, bool) {
	if v, ok := s.Stats.ErrorstatOOM.Get(); ok {
		return v, true
	}
	if s.HasSection("errorstats") {
		return 0, true
	}
	return 0, false
}

// ruleHeadroom: how close is used_memory to the limit, and are writes failing?
func ruleHeadroom(c *ruleCtx) Check {
	const topic = "Headroom"
	limit, ok := c.maxmemory()
	if !ok {
		return unknownCheck(topic, c.missing("maxmemory", "3.2"), "Read the limit by hand.", "redis-cli CONFIG GET maxmemory")
	}
	used, ok := c.last.Memory.UsedMemory.Get()
	if !ok {
		return unknownCheck(topic, c.missing("used_memory", ""), "", cmdInfoMemory)
	}
	ch := Check{Commands: []string{cmdInfoMemory, "redis-cli INFO errorstats"}}
	var share float64
	var what string
	if limit > 0 {
		share = used / limit
		what = fmt.Sprintf("used %s of maxmemory %s", Bytes(used), Bytes(limit))
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("used_memory / maxmemory: %s / %s = %s", Bytes(used), Bytes(limit), sharePct(share)))
		if v, ok := c.last.Memory.MemNotCountedForEvict.Get(); ok && v > 0 {
			ch.Evidence = append(ch.Evidence, "not counted for eviction: "+Bytes(v))
		}
	} else {
		ram, src, ramOK := c.hostRAM()
		rss, rssOK := c.last.Memory.UsedMemoryRSS.Get()
		if !ramOK || !rssOK {
			return unknownCheck(topic, "no maxmemory is set and the machine's memory is unknown", "Set maxmemory (see the memory-limit check), or run redis-memtop on the Redis host so it can read the host's memory.", "redis-cli CONFIG GET maxmemory")
		}
		share = rss / ram
		what = fmt.Sprintf("no maxmemory; RSS %s of %s (%s)", Bytes(rss), Bytes(ram), src)
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("no maxmemory: RSS / %s = %s / %s = %s", src, Bytes(rss), Bytes(ram), sharePct(share)))
	}

	oomRising := false
	if oom, ok := oomCount(c.last); ok {
		line := "OOM error replies since start: " + exactCount(oom)
		if t := c.trendOf(); t.ok {
			if a, ok1 := oomCount(t.first); ok1 && oom > a {
				oomRising = true
				line += fmt.Sprintf(" (+%s in the last %s)", exactCount(oom-a), Duration(t.span))
			}
		}
		ch.Evidence = append(ch.Evidence, line)
	} else {
		ch.Evidence = append(ch.Evidence, "OOM error replies: not reported (errorstats needs Redis 6.2+)")
	}
	if v, ok := c.last.Stats.CurrentEvictionExceededTime.Get(); ok && v > 0 {
		ch.Evidence = append(ch.Evidence, "above maxmemory for: "+Duration(millis(v)))
	}
	if limit > 0 {
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET maxmemory "+confSize(used/ThresholdHeadroomWatch*1.0001))
	}

	switch {
	case oomRising:
		ch.Status = StatusCrit
		ch.Title = "Writes are failing with OOM: " + what
		ch.Advice = "The server refuses writes because it is at its limit and cannot (or may not) evict. Free memory now (delete or expire big keys, see the big-keys pane), raise maxmemory if the machine has room, or switch to an eviction policy if this is a cache."
	case share >= ThresholdHeadroomWarn:
		ch.Status = StatusWarn
		ch.Title = "Little headroom: " + what + " (" + sharePct(share) + ")"
		ch.Advice = "Past 85 % the server is close to evicting (or refusing writes with noeviction). For a cache with an eviction policy this is the normal state: check the eviction rate. Otherwise find what grows (verdict, big keys) before it reaches the limit."
	case share >= ThresholdHeadroomWatch:
		ch.Status = StatusWatch
		ch.Title = "Headroom shrinking: " + what + " (" + sharePct(share) + ")"
		ch.Advice = "Past 75 % of the limit: keep an eye on the trend and the verdict."
	default:
		ch.Status = StatusOK
		ch.Title = "Headroom fine: " + what + " (" + sharePct(share) + ")"
		ch.Advice = "Well below the limit."
	}
	return ch
}

// millis turns a millisecond figure into a duration.
func millis(ms float64) time.Duration {
	return time.Duration(ms * 1e6)
}

// ruleEvictions: is the server evicting, and how fast for its size?
func ruleEvictions(c *ruleCtx) Check {
	const topic = "Evictions"
	total, ok := c.last.Stats.EvictedKeys.Get()
	if !ok {
		return unknownCheck(topic, c.missing("evicted_keys", ""), "", "redis-cli INFO stats")
	}
	// "Evicting now" is the recent rate the limits pane and the report show
	// too (History.Recent), so a burst long over does not keep the check
	// raised, and the figures never disagree.
	rr := c.h.Recent(GetEvict)
	r := rr.PerSec
	if !r.Valid {
		return unknownCheck(topic, "a rate needs two samples of the same server run", "Wait for the next poll.", "redis-cli INFO stats")
	}
	span := rr.Span
	ch := Check{
		Evidence: []string{
			"evicted_keys since start: " + exactCount(total),
			"eviction rate: " + rr.Phrase(),
		},
		Commands: []string{"redis-cli INFO stats", "redis-cli CONFIG GET maxmemory-policy", cmdInfoKeyspace},
	}
	if r.V == 0 {
		ch.Status = StatusOK
		ch.Title = "No evictions in the last " + Duration(span)
		ch.Advice = "The server is not evicting keys."
		return ch
	}
	keys, _, _ := keyspaceTotals(c.last)
	perMin := 0.0
	if keys > 0 {
		perMin = r.V * 60 / keys
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("that is %s of the %s keys per minute", sharePct(perMin), exactCount(keys)))
	}
	ch.Title = "Evicting " + Rate(r.V)
	if keys > 0 {
		ch.Title += fmt.Sprintf(" (%s of the keys per minute)", sharePct(perMin))
	}
	switch {
	case perMin >= ThresholdEvictPerMinCrit:
		ch.Status = StatusCrit
		ch.Title += ": the cache is thrashing"
		ch.Advice = "Keys are evicted almost as fast as they are written: the working set no longer fits in maxmemory, hit rates fall and the backend takes the load. Raise maxmemory, shrink values, or find what grew (big keys, client buffers)."
	case perMin >= ThresholdEvictPerMinWarn:
		ch.Status = StatusWarn
		ch.Title += ": is that expected?"
		ch.Advice = "A steady eviction stream means the data no longer fits. For a cache it can be fine; if not, find what grew (verdict, big keys) or raise maxmemory."
	default:
		ch.Status = StatusWatch
		ch.Title += ": is that expected?"
		ch.Advice = "The server is at its limit and evicting. Normal for a full cache; a surprise for a data store."
	}
	return ch
}

// ruleLogicalDBs: keys spread over several databases.
func ruleLogicalDBs(c *ruleCtx) Check {
	const topic = "Logical databases"
	if !c.last.TotalKeys().Valid { // no Keyspace section, or key counts that do not parse
		return unknownCheck(topic, "INFO keyspace was not read", "", cmdInfoKeyspace)
	}
	var parts []string
	used := 0
	for _, db := range c.last.Keyspace {
		if k := db.Keys.Or(0); k > 0 {
			used++
			parts = append(parts, "db"+strconv.Itoa(db.DB)+": "+exactCount(k)+" keys")
		}
	}
	ch := Check{Evidence: parts, Commands: []string{cmdInfoKeyspace}}
	if used >= ThresholdLogicalDBsWatch {
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("Keys spread over %d databases", used)
		ch.Advice = "Several logical databases share one memory limit, one eviction pool and one fork: a big or growing database hurts the others, and Redis Cluster supports only db0. Give each dataset its own instance; the big-key scan shows which database holds what."
		for _, db := range c.last.Keyspace {
			if db.Keys.Or(0) > 0 {
				ch.Commands = append(ch.Commands, fmt.Sprintf("redis-cli -n %d DBSIZE", db.DB))
			}
		}
		return ch
	}
	ch.Status = StatusOK
	switch used {
	case 0:
		ch.Title = "No keys in any database"
	default:
		ch.Title = "All keys in one database"
	}
	ch.Advice = "One logical database per instance, as it should be."
	return ch
}
