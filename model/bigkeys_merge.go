package model

import (
	"slices"
	"strings"
	"time"
)

// A Redis Cluster is scanned node by node (one worker per master, or per
// replica): each node's aggregation is bounded on its own, and these
// functions merge the nodes' snapshots into the one the pane draws and the
// report writes, under the same bounds (top N, the prefix cap with its
// "(other)" buckets, the type and encoding caps).

// NodeBigKeys is one node's part of a cluster-wide scan.
type NodeBigKeys struct {
	Node string   // the node's address, written into every key's Node
	Keys *BigKeys // the node's snapshot; nil when it has none yet
}

// MergeBigKeys merges per-node snapshots: totals, types, encodings, TTL
// buckets and the size histogram are summed; the top lists are merged and
// cut to TopN, each key marked with its node; the prefix trees are merged
// and cut back to MaxNodes (the smallest prefixes fold into their parent's
// "(other)"); growth lists are merged. The config is the first snapshot's.
// It never returns nil: with no snapshot at all the result is empty, so a
// node that leaves takes its keys with it.
func MergeBigKeys(parts []NodeBigKeys) *BigKeys {
	cfg := BigKeysConfig{}
	for _, p := range parts {
		if p.Keys != nil {
			cfg = p.Keys.Config
			break
		}
	}
	cfg = cfg.WithDefaults()
	out := &BigKeys{Config: cfg, TTL: make([]TTLBucket, len(ttlBounds))}
	for i, b := range ttlBounds {
		out.TTL[i] = TTLBucket{Label: b.label, MinSeconds: b.min, MaxSeconds: b.max}
	}
	types := map[string]*TypeStat{}
	encs := map[typeEnc]*EncodingStat{}
	sizes := map[int64]*SizeBucket{}
	prefixes := newPrefixMerge()
	// The merge keeps the moments when every part has them (the sums
	// add up); a cluster's partial passes are not estimated all the same,
	// its nodes being strata (EstimateBigKeys is for one sample).
	out.Moments = true
	for _, p := range parts {
		b := p.Keys
		if b == nil {
			continue
		}
		out.Moments = out.Moments && b.Moments
		out.Keys += b.Keys
		out.Bytes += b.Bytes
		out.BytesSq += b.BytesSq
		out.NoTTLBytesSq += b.NoTTLBytesSq
		out.NoTTLKeys += b.NoTTLKeys
		out.NoTTLBytes += b.NoTTLBytes
		out.UnknownBytes += b.UnknownBytes
		out.TopBytes = appendWithNode(out.TopBytes, b.TopBytes, p.Node)
		out.TopElements = appendWithNode(out.TopElements, b.TopElements, p.Node)
		for _, t := range b.Types {
			s := entry(types, t.Type, func() *TypeStat { return &TypeStat{Type: t.Type} })
			s.Keys += t.Keys
			s.Bytes += t.Bytes
			s.BytesSq += t.BytesSq
			s.Elements += t.Elements
		}
		for _, e := range b.Encodings {
			s := entry(encs, typeEnc{e.Type, e.Encoding}, func() *EncodingStat { return &EncodingStat{Type: e.Type, Encoding: e.Encoding} })
			s.Keys += e.Keys
			s.Bytes += e.Bytes
			s.BytesSq += e.BytesSq
			for len(s.ElementsLog2) < len(e.ElementsLog2) {
				s.ElementsLog2 = append(s.ElementsLog2, 0)
			}
			for i, c := range e.ElementsLog2 {
				s.ElementsLog2[i] += c
			}
		}
		for _, t := range b.TTL {
			// The bucket's lower bound names it (-1 is "no expiry").
			tb := &out.TTL[TTLBucketIndex(t.MinSeconds)]
			tb.Keys += t.Keys
			tb.Bytes += t.Bytes
		}
		for _, s := range b.Sizes {
			sb := entry(sizes, s.Min, func() *SizeBucket { return &SizeBucket{Min: s.Min} })
			sb.Keys += s.Keys
			sb.Bytes += s.Bytes
		}
		prefixes.add(b.Prefixes)
		out.Growth = append(out.Growth, b.Growth...)
	}
	out.TopBytes = mergedTop(out.TopBytes, cfg.TopN, func(k *KeyInfo) int64 { return k.Bytes })
	out.TopElements = mergedTop(out.TopElements, cfg.TopN, func(k *KeyInfo) int64 { return k.Elements })
	out.Types = mergedTypes(types)
	out.Encodings = mergedEncodings(encs)
	for _, s := range sizes {
		out.Sizes = append(out.Sizes, *s)
	}
	slices.SortFunc(out.Sizes, func(a, b SizeBucket) int { return cmpInt(a.Min, b.Min) })
	out.Prefixes = prefixes.flatten(cfg.MaxNodes)
	slices.SortFunc(out.Growth, func(x, y Growth) int {
		if c := cmpDesc(x.Delta, y.Delta); c != 0 {
			return c
		}
		if c := strings.Compare(x.Key, y.Key); c != 0 {
			return c
		}
		return x.DB - y.DB
	})
	// Each node follows the keys of its own previous top lists (at most
	// 2×TopN); the merge keeps the same bound.
	if len(out.Growth) > 2*cfg.TopN {
		out.Growth = out.Growth[:2*cfg.TopN]
	}
	return out
}

// appendWithNode copies a node's keys, marking each with the node (a key
// already marked keeps its node when the part has none).
func appendWithNode(dst, keys []KeyInfo, node string) []KeyInfo {
	for _, k := range keys {
		if node != "" {
			k.Node = node
		}
		dst = append(dst, k)
	}
	return dst
}

// mergedTop sorts the nodes' top keys like a single top list (largest
// first; ties by db, name, then node) and keeps n.
func mergedTop(keys []KeyInfo, n int, value func(*KeyInfo) int64) []KeyInfo {
	slices.SortFunc(keys, func(a, b KeyInfo) int {
		if c := cmpDesc(value(&a), value(&b)); c != 0 {
			return c
		}
		if a.DB != b.DB {
			return a.DB - b.DB
		}
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return strings.Compare(a.Node, b.Node)
	})
	if len(keys) > n {
		keys = keys[:n:n]
	}
	return keys
}

// mergedTypes lists the summed types, largest first, folding the smallest
// into "(other)" beyond the aggregation's cap.
func mergedTypes(m map[string]*TypeStat) []TypeStat {
	out := make([]TypeStat, 0, len(m))
	var other *TypeStat
	for _, t := range m {
		if t.Type == otherName {
			other = t
			continue
		}
		out = append(out, *t)
	}
	byBytes := func(x, y TypeStat) int {
		if c := cmpDesc(x.Bytes, y.Bytes); c != 0 {
			return c
		}
		return strings.Compare(x.Type, y.Type)
	}
	slices.SortFunc(out, byBytes)
	if len(out) > maxTypes {
		if other == nil {
			other = &TypeStat{Type: otherName}
		}
		for _, t := range out[maxTypes:] {
			other.Keys += t.Keys
			other.Bytes += t.Bytes
			other.BytesSq += t.BytesSq
			other.Elements += t.Elements
		}
		out = out[:maxTypes]
	}
	if other != nil {
		out = append(out, *other)
		slices.SortFunc(out, byBytes)
	}
	return out
}

// mergedEncodings lists the summed (type, encoding) pairs in the snapshot's
// order, folding the rarest into "(other)" beyond the cap.
func mergedEncodings(m map[typeEnc]*EncodingStat) []EncodingStat {
	out := make([]EncodingStat, 0, len(m))
	otherID := typeEnc{otherName, otherName}
	other := m[otherID]
	for id, e := range m {
		if id != otherID {
			out = append(out, *e)
		}
	}
	if len(out) > maxEncodings {
		slices.SortFunc(out, func(x, y EncodingStat) int {
			if c := cmpDesc(x.Keys, y.Keys); c != 0 {
				return c
			}
			if c := strings.Compare(x.Type, y.Type); c != 0 {
				return c
			}
			return strings.Compare(x.Encoding, y.Encoding)
		})
		if other == nil {
			other = &EncodingStat{Type: otherName, Encoding: otherName}
		}
		for _, e := range out[maxEncodings:] {
			other.Keys += e.Keys
			other.Bytes += e.Bytes
			other.BytesSq += e.BytesSq
		}
		out = out[:maxEncodings]
	}
	if other != nil {
		out = append(out, *other)
	}
	slices.SortFunc(out, func(x, y EncodingStat) int {
		if c := strings.Compare(x.Type, y.Type); c != 0 {
			return c
		}
		if c := cmpDesc(x.Keys, y.Keys); c != 0 {
			return c
		}
		return strings.Compare(x.Encoding, y.Encoding)
	})
	return out
}

// prefixMerge rebuilds the nodes' flattened prefix trees into one tree
// (a flattened tree is depth-first, so each entry's parent is the last entry
// one level up), summing the nodes that have the same name under the same
// parent.
type prefixMerge struct {
	root pmNode
}

type pmKey struct {
	prefix string
	other  bool
}

type pmNode struct {
	stat     PrefixStat
	parent   *pmNode
	children map[pmKey]*pmNode
	keep     bool
}

func newPrefixMerge() *prefixMerge {
	return &prefixMerge{root: pmNode{keep: true}}
}

func (m *prefixMerge) add(list []PrefixStat) {
	stack := []*pmNode{&m.root}
	for _, ps := range list {
		if ps.Depth < 1 || ps.Depth > len(stack) {
			continue // not a flattened tree: nothing to attach it to
		}
		parent := stack[ps.Depth-1]
		if parent.stat.Other {
			continue // "(other)" is a leaf
		}
		id := pmKey{ps.Prefix, ps.Other}
		n := parent.children[id]
		if n == nil {
			if parent.children == nil {
				parent.children = map[pmKey]*pmNode{}
			}
			n = &pmNode{stat: PrefixStat{Prefix: ps.Prefix, Depth: ps.Depth, Other: ps.Other, Key: ps.Key}, parent: parent}
			parent.children[id] = n
		}
		n.stat.Keys += ps.Keys
		n.stat.Bytes += ps.Bytes
		n.stat.BytesSq += ps.BytesSq
		n.stat.NoTTLKeys += ps.NoTTLKeys
		n.stat.NoTTLBytes += ps.NoTTLBytes
		stack = append(stack[:ps.Depth], n)
	}
}

// flatten keeps the maxNodes biggest prefixes (a prefix only with its
// parent: a child never holds more than its parent, so the biggest form a
// tree), folds every other one into its parent's "(other)", and lists the
// tree like prefixTree.flatten.
func (m *prefixMerge) flatten(maxNodes int) []PrefixStat {
	var all []*pmNode
	var collect func(n *pmNode)
	collect = func(n *pmNode) {
		for _, c := range n.children {
			if !c.stat.Other {
				all = append(all, c)
				collect(c)
			}
		}
	}
	collect(&m.root)
	slices.SortFunc(all, func(a, b *pmNode) int {
		if c := cmpDesc(a.stat.Bytes, b.stat.Bytes); c != 0 {
			return c
		}
		if a.stat.Depth != b.stat.Depth {
			return a.stat.Depth - b.stat.Depth
		}
		if c := cmpDesc(a.stat.Keys, b.stat.Keys); c != 0 {
			return c
		}
		return strings.Compare(a.stat.Prefix, b.stat.Prefix)
	})
	kept := 0
	for _, n := range all {
		if kept < maxNodes && n.parent.keep {
			n.keep = true
			kept++
		}
	}
	out := make([]PrefixStat, 0, 2*kept+1)
	var walk func(n *pmNode)
	walk = func(n *pmNode) {
		kids := make([]*pmNode, 0, len(n.children))
		var other *PrefixStat
		for _, c := range n.children {
			if c.keep {
				kids = append(kids, c)
				continue
			}
			// A dropped prefix and the node's own "(other)" are one bucket.
			if other == nil {
				other = &PrefixStat{Prefix: n.stat.Prefix + otherName, Depth: n.stat.Depth + 1, Other: true}
			}
			other.Keys += c.stat.Keys
			other.Bytes += c.stat.Bytes
			other.BytesSq += c.stat.BytesSq
			other.NoTTLKeys += c.stat.NoTTLKeys
			other.NoTTLBytes += c.stat.NoTTLBytes
		}
		slices.SortFunc(kids, func(a, b *pmNode) int {
			if c := cmpDesc(a.stat.Bytes, b.stat.Bytes); c != 0 {
				return c
			}
			if c := cmpDesc(a.stat.Keys, b.stat.Keys); c != 0 {
				return c
			}
			return strings.Compare(a.stat.Prefix, b.stat.Prefix)
		})
		for _, c := range kids {
			out = append(out, c.stat)
			walk(c)
		}
		if other != nil {
			out = append(out, *other)
		}
	}
	walk(&m.root)
	return out
}

// MergeKeySizes sums the nodes' INFO KEYSIZES histograms bucket by bucket;
// nil when no node has any.
func MergeKeySizes(parts []*KeySizes) *KeySizes {
	type histID struct {
		db   int
		kind string
	}
	sums := map[histID]map[int64]int64{}
	for _, ks := range parts {
		if ks == nil {
			continue
		}
		for _, h := range ks.Hists {
			id := histID{h.DB, h.Kind}
			if sums[id] == nil {
				sums[id] = map[int64]int64{}
			}
			for _, b := range h.Buckets {
				sums[id][b.Min] += b.Count
			}
		}
	}
	if len(sums) == 0 {
		return nil
	}
	out := &KeySizes{}
	for id, buckets := range sums {
		h := KeySizeHist{DB: id.db, Kind: id.kind}
		for lo, n := range buckets {
			h.Buckets = append(h.Buckets, KeySizeBucket{Min: lo, Count: n})
		}
		slices.SortFunc(h.Buckets, func(a, b KeySizeBucket) int { return cmpInt(a.Min, b.Min) })
		out.Hists = append(out.Hists, h)
	}
	slices.SortFunc(out.Hists, func(a, b KeySizeHist) int {
		if a.DB != b.DB {
			return a.DB - b.DB
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return out
}

// NodeScanProgress is one node's scan progress in a cluster-wide scan.
type NodeScanProgress struct {
	Node     string
	Progress ScanProgress
}

// MergeScanProgress is the cluster-wide progress: counts, DBSIZE and rates
// summed; scanning while any node scans, done when every node is done, an
// error when a node failed and none scans (Err names each failed node in
// any phase); the notes of every node, marked with the nodes they concern
// unless all share them. A cluster has no single resume point: DB and
// Cursor are 0.
func MergeScanProgress(parts []NodeScanProgress) ScanProgress {
	if len(parts) == 0 {
		return ScanProgress{Phase: ScanIdle}
	}
	var out ScanProgress
	count := map[ScanPhase]int{}
	var errs []string
	noteNodes := map[string][]string{}
	var notes []string
	unlimited := false
	var dbs []int
	var doneAt time.Time
	for _, np := range parts {
		p := &np.Progress
		phase := p.Phase
		if phase == "" {
			phase = ScanIdle
		}
		count[phase]++
		out.Pass = max(out.Pass, p.Pass)
		out.Scanned += p.Scanned
		out.Skipped += p.Skipped
		out.DBSize += p.DBSize
		out.KeysPerSec += p.KeysPerSec
		out.Elapsed = max(out.Elapsed, p.Elapsed)
		if !p.StartedAt.IsZero() && (out.StartedAt.IsZero() || p.StartedAt.Before(out.StartedAt)) {
			out.StartedAt = p.StartedAt
		}
		if p.DoneAt.After(doneAt) {
			doneAt = p.DoneAt
		}
		dbs = append(dbs, p.DBs...)
		if p.Rate <= 0 {
			unlimited = true
		}
		out.Rate += p.Rate
		if p.Throttle > 0 && (out.Throttle == 0 || p.Throttle < out.Throttle) {
			out.Throttle = p.Throttle
		}
		// The slowest node tells why the cluster's scan is slowed.
		if p.SlowFactor > 0 && (out.SlowFactor == 0 || p.SlowFactor < out.SlowFactor) {
			out.SlowFactor, out.SlowReason = p.SlowFactor, p.SlowReason
			out.ProbeOnMicros, out.ProbeOffMicros, out.LatencyRise = p.ProbeOnMicros, p.ProbeOffMicros, p.LatencyRise
		}
		if p.LowestFactor > 0 && (out.LowestFactor == 0 || p.LowestFactor < out.LowestFactor) {
			out.LowestFactor, out.LowestReason = p.LowestFactor, p.LowestReason
		}
		if out.Samples == 0 {
			out.Samples = p.Samples
		}
		if out.Method == "" {
			out.Method = p.Method
		}
		for _, n := range p.Notes {
			if _, ok := noteNodes[n]; !ok {
				notes = append(notes, n)
			}
			noteNodes[n] = append(noteNodes[n], np.Node)
		}
		if p.Err != "" {
			errs = append(errs, np.Node+": "+p.Err)
		}
	}
	if unlimited {
		out.Rate = 0
	}
	slices.Sort(dbs)
	out.DBs = slices.Compact(dbs)
	for _, n := range notes {
		if nodes := noteNodes[n]; len(nodes) < len(parts) {
			n = strings.Join(nodes, ", ") + ": " + n
		}
		out.Notes = append(out.Notes, n)
	}
	out.Err = strings.Join(errs, "; ")
	all := len(parts)
	switch {
	case count[ScanDone] == all:
		out.Phase = ScanDone
		out.DoneAt = doneAt
	case count[ScanScanning] > 0:
		out.Phase = ScanScanning
	case count[ScanFailed] > 0:
		out.Phase = ScanFailed
	case count[ScanPaused] > 0:
		out.Phase = ScanPaused
	case count[ScanIdle] == all:
		out.Phase = ScanIdle
	default:
		// Some nodes done, the others not started yet: they are about to.
		out.Phase = ScanScanning
	}
	return out
}

// entry is m[k], made by fresh the first time k is seen.
func entry[K comparable, V any](m map[K]*V, k K, fresh func() *V) *V {
	v := m[k]
	if v == nil {
		v = fresh()
		m[k] = v
	}
	return v
}
