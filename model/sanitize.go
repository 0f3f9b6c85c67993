package model

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis ends a string Sanitize had to cut.
const Ellipsis = "…"

// Sanitize makes a string from the server safe to draw: every rune that could
// move the cursor, change the terminal's state, reorder the text or hide
// itself is shown escaped, and the result is cut to maxWidth display cells
// with an ellipsis (0 means no cut).
//
// Escaped: C0 controls (\n, \r, \t, \x1b …), DEL (\x7f), C1 controls
// (\u009b), Unicode format characters — bidi embeddings, overrides and
// isolates (U+202A–202E, U+2066–2069), zero-width space / joiners (U+200B–
// 200D), word joiner, BOM, soft hyphen, tag characters — line and paragraph
// separators, and every byte of invalid UTF-8 (\xff). Escaping ESC alone makes
// CSI, OSC and DCS sequences inert: their remaining bytes are printable.
//
// A backslash is kept as it is, so a key name stays copyable; the escapes are
// for the eye, not a reversible encoding.
//
// Widths are grapheme-cluster widths as the screen measures them (width.go), so a
// double-width rune counts 2 and a cut never splits a cluster or an escape.
func Sanitize(s string, maxWidth int) string {
	if maxWidth < 0 {
		maxWidth = 0
	}
	if isPlainASCII(s) && (maxWidth == 0 || len(s) <= maxWidth) {
		return s // the common case: a short printable ASCII name
	}
	var c cutter
	c.init(maxWidth, len(s))
	walk(s, c.add)
	return c.result()
}

// SanitizeMultiline is Sanitize for free text (MEMORY DOCTOR, error
// messages): newlines are kept (CRLF becomes LF), tabs become spaces up to the
// next multiple of 8, and each line is cut to maxWidth cells on its own.
func SanitizeMultiline(s string, maxWidth int) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		l = strings.TrimSuffix(l, "\r")
		if !strings.Contains(l, "\t") {
			lines[i] = Sanitize(l, maxWidth)
			continue
		}
		// Expand tabs on the escaped text, so tab stops line up with what is
		// drawn; the result is printable, and Sanitize of it only cuts.
		var b strings.Builder
		col := 0
		segLimit := 0
		if maxWidth > 0 {
			segLimit = maxWidth + 1 // a cut here lies beyond the final one
		}
		for j, seg := range strings.Split(l, "\t") {
			if j > 0 {
				pad := 8 - col%8
				b.WriteString(strings.Repeat(" ", pad))
				col += pad
			}
			seg = Sanitize(seg, segLimit)
			b.WriteString(seg)
			col += textWidth(seg)
			if maxWidth > 0 && col > maxWidth {
				break
			}
		}
		lines[i] = Sanitize(b.String(), maxWidth)
	}
	return strings.Join(lines, "\n")
}

// NeedsEscape reports whether Sanitize escapes r (a valid rune).
func NeedsEscape(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f:
		return true // C0 and DEL
	case r < 0x7f:
		return false
	case r <= 0x9f:
		return true // C1 (U+0080–U+009F): 8-bit CSI/OSC in some terminals
	case r == 0x2028, r == 0x2029:
		return true // line and paragraph separators
	case r >= 0xd800 && r <= 0xdfff, r == utf8.RuneError:
		return false // cannot come out of a valid decode; U+FFFD as such is printable
	}
	// Cf holds bidi controls, zero-width characters, BOM, soft hyphen, tags.
	return unicode.Is(unicode.Cf, r)
}

// combinesBackwards reports runes that join the cluster before them: marks,
// variation selectors, emoji modifiers, Hangul medial and final jamo.
func combinesBackwards(r rune) bool {
	switch {
	case r < 0x300:
		return false
	case r >= 0x1f3fb && r <= 0x1f3ff, r >= 0x1160 && r <= 0x11ff, r >= 0xd7b0 && r <= 0xd7ff:
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me, unicode.Mc)
}

func isPlainASCII(s string) bool {
	for i := range len(s) {
		if b := s[i]; b < 0x20 || b >= 0x7f {
			return false
		}
	}
	return true
}

// walk calls emit with consecutive pieces of the sanitized text: an escape
// (plain ASCII) or one grapheme cluster of printable text, with its width. It
// stops when emit returns false.
func walk(s string, emit func(piece string, width int) bool) {
	for len(s) > 0 {
		// The longest printable prefix is segmented into clusters.
		n := printablePrefix(s)
		run := s[:n]
		// A run that opens with a combining rune would fuse with whatever is
		// drawn before it (a border, the b of an escape) and change its
		// width: show that rune escaped — and the next one too when it also
		// combines, since it would fuse with the escape just drawn.
		for {
			r, size := utf8.DecodeRuneInString(run)
			if size == 0 || !combinesBackwards(r) {
				break
			}
			esc := escapeRune(r, run[:size])
			if !emit(esc, len(esc)) {
				return
			}
			run = run[size:]
		}
		for len(run) > 0 {
			cl, w := firstCluster(run)
			if cl == "" {
				break
			}
			if !emit(cl, w) {
				return
			}
			run = run[len(cl):]
		}
		s = s[n:]
		if len(s) == 0 {
			return
		}
		r, size := utf8.DecodeRuneInString(s)
		esc := escapeRune(r, s[:size])
		if !emit(esc, len(esc)) {
			return
		}
		s = s[size:]
	}
}

// printablePrefix is the length of the longest prefix of s that needs no
// escape.
func printablePrefix(s string) int {
	i := 0
	for i < len(s) {
		b := s[i]
		if b >= 0x20 && b < 0x7f {
			i++
			continue
		}
		if b < 0x80 {
			return i
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || NeedsEscape(r) {
			return i
		}
		i += size
	}
	return i
}

// escapeRune spells out one rune (or one invalid byte, raw holding it).
func escapeRune(r rune, raw string) string {
	if r == utf8.RuneError && len(raw) <= 1 {
		return `\x` + hex2(raw[0])
	}
	switch r {
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	if r < 0x80 {
		return `\x` + hex2(raw[0]) // a one-byte rune: raw is that byte
	}
	h := strconv.FormatInt(int64(r), 16)
	if r > 0xffff {
		return `\U` + strings.Repeat("0", 8-len(h)) + h
	}
	return `\u` + strings.Repeat("0", 4-len(h)) + h
}

func hex2(b byte) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[b>>4], digits[b&0xf]})
}

// cutter accumulates pieces and cuts at maxWidth cells with an ellipsis.
type cutter struct {
	b      strings.Builder
	max    int
	width  int
	keep   int // bytes of b that fit in max-1 cells (room for the ellipsis)
	capped bool
}

func (c *cutter) init(maxWidth, hint int) {
	c.max = maxWidth
	if maxWidth > 0 {
		hint = min(hint, maxWidth*4)
	}
	c.b.Grow(hint)
}

func (c *cutter) add(piece string, w int) bool {
	if c.max > 0 && c.width+w > c.max {
		c.capped = true
		return false
	}
	c.b.WriteString(piece)
	c.width += w
	if c.max > 0 && c.width <= c.max-1 {
		c.keep = c.b.Len()
	}
	return true
}

func (c *cutter) result() string {
	if !c.capped {
		return c.b.String()
	}
	return c.b.String()[:c.keep] + Ellipsis
}
