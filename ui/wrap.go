package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// span is a piece of plain text (already escaped) and its style.
type span struct {
	style lipgloss.Style
	text  string
}

// wrapSpans word-wraps styled pieces of text to w cells as one text: a
// piece that runs over a line break keeps its style on the next line (an
// SGR code does not carry over a wrap). A word longer than a line is
// broken; lines carry no trailing blanks.
func wrapSpans(spans []span, w int) []string {
	if w <= 0 {
		return nil
	}
	var plain strings.Builder
	for _, s := range spans {
		plain.WriteString(s.text)
	}
	text := plain.String()
	pos := 0
	var out []string
	for l := range strings.SplitSeq(ansi.Wrap(text, w, ""), "\n") {
		l = strings.TrimRight(l, " ")
		for pos < len(text) && text[pos] == ' ' && !strings.HasPrefix(text[pos:], l) {
			pos++ // the blanks the wrap dropped at the break
		}
		if !strings.HasPrefix(text[pos:], l) {
			// The wrap changed the text (it should not): show it as it is.
			out = append(out, l)
			continue
		}
		out = append(out, styleRange(spans, pos, pos+len(l)))
		pos += len(l)
	}
	return out
}

// styleRange renders bytes [from, to) of the spans' joined text, each part
// in its span's style.
func styleRange(spans []span, from, to int) string {
	var b strings.Builder
	at := 0
	for _, s := range spans {
		start, end := max(from, at), min(to, at+len(s.text))
		if start < end {
			b.WriteString(s.style.Render(s.text[start-at : end-at]))
		}
		at += len(s.text)
	}
	return b.String()
}
