package model

import (
	"strconv"
	"strings"
	"time"
)

// The one set of Markdown helpers: every table of the report (overview,
// checklist, cluster, big keys) escapes server strings and writes figures
// through these, so an escaping fix reaches every section at once.

// cellEscaper neutralises what Markdown acts on anywhere in a line of a
// table cell, a list item or a paragraph: the pipe ends a cell, a backtick
// opens a code span, * emphasises. It escapes with a backslash, as Markdown
// does, never with HTML entities: the raw report is read too, and "&gt; 1 %"
// reads wrong there. The rest is escaped only where Markdown would act on it
// (mdEscape), so used_memory stays used_memory.
var cellEscaper = strings.NewReplacer("|", `\|`, "`", "'", "*", `\*`)

// mdEscape is cellEscaper plus the escapes that depend on the neighbours:
// _ unless it sits between two letters or digits (where it cannot
// emphasise), < before a letter, / ! or ? (an HTML tag, a comment, an
// autolink), & before a letter or # (an entity), and a > or # that starts
// the text (a quote, a heading).
func mdEscape(s string) string {
	s = cellEscaper.Replace(s)
	var b strings.Builder
	b.Grow(len(s) + 4)
	for i := range len(s) {
		c := s[i]
		var prev, next byte
		if i > 0 {
			prev = s[i-1]
		}
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case c == '_' && (!isASCIIAlnum(prev) || !isASCIIAlnum(next)),
			c == '<' && (isASCIILetter(next) || next == '/' || next == '!' || next == '?'),
			c == '&' && (isASCIILetter(next) || next == '#'),
			i == 0 && (c == '>' || c == '#'):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isASCIILetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func isASCIIAlnum(c byte) bool { return isASCIILetter(c) || c >= '0' && c <= '9' }

// codeEscaper is cellEscaper for a code span in a cell: inside the span
// Markdown shows * _ < > as they are, so only the pipe (which still ends
// the cell) and the backtick (which would end the span) are replaced.
var codeEscaper = strings.NewReplacer("`", "'", "|", `\|`)

// cell makes a server string safe inside a Markdown table cell: controls
// escaped by Sanitize (a newline becomes \n, so a row stays one line), cut
// to width cells (0: no limit), then mdEscape.
func cell(s string, width int) string {
	return mdEscape(Sanitize(s, width))
}

// cellOr is cell, or Dash for an empty string.
func cellOr(s string, width int) string {
	if s == "" {
		return Dash
	}
	return cell(s, width)
}

// codeCell makes a key name safe inside a `code span` in a table cell.
func codeCell(s string, width int) string {
	return codeEscaper.Replace(Sanitize(s, width))
}

// fenced makes a server string safe inside a fenced code block: escaped,
// and unable to close the fence.
func fenced(s string, width int) string {
	return strings.ReplaceAll(Sanitize(s, width), "```", "'''")
}

// textCell is a server text field in a cell, Dash when absent.
func textCell(t Text) string {
	if t == "" {
		return Dash
	}
	return cell(string(t), 60)
}

// numberCell writes a figure exactly (no unit, no rounding), Dash when
// absent: the report is read by people who compare it with INFO.
func numberCell(o Opt) string {
	if v, ok := o.Get(); ok {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return Dash
}

// bytesCell writes a byte figure readably and exactly: "1.40M (1468006)".
func bytesCell(o Opt) string {
	if v, ok := o.Get(); ok {
		return Bytes(v) + " (" + strconv.FormatFloat(v, 'f', -1, 64) + ")"
	}
	return Dash
}

// TTLText formats a TTL in seconds for a table: "none" without expiry.
func TTLText(ttl int64) string {
	if ttl < 0 {
		return "none"
	}
	return Duration(time.Duration(ttl) * time.Second)
}
