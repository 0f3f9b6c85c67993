package model

import (
	"math"
	"slices"
	"strings"
)

// Estimates from a partial pass.
//
// SCAN walks a database's hash-table buckets in an order unrelated to the
// keys (the bucket is the key's hash under a seed drawn at server start), so
// the first n keys of a pass are a simple random sample, without
// replacement, of the N keys of the database. The totals of a partial pass
// are then scaled up, and each comes with a 95 % interval:
//
//   - The value is the expansion estimator N/n·Σy, y the key's bytes when it
//     belongs to the group (type, encoding, prefix, without TTL) and 0
//     otherwise — unbiased under that sampling.
//   - The bulk of its error is the usual finite-population one,
//     Var = N²·(1−f)·s²/n with f = n/N and s² the sample variance of y, read
//     from the running sums Σy and Σy² the aggregate keeps (no key is kept).
//   - That alone is not honest about heavy tails: one 40 MB key among a
//     million small ones is missed by a 5 % sample 19 times out of 20, and
//     then neither the mean nor s² knows it exists. So the bounds use the
//     two facts a sample cannot get wrong. Low: the keys seen are there, so
//     a group holds at least what was seen of it (and the bulk's lower
//     bound, when higher). High: every key together is bounded by the
//     server's used_memory (Cap), so a group can hold at most Cap minus
//     what the rest of the keys surely hold (their lower bound). That
//     upper bound is where "the largest unseen key possible" lives: any
//     memory the seen keys do not account for might be one key of this
//     group that the sample missed.
//
// The normal quantile is Bonferroni's over the twenty-odd figures a page
// shows together (EstimateZ), so the page as a whole holds with 95 %.
//
// Counts of keys have no tail (each key counts 1): their interval is
// Wilson's score interval for a proportion, with the finite-population
// correction, times N, never below the keys seen.
//
// Without Cap (no used_memory) the high bound is the bulk one and the
// estimate says TailBounded false. The figures of a complete pass are exact
// and EstimateBigKeys returns nil for it; big keys found are never scaled.

// EstimateZ is the normal quantile of the intervals: 95 % for the figures
// a page shows together, not for each alone. A pane or a report shows about
// twenty estimates at once (the total, the types, the top prefixes); read
// together, twenty separate 95 % intervals miss somewhere most of the time.
// Bonferroni over 20 figures: Φ⁻¹(1 − 0.05/(2·20)) = 3.023.
const EstimateZ = 3.022583888378904

// Interval is an estimated figure and its 95 % interval.
type Interval struct {
	Value float64 `json:"value"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// HalfWidth is the larger distance from the value to a bound, as a share of
// the value (0.03 for "± 3 %"); 0 when the value is 0.
func (iv Interval) HalfWidth() float64 {
	if iv.Value <= 0 {
		return 0
	}
	return max(iv.High-iv.Value, iv.Value-iv.Low) / iv.Value
}

// Contains reports whether v lies within the interval.
func (iv Interval) Contains(v float64) bool { return v >= iv.Low && v <= iv.High }

// GroupEstimate is the estimate of one group's keys and bytes. Name is the
// type, "type/encoding" or the prefix; server text, escape it before drawing.
type GroupEstimate struct {
	Name  string   `json:"name"`
	Depth int      `json:"depth,omitempty"` // prefixes only
	Keys  Interval `json:"keys"`
	Bytes Interval `json:"bytes"`
	// Exact marks a prefix that is a whole key name: the sample saw all of
	// it, the figures are not scaled.
	Exact bool `json:"exact,omitempty"`
}

// BigKeysEstimate is what a partial pass says of the whole keyspace.
type BigKeysEstimate struct {
	// Fraction is the share of the keys scanned (0–1): the sample.
	Fraction float64 `json:"fraction"`
	Sampled  int64   `json:"sampled"`    // keys in the sample (n)
	Keyspace int64   `json:"population"` // keys in the scanned databases (N)
	// CapBytes is the bound on every key together (the server's
	// used_memory); 0 when unknown, and then TailBounded is false: the
	// high bounds cannot account for a big key the sample missed.
	CapBytes    int64           `json:"cap_bytes"`
	TailBounded bool            `json:"tail_bounded"`
	Total       GroupEstimate   `json:"total"`
	NoTTL       GroupEstimate   `json:"no_ttl"`
	Types       []GroupEstimate `json:"types"`
	Encodings   []GroupEstimate `json:"encodings"`
	Prefixes    []GroupEstimate `json:"prefixes"`
	// Unseen is the interval of a group the sample has no key of: 0 up to
	// what the memory not accounted for allows.
	Unseen GroupEstimate `json:"unseen"`
}

// Prefix returns the estimate of a prefix, or the unseen group's when the
// sample has no key under it.
func (e *BigKeysEstimate) Prefix(name string) GroupEstimate {
	return e.find(e.Prefixes, name)
}

// Type returns the estimate of a key type (or the unseen group's).
func (e *BigKeysEstimate) Type(name string) GroupEstimate {
	return e.find(e.Types, name)
}

func (e *BigKeysEstimate) find(list []GroupEstimate, name string) GroupEstimate {
	if i := slices.IndexFunc(list, func(g GroupEstimate) bool { return g.Name == name }); i >= 0 {
		return list[i]
	}
	g := e.Unseen
	g.Name = name
	return g
}

// EstimateBigKeys scales a partial pass up to the whole keyspace. capBytes
// bounds all keys together (used_memory; 0 when unknown). It returns nil
// when there is nothing to estimate: the pass is complete (its figures are
// exact), nothing was scanned, the aggregate has no moments (a snapshot read
// back from a file, a cluster's merge), or the keys seen are not a uniform
// sample — several databases scanned one after another, where the first is
// complete and the last not begun (a --scan-sample pass takes the same share
// of each, and is estimated).
func EstimateBigKeys(b *BigKeys, p *ScanProgress, capBytes int64) *BigKeysEstimate {
	if b == nil || p == nil || !b.Moments || b.Keys <= 0 || p.DBSize <= 0 || p.Scanned <= 0 {
		return nil
	}
	if p.Phase == ScanDone && p.SampleFraction <= 0 {
		return nil
	}
	if len(p.DBs) > 1 && p.SampleFraction <= 0 {
		return nil
	}
	f := float64(p.Scanned) / float64(p.DBSize)
	if f >= 1 {
		return nil
	}
	n := float64(b.Keys)
	est := estimator{n: n, f: f, bigN: n / f, cap: float64(max(capBytes, 0))}
	est.totalSum, est.totalSq = float64(b.Bytes), b.BytesSq
	// The rest of the keys surely hold at least this much: the floor every
	// group's high bound leaves them.
	est.totalLow = est.bytes(est.totalSum, est.totalSq).Low

	e := &BigKeysEstimate{
		Fraction: f, Sampled: b.Keys, Keyspace: int64(math.Round(est.bigN)),
		CapBytes: max(capBytes, 0), TailBounded: capBytes > 0,
	}
	e.Total = est.group("total", 0, b.Keys, b.Bytes, b.BytesSq)
	e.NoTTL = est.group("no TTL", 0, b.NoTTLKeys, b.NoTTLBytes, b.NoTTLBytesSq)
	e.Unseen = est.group("", 0, 0, 0, 0)
	for _, t := range b.Types {
		e.Types = append(e.Types, est.group(t.Type, 0, t.Keys, t.Bytes, t.BytesSq))
	}
	for _, en := range b.Encodings {
		e.Encodings = append(e.Encodings, est.group(en.Type+"/"+en.Encoding, 0, en.Keys, en.Bytes, en.BytesSq))
	}
	for _, pr := range b.Prefixes {
		if pr.Key {
			// A whole key name: the key seen is all there is.
			e.Prefixes = append(e.Prefixes, exactGroup(pr.Prefix, pr.Depth, pr.Keys, pr.Bytes))
			continue
		}
		e.Prefixes = append(e.Prefixes, est.group(pr.Prefix, pr.Depth, pr.Keys, pr.Bytes, pr.BytesSq))
	}
	return e
}

type estimator struct {
	n, f, bigN, cap   float64
	totalSum, totalSq float64
	totalLow          float64
}

func (e *estimator) group(name string, depth int, keys, bytes int64, sq float64) GroupEstimate {
	g := GroupEstimate{Name: strings.Clone(name), Depth: depth}
	g.Keys = e.count(float64(keys))
	g.Bytes = e.bytes(float64(bytes), sq)
	if e.cap > 0 {
		// The complement (every key not in the group) holds at least its
		// own lower bound; whatever memory is left could be this group's.
		rest := e.bytes(e.totalSum-float64(bytes), max(e.totalSq-sq, 0)).Low
		g.Bytes.High = max(e.cap-rest, g.Bytes.Low)
		// A sample that caught a big key scales it by 1/f, past what the
		// memory can hold: the value stays within the bounds.
		g.Bytes.Value = min(g.Bytes.Value, g.Bytes.High)
	}
	return g
}

// exactGroup is a group the sample knows whole (a prefix that is a key
// name): its figures, with no interval around them.
func exactGroup(name string, depth int, keys, bytes int64) GroupEstimate {
	k, b := float64(keys), float64(bytes)
	return GroupEstimate{
		Name: strings.Clone(name), Depth: depth,
		Keys: Interval{Value: k, Low: k, High: k}, Bytes: Interval{Value: b, Low: b, High: b},
		Exact: true,
	}
}

// bytes is the expansion estimate of a total from the sample's Σy and Σy²:
// the bulk interval, floored at what was seen.
func (e *estimator) bytes(sum, sq float64) Interval {
	v := sum / e.f
	var s2 float64
	if e.n > 1 {
		s2 = max(sq-sum*sum/e.n, 0) / (e.n - 1)
	}
	se := e.bigN * math.Sqrt((1-e.f)*s2/e.n)
	return Interval{Value: v, Low: max(sum, v-EstimateZ*se), High: v + EstimateZ*se}
}

// count is Wilson's score interval for k of the n keys, with the
// finite-population correction, scaled to N; never below k, never above
// the keys not seen outside the group.
func (e *estimator) count(k float64) Interval {
	p := k / e.n
	z2 := EstimateZ * EstimateZ * (1 - e.f)
	den := 1 + z2/e.n
	mid := (p + z2/(2*e.n)) / den
	half := math.Sqrt(z2*p*(1-p)/e.n+z2*z2/(4*e.n*e.n)) / den
	// Key counts are whole: the bounds round outwards, so that rounding in
	// the arithmetic never puts the true count just outside (24999.99…).
	lo, hi := math.Floor(max(mid-half, 0)*e.bigN), math.Ceil(min(mid+half, 1)*e.bigN)
	return Interval{
		Value: p * e.bigN,
		Low:   max(lo, k),
		High:  max(min(hi, e.bigN-(e.n-k)), k),
	}
}

// EstimateCap is the bound on all keys together a sample gives: its
// used_memory (every allocation of the server) less what is surely not a
// key — the empty server's memory (used_memory_startup) and the client,
// replica, replication backlog and AOF buffers; 0 without used_memory.
func EstimateCap(s *Sample) int64 {
	if s == nil {
		return 0
	}
	m := &s.Memory
	used, ok := m.UsedMemory.Get()
	if !ok || used <= 0 {
		return 0
	}
	notKeys := m.UsedMemoryStartup.Or(0) + m.MemClientsNormal.Or(0) + m.MemClientsSlaves.Or(0) +
		m.MemReplicationBacklog.Or(0) + m.MemAOFBuffer.Or(0)
	return int64(max(used-notKeys, used/2))
}
