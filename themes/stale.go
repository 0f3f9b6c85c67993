package themes

import (
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// Stale returns a copy of the styles for figures that are no longer live
// (the server stopped answering): every figure, level and series is drawn
// faint, so the last values stay readable but do not pass for current. The
// borders, titles and marks keep their look, so the layout does not change.
func (s *Styles) Stale() *Styles {
	c := *s
	for _, st := range []*lipgloss.Style{
		&c.Text, &c.Value, &c.Accent, &c.OK, &c.Watch, &c.Warn, &c.Crit, &c.Unknown,
		&c.Used, &c.RSS, &c.Max, &c.GaugeFill, &c.Label, &c.Muted,
	} {
		*st = st.Faint(true)
	}
	faint := ansi.NewStyle().Faint().String()
	for _, g := range []*string{&c.GraphUsed, &c.GraphRSS, &c.GraphMax, &c.GraphLabel} {
		*g = faint + *g
	}
	return &c
}
