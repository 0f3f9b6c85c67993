package model

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Dash is what every absent figure is drawn as: never 0, which would look
// like a value.
const Dash = "—"

// NotANumber is what a NaN or infinite figure is drawn as.
const NotANumber = "n/a"

// Bytes formats a byte count the way Redis's *_human fields do (1024-based,
// two decimals): 512B, 1.40M, 3.00G, -12.50K. NaN and ±Inf give NotANumber.
func Bytes(b float64) string {
	if math.IsNaN(b) || math.IsInf(b, 0) {
		return NotANumber
	}
	sign := ""
	if b < 0 {
		sign = "-"
		b = -b
	}
	const units = "BKMGT"
	u := 0
	for b >= 1024 && u < len(units)-1 {
		b /= 1024
		u++
	}
	if u == 0 {
		r := math.Round(b)
		if r == 0 {
			sign = "" // a value that rounds to nothing has no sign: never "-0B"
		}
		return sign + strconv.FormatFloat(r, 'f', 0, 64) + "B"
	}
	s := strconv.FormatFloat(b, 'f', 2, 64)
	if s == "1024.00" && u < len(units)-1 {
		// Rounding carried over: 1023.999K is 1.00M, not 1024.00K.
		s = "1.00"
		u++
	}
	return sign + s + units[u:u+1]
}

// OptBytes is Bytes, or Dash when the server did not report the figure.
func OptBytes(o Opt) string {
	if !o.Valid {
		return Dash
	}
	return Bytes(o.V)
}

// Duration formats a span compactly, at most two units: 2.3ms, 850ms, 12.4s, 3m04s,
// 2h05m, 3d04h. Negative spans keep their sign.
func Duration(d time.Duration) string {
	if d < 0 {
		if d == math.MinInt64 {
			d++ // -MinInt64 overflows
		}
		return "-" + Duration(-d)
	}
	switch {
	case d < time.Millisecond:
		if d == 0 {
			return "0s"
		}
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "µs"
	case d < 10*time.Millisecond:
		return strconv.FormatFloat(math.Floor(float64(d)/float64(time.Millisecond)*10)/10, 'f', 1, 64) + "ms"
	case d < time.Second:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case d < 10*time.Second:
		return strconv.FormatFloat(math.Floor(d.Seconds()*10)/10, 'f', 1, 64) + "s"
	case d < time.Minute:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d < time.Hour:
		m := d / time.Minute
		s := (d % time.Minute) / time.Second
		return strconv.FormatInt(int64(m), 10) + "m" + pad2(int64(s)) + "s"
	case d < 24*time.Hour:
		h := d / time.Hour
		m := (d % time.Hour) / time.Minute
		return strconv.FormatInt(int64(h), 10) + "h" + pad2(int64(m)) + "m"
	default:
		days := d / (24 * time.Hour)
		h := (d % (24 * time.Hour)) / time.Hour
		return strconv.FormatInt(int64(days), 10) + "d" + pad2(int64(h)) + "h"
	}
}

// Seconds formats a figure given in seconds (uptime, save times) as Duration
// does, or Dash when absent.
func Seconds(o Opt) string {
	if !o.Valid {
		return Dash
	}
	return Duration(secondsToDuration(o.V))
}

// secondsToDuration rounds to the millisecond (4.9999999 s of float error
// is 5 s) and clamps to what a Duration holds.
func secondsToDuration(s float64) time.Duration {
	const limit = float64(math.MaxInt64 / int64(time.Second))
	s = math.Max(-limit, math.Min(limit, s))
	return time.Duration(math.Round(s*1000)) * time.Millisecond
}

func pad2(v int64) string {
	if v < 10 {
		return "0" + strconv.FormatInt(v, 10)
	}
	return strconv.FormatInt(v, 10)
}

// Percent formats a value that already is a percentage (85.26 → "85.3%").
// NaN and ±Inf give "n/a".
func Percent(pct float64) string {
	if math.IsNaN(pct) || math.IsInf(pct, 0) {
		return NotANumber
	}
	return strconv.FormatFloat(pct, 'f', 1, 64) + "%"
}

// OptPercent is Percent, or Dash when absent.
func OptPercent(o Opt) string {
	if !o.Valid {
		return Dash
	}
	return Percent(o.V)
}

// Ratio formats a ratio such as mem_fragmentation_ratio with two decimals.
func Ratio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return NotANumber
	}
	return strconv.FormatFloat(r, 'f', 2, 64)
}

// OptRatio is Ratio, or Dash when absent.
func OptRatio(o Opt) string {
	if !o.Valid {
		return Dash
	}
	return Ratio(o.V)
}

// Rate formats a per-second rate: 0/s, 0.25/s, 12/s, 1.2k/s, 3.4M/s.
func Rate(perSec float64) string {
	if math.IsNaN(perSec) || math.IsInf(perSec, 0) {
		return NotANumber
	}
	return Count(perSec) + "/s"
}

// OptRate is Rate, or Dash when absent.
func OptRate(o Opt) string {
	if !o.Valid {
		return Dash
	}
	return Rate(o.V)
}

// Count formats a quantity (keys, clients, events) compactly: 0, 0.25, 12,
// 950, 1.2k, 34.5M, 2.0G. Values under 1000 keep up to two decimals when they
// have any.
func Count(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return NotANumber
	}
	sign := ""
	if v < 0 {
		sign = "-"
		v = -v
	}
	if v < 1000 {
		if v == math.Trunc(v) {
			return sign + strconv.FormatFloat(v, 'f', 0, 64)
		}
		s := strconv.FormatFloat(v, 'f', 2, 64)
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		if s == "1000" {
			return sign + "1.0k"
		}
		return sign + s
	}
	const units = "kMGTP"
	u := -1
	for v >= 999.95 && u < len(units)-1 {
		v /= 1000
		u++
	}
	return sign + strconv.FormatFloat(v, 'f', 1, 64) + units[u:u+1]
}

// OptCount is Count, or Dash when absent.
func OptCount(o Opt) string {
	if !o.Valid {
		return Dash
	}
	return Count(o.V)
}
