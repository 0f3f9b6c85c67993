package model

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ruleEncodings: collections past or wastefully out of their compact
// encodings among the top keys (encodingsTop), counted among every key
// scanned (issue 14, gap 6), and the per-key overhead of many small keys
// (gap 7), which INFO alone shows.
func ruleEncodings(c *ruleCtx) Check {
	ch := encodingsTop(c)
	if ch.Status != StatusUnknown {
		if f, ok := allKeysEncodings(c); ok {
			ch = f.over(ch, true)
		}
	}
	if f, ok := keyOverhead(c); ok {
		ch = f.over(ch, false)
	}
	return ch
}

// finding is one part of a check that several parts judge.
type finding struct {
	status   Status
	title    string
	evidence []string
	advice   string
	commands []string
}

// over lays f onto ch: its evidence and commands are added; when it is
// worse (or as bad and wins ties), it names the check. An unknown check
// that f raises keeps its reason in the evidence and loses its status.
func (f finding) over(ch Check, winsTies bool) Check {
	ch.Evidence = append(ch.Evidence, f.evidence...)
	for _, cmd := range f.commands {
		add(&ch, cmd)
	}
	if f.status == StatusOK {
		return ch
	}
	if ch.Status == StatusUnknown {
		ch.Status, ch.Title, ch.Advice, ch.Reason = f.status, f.title, f.advice, ""
		return ch
	}
	if f.status.Rank() > ch.Status.Rank() || (winsTies && f.status == ch.Status) {
		ch.Status, ch.Title = f.status, f.title
		if ch.Advice == "Small collections use their compact encodings." {
			ch.Advice = f.advice
			return ch
		}
		ch.Advice = f.advice + " " + ch.Advice
		return ch
	}
	ch.Advice += " " + f.advice
	return ch
}

// Words of the encodings parts.
const (
	encSkiplist    = "skiplist"
	encQuicklist   = "quicklist"
	unitMembers    = "members"
	unitElements   = "elements"
	cmdMemoryStats = "redis-cli MEMORY STATS"
)

// bigEncoding is a type's non-compact encoding and the CONFIG settings
// that bound its compact one (7.0 names first, then 6.2's).
var bigEncodings = []struct {
	typ, enc      string
	entries       []string
	value         []string
	unit, whyLong string
}{
	{typeHash, encHashtable, []string{"hash-max-listpack-entries", "hash-max-ziplist-entries"}, []string{"hash-max-listpack-value", "hash-max-ziplist-value"}, "fields", "a field or value is longer than"},
	{typeZset, encSkiplist, []string{"zset-max-listpack-entries", "zset-max-ziplist-entries"}, []string{"zset-max-listpack-value", "zset-max-ziplist-value"}, unitMembers, "a member is longer than"},
	// Sets have a listpack only from 7.2 (set-max-listpack-entries); before,
	// a set of strings is a hashtable whatever its size.
	{typeSet, encHashtable, []string{"set-max-listpack-entries"}, []string{"set-max-listpack-value"}, unitMembers, "a member is longer than"},
	// Lists: before 3.2 a list past its ziplist was a linkedlist; from 7.2 a
	// small list is a listpack again, bounded by list-max-listpack-size when
	// it counts entries (positive; negative sizes count bytes and are left
	// out). On 3.2–7.0 every list is a quicklist, whatever its size.
	{typeList, "linkedlist", []string{"list-max-ziplist-entries"}, []string{"list-max-ziplist-value"}, unitElements, "an element is longer than"},
	{typeList, encQuicklist, []string{"list-max-listpack-size"}, nil, unitElements, "an element is too long for"},
}

// allKeysEncodings counts, per type, the keys in the big encoding whose
// element count is under the compact limit from CONFIG, among every key
// scanned (the aggregation's ElementsLog2).
func allKeysEncodings(c *ruleCtx) (finding, bool) {
	if scanReason(c.scan) != "" || c.configReason() != "" || len(c.scan.Encodings) == 0 {
		return finding{}, false
	}
	used := c.last.Memory.UsedMemory.Or(0)
	f := finding{status: StatusOK}
	var total int64
	for _, be := range bigEncodings {
		name, v, ok := c.configFirst(be.entries...)
		if !ok {
			continue
		}
		limit, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || limit <= 0 {
			continue
		}
		if be.enc == encQuicklist {
			if ver, ok := serverVersion(c.last); !ok || versionLess(ver, "7.2") {
				continue
			}
		}
		var all int64
		for _, es := range c.scan.Encodings {
			if es.Type == be.typ {
				all += es.Keys
			}
		}
		for i := range c.scan.Encodings {
			es := &c.scan.Encodings[i]
			if es.Type != be.typ || es.Encoding != be.enc {
				continue
			}
			n, exact := es.UnderLimit(limit)
			if n <= 0 {
				continue
			}
			count := exactCount(float64(n))
			if !exact {
				count = "at least " + count
			}
			est := 0.0
			if es.Keys > 0 {
				est = float64(es.Bytes) * float64(n) / float64(es.Keys)
			}
			valueName := name
			if len(be.value) > 0 {
				valueName = be.value[0]
				if vn, vv, ok := c.configFirst(be.value...); ok {
					valueName = fmt.Sprintf("%s (%s bytes)", vn, strings.TrimSpace(vv))
				}
			}
			line := fmt.Sprintf("%s of %s %s keys scanned are %s with ≤ %d %s (%s %d): %s %s; about %s",
				count, exactCount(float64(all)), be.typ, be.enc, limit, be.unit, name, limit, be.whyLong, valueName, Bytes(est))
			f.evidence = append(f.evidence, line)
			st := StatusWatch
			if n >= ThresholdEncodingManyKeys || (used > 0 && est >= ThresholdEncodingWarnShare*used) {
				st = StatusWarn
			}
			if st.Rank() > f.status.Rank() || f.title == "" {
				f.title = fmt.Sprintf("%s %s keys of %s are %s under %s (%d): %s %s", count, be.typ, exactCount(float64(all)), be.enc, name, limit, be.whyLong, valueName)
			}
			f.status = worse(f.status, st)
			total += n
			add2 := "redis-cli CONFIG GET " + strings.TrimSuffix(name, "entries") + "*"
			if !slices.Contains(f.commands, add2) {
				f.commands = append(f.commands, add2)
			}
		}
	}
	if total == 0 {
		return finding{}, false
	}
	f.evidence = append(f.evidence, "counted among all "+exactCount(float64(c.scan.Scanned))+" keys scanned (elements by powers of two)")
	f.advice = "These collections are small enough for the compact encoding but hold one long field, value or member, so the whole key is a hashtable or skiplist: several times the memory of its listpack. Shorten or compress the long values (or keep them in a key of their own), or raise the *-max-listpack-value setting to fit them when the values are only a little longer; existing keys convert back only when rewritten or reloaded."
	return f, true
}

// keyOverhead: many small keys whose bookkeeping outweighs their data
// (INFO memory: used_memory_overhead against used_memory, less what is not
// per key: startup, replication backlog, client buffers, AOF buffer).
func keyOverhead(c *ruleCtx) (finding, bool) {
	m := &c.last.Memory
	over, ok1 := m.UsedMemoryOverhead.Get()
	used, ok2 := m.UsedMemory.Get()
	keys := c.last.TotalKeys()
	if !ok1 || !ok2 || !keys.Valid || used <= 0 || keys.V < ThresholdOverheadMinKeys {
		return finding{}, false
	}
	perKey := over - m.UsedMemoryStartup.Or(0) - m.MemReplicationBacklog.Or(0) - m.MemClientsNormal.Or(0) -
		m.MemClientsSlaves.Or(0) - m.MemAOFBuffer.Or(0)
	if perKey <= 0 {
		return finding{}, false
	}
	share := perKey / used
	f := finding{status: StatusOK}
	f.evidence = append(f.evidence,
		fmt.Sprintf("used_memory_overhead: %s of used_memory %s (%s); %s of it per key (less startup, backlog and client buffers)", Bytes(over), Bytes(used), sharePct(over/used), Bytes(perKey)),
		fmt.Sprintf("keys: %s — %s of overhead per key", exactCount(keys.V), Bytes(perKey/keys.V)))
	if ds, ok := m.UsedMemoryDataset.Get(); ok {
		f.evidence = append(f.evidence, fmt.Sprintf("used_memory_dataset: %s — %s of data per key", Bytes(ds), Bytes(ds/keys.V)))
	}
	if share < ThresholdOverheadShareWatch {
		return f, true
	}
	f.status = StatusWatch
	if share >= ThresholdOverheadShareWarn {
		f.status = StatusWarn
	}
	f.title = fmt.Sprintf("Per-key overhead is %s of used memory over %s keys: bucket small keys into hashes", sharePct(share), exactCount(keys.V))
	f.evidence = append(f.evidence, smallKeyPrefixes(c)...)
	f.commands = []string{cmdInfoMemory, cmdMemoryStats, "redis-cli CONFIG GET 'hash-max-*'"}
	f.advice = "Every key costs bookkeeping on top of its value (a dict entry, the key's object and name, an expiry entry): with many small keys that overhead outweighs the data. Bucket small objects into hashes (user:1234 → HSET user:12 34 …, at most hash-max-listpack-entries fields a hash, so each stays a compact listpack), shorten key names, and keep numbers as integers (int encoding) rather than raw strings."
	return f, true
}

// smallKeyPrefixes names, from the scan, the prefixes with many small keys
// and the raw-encoded strings: where bucketing into hashes pays.
func smallKeyPrefixes(c *ruleCtx) []string {
	if scanReason(c.scan) != "" {
		return []string{"which prefixes: run the big-key scan (press s, or --scan) to see the small keys by prefix"}
	}
	var out []string
	ps := slices.Clone(c.scan.Prefixes)
	slices.SortStableFunc(ps, func(a, b ScanPrefix) int { return b.Keys - a.Keys })
	for _, p := range ps {
		if len(out) == 3 || p.Keys == 0 {
			break
		}
		if avg := p.Bytes / float64(p.Keys); avg <= ThresholdSmallObjectBytes {
			out = append(out, fmt.Sprintf("prefix %s — %s small keys, %s each on average: candidates for hash buckets", PrefixPattern(p.Prefix), exactCount(float64(p.Keys)), Bytes(avg)))
		}
	}
	var strs []string
	for _, es := range c.scan.Encodings {
		if es.Type == typeString && es.Keys > 0 {
			strs = append(strs, fmt.Sprintf("%s %s", es.Encoding, exactCount(float64(es.Keys))))
		}
	}
	if len(strs) > 0 {
		out = append(out, "string keys scanned by encoding: "+strings.Join(strs, ", "))
	}
	raw := map[string]int{}
	var order []string
	for _, k := range c.scan.Keys {
		if k.Type == typeString && k.Encoding == "raw" {
			p := k.Key
			if i := strings.IndexByte(p, ':'); i >= 0 {
				p = p[:i]
			}
			if raw[p] == 0 {
				order = append(order, p)
			}
			raw[p]++
		}
	}
	for i, p := range order {
		if i == 3 {
			break
		}
		out = append(out, fmt.Sprintf("raw-encoded strings among the top keys: prefix %s (%d)", serverLabel(p), raw[p]))
	}
	return out
}
