package model

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Opt is a number the server may or may not have reported. A field the server
// does not have is absent (Valid false), never 0: the difference between "no
// evictions" and "this server does not tell us" matters to every rule.
type Opt struct {
	V     float64
	Valid bool
}

// Some returns a present value. NaN and ±Inf are not values: they become absent.
func Some(v float64) Opt {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Opt{}
	}
	return Opt{V: v, Valid: true}
}

// None is the absent value.
func None() Opt { return Opt{} }

// Get returns the value and whether it is present.
func (o Opt) Get() (float64, bool) { return o.V, o.Valid }

// Or returns the value, or d when absent.
func (o Opt) Or(d float64) float64 {
	if !o.Valid {
		return d
	}
	return o.V
}

// IsTrue reports a present, non-zero flag (rdb_bgsave_in_progress:1 …).
func (o Opt) IsTrue() bool { return o.Valid && o.V != 0 }

// MarshalJSON writes null for an absent value and a plain number otherwise
// (integers without exponent, so byte counts stay readable and exact).
func (o Opt) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, o.V, 'f', -1, 64), nil
}

// UnmarshalJSON reads null or a number.
func (o *Opt) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*o = Opt{}
		return nil
	}
	v, err := strconv.ParseFloat(string(bytes.TrimSpace(b)), 64)
	if err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	*o = Some(v)
	return nil
}

// Text is a string field from the server; empty means absent and is written
// as null in JSON.
type Text string

// MarshalJSON writes null for an empty text.
func (t Text) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t)) //nolint:wrapcheck // a string always marshals
}

// UnmarshalJSON reads null or a string.
func (t *Text) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err //nolint:wrapcheck // the json package adds the field context
	}
	*t = Text(s)
	return nil
}
