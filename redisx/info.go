// Package redisx holds all of redis-memtop's Redis I/O: options and URIs, the
// read-only command guard, connecting and probing the server, the INFO parser,
// product detection, the poller and the slower readers (CONFIG, CLIENT LIST,
// MEMORY DOCTOR). It returns typed values from the model package and knows
// nothing of the UI.
package redisx

import (
	"math"
	"strconv"
	"strings"

	"github.com/redis-memtop/redis-memtop/model"
)

// Field is one "key:value" line of INFO. Value is raw server text.
type Field struct {
	Key   string
	Value string
}

// Section is one "# Name" block of INFO with its fields in server order.
// Repeated keys are kept (listener lines, module lines, Dragonfly's fake
// module pairs), so a section is a list, not a map.
type Section struct {
	Name   string // as the server printed it ("Memory", "Keyspace")
	Fields []Field
}

// Get returns the first value of key in the section.
func (s Section) Get(key string) (string, bool) {
	for _, f := range s.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// All returns every value of key in the section, in order.
func (s Section) All(key string) []string {
	var out []string
	for _, f := range s.Fields {
		if f.Key == key {
			out = append(out, f.Value)
		}
	}
	return out
}

// Info is a parsed INFO reply: its sections in server order. Lines before the
// first section header (none on real servers) land in a section named "".
type Info struct {
	Sections []Section
}

// maxBogus is the bound above which a number is treated as a wrapped-around
// unsigned value (allocator_frag_bytes printed %zu when negative, an
// underflowed used_memory_dataset): no real byte count or counter is near 2^62.
const maxBogus = float64(1 << 62)

// ParseInfo parses INFO text. It never fails: CRLF or LF line ends, a RESP3
// verbatim "txt:" prefix, empty values and values holding colons are handled,
// and lines that do not parse are skipped.
func ParseInfo(text string) Info {
	text = strings.TrimPrefix(text, "\ufeff")
	if strings.HasPrefix(text, "txt:") || strings.HasPrefix(text, "mkd:") {
		text = text[4:]
	}
	var info Info
	cur := -1
	for line := range strings.Lines(text) {
		line = strings.TrimRight(line, "\r\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			name := strings.TrimSpace(strings.TrimPrefix(trimmed, "#"))
			if name == "" {
				continue
			}
			// A comment inside a section (Pika prints "# Time:…" in
			// Keyspace) looks like a header with a colon: not a section.
			if strings.ContainsAny(name, ":") {
				continue
			}
			info.Sections = append(info.Sections, Section{Name: name})
			cur = len(info.Sections) - 1
			continue
		}
		key, value, ok := strings.Cut(line, ":")
		key = strings.TrimSpace(key)
		if !ok || key == "" || strings.ContainsAny(key, " \t\r") { // a bare CR: not a line of INFO
			continue // not a key:value line
		}
		if cur < 0 {
			info.Sections = append(info.Sections, Section{})
			cur = 0
		}
		info.Sections[cur].Fields = append(info.Sections[cur].Fields, Field{Key: key, Value: value})
	}
	return info
}

// Section returns the named section (case-insensitive).
func (i Info) Section(name string) (Section, bool) {
	for _, s := range i.Sections {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Section{}, false
}

// HasSection reports whether the named section is present (case-insensitive).
func (i Info) HasSection(name string) bool {
	_, ok := i.Section(name)
	return ok
}

// Get returns the first value of key in any section.
func (i Info) Get(key string) (string, bool) {
	for _, s := range i.Sections {
		if v, ok := s.Get(key); ok {
			return v, true
		}
	}
	return "", false
}

// Number returns the first value of key as a number (see ParseNumber).
func (i Info) Number(key string) model.Opt {
	v, ok := i.Get(key)
	if !ok {
		return model.None()
	}
	return ParseNumber(v)
}

// SectionNames lists the section names present, lower case, in order,
// without duplicates.
func (i Info) SectionNames() []string {
	out := make([]string, 0, len(i.Sections))
	for _, s := range i.Sections {
		n := strings.ToLower(s.Name)
		if n == "" || contains(out, n) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// Merge returns i with the sections of other that i does not already have
// appended (used when a poll needs two INFO calls on older servers).
func (i Info) Merge(other Info) Info {
	out := Info{Sections: append([]Section(nil), i.Sections...)}
	for _, s := range other.Sections {
		if s.Name == "" || i.HasSection(s.Name) {
			continue
		}
		out.Sections = append(out.Sections, s)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// ParseNumber reads an INFO number: integers, decimals, a sign, an exponent,
// and a trailing "%" (used_memory_peak_perc:98.75%). nan, -nan, inf, NaN and
// friends, text ("1.40M", "unavailable"), empty values and values above 2^62
// in magnitude (wrapped-around unsigned counters) are absent.
func ParseNumber(s string) model.Opt {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(s, "%")
	if s == "" || len(s) > 64 {
		return model.None()
	}
	for i := range len(s) {
		c := s[i]
		if (c < '0' || c > '9') && c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' {
			return model.None() // nan, inf, hex, units, junk
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > maxBogus {
		return model.None()
	}
	return model.Some(v)
}

// ParseKV splits a comma list "k=v,k=v" into fields, keeping repeated keys and
// keeping commas inside [...] (module:name=ReJSON,…,usedby=[search,x]) within
// their value. Parts without "=" are skipped.
func ParseKV(s string) []Field {
	var out []Field
	depth, start := 0, 0
	emit := func(part string) {
		k, v, ok := strings.Cut(part, "=")
		k = strings.TrimSpace(k)
		if ok && k != "" {
			out = append(out, Field{Key: k, Value: strings.TrimSpace(v)})
		}
	}
	for i := range len(s) {
		switch s[i] {
		case '[':
			depth++
		case ']':
			if depth > 0 {
				depth--
			}
		case ',':
			if depth == 0 {
				emit(s[start:i])
				start = i + 1
			}
		}
	}
	emit(s[start:])
	return out
}

// kvGet returns the first value of key in a parsed comma list.
func kvGet(fields []Field, key string) (string, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// Keyspace parses the Keyspace section: one model.DBKeys per "dbN:" line
// (keys=,expires=,avg_ttl= plus subexpiry= on 7.4, cached_keys= on KeyDB,
// hits=/misses= on Dragonfly; unknown subfields are ignored). Lines that are
// not dbN are skipped.
func (i Info) Keyspace() []model.DBKeys {
	sec, ok := i.Section("keyspace")
	if !ok {
		return nil
	}
	var out []model.DBKeys
	for _, f := range sec.Fields {
		if !strings.HasPrefix(f.Key, "db") {
			continue
		}
		n, err := strconv.Atoi(f.Key[2:])
		if err != nil || n < 0 {
			continue
		}
		kv := ParseKV(f.Value)
		db := model.DBKeys{DB: n}
		if v, ok := kvGet(kv, "keys"); ok {
			db.Keys = ParseNumber(v)
		}
		if v, ok := kvGet(kv, "expires"); ok {
			db.Expires = ParseNumber(v)
		}
		if v, ok := kvGet(kv, "avg_ttl"); ok {
			// Dragonfly prints avg_ttl=-1 for "not computed": not a TTL.
			if t := ParseNumber(v); t.Valid && t.V >= 0 {
				db.AvgTTL = t
			}
		}
		out = append(out, db)
	}
	return out
}

// ErrorStat is one line of the Errorstats section.
type ErrorStat struct {
	Name  string // the error prefix: "OOM", "ERR", "NOPERM" (server text)
	Count model.Opt
}

// Errorstats parses the Errorstats section: Redis/Valkey
// "errorstat_OOM:count=3", and Dragonfly "OOM:3" or "<error text>:3".
func (i Info) Errorstats() []ErrorStat {
	sec, ok := i.Section("errorstats")
	if !ok {
		return nil
	}
	out := make([]ErrorStat, 0, len(sec.Fields))
	for _, f := range sec.Fields {
		name := strings.TrimPrefix(f.Key, "errorstat_")
		var count model.Opt
		if v, ok := kvGet(ParseKV(f.Value), "count"); ok {
			count = ParseNumber(v)
		} else {
			count = ParseNumber(f.Value)
		}
		out = append(out, ErrorStat{Name: name, Count: count})
	}
	return out
}

// OOMErrors is the count of OOM error replies in Errorstats: absent when the
// server has no Errorstats section (before 6.2, sentinel), 0 when the section
// is there without an OOM line.
func (i Info) OOMErrors() model.Opt {
	if !i.HasSection("errorstats") {
		return model.None()
	}
	var sum float64
	for _, e := range i.Errorstats() {
		if isOOMName(e.Name) {
			if v, ok := e.Count.Get(); ok {
				sum += v
			}
		}
	}
	return model.Some(sum)
}

func isOOMName(name string) bool {
	n := strings.ToLower(name)
	return n == "oom" || strings.HasPrefix(n, "oom ") || strings.HasPrefix(n, "out of memory") || n == "out_of_memory"
}
