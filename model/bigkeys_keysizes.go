package model

import (
	"slices"
	"strconv"
	"strings"
)

// KeySizes holds the histograms of INFO KEYSIZES (Redis 8.0+): for each
// database and kind, how many keys fall in each power-of-two bucket. They
// come at once, before a scan has looked at a single key.
type KeySizes struct {
	Hists []KeySizeHist `json:"hists"`
}

// KeySizeHist is one dbN_distrib_<kind> line. Kind is what the server
// calls it ("strings_sizes", "lists_items", "sets_items", "zsets_items",
// "hashes_items"; later versions add more, kept as named).
type KeySizeHist struct {
	DB      int             `json:"db"`
	Kind    string          `json:"kind"`
	Buckets []KeySizeBucket `json:"buckets"`
}

// KeySizeBucket counts keys whose size (bytes for strings, items for
// collections) lies in [Min, 2·Min).
type KeySizeBucket struct {
	Min   int64 `json:"min"`
	Count int64 `json:"count"`
}

// Total is the number of keys in the histogram.
func (h *KeySizeHist) Total() int64 {
	var n int64
	for _, b := range h.Buckets {
		n += b.Count
	}
	return n
}

// ParseKeySizes reads the fields of the INFO KEYSIZES section
// (db0_distrib_strings_sizes → "2=1,4=1,…,1K=1,1M=1"; K, M, G, T, P, E are
// powers of 1024). Fields that are not histograms and malformed buckets are
// skipped. It returns nil when there is no histogram at all (servers before
// 8.0 have no such section).
func ParseKeySizes(fields map[string]string) *KeySizes {
	var out KeySizes
	for name, value := range fields {
		db, kind, ok := splitDistribName(name)
		if !ok {
			continue
		}
		h := KeySizeHist{DB: db, Kind: kind}
		for item := range strings.SplitSeq(value, ",") {
			lo, count, ok := strings.Cut(strings.TrimSpace(item), "=")
			if !ok {
				continue
			}
			minV, ok1 := parseSuffixed(lo)
			n, err := strconv.ParseInt(strings.TrimSpace(count), 10, 64)
			if !ok1 || err != nil || n < 0 {
				continue
			}
			h.Buckets = append(h.Buckets, KeySizeBucket{Min: minV, Count: n})
		}
		slices.SortFunc(h.Buckets, func(a, b KeySizeBucket) int { return cmpInt(a.Min, b.Min) })
		out.Hists = append(out.Hists, h)
	}
	if len(out.Hists) == 0 {
		return nil
	}
	slices.SortFunc(out.Hists, func(a, b KeySizeHist) int {
		if a.DB != b.DB {
			return a.DB - b.DB
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return &out
}

// splitDistribName splits "db12_distrib_lists_items" into 12, "lists_items".
func splitDistribName(name string) (int, string, bool) {
	rest, ok := strings.CutPrefix(name, "db")
	if !ok {
		return 0, "", false
	}
	num, kind, ok := strings.Cut(rest, "_distrib_")
	if !ok || kind == "" {
		return 0, "", false
	}
	db, err := strconv.Atoi(num)
	if err != nil || db < 0 {
		return 0, "", false
	}
	return db, kind, true
}

// parseSuffixed reads 512, 1K, 64M … (1024-based), refusing overflow.
func parseSuffixed(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	mult := int64(1)
	if i := strings.IndexByte("KMGTPE", s[len(s)-1]); i >= 0 {
		mult = int64(1) << (10 * (i + 1))
		s = s[:len(s)-1]
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	if v != 0 && mult > (1<<62)/v {
		return 0, false
	}
	return v * mult, true
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
