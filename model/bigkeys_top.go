package model

import (
	"container/heap"
	"slices"
	"strings"
)

// topList keeps the n keys with the largest value (bytes or elements): a
// min-heap, so a key that does not beat the smallest kept one costs one
// comparison, plus an index by (db, key) so a key SCAN returns twice is kept
// once.
type topList struct {
	n     int
	items topHeap
	index map[dbKey]int
}

type topItem struct {
	info  KeyInfo
	value int64
}

type topHeap struct {
	items []topItem
	index map[dbKey]int
}

// less orders the heap: smallest value at the root; on a tie the name that
// sorts last is "smaller", so the kept set does not depend on arrival order.
func (h *topHeap) Less(i, j int) bool { return lessTop(&h.items[i], &h.items[j]) }

func lessTop(a, b *topItem) bool {
	if a.value != b.value {
		return a.value < b.value
	}
	if a.info.DB != b.info.DB {
		return a.info.DB > b.info.DB
	}
	return a.info.Key > b.info.Key
}

func (h *topHeap) Len() int { return len(h.items) }

func (h *topHeap) Swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.index[dbKey{h.items[i].info.DB, h.items[i].info.Key}] = i
	h.index[dbKey{h.items[j].info.DB, h.items[j].info.Key}] = j
}

func (h *topHeap) Push(x any) {
	it := x.(topItem) //nolint:forcetypeassert // only topItems are pushed
	h.index[dbKey{it.info.DB, it.info.Key}] = len(h.items)
	h.items = append(h.items, it)
}

func (h *topHeap) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	delete(h.index, dbKey{last.info.DB, last.info.Key})
	return last
}

func newTopList(n int) topList {
	idx := make(map[dbKey]int, n)
	return topList{n: n, items: topHeap{items: make([]topItem, 0, n), index: idx}, index: idx}
}

// offer considers one key. The KeyInfo is copied (its strings cloned) only
// when it is kept, so the caller's buffers are never retained.
func (t *topList) offer(k *KeyInfo, value int64) {
	if i, ok := t.index[dbKey{k.DB, k.Key}]; ok {
		// Seen before in this pass (SCAN may return a key twice): keep
		// the newer reading.
		t.items.items[i] = topItem{info: cloneKeyInfo(k), value: value}
		heap.Fix(&t.items, i)
		return
	}
	cand := topItem{info: *k, value: value}
	if len(t.items.items) >= t.n {
		if !lessTop(&t.items.items[0], &cand) {
			return
		}
		heap.Pop(&t.items)
	}
	cand.info = cloneKeyInfo(k)
	heap.Push(&t.items, cand)
}

func cloneKeyInfo(k *KeyInfo) KeyInfo {
	c := *k
	c.Key = strings.Clone(k.Key)
	c.Type = strings.Clone(k.Type)
	c.Encoding = strings.Clone(k.Encoding)
	return c
}

// sorted returns the kept keys, largest first.
func (t *topList) sorted() []KeyInfo {
	items := slices.Clone(t.items.items)
	slices.SortFunc(items, func(a, b topItem) int {
		switch {
		case lessTop(&a, &b):
			return 1
		case lessTop(&b, &a):
			return -1
		}
		return 0
	})
	out := make([]KeyInfo, len(items))
	for i := range items {
		out[i] = items[i].info
	}
	return out
}
