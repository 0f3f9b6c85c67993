package model

import (
	"bytes"
	"strings"
	"testing"
)

func TestMarkdownHelpers(t *testing.T) {
	const hostile = "a|b\nc`d*e_f<g>"
	cases := []struct {
		name, got, want string
	}{
		{"cell", cell(hostile, 0), `a\|b\nc'd\*e_f\<g>`},
		{"cell: no HTML entities, > mid-line as it is", cell("db0 k (hash): 80M — > 1 % of used_memory, < 2 %", 0), "db0 k (hash): 80M — > 1 % of used_memory, < 2 %"},
		{"cell: _ escaped where it could emphasise", cell("_a_ b_ _c a_1", 0), `\_a\_ b\_ \_c a_1`},
		{"cell: a leading > or # is not a quote or a heading", cell("> 10M", 0) + " " + cell("#1", 0), `\> 10M \#1`},
		{"cell: tags, comments, autolinks and entities stay text", cell("<b> <!-- x --> </i> <http://x> &amp; &#60; a & b", 0), `\<b> \<!-- x --> \</i> \<http://x> \&amp; \&#60; a & b`},
		{"cell cut to width", cell("abcdefgh", 4), "abc…"},
		{"cellOr empty", cellOr("", 10), Dash},
		{"cellOr text", cellOr("x|y", 10), `x\|y`},
		{"codeCell: only what ends the span or the cell", codeCell(hostile, 0), `a\|b\nc'd*e_f<g>`},
		{"codeCell controls", codeCell("k\x1b[31m", 0), `k\x1b[31m`},
		{"fenced cannot close the fence", fenced("x\n```rm -rf", 0), `x\n'''rm -rf`},
		{"textCell absent", textCell(""), Dash},
		{"textCell", textCell("jemalloc_5|x"), `jemalloc_5\|x`},
		{"numberCell exact", numberCell(Some(1234567.5)), "1234567.5"},
		{"numberCell absent", numberCell(None()), Dash},
		{"bytesCell", bytesCell(Some(1536)), "1.50K (1536)"},
		{"bytesCell absent", bytesCell(None()), Dash},
		{"TTLText none", TTLText(-1), "none"},
		{"TTLText", TTLText(90), Duration(90e9)},
		{"signed growth", signedBytes(2048), "+2.00K"},
		{"signed shrink", signedBytes(-2048), "-2.00K"},
		{"signed nothing", signedBytes(0), "±0B"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}

// A key with a pipe, a newline and a backtick reads the same in every table
// of the report: in the big-keys tables (inside a code span) and in the
// checklist (plain cell) alike, and never breaks a row.
func TestMarkdownKeyEscapedAlikeInEveryTable(t *testing.T) {
	const key = "k|1\nx`y"
	const want = "k\\|1\\nx'y"
	a := NewBigKeysAgg(BigKeysConfig{}, nil)
	a.Add(&KeyInfo{Key: key, Type: "hash", Encoding: "hashtable", Bytes: 5 << 20, Elements: 10, TTL: -1})
	first := a.Snapshot()
	b := NewBigKeysAgg(BigKeysConfig{}, first)
	b.Add(&KeyInfo{Key: key, Type: "hash", Encoding: "hashtable", Bytes: 6 << 20, Elements: 10, TTL: -1})
	st := ScanState{Progress: ScanProgress{Phase: ScanDone}, Result: b.Snapshot()}
	var md bytes.Buffer
	if err := st.Report().Markdown(&md); err != nil {
		t.Fatal(err)
	}
	var cl strings.Builder
	writeChecklistMarkdown(&cl, Checklist{{ID: CheckBigKeys, Status: StatusWarn, Title: "big key " + serverLabel(key), Evidence: []string{"db0 " + serverLabel(key)}}}, "###")

	for name, out := range map[string]string{"big keys": md.String(), "checklist": cl.String()} {
		rows := 0
		for _, line := range strings.Split(out, "\n") {
			if !strings.Contains(line, "k") || !strings.Contains(line, "1") || !strings.Contains(line, "y") {
				continue
			}
			if strings.HasPrefix(line, "|") && !strings.HasSuffix(line, "|") {
				t.Errorf("%s: a row broken by the key: %q", name, line)
			}
			if strings.Contains(line, want) {
				rows++
			}
		}
		if rows == 0 {
			t.Errorf("%s: the key is not written as %s:\n%s", name, want, out)
		}
	}
	if n := strings.Count(md.String(), want); n < 2 {
		t.Errorf("big keys: want the key in the top and growth tables, found %d times:\n%s", n, md.String())
	}
}
