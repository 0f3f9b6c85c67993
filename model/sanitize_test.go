package model_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
)

func TestSanitize(t *testing.T) {
	t.Parallel()
	const abc, jp = "abcdef", "日本語"
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"plain", "user:1000", 0, "user:1000"},
		{"empty", "", 5, ""},
		{"fits exactly", "abcde", 5, "abcde"},
		{"cut ascii", abc, 5, "abcd…"},
		{"cut to one", abc, 1, "…"},
		{"negative max means no cut", abc, -3, abc},
		{"esc", "a\x1bb", 0, `a\x1bb`},
		{"osc title", "\x1b]0;owned\x07", 0, `\x1b]0;owned\x07`},
		{"csi clear", "\x1b[2J", 0, `\x1b[2J`},
		{"newline tab cr", "a\nb\tc\rd", 0, `a\nb\tc\rd`},
		{"backspace and del", "x\x08\x7f", 0, `x\x08\x7f`},
		{"nul", "\x00", 0, `\x00`},
		{"c1 csi as rune", "a\u009b2J", 0, `a\u009b2J`},
		{"c1 raw byte is invalid utf8", "a\x9b2J", 0, `a\x9b2J`},
		{"invalid utf8", "ok\xff\xfe", 0, `ok\xff\xfe`},
		{"truncated utf8", "\xe2\x82", 0, `\xe2\x82`},
		{"bidi override", "abc\u202edef", 0, `abc\u202edef`},
		{"bidi isolate", "\u2066x\u2069", 0, `\u2066x\u2069`},
		{"zero width space", "a\u200bb", 0, `a\u200bb`},
		{"zwj", "a\u200db", 0, `a\u200db`},
		{"bom", "\ufeffkey", 0, `\ufeffkey`},
		{"line separator", "a\u2028b", 0, `a\u2028b`},
		{"tag char", "a\U000E0041", 0, `a\U000e0041`},
		{"backslash kept", `a\b`, 0, `a\b`},
		{"wide runes count 2", jp, 0, jp},
		{"wide cut", jp, 5, "日本…"},
		{"wide cut odd", jp, 4, "日…"},
		{"wide cut no half rune", "a日本", 4, "a日…"},
		{"combining kept whole", "e\u0301e\u0301e\u0301", 2, "e\u0301…"},
		{"escape not split", "ab\x1bcd", 5, "ab…"},
		{"escape fits", "ab\x1b", 6, `ab\x1b`},
		{"emoji", "🔥hot", 0, "🔥hot"},
		{"replacement char kept", "a\ufffdb", 0, "a\ufffdb"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := model.Sanitize(tc.in, tc.max)
			if got != tc.want {
				t.Fatalf("Sanitize(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
			if tc.max > 0 && ansi.StringWidth(got) > tc.max {
				t.Fatalf("width %d > %d", ansi.StringWidth(got), tc.max)
			}
		})
	}
}

func TestSanitizeMultiline(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"keeps newlines", "line one\nline two", 0, "line one\nline two"},
		{"crlf", "a\r\nb\r\n", 0, "a\nb\n"},
		{"lone cr escaped", "a\rb", 0, `a\rb`},
		{"escapes in lines", "Sam, I have \x1b[31mred\nok", 0, "Sam, I have \\x1b[31mred\nok"},
		{"tabs expand", "a\tb", 0, "a       b"},
		{"tabs after escape", "\x1b\tb", 0, `\x1b` + "    b"},
		{"each line cut", "abcdef\nxy", 4, "abc…\nxy"},
		{"tab line cut", "a\tbbbbbbbbbb", 10, "a       b…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := model.SanitizeMultiline(tc.in, tc.max); got != tc.want {
				t.Fatalf("SanitizeMultiline(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
			}
		})
	}
}

// checkSafe asserts the properties every sanitized string must have.
func checkSafe(t *testing.T, in, out string, maxWidth int, multiline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("Sanitize(%q) = %q: invalid UTF-8", in, out)
	}
	for i, r := range out {
		if r == '\n' && multiline {
			continue
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			t.Fatalf("Sanitize(%q) = %q: control %U at %d", in, out, r, i)
		}
		if model.NeedsEscape(r) {
			t.Fatalf("Sanitize(%q) = %q: unescaped %U at %d", in, out, r, i)
		}
	}
	if maxWidth > 0 {
		for _, line := range strings.Split(out, "\n") {
			if w := ansi.StringWidth(line); w > maxWidth {
				t.Fatalf("Sanitize(%q, %d) = %q: width %d", in, maxWidth, out, w)
			}
		}
	}
}

func FuzzSanitize(f *testing.F) {
	seeds := []string{
		"", "plain", "\x1b]0;owned\x07", "\x1b[2J", "\xff\xfe", "日本語テキスト", "e\u0301",
		"\u202eevil", "a\u200db", "🔥🔥🔥", "\t\r\n", "\u009b31m", "☺\ufe0f", "🇫🇷🇩🇪", "\x1b\ufe0f",
		"ab\x1b\u0301", "\U000E0041",
	}
	for _, s := range seeds {
		f.Add(s, 5)
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, maxWidth int) {
		maxWidth %= 64
		if maxWidth < 0 {
			maxWidth = -maxWidth
		}
		out := model.Sanitize(s, maxWidth)
		checkSafe(t, s, out, maxWidth, false)
		if again := model.Sanitize(out, maxWidth); again != out {
			t.Fatalf("not idempotent: %q → %q → %q", s, out, again)
		}
		checkSafe(t, s, model.SanitizeMultiline(s, maxWidth), maxWidth, true)
	})
}

func BenchmarkSanitize(b *testing.B) {
	plain := "user:session:8f3a9c1d2e"
	hostile := "user:\x1b]0;owned\x07:\u202e日本語\xff" + strings.Repeat("x", 200)
	b.Run("plain", func(b *testing.B) {
		for b.Loop() {
			_ = model.Sanitize(plain, 40)
		}
	})
	b.Run("hostile", func(b *testing.B) {
		for b.Loop() {
			_ = model.Sanitize(hostile, 40)
		}
	})
}
