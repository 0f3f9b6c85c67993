package model

import (
	"strconv"
	"strings"
	"time"
)

// The one set of Markdown helpers: every table of the report (overview,
// checklist, cluster, big keys) escapes server strings and writes figures
// through these, so an escaping fix reaches every section at once.

// cellEscaper neutralises what Markdown acts on inside a table cell: the
// pipe ends the cell, a backtick opens a code span, * and _ emphasise, < and
// > open HTML.
var cellEscaper = strings.NewReplacer("|", `\|`, "`", "'", "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;")

// codeEscaper is cellEscaper for a code span in a cell: inside the span
// Markdown shows * _ < > as they are, so only the pipe (which still ends
// the cell) and the backtick (which would end the span) are replaced.
var codeEscaper = strings.NewReplacer("`", "'", "|", `\|`)

// cell makes a server string safe inside a Markdown table cell: controls
// escaped by Sanitize (a newline becomes \n, so a row stays one line), cut
// to width cells (0: no limit), then cellEscaper.
func cell(s string, width int) string {
	return cellEscaper.Replace(Sanitize(s, width))
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
