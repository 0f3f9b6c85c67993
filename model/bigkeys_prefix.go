package model

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// PrefixStat is one node of the prefix tree, flattened. Prefix is the
// normalised name: "user:*:" groups user:1001:feed and user:42:posts, and
// "user:*:feed" is the leaf for keys that end there. Keys are counted at
// every level they reach, so the depth-1 nodes add up to the pass totals and
// the children of a node add up to the node.
type PrefixStat struct {
	Prefix     string `json:"prefix"`
	Depth      int    `json:"depth"`
	Keys       int64  `json:"keys"`
	Bytes      int64  `json:"bytes"`
	NoTTLKeys  int64  `json:"no_ttl_keys"`
	NoTTLBytes int64  `json:"no_ttl_bytes"`
	// BytesSq is as TypeStat.BytesSq.
	BytesSq float64 `json:"bytes_sq,omitempty"`
	// Other marks the bucket that takes the keys of new prefixes once the
	// tree is full.
	Other bool `json:"other,omitempty"`
	// Key marks a node that is a whole key name (its last segment ends the
	// key and was not grouped): it holds that one key in each database,
	// so a partial pass knows it exactly and never scales it up.
	Key bool `json:"key,omitempty"`
}

// maxSegment caps a normalised segment, so a key with a 1 MB name cannot make
// a 1 MB node name.
const maxSegment = 64

type prefixNode struct {
	name                  string
	keys, bytes           int64
	noTTLKeys, noTTLBytes int64
	bytesSq               float64
	key                   bool // a whole key name (PrefixStat.Key)
	children              map[string]*prefixNode
	other                 *prefixNode
}

type prefixTree struct {
	root   prefixNode
	depth  int
	delims string
	max    int
	nodes  int
	segBuf []byte
}

func newPrefixTree(cfg BigKeysConfig) prefixTree {
	return prefixTree{depth: cfg.Depth, delims: cfg.Delimiters, max: cfg.MaxNodes}
}

// add counts one key at each level of its prefix, up to the tree's depth.
func (t *prefixTree) add(key string, bytes int64, noTTL bool) {
	parent := &t.root
	rest := key
	whole := true // every segment so far is spelt as in the key
	for level := 1; level <= t.depth; level++ {
		seg, delim, more := cutSegment(rest, t.delims)
		t.segBuf = appendNormalised(t.segBuf[:0], seg)
		whole = whole && string(t.segBuf) == seg
		if more {
			t.segBuf = append(t.segBuf, delim)
		}
		node := parent.children[string(t.segBuf)] // no allocation for the lookup
		if node == nil {
			node = t.newChild(parent)
			// Only this key's own name reaches a node spelt as the whole key:
			// a longer key's node carries a delimiter, a grouped one a *.
			node.key = !more && whole && node != parent.other
		}
		node.keys++
		node.bytes += bytes
		node.bytesSq += float64(bytes) * float64(bytes)
		if noTTL {
			node.noTTLKeys++
			node.noTTLBytes += bytes
		}
		if node == parent.other || !more {
			return
		}
		parent = node
		rest = rest[len(seg)+1:]
	}
}

// newChild creates the node for t.segBuf under parent, or returns the
// parent's "(other)" bucket when the tree is full. There is at most one
// "(other)" per node, so the tree holds at most 2×max nodes.
func (t *prefixTree) newChild(parent *prefixNode) *prefixNode {
	if t.nodes >= t.max {
		if parent.other == nil {
			parent.other = &prefixNode{name: parent.name + otherName}
		}
		return parent.other
	}
	if parent.children == nil {
		parent.children = map[string]*prefixNode{}
	}
	seg := string(t.segBuf)
	node := &prefixNode{name: parent.name + seg}
	parent.children[seg] = node
	t.nodes++
	return node
}

// cutSegment splits s at its first delimiter. more reports whether a
// delimiter was found (even when nothing follows it).
func cutSegment(s, delims string) (seg string, delim byte, more bool) {
	for i := range len(s) {
		if strings.IndexByte(delims, s[i]) >= 0 {
			return s[:i], s[i], true
		}
	}
	return s, 0, false
}

// appendNormalised appends the grouping form of one segment: digit runs
// become "*", and a segment that is an id (hex, a UUID, or a long token with
// digits) becomes "*" as a whole, so user:1001, user:a3f9c0 and
// session:5f1e…-… group under one node. Invalid UTF-8 is spelt \xNN so node
// names are always valid text.
func appendNormalised(dst []byte, seg string) []byte {
	digits, idLike, letters := false, true, true
	vowels, alpha, run, longestRun := 0, 0, 0, 0 // run: consonants in a row
	for i := range len(seg) {
		c := seg[i]
		switch {
		case c >= '0' && c <= '9':
			digits = true
		case (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-' || c == '_':
		default:
			idLike = false
		}
		switch c | 0x20 {
		case 'a', 'e', 'i', 'o', 'u', 'y':
			vowels++
			alpha++
			run = 0
		default:
			if lc := c | 0x20; lc >= 'a' && lc <= 'z' {
				alpha++
				run++
				longestRun = max(longestRun, run)
			} else if c < '0' || c > '9' {
				letters = false
			}
		}
	}
	if digits && (idLike || len(seg) >= 16) {
		return append(dst, '*')
	}
	// A long run of letters that does not read as words is a random token
	// (a session id in base 26 or 52): few vowels (about one letter in 4
	// or 5, where words have one in 2.5) or five consonants in a row, so
	// session:bkvlvfpldavthumi groups with the other sessions while
	// userNotificationSettings and transcriptions stay names.
	if letters && len(seg) >= 12 && (4*vowels < alpha || longestRun >= 5) {
		return append(dst, '*')
	}
	start := len(dst)
	inDigits := false
	for i := 0; i < len(seg); {
		if len(dst)-start >= maxSegment {
			return append(dst, Ellipsis...)
		}
		c := seg[i]
		if c >= '0' && c <= '9' {
			if !inDigits {
				dst = append(dst, '*')
				inDigits = true
			}
			i++
			continue
		}
		inDigits = false
		if c < utf8.RuneSelf {
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(seg[i:])
		if r == utf8.RuneError && size <= 1 {
			dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
		} else {
			dst = append(dst, seg[i:i+size]...)
		}
		i += size
	}
	return dst
}

const hexDigits = "0123456789abcdef"

// flatten lists the nodes depth-first: each node, then its children by bytes
// (largest first), "(other)" last.
func (t *prefixTree) flatten() []PrefixStat {
	out := make([]PrefixStat, 0, t.nodes+8)
	var walk func(n *prefixNode, depth int)
	walk = func(n *prefixNode, depth int) {
		kids := make([]*prefixNode, 0, len(n.children))
		for _, c := range n.children {
			kids = append(kids, c)
		}
		slices.SortFunc(kids, func(a, b *prefixNode) int {
			if c := cmpDesc(a.bytes, b.bytes); c != 0 {
				return c
			}
			if c := cmpDesc(a.keys, b.keys); c != 0 {
				return c
			}
			return strings.Compare(a.name, b.name)
		})
		if n.other != nil {
			kids = append(kids, n.other)
		}
		for _, c := range kids {
			out = append(out, PrefixStat{
				Prefix: c.name, Depth: depth, Keys: c.keys, Bytes: c.bytes,
				NoTTLKeys: c.noTTLKeys, NoTTLBytes: c.noTTLBytes, BytesSq: c.bytesSq, Other: c == n.other, Key: c.key,
			})
			walk(c, depth+1)
		}
	}
	walk(&t.root, 1)
	return out
}

// PrefixRows are the prefixes (a depth-first list, as BigKeys.Prefixes
// holds them) as a table shows them: a node whose keys all go on to its one
// child — "key:" holding only key:1, key:2… whose node is "key:*" — is one
// row, not two with the same counts; the row takes the child's name, the
// more telling one, at the node's depth, and the child's children move up a
// level. "(other)" buckets are never merged. A row that is one whole key
// under 1 % of its parent's bytes is left out.
func PrefixRows(all []PrefixStat) []PrefixStat {
	type node struct {
		s    PrefixStat
		kids []*node
	}
	root := &node{}
	stack := []*node{root} // stack[d] is the last node seen at depth d
	for _, p := range all {
		d := min(max(p.Depth, 1), len(stack)) // a depth that skips a level hangs on the deepest node
		n := &node{s: p}
		stack = stack[:d]
		stack[d-1].kids = append(stack[d-1].kids, n)
		stack = append(stack, n)
	}
	out := make([]PrefixStat, 0, len(all))
	var walk func(kids []*node, parentBytes int64, depth int)
	walk = func(kids []*node, parentBytes int64, depth int) {
		for _, n := range kids {
			for len(n.kids) == 1 && samePrefixCounts(n.s, n.kids[0].s) {
				n = n.kids[0]
			}
			// A lone key under 1 % of its group is not a namespace: the
			// random ids the normaliser did not recognise would fill the
			// table with rows of one small key. A big one stays.
			if n.s.Key && len(n.kids) == 0 && n.s.Bytes*100 < parentBytes {
				continue
			}
			s := n.s
			s.Depth = depth
			out = append(out, s)
			walk(n.kids, n.s.Bytes, depth+1)
		}
	}
	var total int64
	for _, n := range root.kids {
		total += n.s.Bytes
	}
	walk(root.kids, total, 1)
	return out
}

// samePrefixCounts says whether child carries every key of parent.
func samePrefixCounts(parent, child PrefixStat) bool {
	return !parent.Other && !child.Other && parent.Keys == child.Keys && parent.Bytes == child.Bytes &&
		parent.NoTTLKeys == child.NoTTLKeys && parent.NoTTLBytes == child.NoTTLBytes
}

// PrefixPattern is a prefix as the keys it covers: "key:" (a node that ends
// at a delimiter) is "key:*", so a sentence that names it never reads
// "prefix key:: 80M"; a leaf ("key:*", "tiny") is its own name.
func PrefixPattern(p string) string {
	p = serverLabel(p)
	if r, _ := utf8.DecodeLastRuneInString(p); r != utf8.RuneError && r != '*' && !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '…' {
		return p + "*"
	}
	return p
}
