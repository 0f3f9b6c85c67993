package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// TestMemoryGraphMarksFailover: a Sentinel failover event puts an F under
// the graph, where the same run without it has none.
func TestMemoryGraphMarksFailover(t *testing.T) {
	t.Parallel()
	st := themes.NewStyles(themes.Dark())
	samples := synth{n: 120}.samples()
	countF := func(m Model) int {
		out := ansi.Strip(newMemoryPane().Render(m.Live(), st, 120, 16, false))
		n := 0
		for _, line := range strings.Split(out, "\n") {
			// The marker row holds only marks and spaces inside the border.
			inner := strings.Trim(line, "│ ")
			if inner != "" && strings.Trim(inner, "F×━R") == "" {
				n += strings.Count(inner, "F")
			}
		}
		return n
	}
	plain := feed(t, New(Options{}), samples)
	if got := countF(plain); got != 0 {
		t.Fatalf("%d F marks without a failover", got)
	}
	ev := model.Event{Kind: model.EventFailover, Time: t0.Add(60 * time.Second), Detail: "127.0.0.1:1 → 127.0.0.1:2"}
	failed := feed(t, New(Options{}), samples)
	failed = step(t, failed, model.Update{Event: &ev})
	if got := countF(failed); got != 1 {
		t.Fatalf("%d F marks with one failover, want 1", got)
	}
}
