package ui

import (
	"fmt"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/themes"
)

// BenchmarkView renders a whole frame from a full 15-minute history at 1 s
// (900 samples).
func BenchmarkView(b *testing.B) {
	samples := synth{n: 900, maxmemory: 256 * mb, bgsave: true, gap: true, restart: true}.samples()
	for _, sz := range [][2]int{{120, 40}, {200, 60}} {
		b.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(b *testing.B) {
			m := New(Options{Theme: themes.NameDark, Target: testTarget, History: 15 * time.Minute, Window: 15 * time.Minute})
			nm, _ := m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			m = nm.(Model)
			for i := range samples {
				nm, _ = m.Update(samples[i])
				m = nm.(Model)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}
