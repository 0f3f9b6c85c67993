package themes_test

import (
	"image/color"
	"strings"
	"testing"

	"charm.land/lipgloss/v2"

	"github.com/redis-memtop/redis-memtop/themes"
)

func TestByName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		isDark bool
		want   string
	}{
		{"auto", true, themes.NameDark},
		{"", false, themes.NameLight},
		{"dark", false, themes.NameDark},
		{"light", true, themes.NameLight},
		{"High-Contrast", true, themes.NameHighContrast},
		{"mono", true, themes.NameMono},
	}
	for _, tc := range cases {
		p, err := themes.ByName(tc.name, tc.isDark)
		if err != nil || p.Name != tc.want {
			t.Errorf("ByName(%q, %v) = %q, %v; want %q", tc.name, tc.isDark, p.Name, err, tc.want)
		}
	}
	if _, err := themes.ByName("neon", true); err == nil || !strings.Contains(err.Error(), "neon") {
		t.Errorf("ByName(neon) error = %v", err)
	}
	if themes.Valid("neon") || !themes.Valid("auto") {
		t.Error("Valid disagrees with ByName")
	}
	// High contrast differs between backgrounds.
	if themes.HighContrast(true).Fg == themes.HighContrast(false).Fg {
		t.Error("high-contrast has the same foreground on dark and light")
	}
}

func TestSelectNoColor(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "auto"} {
		if p, _ := themes.Select(name, true, true); !p.Mono {
			t.Errorf("Select(%q, noColor) = %s, want mono", name, p.Name)
		}
	}
	// An explicit theme wins over NO_COLOR.
	if p, _ := themes.Select("dark", true, true); p.Name != themes.NameDark {
		t.Errorf("Select(dark, noColor) = %s", p.Name)
	}
	if p, _ := themes.Select("auto", true, false); p.Name != themes.NameDark {
		t.Errorf("Select(auto) = %s", p.Name)
	}
}

// Every token of every colour palette is set; mono has none.
func TestPalettesComplete(t *testing.T) {
	t.Parallel()
	for _, p := range []themes.Palette{themes.Dark(), themes.Light(), themes.HighContrast(true), themes.HighContrast(false)} {
		for i, c := range tokens(p) {
			if c == nil {
				t.Errorf("%s: token %d unset", p.Name, i)
			}
			if _, none := c.(lipgloss.NoColor); none {
				t.Errorf("%s: token %d has no colour", p.Name, i)
			}
		}
	}
	for i, c := range tokens(themes.Mono()) {
		if _, none := c.(lipgloss.NoColor); !none {
			t.Errorf("mono: token %d has a colour", i)
		}
	}
}

func tokens(p themes.Palette) []color.Color {
	return []color.Color{
		p.Fg, p.Muted, p.Accent, p.Border, p.BorderFocus, p.OK, p.Watch, p.Warn, p.Crit,
		p.Unknown, p.SeriesUsed, p.SeriesRSS, p.SeriesMax, p.Mark,
	}
}

func TestStyles(t *testing.T) {
	t.Parallel()
	dark := themes.NewStyles(themes.Dark())
	if out := dark.Crit.Render("x"); !strings.Contains(out, "38;2;") {
		t.Errorf("dark crit has no colour: %q", out)
	}
	if dark.GraphUsed == "" || dark.BorderSGR == "" {
		t.Error("dark graph/border SGR empty")
	}
	if dark.Pane.GetHorizontalFrameSize() != 2 || dark.Pane.GetVerticalFrameSize() != 2 {
		t.Error("pane frame is not a one-cell border")
	}

	mono := themes.NewStyles(themes.Mono())
	for name, out := range map[string]string{
		"ok": mono.OK.Render("x"), "crit": mono.Crit.Render("x"), "warn": mono.Warn.Render("x"),
		"used": mono.Used.Render("x"), "badge": mono.Badge.Render("x"),
	} {
		if strings.Contains(out, "38;") || strings.Contains(out, "48;") {
			t.Errorf("mono %s has a colour: %q", name, out)
		}
	}
	// Levels still differ without colour.
	seen := map[string]themes.Level{}
	for _, l := range []themes.Level{themes.LevelOK, themes.LevelWatch, themes.LevelWarn, themes.LevelCrit} {
		out := mono.ForLevel(l).Render("x")
		if prev, dup := seen[out]; dup {
			t.Errorf("mono renders %s like %s: %q", l, prev, out)
		}
		seen[out] = l
	}
	if mono.BorderSGR != "" || mono.GraphRSS != "" {
		t.Error("mono has border or series colours")
	}
}

func TestLevelString(t *testing.T) {
	t.Parallel()
	want := map[themes.Level]string{
		themes.LevelUnknown: "unknown", themes.LevelOK: "ok", themes.LevelWatch: "watch",
		themes.LevelWarn: "warn", themes.LevelCrit: "crit",
	}
	for l, s := range want {
		if l.String() != s {
			t.Errorf("%d.String() = %q, want %q", l, l.String(), s)
		}
	}
	if strings.Join(themes.Names(), ",") != "dark,light,high-contrast,mono" {
		t.Errorf("Names() = %v", themes.Names())
	}
}
