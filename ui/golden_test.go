package ui

import (
	"fmt"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// scenario is a named synthetic history for golden frames.
type scenario struct {
	name    string
	samples []model.Sample
}

func scenarios() []scenario {
	many := synth{n: 600, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}
	midSave := many.samples()[:int(0.45*float64(many.n))] // cut while the BGSAVE runs
	return []scenario{
		{"empty", nil},
		{"one", synth{n: 600, maxmemory: 256 * mb}.samples()[:1]},
		{"many", many.samples()},
		{"bgsave", midSave},
		{"flat", synth{n: 300, maxmemory: 256 * mb, flat: true}.samples()},
		{"nolimit", synth{n: 600, bgsave: true, gap: true, restart: true}.samples()},
	}
}

// TestGolden renders whole frames at the three reference sizes. The goldens
// hold the text without colour (ansi.Strip) so they read in review;
// TestGoldenANSI keeps the colours of two of them.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, sc := range scenarios() {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], sc.name), func(t *testing.T) {
				t.Parallel()
				m := sized(t, sz[0], sz[1], Options{}, sc.samples)
				frame := m.View().Content
				checkFrame(t, frame, sz[0], sz[1])
				golden.RequireEqual(t, ansi.Strip(frame))
			})
		}
	}
}

func TestGoldenANSI(t *testing.T) {
	t.Parallel()
	many := synth{n: 600, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()
	for _, theme := range []string{themes.NameDark, themes.NameMono} {
		t.Run(theme, func(t *testing.T) {
			t.Parallel()
			m := sized(t, 120, 40, Options{Theme: theme}, many)
			frame := m.View().Content
			checkFrame(t, frame, 120, 40)
			golden.RequireEqual(t, frame)
		})
	}
}
