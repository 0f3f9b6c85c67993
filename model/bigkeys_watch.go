package model

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Growth between full passes (issue 17, item 4). A pass over a big keyspace
// takes minutes to hours and the passes are ten minutes apart, so a queue
// filling up is seen late or not at all. The top keys of the last snapshot
// are re-measured on their own, cheaply (MEMORY USAGE and the O(1) length
// command of the type, a few dozen keys a minute), and a KeyWatch keeps the
// last readings of each one: growth in bytes and elements per minute, and a
// flag when it grows fast relative to its size or by much in absolute terms.

// Defaults of the re-measure (redisx.WatchOptions takes them).
const (
	// DefaultWatchInterval is the time between two re-measures of the top
	// keys.
	DefaultWatchInterval = time.Minute
	// DefaultWatchKeys is how many top keys are re-measured: the biggest by
	// bytes and by elements, alternately.
	DefaultWatchKeys = 20
	// watchPoints is the readings kept per key (the rates span up to
	// watchPoints-1 intervals).
	watchPoints = 8
)

// KeyReading is one re-measure of a key. Bytes and Elements are -1 when
// unknown (MEMORY USAGE denied, a type without a length); Gone when the key
// no longer exists.
type KeyReading struct {
	Key      string
	DB       int
	Type     string
	Bytes    int64
	Elements int64
	Gone     bool
}

// WatchKeysFrom picks up to n keys to re-measure from a snapshot: the
// biggest by bytes and by elements, alternately, each once.
func WatchKeysFrom(bk *BigKeys, n int) []KeyInfo {
	if bk == nil || n <= 0 {
		return nil
	}
	var out []KeyInfo
	seen := map[dbKey]bool{}
	for i := 0; len(out) < n && (i < len(bk.TopBytes) || i < len(bk.TopElements)); i++ {
		for _, list := range [][]KeyInfo{bk.TopBytes, bk.TopElements} {
			if i >= len(list) || len(out) >= n {
				continue
			}
			k := list[i]
			if id := (dbKey{k.DB, k.Key}); !seen[id] {
				seen[id] = true
				out = append(out, k)
			}
		}
	}
	return out
}

type watchPoint struct {
	at              time.Time
	bytes, elements int64
}

type watchSeries struct {
	typ string
	pts []watchPoint
}

// KeyWatch keeps the last readings of the re-measured keys. Its memory is
// bounded by the keys watched (the caller's n) times watchPoints. Not safe
// for concurrent use: the re-measure worker owns one and hands out
// snapshots.
type KeyWatch struct {
	keys map[dbKey]*watchSeries
}

// NewKeyWatch starts an empty watch.
func NewKeyWatch() *KeyWatch { return &KeyWatch{keys: map[dbKey]*watchSeries{}} }

// Observe folds one round of readings taken at now. A key that is no
// longer read (it left the top lists) or is gone is forgotten.
func (w *KeyWatch) Observe(now time.Time, rs []KeyReading) {
	keep := make(map[dbKey]bool, len(rs))
	for _, r := range rs {
		id := dbKey{r.DB, r.Key}
		if r.Gone {
			continue
		}
		keep[id] = true
		s := w.keys[id]
		if s == nil {
			s = &watchSeries{}
			w.keys[dbKey{r.DB, strings.Clone(r.Key)}] = s
		}
		if s.typ != r.Type {
			// A key re-created with another type starts a new series.
			s.typ, s.pts = strings.Clone(r.Type), s.pts[:0]
		}
		if len(s.pts) == watchPoints {
			s.pts = append(s.pts[:0], s.pts[1:]...)
		}
		s.pts = append(s.pts, watchPoint{at: now, bytes: r.Bytes, elements: r.Elements})
	}
	for id := range w.keys {
		if !keep[id] {
			delete(w.keys, id)
		}
	}
}

// Snapshot returns the keys' trends at now, the flagged ones first, then by
// growth in bytes per minute.
func (w *KeyWatch) Snapshot(now time.Time) *KeyGrowth {
	g := &KeyGrowth{At: now, Keys: make([]KeyTrend, 0, len(w.keys))}
	for id, s := range w.keys {
		g.Keys = append(g.Keys, trendOf(id, s))
	}
	slices.SortFunc(g.Keys, func(a, b KeyTrend) int {
		if (a.Flag != "") != (b.Flag != "") {
			if a.Flag != "" {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.BytesPerMin, a.BytesPerMin); c != 0 {
			return c
		}
		if c := cmp.Compare(b.ElementsPerMin, a.ElementsPerMin); c != 0 {
			return c
		}
		if a.DB != b.DB {
			return a.DB - b.DB
		}
		return strings.Compare(a.Key, b.Key)
	})
	return g
}

// KeyGrowth is one immutable snapshot of the re-measured keys: what the
// big-keys pane marks, what the big-keys check and the verdict weigh, and
// the report's "key_growth".
type KeyGrowth struct {
	At   time.Time  `json:"at"`
	Keys []KeyTrend `json:"keys"`
}

// Flagged returns the keys whose growth is flagged.
func (g *KeyGrowth) Flagged() []KeyTrend {
	if g == nil {
		return nil
	}
	var out []KeyTrend
	for _, k := range g.Keys {
		if k.Flag != "" {
			out = append(out, k)
		}
	}
	return out
}

// Find returns the trend of one key.
func (g *KeyGrowth) Find(db int, key string) (KeyTrend, bool) {
	if g == nil {
		return KeyTrend{}, false
	}
	for _, k := range g.Keys {
		if k.DB == db && k.Key == key {
			return k, true
		}
	}
	return KeyTrend{}, false
}

// KeyTrend is one re-measured key: its first and last readings held, the
// growth per minute between them, how many re-measures in a row it rose,
// and, when its growth is worth a flag, why (Flag).
type KeyTrend struct {
	Key           string
	DB            int
	Type          string
	Bytes         int64 // the last reading; -1 unknown
	Elements      int64 // the last reading; -1 unknown
	FirstBytes    int64
	FirstElements int64
	Span          time.Duration // from the first reading held to the last
	Readings      int
	// BytesPerMin and ElementsPerMin are the growth between the first and
	// the last readings held, per minute (0 when unknown or one reading).
	BytesPerMin    float64
	ElementsPerMin float64
	// Rising counts the re-measures in a row, up to the last, where the
	// key grew (bytes or elements).
	Rising int
	Flag   string
}

func trendOf(id dbKey, s *watchSeries) KeyTrend {
	first, last := s.pts[0], s.pts[len(s.pts)-1]
	t := KeyTrend{
		Key: id.key, DB: id.db, Type: s.typ,
		Bytes: last.bytes, Elements: last.elements,
		FirstBytes: first.bytes, FirstElements: first.elements,
		Span: last.at.Sub(first.at), Readings: len(s.pts),
	}
	if mins := t.Span.Minutes(); mins > 0 {
		if first.bytes >= 0 && last.bytes >= 0 {
			t.BytesPerMin = float64(last.bytes-first.bytes) / mins
		}
		if first.elements >= 0 && last.elements >= 0 {
			t.ElementsPerMin = float64(last.elements-first.elements) / mins
		}
	}
	for i := len(s.pts) - 1; i > 0; i-- {
		a, b := s.pts[i-1], s.pts[i]
		grew := (a.bytes >= 0 && b.bytes > a.bytes) || (a.elements >= 0 && b.elements > a.elements)
		if !grew {
			break
		}
		t.Rising++
	}
	t.Flag = watchFlag(&t)
	return t
}

// watchFlag says why a key's growth is worth a flag, or "". It must be
// rising over the last re-measures (every one, up to
// ThresholdWatchRisingReadings), and over the readings held it must have
// doubled (bytes past ThresholdKeyGrowthRatioMinBytes, or elements past
// ThresholdWatchRatioMinElements), or grown by ThresholdKeyGrowthSmallBytes
// or by ThresholdWatchElements, or by ThresholdKeyGrowthBytes and
// ThresholdKeyGrowthShare (large absolute growth).
func watchFlag(t *KeyTrend) string {
	if t.Readings < 2 || t.Rising < min(t.Readings-1, ThresholdWatchRisingReadings) {
		return ""
	}
	over := " in " + Duration(t.Span)
	b0, b1 := float64(t.FirstBytes), float64(t.Bytes)
	e0, e1 := float64(t.FirstElements), float64(t.Elements)
	bytesKnown := t.FirstBytes >= 0 && t.Bytes >= 0
	elemsKnown := t.FirstElements >= 0 && t.Elements >= 0
	switch {
	case bytesKnown && b1-b0 >= ThresholdKeyGrowthBytes && b1-b0 >= ThresholdKeyGrowthShare*b0:
		return "grew " + signedBytes(b1-b0) + over + " (" + Bytes(b0) + " → " + Bytes(b1) + ")"
	case bytesKnown && b0 > 0 && b1 >= ThresholdKeyGrowthRatio*b0 && b1 >= ThresholdKeyGrowthRatioMinBytes:
		return fmt.Sprintf("%.1f× in %s (%s → %s)", b1/b0, Duration(t.Span), Bytes(b0), Bytes(b1))
	case elemsKnown && e0 > 0 && e1 >= ThresholdKeyGrowthRatio*e0 && e1 >= ThresholdWatchRatioMinElements:
		return fmt.Sprintf("%.1f× in %s (%s → %s %s)", e1/e0, Duration(t.Span), exactCount(e0), exactCount(e1), elementUnit(t.Type))
	case bytesKnown && b1-b0 >= ThresholdKeyGrowthSmallBytes:
		return "grew " + signedBytes(b1-b0) + over + " and still rising"
	case elemsKnown && e1-e0 >= ThresholdWatchElements:
		return "grew +" + exactCount(e1-e0) + " " + elementUnit(t.Type) + over + " and still rising"
	}
	return ""
}

const unitFields = "fields"

// elementUnit names what a type's length counts.
func elementUnit(typ string) string {
	switch typ {
	case typeString:
		return "bytes long"
	case typeHash:
		return unitFields
	case typeSet, typeZset:
		return unitMembers
	case typeStream:
		return "entries"
	}
	return unitElements
}

// RateText is the growth as a short marker: "↑ +60.0k el/min" (streams by
// entries, strings by bytes), "" when the key did not grow. Only a flagged
// key gets the arrow.
func (t KeyTrend) RateText() string {
	var s string
	switch {
	case t.Type != typeString && t.ElementsPerMin > 0:
		unit := " el/min"
		if t.Type == typeStream {
			unit = " ent/min"
		}
		s = "+" + Count(t.ElementsPerMin) + unit
	case t.BytesPerMin > 0:
		s = "+" + Bytes(t.BytesPerMin) + "/min"
	default:
		return ""
	}
	if t.Flag != "" {
		return "↑ " + s
	}
	return s
}

// Line is the trend as one line of evidence: "db0 queue (list): +60,000
// elements/min, +480 KB/min over 1m — 2.0× in 1m (…)". Server text in it is
// escaped.
func (t KeyTrend) Line() string {
	var rates []string
	if t.ElementsPerMin != 0 && t.Type != typeString {
		rates = append(rates, signedCount(t.ElementsPerMin)+" "+elementUnit(t.Type)+"/min")
	}
	if t.BytesPerMin != 0 {
		rates = append(rates, signedBytes(t.BytesPerMin)+"/min")
	}
	if len(rates) == 0 {
		rates = append(rates, "no growth")
	}
	s := fmt.Sprintf("db%d %s (%s): %s over %s", t.DB, serverLabel(t.Key), Sanitize(t.Type, 20), strings.Join(rates, ", "), Duration(t.Span))
	if t.Flag != "" {
		s += " — " + t.Flag
	}
	return s
}

func signedCount(v float64) string {
	if v >= 0 {
		return "+" + exactCount(v)
	}
	return "-" + exactCount(-v)
}

type keyTrendJSON struct {
	Key            string  `json:"key"`
	KeyBase64      string  `json:"key_base64,omitempty"`
	DB             int     `json:"db"`
	Type           string  `json:"type"`
	Bytes          Opt     `json:"bytes"`
	Elements       Opt     `json:"elements"`
	FirstBytes     Opt     `json:"first_bytes"`
	FirstElements  Opt     `json:"first_elements"`
	SpanSeconds    float64 `json:"span_seconds"`
	Readings       int     `json:"readings"`
	BytesPerMin    float64 `json:"bytes_per_minute"`
	ElementsPerMin float64 `json:"elements_per_minute"`
	Rising         int     `json:"rising"`
	Flag           string  `json:"flag,omitempty"`
}

// MarshalJSON writes the key binary-safely, like KeyInfo, unknown figures
// as null.
func (t KeyTrend) MarshalJSON() ([]byte, error) {
	text, b64 := jsonKey(t.Key)
	return json.Marshal(keyTrendJSON{ //nolint:wrapcheck // plain values always marshal
		Key: text, KeyBase64: b64, DB: t.DB, Type: t.Type,
		Bytes: optInt(t.Bytes), Elements: optInt(t.Elements),
		FirstBytes: optInt(t.FirstBytes), FirstElements: optInt(t.FirstElements),
		SpanSeconds: t.Span.Seconds(), Readings: t.Readings,
		BytesPerMin: t.BytesPerMin, ElementsPerMin: t.ElementsPerMin, Rising: t.Rising, Flag: t.Flag,
	})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (t *KeyTrend) UnmarshalJSON(b []byte) error {
	var j keyTrendJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	key, err := keyFromJSON(j.Key, j.KeyBase64)
	if err != nil {
		return err
	}
	*t = KeyTrend{
		Key: key, DB: j.DB, Type: j.Type,
		Bytes: intFromOpt(j.Bytes), Elements: intFromOpt(j.Elements),
		FirstBytes: intFromOpt(j.FirstBytes), FirstElements: intFromOpt(j.FirstElements),
		Span: time.Duration(j.SpanSeconds * float64(time.Second)), Readings: j.Readings,
		BytesPerMin: j.BytesPerMin, ElementsPerMin: j.ElementsPerMin, Rising: j.Rising, Flag: j.Flag,
	}
	return nil
}
