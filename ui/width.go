package ui

import (
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// eastAsian mirrors x/ansi: with RUNEWIDTH_EASTASIAN set, ambiguous-width
// runes (box drawing among them) are two cells, and the fast path is off.
var eastAsian = func() bool {
	v, err := strconv.ParseBool(os.Getenv("RUNEWIDTH_EASTASIAN"))
	return err == nil && v
}()

// cellWidth is ansi.StringWidth with a fast path for what frames are made of:
// SGR sequences, ASCII and the box-drawing, block and punctuation runes the
// panes draw. Anything else (CJK, emoji, combining marks from a server
// string) sends the whole string to ansi.StringWidth, so the result is always
// the same as its.
func cellWidth(s string) int {
	if eastAsian {
		return ansi.StringWidth(s)
	}
	w := 0
	for i := 0; i < len(s); {
		b := s[i]
		switch {
		case b == 0x1b:
			n := skipEscape(s[i:])
			if n == 0 {
				return ansi.StringWidth(s)
			}
			i += n
		case b >= 0x20 && b < 0x7f:
			w++
			i++
		case b < 0x80:
			return ansi.StringWidth(s) // other controls: let ansi decide
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !narrowRune(r) {
				return ansi.StringWidth(s)
			}
			w++
			i += size
		}
	}
	return w
}

// skipEscape returns the length of a CSI sequence at the start of s (ESC [
// params final), or 0 for anything else.
func skipEscape(s string) int {
	if len(s) < 2 || s[1] != '[' {
		return 0
	}
	for j := 2; j < len(s); j++ {
		c := s[j]
		switch {
		case c >= 0x40 && c <= 0x7e:
			return j + 1
		case c >= 0x20 && c <= 0x3f:
			continue
		default:
			return 0
		}
	}
	return 0
}

// narrowRune reports runes known to take one cell that never join the rune
// before or after them.
func narrowRune(r rune) bool {
	switch {
	case r >= 0xa0 && r <= 0xff:
		return r != 0xad // soft hyphen
	case r >= 0x391 && r <= 0x3c9: // Greek letters (Δ)
		return true
	case r >= 0x2010 && r <= 0x2027: // dashes, quotes, bullets, ellipsis
		return true
	case r >= 0x2190 && r <= 0x21ff: // arrows
		return true
	case r == 0x2212: // minus
		return true
	case r >= 0x2500 && r <= 0x25ff: // box drawing, blocks, geometric shapes
		return true
	}
	return false
}
