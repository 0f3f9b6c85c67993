package model

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const scanAdvice = "Start the big-key scan (press s, or run with --scan); it is throttled and read-only."

// ruleBigKeys: keys that are big in bytes or elements, or that grow.
func ruleBigKeys(c *ruleCtx) Check {
	const topic = "Big keys"
	if r := scanReason(c.scan); r != "" {
		return unknownCheck(topic, r, scanAdvice)
	}
	used := c.last.Memory.UsedMemory.Or(0)
	type flagged struct {
		k       ScanKey
		reasons []string
		status  Status
	}
	var found []flagged
	for _, k := range c.scan.Keys {
		b := k.Bytes.Or(0)
		el, elOK := k.Elements.Get()
		var why []string
		st := StatusOK
		if used >= ThresholdSmallDataset && b >= ThresholdBigKeyCritShare*used {
			why = append(why, sharePct(b/used)+" of used_memory")
			st = worse(st, StatusCrit)
		} else if used > 0 && b >= ThresholdBigKeyShare*used && b >= ThresholdBigKeyShareMin {
			why = append(why, "> 1 % of used_memory")
			st = worse(st, StatusWatch)
		}
		if b >= ThresholdBigKeyBytes {
			why = append(why, "> "+Bytes(ThresholdBigKeyBytes))
			st = worse(st, StatusWarn)
		}
		switch k.Type {
		case typeList:
			if elOK && el > ThresholdBigListElements {
				why = append(why, fmt.Sprintf("> %d elements", ThresholdBigListElements))
				st = worse(st, StatusWatch)
			}
		case typeHash:
			if elOK && el > ThresholdBigHashFields {
				why = append(why, fmt.Sprintf("> %d fields", ThresholdBigHashFields))
				st = worse(st, StatusWatch)
			}
		case typeString:
			if b > ThresholdBigStringBytes || (elOK && el > ThresholdBigStringBytes) {
				why = append(why, "string > 100 KB")
				st = worse(st, StatusWatch)
			}
		case typeStream:
			if w, ok := longStream(k); ok {
				why = append(why, w)
				st = worse(st, StatusWatch)
			}
		}
		if w, ok := keyGrowth(k); ok {
			why = append(why, w)
			st = worse(st, StatusWatch)
		}
		if w, s, ok := watchGrowth(k); ok {
			why = append(why, w)
			st = worse(st, s)
		}
		if len(why) > 0 {
			found = append(found, flagged{k, why, st})
		}
	}
	ch := Check{
		Evidence: []string{c.scan.progress()},
		Commands: []string{"redis-cli --memkeys -i 0.1"},
	}
	if len(found) == 0 {
		if c.scan.Partial() != "" {
			ch := c.scan.partialCheck(topic, "no big key among the "+exactCount(float64(c.scan.Scanned))+" keys scanned "+c.scan.soFar())
			ch.Commands = []string{"redis-cli --memkeys -i 0.1"}
			return ch
		}
		ch.Status = StatusOK
		ch.Title = "No big key among the keys scanned"
		ch.Advice = "No key passes 10 MB, 1 % of memory, 1000 list elements, 5000 hash fields, 100 KB strings or 10,000 stream entries, and none grew much since the last pass."
		return ch
	}
	slices.SortStableFunc(found, func(a, b flagged) int {
		if c := cmpWorstFirst(a.status, b.status); c != 0 {
			return c
		}
		return cmp.Compare(b.k.Bytes.Or(0), a.k.Bytes.Or(0))
	})
	ch.Status = found[0].status
	top := found[0].k
	ch.Title = c.scan.withPartial(fmt.Sprintf("%d big key(s); the biggest, %s, holds %s", len(found), serverLabel(top.Key), keyBytes(top.Bytes)))
	for i, f := range found {
		if i == 5 {
			ch.Evidence = append(ch.Evidence, fmt.Sprintf("… and %d more in the big-keys pane", len(found)-5))
			break
		}
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("db%d %s (%s): %s%s — %s", f.k.DB, serverLabel(f.k.Key), f.k.Type, keyBytes(f.k.Bytes), elementsNote(f.k), strings.Join(f.reasons, ", ")))
		if i < 3 {
			ch.Commands = append(ch.Commands, fmt.Sprintf("redis-cli -n %d MEMORY USAGE %s SAMPLES 5", f.k.DB, shellQuote(f.k.Key)))
		}
	}
	ch.Advice = "Big keys make every operation on them slow (DEL blocks: use UNLINK), replicate and migrate in one piece, and one growing key can fill the memory. Split big hashes and sets into buckets, trim lists (LTRIM) or cap streams (XADD MAXLEN), and give them a TTL when they are cache data."
	for _, f := range found {
		growthAdvice(&ch, f.k)
	}
	return ch
}

// keyBytes is a key's size, or says it is unknown (MEMORY USAGE renamed or
// denied): never a 0 that looks measured.
func keyBytes(b Opt) string {
	if v, ok := b.Get(); ok {
		return Bytes(v)
	}
	return "an unknown number of bytes"
}

// elementsNote writes ", 12,000 elements" when the count is known.
func elementsNote(k ScanKey) string {
	el, ok := k.Elements.Get()
	if !ok {
		return ""
	}
	unit := map[string]string{"string": "bytes long", "hash": "fields", "list": "elements", "set": "members", "zset": "members", "stream": "entries"}[k.Type]
	if unit == "" {
		unit = "elements"
	}
	return ", " + exactCount(el) + " " + unit
}

// ttlLevel: keys without a TTL on an instance that works as a cache (the
// level now; ruleTTLDiscipline adds the change over the window).
func ttlLevel(c *ruleCtx) Check {
	const topic = "TTL discipline"
	keys, exp, r := keyspaceTotals(c.last)
	if r != "" {
		return unknownCheck(topic, r, "", cmdInfoKeyspace)
	}
	ch := Check{Commands: []string{cmdInfoKeyspace}}
	if keys == 0 {
		ch.Status = StatusOK
		ch.Title = "No keys yet"
		ch.Evidence = []string{"keys: 0"}
		ch.Advice = "Nothing to judge."
		return ch
	}
	noTTL := keys - exp
	share := noTTL / keys
	pol, _ := c.policy()
	expired := c.last.Stats.ExpiredKeys.Or(0)
	ch.Evidence = append(ch.Evidence, fmt.Sprintf("keys without a TTL: %s of %s (%s)", exactCount(noTTL), exactCount(keys), sharePct(share)))
	if expired > 0 {
		ch.Evidence = append(ch.Evidence, "expired_keys since start: "+exactCount(expired))
	}
	if pol != "" {
		ch.Evidence = append(ch.Evidence, "maxmemory_policy: "+pol)
	}
	cacheLike := exp > 0 || expired > 0 || strings.HasPrefix(pol, "volatile-")
	if c.scan != nil && scanReason(c.scan) == "" {
		ch.Evidence = append(ch.Evidence, c.scan.progress())
		if tot := c.scan.NoTTLBytes + c.scan.TTLBytes; tot > 0 {
			ch.Evidence = append(ch.Evidence, fmt.Sprintf("bytes in keys without a TTL (scanned): %s of %s (%s)", Bytes(c.scan.NoTTLBytes), Bytes(tot), sharePct(c.scan.NoTTLBytes/tot)))
		}
		ps := append([]ScanPrefix(nil), c.scan.Prefixes...)
		sort.SliceStable(ps, func(i, j int) bool { return ps[i].NoTTLBytes > ps[j].NoTTLBytes })
		for i, p := range ps {
			if i == 3 || p.NoTTLBytes <= 0 {
				break
			}
			ch.Evidence = append(ch.Evidence, fmt.Sprintf("prefix %s — %s in %s without a TTL", PrefixPattern(p.Prefix), Bytes(p.NoTTLBytes), countNoun(float64(p.NoTTLKeys), "key", "keys")))
			if i == 0 {
				ch.Commands = append(ch.Commands, "redis-cli --scan --count 1000 --pattern "+shellQuote(globEscape(p.Prefix)+"*")+" | head")
			}
		}
		for _, k := range c.scan.Keys {
			if t, ok := k.TTL.Get(); ok && t < 0 {
				ch.Commands = append(ch.Commands, fmt.Sprintf("redis-cli -n %d TTL %s", k.DB, shellQuote(k.Key)))
				break
			}
		}
	}
	if !cacheLike {
		ch.Status = StatusOK
		ch.Title = "No key has a TTL and none expired: used as a data store, not a cache"
		ch.Advice = "Keys without a TTL are expected in a store. If this is meant to be a cache, give keys a TTL."
		return ch
	}
	switch {
	case share >= ThresholdNoTTLWarn:
		ch.Status = StatusWarn
		if s, ok := c.usedShare(); ok && s >= ThresholdHeadroomWarn && !strings.HasPrefix(pol, "allkeys-") {
			ch.Status = StatusCrit
			ch.Evidence = append(ch.Evidence, "used / maxmemory: "+sharePct(s))
		}
	case share >= ThresholdNoTTLWatch:
		ch.Status = StatusWatch
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Most keys have a TTL (%s without)", sharePct(share))
		ch.Advice = "Keys expire as a cache's should."
		return ch
	}
	if strings.HasPrefix(pol, "allkeys-") && ch.Status.Rank() > StatusWatch.Rank() {
		ch.Status = StatusWatch // the eviction policy cleans up after them
	}
	ch.Title = fmt.Sprintf("%s of the keys never expire, while the others do", sharePct(share))
	if share >= 1 {
		// Used as a cache (keys expired here, or a volatile-* policy), yet no
		// key has a TTL.
		why := "keys have expired here"
		if expired <= 0 {
			why = "the policy is " + pol
		}
		ch.Title = "No key has a TTL, yet this is run as a cache (" + why + "): did the keys lose their TTLs?"
	}
	ch.Advice = "Some keys expire (or the policy expects them to), so the application uses TTLs, yet most keys never do: often a code path that forgot EXPIRE. They stay until evicted (or forever with noeviction / volatile-*). The big-key pane's TTL view shows which prefixes hold them."
	return ch
}

// globEscape escapes SCAN MATCH glob characters in a prefix, except *:
// the scan's prefixes use * for a normalised segment (user:*:feed), which is
// what MATCH should match.
func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// encLimit is a compact-encoding limit from CONFIG.
type encLimit struct {
	name  string
	value float64
}

// encodingsTop: collections just past their compact-encoding limits, and
// hashes that left listpack for long values, among the top keys
// (ruleEncodings adds the counts among all keys and the per-key overhead).
func encodingsTop(c *ruleCtx) Check {
	const topic = "Encodings"
	if r := scanReason(c.scan); r != "" {
		return unknownCheck(topic, r, scanAdvice)
	}
	if r := c.configReason(); r != "" {
		return unknownCheck(topic, r, "The listpack / intset limits are only visible through CONFIG GET.", "redis-cli CONFIG GET '*-max-*'")
	}
	limit := func(names ...string) (encLimit, bool) {
		n, v, ok := c.configFirst(names...)
		if !ok {
			return encLimit{}, false
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return encLimit{}, false
		}
		return encLimit{n, f}, true
	}
	hashEntries, okHE := limit("hash-max-listpack-entries", "hash-max-ziplist-entries")
	hashValue, okHV := limit("hash-max-listpack-value", "hash-max-ziplist-value")
	zsetEntries, okZE := limit("zset-max-listpack-entries", "zset-max-ziplist-entries")
	zsetValue, okZV := limit("zset-max-listpack-value", "zset-max-ziplist-value")
	setInt, okSI := limit("set-max-intset-entries")
	setLP, okSL := limit("set-max-listpack-entries")
	listSize, okLS := limit("list-max-listpack-size", "list-max-ziplist-size")
	if !okHE && !okZE && !okSI {
		return unknownCheck(topic, "CONFIG GET returned none of the encoding limits", "", "redis-cli CONFIG GET '*-max-*'")
	}
	ch := Check{Commands: []string{"redis-cli CONFIG GET '*-max-*'"}}
	var settings []string
	for _, l := range []struct {
		l  encLimit
		ok bool
	}{{hashEntries, okHE}, {hashValue, okHV}, {zsetEntries, okZE}, {zsetValue, okZV}, {setInt, okSI}, {setLP, okSL}, {listSize, okLS}} {
		if l.ok {
			settings = append(settings, l.l.name+" "+strconv.FormatFloat(l.l.value, 'f', -1, 64))
		}
	}
	ch.Evidence = append(ch.Evidence, strings.Join(settings, ", "), c.scan.progress())

	type finding struct {
		k       ScanKey
		what    string
		setting encLimit
	}
	var found []finding
	var bytes float64
	justPast := func(el float64, l encLimit) bool {
		return el > l.value && el <= ThresholdEncodingJustPast*l.value
	}
	for _, k := range c.scan.Keys {
		el, ok := k.Elements.Get()
		if !ok || k.Encoding == "" {
			continue
		}
		var f *finding
		switch {
		case k.Type == typeHash && k.Encoding == encHashtable && okHE && justPast(el, hashEntries):
			f = &finding{k, fmt.Sprintf("%s fields, just past %s", exactCount(el), hashEntries.name), hashEntries}
		case k.Type == typeHash && k.Encoding == encHashtable && okHE && el <= hashEntries.value:
			f = &finding{k, fmt.Sprintf("only %s fields but a hashtable: a value is longer than %s", exactCount(el), valueName(hashValue, okHV, "hash-max-listpack-value")), hashValue}
		case k.Type == typeZset && k.Encoding == "skiplist" && okZE && justPast(el, zsetEntries):
			f = &finding{k, fmt.Sprintf("%s members, just past %s", exactCount(el), zsetEntries.name), zsetEntries}
		case k.Type == typeZset && k.Encoding == "skiplist" && okZE && el <= zsetEntries.value:
			f = &finding{k, fmt.Sprintf("only %s members but a skiplist: a member is longer than %s", exactCount(el), valueName(zsetValue, okZV, "zset-max-listpack-value")), zsetValue}
		case k.Type == typeSet && k.Encoding == encHashtable && okSI && justPast(el, setInt):
			f = &finding{k, fmt.Sprintf("%s members, just past %s", exactCount(el), setInt.name), setInt}
		case k.Type == typeSet && k.Encoding == encHashtable && okSL && justPast(el, setLP):
			f = &finding{k, fmt.Sprintf("%s members, just past %s", exactCount(el), setLP.name), setLP}
		case k.Type == typeList && k.Encoding == "quicklist" && okLS && listSize.value > 0 && justPast(el, listSize):
			f = &finding{k, fmt.Sprintf("%s elements, just past %s", exactCount(el), listSize.name), listSize}
		}
		if f != nil {
			found = append(found, *f)
			bytes += k.Bytes.Or(0)
		}
	}
	if len(found) == 0 {
		if c.scan.Partial() != "" {
			pc := c.scan.partialCheck(topic, "no collection just past its compact-encoding limit "+c.scan.soFar())
			pc.Evidence = ch.Evidence
			pc.Commands = ch.Commands
			return pc
		}
		ch.Status = StatusOK
		ch.Title = "No collection just past its compact-encoding limit"
		ch.Advice = "Small collections use their compact encodings."
		return ch
	}
	sort.SliceStable(found, func(i, j int) bool { return found[i].k.Bytes.Or(0) > found[j].k.Bytes.Or(0) })
	ch.Status = StatusWatch
	used := c.last.Memory.UsedMemory.Or(0)
	if used > 0 && bytes >= ThresholdEncodingWarnShare*used {
		ch.Status = StatusWarn
	}
	ch.Title = c.scan.withPartial(fmt.Sprintf("%d collection(s) just past a compact-encoding limit (%s)", len(found), Bytes(bytes)))
	for i, f := range found {
		if i == 5 {
			ch.Evidence = append(ch.Evidence, fmt.Sprintf("… and %d more", len(found)-5))
			break
		}
		ch.Evidence = append(ch.Evidence, fmt.Sprintf("db%d %s (%s, %s): %s — %s", f.k.DB, serverLabel(f.k.Key), f.k.Type, f.k.Encoding, Bytes(f.k.Bytes.Or(0)), f.what))
	}
	// Suggest the limit that the biggest finding needs, doubled.
	top := found[0]
	if top.setting.name != "" && top.setting.value > 0 {
		next := strconv.FormatFloat(top.setting.value*2, 'f', 0, 64)
		ch.Commands = append(ch.Commands, "redis-cli CONFIG SET "+top.setting.name+" "+next, "# redis.conf: "+top.setting.name+" "+next)
	}
	ch.Advice = "A collection just past its listpack/intset limit takes several times the memory of its compact form. Raising the limit a little (not past ~1000 entries: compact encodings are scanned linearly) keeps such keys compact; existing keys convert back only when they are rewritten or reloaded. For long values, shorten or compress them."
	return ch
}

func valueName(l encLimit, ok bool, def string) string {
	if ok {
		return fmt.Sprintf("%s (%s bytes)", l.name, strconv.FormatFloat(l.value, 'f', -1, 64))
	}
	return def
}
