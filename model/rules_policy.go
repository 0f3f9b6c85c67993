package model

import "fmt"

// The branches of rulePolicyFits that need more than a line: a volatile-*
// policy judged by the bytes it can free, not only by the keys, noeviction
// saying whether it reads the instance as a store or a cache, and
// allkeys-random, which evicts hot keys as readily as cold ones.

const (
	cmdPolicyLRU     = "redis-cli CONFIG SET maxmemory-policy allkeys-lru"
	cmdPolicyLRUConf = "# redis.conf: maxmemory-policy allkeys-lru"
)

// ttlBytes is what the scan says of the bytes a volatile policy can free:
// those of keys with a TTL, against those of keys without.
type ttlBytes struct {
	ok       bool
	share    float64 // bytes in keys with a TTL / bytes scanned
	ttl      float64
	noTTL    float64
	why      string // why ok is false
	progress string
}

func ttlBytesOf(s *ScanFacts) ttlBytes {
	if r := scanReason(s); r != "" {
		return ttlBytes{why: r}
	}
	total := s.TTLBytes + s.NoTTLBytes
	if total <= 0 {
		return ttlBytes{why: "the scan has not sized any key yet"}
	}
	return ttlBytes{ok: true, share: s.TTLBytes / total, ttl: s.TTLBytes, noTTL: s.NoTTLBytes, progress: s.progress()}
}

// policyVolatile judges a volatile-* policy: only keys with a TTL can be
// evicted, so what matters at the limit is the memory they hold. The key
// share is known from INFO keyspace; the byte share needs the scan, and a
// few big keys without a TTL make a policy that "fits" by count run out of
// victims.
func policyVolatile(c *ruleCtx, ch *Check, pol string, keys, exp, share float64, near bool) {
	ch.Advice = "A volatile-* policy only evicts keys that have a TTL. With (almost) none, nothing can be evicted: at the limit, writes fail with OOM errors. Give the cache keys a TTL, or use allkeys-lru / allkeys-lfu."
	switch {
	case share < ThresholdVolatileTTLShareWarn:
		ch.Status = StatusWarn
		if near {
			ch.Status = StatusCrit
		}
		ch.Title = fmt.Sprintf("%s but only %s of %s keys have a TTL: almost nothing can be evicted", pol, exactCount(exp), exactCount(keys))
	case share < ThresholdVolatileTTLShareWatch:
		ch.Status = StatusWatch
		if near {
			ch.Status = StatusWarn
		}
		ch.Title = fmt.Sprintf("%s with only %s of the keys evictable (they have a TTL)", pol, sharePct(share))
	default:
		ch.Status = StatusOK
	}

	tb := ttlBytesOf(c.scan)
	if !tb.ok {
		ch.Evidence = append(ch.Evidence, "bytes in keys with a TTL: unknown ("+tb.why+"): the key share says nothing of their size; the big-key scan measures it")
		if ch.Status == StatusOK {
			ch.Title = fmt.Sprintf("%s fits by key count: %s of the keys have a TTL (their bytes need the scan)", pol, sharePct(share))
			ch.Advice = "Enough keys carry a TTL for a volatile policy to free memory at the limit — if they hold enough of the bytes. A few big keys without a TTL can leave eviction nothing to free: run the big-key scan (s in the monitor, or redis-memtop report --scan) to weigh them."
		}
	} else {
		ch.Evidence = append(ch.Evidence,
			fmt.Sprintf("bytes in keys with a TTL: %s of %s (%s); without a TTL: %s (%s)",
				Bytes(tb.ttl), Bytes(tb.ttl+tb.noTTL), sharePct(tb.share), Bytes(tb.noTTL), sharePct(1-tb.share)),
			tb.progress)
		st := StatusOK
		switch {
		case tb.share < ThresholdVolatileTTLBytesWarn:
			st = StatusWarn
			if near {
				st = StatusCrit
			}
		case tb.share < ThresholdVolatileTTLBytesWatch:
			st = StatusWatch
			if near {
				st = StatusWarn
			}
		}
		switch {
		case st.Rank() > ch.Status.Rank():
			ch.Status = st
			ch.Title = c.scan.withPartial(fmt.Sprintf("%s but only %s of the bytes are in keys with a TTL: %s can never be evicted", pol, sharePct(tb.share), Bytes(tb.noTTL)))
			ch.Advice = fmt.Sprintf("A volatile-* policy frees only the memory of keys with a TTL. %s of the keys have one, but they hold only %s of the bytes: at the limit eviction runs out of victims and writes fail with OOM errors. Give the big keys a TTL (the big-keys pane's TTL and prefix views show which), or use allkeys-lru / allkeys-lfu.", sharePct(share), sharePct(tb.share))
		case ch.Status == StatusOK:
			ch.Title = c.scan.withPartial(fmt.Sprintf("%s fits: %s of the keys and %s of the bytes have a TTL", pol, sharePct(share), sharePct(tb.share)))
			ch.Advice = "Enough of the memory sits in keys with a TTL for a volatile policy to free it at the limit."
		}
	}
	if ch.Status != StatusOK {
		ch.Commands = append(ch.Commands, cmdPolicyLRU, cmdPolicyLRUConf)
	}
}

// policyNoEviction says which reading it takes of a noeviction instance, and
// why: a cache (most keys expire) or a data store. At the limit, refusing
// writes is right for a store; the title says so, so a cache written without
// TTLs is not mistaken for one silently.
func policyNoEviction(c *ruleCtx, ch *Check, keys, exp, share float64, near bool) {
	if share >= ThresholdCacheTTLShare {
		ch.Status = StatusWatch
		if near {
			ch.Status = StatusWarn
		}
		ch.Title = fmt.Sprintf("noeviction on what looks like a cache (%s of the keys have a TTL)", sharePct(share))
		ch.Advice = "With noeviction, writes fail with OOM errors at the limit instead of making room. If this is a cache, allkeys-lru (or volatile-lru, since most keys expire) keeps it writable."
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET maxmemory-policy volatile-lru", "# redis.conf: maxmemory-policy volatile-lru")
		return
	}
	ch.Status = StatusOK
	oom, oomOK := oomCount(c.last)
	// A cache written without TTLs looks exactly like this: (almost) no key
	// expires, and it is full and refusing writes. Say which reading is
	// taken, and why.
	if near && oomOK && oom > 0 && share < ThresholdVolatileTTLShareWarn {
		ch.Evidence = append(ch.Evidence, "OOM error replies since start: "+exactCount(oom)+" (writes refused at the limit)")
		ch.Title = fmt.Sprintf("noeviction read as a store (%s of keys have a TTL): it refuses writes at the limit", sharePct(share))
		ch.Advice = fmt.Sprintf("This instance is read as a data store because %s of %s keys have a TTL, and for a store refusing writes at the limit is right: nothing is lost (the headroom check says how close the limit is). If it is in fact a cache whose keys were written without a TTL, these OOM errors are avoidable: allkeys-lru or allkeys-lfu evict the coldest keys instead — and give the keys a TTL.", exactCount(exp), exactCount(keys))
		ch.Commands = append(ch.Commands, "redis-cli INFO errorstats", cmdPolicyLRU)
		return
	}
	ch.Title = fmt.Sprintf("noeviction suits a data store (%s of the keys have a TTL)", sharePct(share))
	ch.Advice = "Read as a data store because few keys expire: right for data that must not vanish; at the limit writes fail, so keep headroom. If this is a cache whose keys lack a TTL, give them one or use allkeys-lru."
}

// policyRandom: allkeys-random evicts without looking at use.
func policyRandom(ch *Check) {
	ch.Status = StatusWatch
	ch.Title = "allkeys-random evicts hot keys as readily as cold ones"
	ch.Advice = "allkeys-random picks its victims at random: a key read a thousand times a second is as likely to go as one nobody reads, so the hit rate drops once the cache is full. allkeys-lru (least recently used) or allkeys-lfu (least frequently used, 4.0+) keep the hot keys; switch unless every key is read about equally."
	ch.Commands = append(ch.Commands, "redis-cli CONFIG SET maxmemory-policy allkeys-lfu", "# redis.conf: maxmemory-policy allkeys-lfu", cmdPolicyLRU)
}
