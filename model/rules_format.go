package model

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// signedBytes writes a change with its sign: "+3.00M", "-1.20G", "±0B".
func signedBytes(v float64) string {
	switch {
	case v > 0:
		return "+" + Bytes(v)
	case v < 0:
		return Bytes(v)
	}
	return "±0B"
}

// sharePct writes a share as a percentage: 0.853 → "85.3%".
func sharePct(share float64) string {
	if share > 0 && share < 0.0005 {
		return "<0.1%"
	}
	return Percent(share * 100)
}

// exactCount writes an integer count with thousands separators: "12,345".
func exactCount(v float64) string {
	n := int64(math.Round(v))
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// countNoun writes a count with its noun: "1 client", "12 clients".
func countNoun(n float64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return exactCount(n) + " " + many
}

// confSize writes a byte count the way CONFIG SET / redis.conf accept it,
// rounded down to whole megabytes ("mb" is 1024*1024 for Redis).
func confSize(v float64) string {
	mb := int64(v / (1 << 20))
	if mb < 1 {
		mb = 1
	}
	if mb%1024 == 0 {
		return strconv.FormatInt(mb/1024, 10) + "gb"
	}
	return strconv.FormatInt(mb, 10) + "mb"
}

// shellQuote quotes a server string (a key name) for a POSIX shell command
// line: plain single quotes when it is printable, ANSI-C $'…' with \xNN
// escapes when it holds anything Sanitize would escape (controls, bidi
// overrides, invalid UTF-8), so the command shown is exact and harmless to
// paste.
func shellQuote(s string) string {
	plain := utf8.ValidString(s)
	if plain {
		for _, r := range s {
			if NeedsEscape(r) {
				plain = false
				break
			}
		}
	}
	if plain {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	var b strings.Builder
	b.WriteString("$'")
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case (r == utf8.RuneError && size <= 1) || NeedsEscape(r):
			for j := range size {
				fmt.Fprintf(&b, `\x%02x`, s[i+j])
			}
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
		i += size
	}
	b.WriteByte('\'')
	return b.String()
}

// serverLabel shows a server string (key, client name) in evidence: escaped and
// cut to 60 cells. The UI escapes again when drawing; escaping here keeps a
// report safe too.
func serverLabel(s string) string { return Sanitize(s, 60) }
