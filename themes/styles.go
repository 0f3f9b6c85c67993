package themes

import (
	"image/color"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Level is a health level, shared by gauges, checks and the verdict.
type Level int

// Health levels, from good to bad; Unknown means the figure is missing.
const (
	LevelUnknown Level = iota
	LevelOK
	LevelWatch
	LevelWarn
	LevelCrit
)

// String names the level as the checklist shows it.
func (l Level) String() string {
	switch l {
	case LevelOK:
		return "ok"
	case LevelWatch:
		return "watch"
	case LevelWarn:
		return "warn"
	case LevelCrit:
		return "crit"
	default:
		return "unknown"
	}
}

// Styles is every style the UI draws with, built from one Palette by
// NewStyles. Panes receive it as an argument; nothing is global.
type Styles struct {
	Palette Palette

	// Pane boxes. Width/Height in lipgloss v2 include the border, so the
	// inner size is w - Pane.GetHorizontalFrameSize().
	Pane        lipgloss.Style
	PaneFocused lipgloss.Style
	Title       lipgloss.Style // pane title in an unfocused border
	TitleFocus  lipgloss.Style // pane title in the focused border

	Text   lipgloss.Style
	Muted  lipgloss.Style
	Accent lipgloss.Style
	Label  lipgloss.Style // "used", "RSS" …
	Value  lipgloss.Style // the figure beside a label

	OK      lipgloss.Style
	Watch   lipgloss.Style
	Warn    lipgloss.Style
	Crit    lipgloss.Style
	Unknown lipgloss.Style

	Used lipgloss.Style // text in the used_memory series colour (legend)
	RSS  lipgloss.Style // text in the RSS series colour
	Max  lipgloss.Style // the maxmemory ceiling colour
	Mark lipgloss.Style // fork / restart / gap marks

	Badge   lipgloss.Style // FROZEN / REC / REPLAY
	Caption lipgloss.Style // the demo caption line
	Error   lipgloss.Style // a one-line error in the status area

	GaugeFill  lipgloss.Style
	GaugeEmpty lipgloss.Style

	HelpBox   lipgloss.Style
	HelpGroup lipgloss.Style
	HelpKey   lipgloss.Style
	HelpDesc  lipgloss.Style

	// SGR prefixes the graph pane splices into asciigraph's output (which
	// can only emit 256-colour codes of its own). Each is followed by
	// ansi.ResetStyle where the series ends.
	GraphUsed  string
	GraphRSS   string
	GraphMax   string
	GraphAxis  string
	GraphLabel string

	// BorderSGR and BorderFocusSGR colour pane borders drawn by hand (the
	// titled top edge), without a lipgloss Render per piece.
	BorderSGR      string
	BorderFocusSGR string
}

// NewStyles builds the Styles for a palette.
func NewStyles(p Palette) *Styles {
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := &Styles{Palette: p}

	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.Border)
	s.PaneFocused = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.BorderFocus)
	s.Title = fg(p.Muted).Bold(true)
	s.TitleFocus = fg(p.BorderFocus).Bold(true)

	s.Text = fg(p.Fg)
	s.Muted = fg(p.Muted)
	s.Accent = fg(p.Accent)
	s.Label = fg(p.Muted)
	s.Value = fg(p.Fg).Bold(true)

	s.OK = fg(p.OK)
	s.Watch = fg(p.Watch)
	s.Warn = fg(p.Warn).Bold(true)
	s.Crit = fg(p.Crit).Bold(true)
	s.Unknown = fg(p.Unknown).Italic(true)

	s.Used = fg(p.SeriesUsed)
	s.RSS = fg(p.SeriesRSS)
	s.Max = fg(p.SeriesMax)
	s.Mark = fg(p.Mark).Bold(true)

	s.Badge = fg(p.Crit).Bold(true).Reverse(true)
	s.Caption = fg(p.Accent).Italic(true)
	s.Error = fg(p.Crit)

	s.GaugeFill = fg(p.Accent)
	s.GaugeEmpty = fg(p.Border)

	s.HelpBox = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(p.BorderFocus).Padding(0, 1)
	s.HelpGroup = fg(p.Accent).Bold(true)
	s.HelpKey = fg(p.Accent)
	s.HelpDesc = fg(p.Fg)

	s.GraphUsed = sgr(p.SeriesUsed)
	s.GraphRSS = sgr(p.SeriesRSS)
	s.GraphMax = sgr(p.SeriesMax)
	s.GraphAxis = sgr(p.Border)
	s.GraphLabel = sgr(p.Muted)
	s.BorderSGR = sgr(p.Border)
	s.BorderFocusSGR = sgr(p.BorderFocus)

	if p.Mono {
		// No colour: levels and series differ by attribute alone.
		plain := lipgloss.NewStyle()
		s.Title = plain
		s.TitleFocus = plain.Bold(true).Reverse(true)
		s.Text, s.Muted, s.Accent, s.Label = plain, plain, plain.Bold(true), plain
		s.Value = plain.Bold(true)
		s.OK = plain
		s.Watch = plain.Underline(true)
		s.Warn = plain.Bold(true).Underline(true)
		s.Crit = plain.Bold(true).Reverse(true)
		s.Unknown = plain
		s.Used, s.RSS, s.Max, s.Mark = plain.Bold(true), plain, plain.Underline(true), plain.Bold(true)
		s.Badge = plain.Bold(true).Reverse(true)
		s.Caption = plain.Underline(true)
		s.Error = plain.Bold(true)
		s.GaugeFill = plain.Reverse(true)
		s.GaugeEmpty = plain
		s.HelpGroup, s.HelpKey, s.HelpDesc = plain.Bold(true).Underline(true), plain.Bold(true), plain
		s.GraphUsed = ansi.NewStyle().Bold().String()
		s.GraphRSS = ""
		s.GraphMax = ""
		s.GraphAxis = ""
		s.GraphLabel = ""
	}
	return s
}

// ForLevel returns the style of a health level.
func (s *Styles) ForLevel(l Level) lipgloss.Style {
	switch l {
	case LevelOK:
		return s.OK
	case LevelWatch:
		return s.Watch
	case LevelWarn:
		return s.Warn
	case LevelCrit:
		return s.Crit
	default:
		return s.Unknown
	}
}

// PaneFrame returns the box style of a pane, focused or not.
func (s *Styles) PaneFrame(focused bool) lipgloss.Style {
	if focused {
		return s.PaneFocused
	}
	return s.Pane
}

// sgr is the SGR sequence that sets c as the foreground ("" for no colour).
func sgr(c color.Color) string {
	if c == nil {
		return ""
	}
	if _, ok := c.(lipgloss.NoColor); ok {
		return ""
	}
	return ansi.NewStyle().ForegroundColor(c).String()
}
