package model

import (
	"math/bits"
	"slices"
	"strings"
)

// KeyInfo is what the big-key scan learnt about one key. Key is the raw name
// (any bytes, possibly invalid UTF-8): escape it before drawing.
type KeyInfo struct {
	Key      string
	DB       int
	Type     string // as the server names it: string, list, hash, set, zset, stream, or a module type
	Encoding string // OBJECT ENCODING; "" when the server does not tell
	Bytes    int64  // MEMORY USAGE with the scan's SAMPLES; -1 when unknown
	Elements int64  // items, fields, members or entries; -1 for strings and types without a length
	TTL      int64  // seconds to expiry; -1 when the key has none
	// Node is the address of the cluster node the key was measured on (the
	// master serving its slot, or the replica scanned with --scan-replicas);
	// "" for a single server. Set by MergeBigKeys.
	Node string
}

// HasTTL reports whether the key expires.
func (k *KeyInfo) HasTTL() bool { return k.TTL >= 0 }

// BigKeysConfig bounds the aggregation. Zero fields take the defaults.
type BigKeysConfig struct {
	TopN       int    `json:"top_n"`      // keys kept in each top list (default 100)
	Delimiters string `json:"delimiters"` // characters that split key prefixes (default ":")
	Depth      int    `json:"depth"`      // prefix levels kept, 1–3 (default 3)
	MaxNodes   int    `json:"max_nodes"`  // prefix nodes before new ones fold into "(other)" (default 1000)
}

// Defaults of BigKeysConfig.
const (
	DefaultTopN       = 100
	DefaultDelimiters = ":"
	DefaultDepth      = 3
	DefaultMaxNodes   = 1000
)

// Caps on the small maps, so hostile data (a thousand module types) cannot
// grow them either.
const (
	maxTypes     = 64
	maxEncodings = 256
	otherName    = "(other)"
)

// WithDefaults fills zero fields and clamps the rest to their ranges.
func (c BigKeysConfig) WithDefaults() BigKeysConfig {
	if c.TopN <= 0 {
		c.TopN = DefaultTopN
	}
	if c.Delimiters == "" {
		c.Delimiters = DefaultDelimiters
	}
	if c.Depth <= 0 {
		c.Depth = DefaultDepth
	}
	c.Depth = min(c.Depth, 3)
	if c.MaxNodes <= 0 {
		c.MaxNodes = DefaultMaxNodes
	}
	return c
}

// TypeStat totals one key type.
type TypeStat struct {
	Type     string `json:"type"`
	Keys     int64  `json:"keys"`
	Bytes    int64  `json:"bytes"`
	Elements int64  `json:"elements"` // sum over keys that have a length
	// BytesSq is the sum of the squares of the keys' bytes: with Bytes and
	// Keys, the variance a partial pass's estimate needs (EstimateBigKeys).
	// Kept in recordings, so a replay estimates as the live pane did.
	BytesSq float64 `json:"bytes_sq,omitempty"`
}

// EncodingStat counts one (type, encoding) pair.
type EncodingStat struct {
	Type     string  `json:"type"`
	Encoding string  `json:"encoding"`
	Keys     int64   `json:"keys"`
	Bytes    int64   `json:"bytes"`
	BytesSq  float64 `json:"bytes_sq,omitempty"` // as TypeStat.BytesSq
	// ElementsLog2 counts the collections (hash, set, zset, list) of this
	// encoding by element count: index i holds those with 2^(i-1) < n ≤ 2^i
	// (index 0: n ≤ 1). It tells how many keys sit under a compact-encoding
	// limit from CONFIG (exactly for the power-of-two defaults) without
	// keeping any key; empty for other types.
	ElementsLog2 []int64 `json:"elements_log2,omitempty"`
}

// TTLBucket is one of the fixed TTL classes.
type TTLBucket struct {
	Label string `json:"label"`
	// MinSeconds ≤ ttl < MaxSeconds; MaxSeconds 0 means no upper bound. The
	// "no expiry" bucket has MinSeconds -1.
	MinSeconds int64 `json:"min_seconds"`
	MaxSeconds int64 `json:"max_seconds"`
	Keys       int64 `json:"keys"`
	Bytes      int64 `json:"bytes"`
}

// ttlBounds are the fixed TTL classes of DESIGN.md, in seconds.
var ttlBounds = []struct {
	label    string
	min, max int64
}{
	{"no expiry", -1, 0},
	{"< 1h", 0, 3600},
	{"1–4h", 3600, 4 * 3600},
	{"4–12h", 4 * 3600, 12 * 3600},
	{"12–24h", 12 * 3600, 24 * 3600},
	{"1–7d", 24 * 3600, 7 * 24 * 3600},
	{"> 7d", 7 * 24 * 3600, 0},
}

// NumTTLBuckets is the number of TTL classes.
var NumTTLBuckets = len(ttlBounds)

// TTLBucketIndex returns the class of a TTL in seconds (-1 = no expiry).
func TTLBucketIndex(ttl int64) int {
	if ttl < 0 {
		return 0
	}
	for i := 1; i < len(ttlBounds); i++ {
		if ttlBounds[i].max == 0 || ttl < ttlBounds[i].max {
			return i
		}
	}
	return len(ttlBounds) - 1
}

// SizeBucket is one bucket of the log2 size histogram: keys whose bytes lie
// in [Min, 2·Min) (the first bucket holds 0 and 1).
type SizeBucket struct {
	Min   int64 `json:"min"`
	Keys  int64 `json:"keys"`
	Bytes int64 `json:"bytes"`
}

// Growth is one key's change between the previous pass and this one.
type Growth struct {
	Key    string
	DB     int
	Type   string
	Before int64
	After  int64
	Delta  int64
}

// BigKeys is one immutable snapshot of a pass's aggregation: what the pane
// draws, what a recording stores, and — inline in BigKeysReport — the
// report's "bigkeys" section, so the JSON field names below are the
// report's (redis-memtop.report/1). Every list is bounded by the config.
type BigKeys struct {
	// Config is what bounded the lists; the report leaves it out (zero).
	Config BigKeysConfig `json:"config,omitzero"`
	// Keys counts every key seen (SCAN may return a key twice while the
	// server resizes its tables: such a key is counted twice here, once in
	// the top lists).
	Keys       int64 `json:"keys"`
	Bytes      int64 `json:"bytes"`
	NoTTLKeys  int64 `json:"no_ttl_keys"`
	NoTTLBytes int64 `json:"no_ttl_bytes"`
	// UnknownBytes counts keys whose MEMORY USAGE was not available.
	UnknownBytes int64 `json:"unknown_bytes_keys,omitempty"`
	// BytesSq and NoTTLBytesSq are the sums of the squares of the keys'
	// bytes (as TypeStat.BytesSq); Moments says the aggregate kept them
	// (a cluster's merge has none, and no estimate). The report leaves
	// them out.
	BytesSq      float64 `json:"bytes_sq,omitempty"`
	NoTTLBytesSq float64 `json:"no_ttl_bytes_sq,omitempty"`
	Moments      bool    `json:"moments,omitempty"`
	// TopBytes is the biggest keys by bytes, largest first; TopElements by
	// element count.
	TopBytes    []KeyInfo      `json:"top"`
	TopElements []KeyInfo      `json:"top_elements"`
	Prefixes    []PrefixStat   `json:"prefixes"`
	Types       []TypeStat     `json:"types"`
	Encodings   []EncodingStat `json:"encodings"`
	TTL         []TTLBucket    `json:"ttl_buckets"`
	Sizes       []SizeBucket   `json:"size_histogram"`
	// Growth lists keys that were in the previous pass's top lists, largest
	// growth first (shrinking keys last).
	Growth []Growth `json:"growth,omitempty"`
}

type typeEnc struct{ typ, enc string }

type dbKey struct {
	db  int
	key string
}

// BigKeysAgg folds KeyInfos into bounded aggregates. Its memory depends on the
// config, never on the number of keys. Not safe for concurrent use: the scan
// worker owns one and hands out snapshots.
type BigKeysAgg struct {
	cfg          BigKeysConfig
	keys, bytes  int64
	noTTLKeys    int64
	noTTLBytes   int64
	unknownBytes int64
	bytesSq      float64
	noTTLBytesSq float64
	topBytes     topList
	topElems     topList
	types        map[string]*TypeStat
	encodings    map[typeEnc]*EncodingStat
	ttl          []TTLBucket
	sizes        [65]SizeBucket
	prefix       prefixTree
	prev         map[dbKey]int64
	growth       []Growth
}

// NewBigKeysAgg starts an aggregation. prev is the previous pass's snapshot
// (nil for the first pass): the keys in its top lists are followed, so growth
// between the two passes can be shown without remembering every key.
func NewBigKeysAgg(cfg BigKeysConfig, prev *BigKeys) *BigKeysAgg {
	cfg = cfg.WithDefaults()
	a := &BigKeysAgg{
		cfg:       cfg,
		topBytes:  newTopList(cfg.TopN),
		topElems:  newTopList(cfg.TopN),
		types:     map[string]*TypeStat{},
		encodings: map[typeEnc]*EncodingStat{},
		ttl:       make([]TTLBucket, len(ttlBounds)),
		prefix:    newPrefixTree(cfg),
	}
	for i, b := range ttlBounds {
		a.ttl[i] = TTLBucket{Label: b.label, MinSeconds: b.min, MaxSeconds: b.max}
	}
	for i := range a.sizes {
		if i > 0 {
			a.sizes[i].Min = int64(1) << (i - 1)
		}
	}
	if prev != nil {
		a.prev = make(map[dbKey]int64, len(prev.TopBytes)+len(prev.TopElements))
		for _, list := range [][]KeyInfo{prev.TopBytes, prev.TopElements} {
			for i := range list {
				if k := &list[i]; k.Bytes >= 0 {
					a.prev[dbKey{k.DB, strings.Clone(k.Key)}] = k.Bytes
				}
			}
		}
	}
	return a
}

// Config returns the config in force (defaults filled in).
func (a *BigKeysAgg) Config() BigKeysConfig { return a.cfg }

// Keys returns the number of keys added so far.
func (a *BigKeysAgg) Keys() int64 { return a.keys }

// Add folds one key in. The KeyInfo is not retained (its Key is copied when
// it enters a top list).
func (a *BigKeysAgg) Add(k *KeyInfo) {
	a.keys++
	b := k.Bytes
	if b < 0 {
		a.unknownBytes++
		b = 0
	}
	a.bytes += b
	sq := float64(b) * float64(b)
	a.bytesSq += sq
	noTTL := !k.HasTTL()
	if noTTL {
		a.noTTLKeys++
		a.noTTLBytes += b
		a.noTTLBytesSq += sq
	}

	ts := a.types[k.Type]
	if ts == nil {
		name := k.Type
		if len(a.types) >= maxTypes {
			name = otherName
		}
		if ts = a.types[name]; ts == nil {
			ts = &TypeStat{Type: strings.Clone(name)}
			a.types[ts.Type] = ts
		}
	}
	ts.Keys++
	ts.Bytes += b
	ts.BytesSq += sq
	if k.Elements > 0 {
		ts.Elements += k.Elements
	}

	te := typeEnc{k.Type, k.Encoding}
	es := a.encodings[te]
	if es == nil {
		if len(a.encodings) >= maxEncodings {
			te = typeEnc{otherName, otherName}
		} else {
			te = typeEnc{strings.Clone(k.Type), strings.Clone(k.Encoding)}
		}
		if es = a.encodings[te]; es == nil {
			es = &EncodingStat{Type: te.typ, Encoding: te.enc}
			a.encodings[te] = es
		}
	}
	es.Keys++
	es.Bytes += b
	es.BytesSq += sq
	if k.Elements >= 0 && isCollection(k.Type) {
		i := elementsLog2(k.Elements)
		for len(es.ElementsLog2) <= i {
			es.ElementsLog2 = append(es.ElementsLog2, 0)
		}
		es.ElementsLog2[i]++
	}

	tb := &a.ttl[TTLBucketIndex(k.TTL)]
	tb.Keys++
	tb.Bytes += b

	sb := &a.sizes[bits.Len64(uint64(b))]
	sb.Keys++
	sb.Bytes += b

	a.prefix.add(k.Key, b, noTTL)

	if k.Bytes >= 0 {
		a.topBytes.offer(k, k.Bytes)
	}
	if k.Elements >= 0 {
		a.topElems.offer(k, k.Elements)
	}
	if a.prev != nil && k.Bytes >= 0 {
		id := dbKey{k.DB, k.Key}
		if before, ok := a.prev[id]; ok {
			delete(a.prev, id) // SCAN may repeat a key: count its growth once
			a.growth = append(a.growth, Growth{
				Key: strings.Clone(k.Key), DB: k.DB, Type: strings.Clone(k.Type),
				Before: before, After: k.Bytes, Delta: k.Bytes - before,
			})
		}
	}
}

// Snapshot returns an immutable copy of the aggregates, every list sorted
// (largest first; ties by name so frames are stable).
func (a *BigKeysAgg) Snapshot() *BigKeys {
	s := &BigKeys{
		Config:       a.cfg,
		Keys:         a.keys,
		Bytes:        a.bytes,
		NoTTLKeys:    a.noTTLKeys,
		NoTTLBytes:   a.noTTLBytes,
		UnknownBytes: a.unknownBytes,
		BytesSq:      a.bytesSq,
		NoTTLBytesSq: a.noTTLBytesSq,
		Moments:      true,
		TopBytes:     a.topBytes.sorted(),
		TopElements:  a.topElems.sorted(),
		TTL:          slices.Clone(a.ttl),
		Prefixes:     a.prefix.flatten(),
		Growth:       slices.Clone(a.growth),
	}
	s.Types = make([]TypeStat, 0, len(a.types))
	for _, t := range a.types {
		s.Types = append(s.Types, *t)
	}
	slices.SortFunc(s.Types, func(x, y TypeStat) int {
		if c := cmpDesc(x.Bytes, y.Bytes); c != 0 {
			return c
		}
		return strings.Compare(x.Type, y.Type)
	})
	s.Encodings = make([]EncodingStat, 0, len(a.encodings))
	for _, e := range a.encodings {
		c := *e
		c.ElementsLog2 = slices.Clone(e.ElementsLog2)
		s.Encodings = append(s.Encodings, c)
	}
	slices.SortFunc(s.Encodings, func(x, y EncodingStat) int {
		if c := strings.Compare(x.Type, y.Type); c != 0 {
			return c
		}
		if c := cmpDesc(x.Keys, y.Keys); c != 0 {
			return c
		}
		return strings.Compare(x.Encoding, y.Encoding)
	})
	for _, b := range a.sizes {
		if b.Keys > 0 {
			s.Sizes = append(s.Sizes, b)
		}
	}
	slices.SortFunc(s.Growth, func(x, y Growth) int {
		if c := cmpDesc(x.Delta, y.Delta); c != 0 {
			return c
		}
		return strings.Compare(x.Key, y.Key)
	})
	return s
}

func cmpDesc(x, y int64) int {
	switch {
	case x > y:
		return -1
	case x < y:
		return 1
	}
	return 0
}

// isCollection reports whether a type has a compact encoding bounded by an
// entry count (ElementsLog2 is kept for these).
func isCollection(typ string) bool {
	switch typ {
	case "hash", "set", "zset", "list":
		return true
	}
	return false
}

// elementsLog2 is the ElementsLog2 index of an element count: the smallest
// i with n ≤ 2^i.
func elementsLog2(n int64) int {
	if n <= 1 {
		return 0
	}
	return bits.Len64(uint64(n - 1))
}

// UnderLimit counts the keys with at most limit elements, and whether the
// count is exact: it is when limit is a power of two (every default of the
// *-max-listpack-entries settings); otherwise the bucket that straddles the
// limit is left out and the count is a lower bound.
func (e *EncodingStat) UnderLimit(limit int64) (n int64, exact bool) {
	if limit < 1 {
		return 0, true
	}
	exact = limit&(limit-1) == 0
	for i, c := range e.ElementsLog2 {
		if i >= 63 || int64(1)<<i > limit {
			break
		}
		n += c
	}
	return n, exact
}
