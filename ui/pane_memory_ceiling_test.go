package ui

import (
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/model"
)

// The graph follows maxmemory: the legend names the limit the header shows
// and the one before it, and the ceiling line follows the change.
func TestMemoryLegendFollowsMaxmemory(t *testing.T) {
	t.Parallel()
	run := func(limits func(i int) float64) string {
		sy := synth{n: 120, maxmemory: 256 * mb}
		samples := make([]model.Sample, 0, sy.n)
		for i := range sy.n {
			s := sy.sample(i)
			s.Memory.MaxMemory = model.Some(limits(i))
			samples = append(samples, s)
		}
		d := dataOf(samples...)
		return renderPane(t, newMemoryPane(), d, 120, 16) + "\n" + renderPane(t, newHeaderPane(), d, 200, 3)
	}
	cases := []struct {
		name   string
		limits func(i int) float64
		want   []string
		not    []string
	}{
		{"constant, on scale", func(int) float64 { return 256 * mb }, []string{"┄ maxmemory", "maxmemory 256.00M"}, []string{"was", "off scale"}},
		{"constant, off scale", func(int) float64 { return 4 * (1024 * mb) }, []string{"maxmemory 4.00G (off scale)"}, []string{"┄", "was"}},
		// CONFIG SET maxmemory 200mb after 1gb: the legend used to keep
		// "maxmemory 1.00G (off scale)".
		{"lowered onto the scale", func(i int) float64 {
			if i < 60 {
				return (1024 * mb)
			}
			return 200 * mb
		}, []string{"┄ maxmemory 200.00M (was 1.00G)", "maxmemory 200.00M"}, []string{"1.00G (off scale)"}},
		{"raised off the scale", func(i int) float64 {
			if i < 60 {
				return 200 * mb
			}
			return 4 * (1024 * mb)
		}, []string{"maxmemory 4.00G (off scale, was 200.00M)", "┄┄"}, nil},
		{"removed", func(i int) float64 {
			if i < 60 {
				return 200 * mb
			}
			return 0
		}, []string{"maxmemory none now (was 200.00M)", "no limit"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := run(tc.limits)
			if testing.Verbose() {
				t.Log("\n" + out)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("has %q:\n%s", w, out)
				}
			}
		})
	}
}
