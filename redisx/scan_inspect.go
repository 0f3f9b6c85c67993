package redisx

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// How a key is inspected (measured in bench/, see the report there): the
// server's per-command cost is what limits a full pass, so each key gets as
// few commands as its answer allows.
//
// Round trip 1, every key: OBJECT ENCODING, MEMORY USAGE … SAMPLES n, TTL.
// For most keys that is all: int / embstr / raw can only be strings (raw
// only when no module is loaded — a module value also says raw), and the
// big-key question needs no STRLEN, MEMORY USAGE is the size. quicklist,
// skiplist, intset, stream and listpackex name their type too.
// Round trip 2, collections only: the length command when the type is
// known, TYPE when the encoding is shared (listpack, hashtable, ziplist …).
// Round trip 3, only keys that needed TYPE: their length.
//
// TYPE for every key, as redis-cli does, would cost ~30 % more server time
// on a string-heavy keyspace; one Lua script per batch (EVAL_RO) saves round
// trips but costs the server more per key than plain pipelined commands
// (bench/README.md has the figures), and needs EVAL, which managed services
// often block.

// inspectCaps are what the server lets the worker read; shared by the
// inspectors and switched off on the first denial.
type inspectCaps struct {
	noObject atomic.Bool // OBJECT ENCODING denied or missing: use TYPE
	noMemory atomic.Bool // MEMORY USAGE denied or missing: bytes unknown
	modules  atomic.Bool // a module is loaded: "raw" may not be a string
	notes    atomic.Pointer[[]string]
}

func (c *inspectCaps) note(s string) {
	for {
		old := c.notes.Load()
		var list []string
		if old != nil {
			list = append(list, *old...)
		}
		for _, n := range list {
			if n == s {
				return
			}
		}
		list = append(list, s)
		if c.notes.CompareAndSwap(old, &list) {
			return
		}
	}
}

func (c *inspectCaps) Notes() []string {
	if p := c.notes.Load(); p != nil {
		return append([]string(nil), *p...)
	}
	return nil
}

// Type and encoding names the worker reasons about.
const (
	typString = "string"
	typList   = "list"
	typHash   = "hash"
	typSet    = "set"
	typZSet   = "zset"
	typStream = "stream"
	typNone   = "none" // TYPE of a key that is gone

	encInt        = "int"
	encEmbstr     = "embstr"
	encRaw        = "raw"
	encQuicklist  = "quicklist"
	encLinkedlist = "linkedlist"
	encSkiplist   = "skiplist"
	encIntset     = "intset"
	encListpackEx = "listpackex"
)

// typeOfEncoding names the type an encoding implies, "" when the encoding is
// shared by several types (or unknown).
func typeOfEncoding(enc string, modules bool) string {
	switch enc {
	case encInt, encEmbstr:
		return typString
	case encRaw:
		if modules {
			return ""
		}
		return typString
	case encQuicklist, encLinkedlist:
		return typList
	case encSkiplist:
		return typZSet
	case encIntset:
		return typSet
	case typStream: // the stream encoding has the type's name
		return typStream
	case encListpackEx:
		return typHash
	}
	return ""
}

// lengthCommand is the O(1) length command of a type, "" for types without
// one (strings: MEMORY USAGE already is their size; module types).
func lengthCommand(typ string) string {
	switch typ {
	case typList:
		return "llen"
	case typHash:
		return "hlen"
	case typSet:
		return "scard"
	case typZSet:
		return "zcard"
	case typStream:
		return "xlen"
	}
	return ""
}

// batch is one SCAN reply: the keys and where the cursor stood.
type batch struct {
	seq    uint64
	db     int
	cursor uint64 // the cursor SCAN was called with
	next   uint64 // the cursor it returned (0 = this db is done)
	keys   []string
}

// batchResult is a batch once inspected.
type batchResult struct {
	b       *batch
	keys    []model.KeyInfo
	skipped int
	err     error
}

// inspector inspects batches on its own connection.
type inspector struct {
	conn    *respConn
	caps    *inspectCaps
	samples string // "" for the server's default of 5: the argument is left out
	timeout time.Duration
	noTTL   map[int]bool // databases without expiring keys: no TTL command
}

// knownNames are the names servers send all the time.
var knownNames = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		typString, typList, typHash, typSet, typZSet, typStream, typNone,
		encInt, encEmbstr, encRaw, encQuicklist, encLinkedlist, encSkiplist, encIntset, encListpackEx,
		"listpack", "hashtable", "ziplist",
	} {
		m[n] = n
	}
	return m
}()

// internName returns the shared copy of a known name, so a reply costs no
// allocation (the map lookup of string(b) does not allocate).
func internName(b []byte) string {
	if s, ok := knownNames[string(b)]; ok {
		return s
	}
	return string(b)
}

// reply sorts one per-key reply: gone (nil, or a TTL of -2), a server error
// (denied, WRONGTYPE …: the value stays unknown), or a failure of the whole
// round trip (network, timeout, protocol) in fatal.
func reply(err error) (gone bool, replyErr, fatal error) {
	switch {
	case err == nil:
		return false, nil, nil
	case errors.Is(err, errNil):
		return true, nil, nil
	case isServerReply(err):
		return false, err, nil
	}
	return false, nil, err
}

// inspect runs round trip 1 for a batch, then 2 and 3 for the keys that
// need them. Keys that vanished on the way are counted in skipped.
func (in *inspector) inspect(ctx context.Context, b *batch) batchResult {
	res := batchResult{b: b}
	if len(b.keys) == 0 {
		return res
	}
	c := in.conn
	c.deadline(ctx, in.timeout)
	noObject, noMemory, modules := in.caps.noObject.Load(), in.caps.noMemory.Load(), in.caps.modules.Load()
	withTTL := !in.noTTL[b.db]

	// Round trip 1.
	selecting := c.selectDB(b.db)
	for _, k := range b.keys {
		if noObject {
			c.write2("type", k)
		} else {
			c.write3("object", "encoding", k)
		}
		if !noMemory {
			if in.samples == "" {
				c.write3(cmdMemory, "usage", k)
			} else {
				c.write5(cmdMemory, "usage", k, "samples", in.samples)
			}
		}
		if withTTL {
			c.write2("ttl", k)
		}
	}
	if err := c.flush(); err != nil {
		res.err = err
		return res
	}
	if selecting {
		if _, _, err := c.readSimple(); err != nil {
			res.err = fmt.Errorf("redisx: scan: SELECT %d: %w", b.db, err)
			return res
		}
	}
	keys := make([]model.KeyInfo, 0, len(b.keys))
	var needType, needLen []int // indexes into keys
	objDenied, memDenied := false, false
	for _, name := range b.keys {
		k := model.KeyInfo{Key: name, DB: b.db, Bytes: -1, Elements: -1, TTL: -1}
		s, _, err := c.readSimple()
		gone, rerr, fatal := reply(err)
		if fatal != nil {
			res.err = fatal
			return res
		}
		switch {
		case rerr != nil:
			if reason, denied := Denial(rerr); denied && !noObject {
				objDenied = true
				in.caps.note("OBJECT ENCODING: " + reason)
			}
		case gone:
		case noObject:
			if t := internName(s); t == typNone {
				gone = true
			} else {
				k.Type = t
			}
		default:
			k.Encoding = internName(s)
			k.Type = typeOfEncoding(k.Encoding, modules)
		}
		if !noMemory {
			_, v, err := c.readSimple()
			g, rerr, fatal := reply(err)
			switch {
			case fatal != nil:
				res.err = fatal
				return res
			case g:
				gone = true
			case rerr != nil:
				if reason, denied := Denial(rerr); denied {
					memDenied = true
					in.caps.note("MEMORY USAGE: " + reason)
				}
			default:
				k.Bytes = v
			}
		}
		if withTTL {
			_, ttl, err := c.readSimple()
			if _, _, fatal := reply(err); fatal != nil {
				res.err = fatal
				return res
			}
			if err == nil {
				switch {
				case ttl == -2:
					gone = true
				case ttl >= 0:
					k.TTL = ttl
				}
			}
		}
		if gone {
			res.skipped++
			continue
		}
		if k.Type == "" {
			needType = append(needType, len(keys))
		} else if lengthCommand(k.Type) != "" {
			needLen = append(needLen, len(keys))
		}
		keys = append(keys, k)
	}
	if objDenied {
		in.caps.noObject.Store(true)
	}
	if memDenied {
		in.caps.noMemory.Store(true)
	}

	// Round trip 2: lengths of known types, TYPE of the others.
	if len(needType) > 0 || len(needLen) > 0 {
		more, err := in.lengths(ctx, keys, needLen, needType)
		if err != nil {
			res.err = err
			return res
		}
		// Round trip 3: lengths of the keys TYPE has just named.
		if len(more) > 0 {
			if _, err := in.lengths(ctx, keys, more, nil); err != nil {
				res.err = err
				return res
			}
		}
	}
	// A key whose TYPE said "none" vanished after round trip 1.
	out := keys[:0]
	for i := range keys {
		if keys[i].Type == "" || keys[i].Type == typNone {
			res.skipped++
			continue
		}
		out = append(out, keys[i])
	}
	res.keys = out
	return res
}

// lengths sends one pipeline: the length command of each key in withLen
// (their type is known) and TYPE for each key in withType. It fills Elements
// and Type, and returns the keys of withType that now need their length.
func (in *inspector) lengths(ctx context.Context, keys []model.KeyInfo, withLen, withType []int) ([]int, error) {
	c := in.conn
	c.deadline(ctx, in.timeout)
	for _, i := range withLen {
		c.write2(lengthCommand(keys[i].Type), keys[i].Key)
	}
	for _, i := range withType {
		c.write2("type", keys[i].Key)
	}
	if err := c.flush(); err != nil {
		return nil, err
	}
	for _, i := range withLen {
		_, v, err := c.readSimple()
		if _, _, fatal := reply(err); fatal != nil {
			return nil, fatal
		}
		if err == nil {
			keys[i].Elements = v
		}
	}
	var more []int
	for _, i := range withType {
		s, _, err := c.readSimple()
		if _, _, fatal := reply(err); fatal != nil {
			return nil, fatal
		}
		if err != nil {
			if isServerReply(err) {
				keys[i].Type = "unknown" // TYPE refused: keep the key, untyped
			}
			continue
		}
		keys[i].Type = internName(s)
		if lengthCommand(keys[i].Type) != "" {
			more = append(more, i)
		}
	}
	return more, nil
}
