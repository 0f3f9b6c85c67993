// Package themes turns a palette of semantic colours into the one Styles
// struct the UI draws with. Nothing here is a package-level style: a Styles
// value is built by NewStyles and passed down.
package themes

import (
	"fmt"
	"image/color"
	"strings"

	"charm.land/lipgloss/v2"
)

// Palette is a theme as data: semantic colour tokens, never a background (the
// terminal's own background shows through). A Mono palette has no colours at
// all and distinguishes levels with bold, underline and reverse.
type Palette struct {
	Name string
	Mono bool

	Fg          color.Color // body text
	Muted       color.Color // labels, hints, absent figures
	Accent      color.Color // titles, keys in help
	Border      color.Color // pane borders
	BorderFocus color.Color // the focused pane's border
	OK          color.Color // healthy
	Watch       color.Color // worth a look (≥ 75 %, frag 1.3–1.5)
	Warn        color.Color // serious (≥ 85 %, frag 1.5–2.0)
	Crit        color.Color // critical (OOM, frag > 2.0, failed save)
	Unknown     color.Color // a check or figure that cannot be known
	SeriesUsed  color.Color // used_memory in the graph
	SeriesRSS   color.Color // used_memory_rss in the graph
	SeriesMax   color.Color // the maxmemory ceiling
	Mark        color.Color // fork / restart / gap marks under the graph
}

// Theme names accepted by ByName.
const (
	NameAuto          = "auto"
	NameDark          = "dark"
	NameLight         = "light"
	NameHighContrast  = "high-contrast"
	NameMono          = "mono"
	defaultThemeError = "themes: unknown theme %q (want auto, dark, light, high-contrast or mono)"
)

// Names lists the concrete themes in the order the `t` key cycles them.
func Names() []string {
	return []string{NameDark, NameLight, NameHighContrast, NameMono}
}

// Dark is for dark terminal backgrounds.
func Dark() Palette {
	c := lipgloss.Color
	return Palette{
		Name:        NameDark,
		Fg:          c("#D0D0D0"),
		Muted:       c("#808080"),
		Accent:      c("#5FAFFF"),
		Border:      c("#4E4E4E"),
		BorderFocus: c("#5FAFFF"),
		OK:          c("#5FD787"),
		Watch:       c("#D7D75F"),
		Warn:        c("#FFAF5F"),
		Crit:        c("#FF5F5F"),
		Unknown:     c("#9E9E9E"),
		SeriesUsed:  c("#5FAFFF"),
		SeriesRSS:   c("#D787D7"),
		SeriesMax:   c("#FF5F5F"),
		Mark:        c("#FFD75F"),
	}
}

// Light is for light terminal backgrounds.
func Light() Palette {
	c := lipgloss.Color
	return Palette{
		Name:        NameLight,
		Fg:          c("#262626"),
		Muted:       c("#6C6C6C"),
		Accent:      c("#005FAF"),
		Border:      c("#A8A8A8"),
		BorderFocus: c("#005FAF"),
		OK:          c("#00875F"),
		Watch:       c("#875F00"),
		Warn:        c("#AF5F00"),
		Crit:        c("#D70000"),
		Unknown:     c("#767676"),
		SeriesUsed:  c("#005FD7"),
		SeriesRSS:   c("#AF00AF"),
		SeriesMax:   c("#D70000"),
		Mark:        c("#AF5F00"),
	}
}

// HighContrast uses saturated colours and a bright (or black) foreground;
// isDark picks the variant for the terminal's background.
func HighContrast(isDark bool) Palette {
	c := lipgloss.Color
	if !isDark {
		return Palette{
			Name:        NameHighContrast,
			Fg:          c("#000000"),
			Muted:       c("#303030"),
			Accent:      c("#0000D7"),
			Border:      c("#000000"),
			BorderFocus: c("#0000FF"),
			OK:          c("#005F00"),
			Watch:       c("#5F5F00"),
			Warn:        c("#AF3F00"),
			Crit:        c("#D70000"),
			Unknown:     c("#000000"),
			SeriesUsed:  c("#0000D7"),
			SeriesRSS:   c("#AF00AF"),
			SeriesMax:   c("#D70000"),
			Mark:        c("#000000"),
		}
	}
	return Palette{
		Name:        NameHighContrast,
		Fg:          c("#FFFFFF"),
		Muted:       c("#D0D0D0"),
		Accent:      c("#00FFFF"),
		Border:      c("#FFFFFF"),
		BorderFocus: c("#FFFF00"),
		OK:          c("#00FF00"),
		Watch:       c("#FFFF00"),
		Warn:        c("#FF8700"),
		Crit:        c("#FF0000"),
		Unknown:     c("#FFFFFF"),
		SeriesUsed:  c("#00FFFF"),
		SeriesRSS:   c("#FF00FF"),
		SeriesMax:   c("#FF0000"),
		Mark:        c("#FFFF00"),
	}
}

// Mono has no colour: every token is NoColor, and NewStyles marks levels with
// bold, underline and reverse instead.
func Mono() Palette {
	n := lipgloss.NoColor{}
	return Palette{
		Name: NameMono, Mono: true,
		Fg: n, Muted: n, Accent: n, Border: n, BorderFocus: n,
		OK: n, Watch: n, Warn: n, Crit: n, Unknown: n,
		SeriesUsed: n, SeriesRSS: n, SeriesMax: n, Mark: n,
	}
}

// ByName returns the palette for a --theme value; auto (or "") picks dark or
// light from isDark.
func ByName(name string, isDark bool) (Palette, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", NameAuto:
		if isDark {
			return Dark(), nil
		}
		return Light(), nil
	case NameDark:
		return Dark(), nil
	case NameLight:
		return Light(), nil
	case NameHighContrast, "highcontrast", "hc":
		return HighContrast(isDark), nil
	case NameMono, "none", "no-color":
		return Mono(), nil
	}
	return Palette{}, fmt.Errorf(defaultThemeError, name)
}

// Select is ByName with NO_COLOR honoured: when noColor is set (the caller
// read NO_COLOR from the environment) and the user did not ask for a theme
// explicitly (auto or empty), the result is Mono. An explicit --theme wins,
// as no-color.org asks of command-line flags.
func Select(name string, isDark, noColor bool) (Palette, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if noColor && (n == "" || n == NameAuto) {
		return Mono(), nil
	}
	return ByName(name, isDark)
}

// Valid reports whether name is accepted by ByName.
func Valid(name string) bool {
	_, err := ByName(name, true)
	return err == nil
}
