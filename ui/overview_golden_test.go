package ui

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// overviewGoldenModel is a cluster of 6 nodes (3 masters, one replica each,
// the first master twice the others) after 30 polls, with a slot in
// migration and a merged big-key scan: every section of the overview has
// something to show, and nothing depends on the clock.
func overviewGoldenModel(t *testing.T, w, h int) Multi {
	t.Helper()
	spec := clusterSpec{masters: 3, replicas: 1, skew: 2}
	views := make([]model.ClusterView, 0, 30)
	for i := range 30 {
		spec.tick = i
		v := spec.view()
		v.Nodes[0].Migrating = []model.SlotMove{{Slot: 42, Peer: v.Nodes[2].ID}}
		v.Nodes[2].Importing = []model.SlotMove{{Slot: 42, Peer: v.Nodes[0].ID}}
		views = append(views, v)
	}
	m := multiSized(t, w, h, MultiOptions{Scan: true}, views...)
	up := bkClusterState("10.0.0.1:7000", "10.0.0.2:7000", "10.0.0.3:7000").Update()
	m, _ = multiStep(t, m, MultiUpdate{Update: &model.Update{Scan: &up}})
	return m
}

// TestOverviewGolden renders the cluster overview at the three reference
// sizes: the nodes table focused, the checks with the worst one open, the
// big keys focused, and the ? help scrolled a line (it scrolls at 80×24).
func TestOverviewGolden(t *testing.T) {
	t.Parallel()
	states := []struct {
		name string
		keys []string
	}{
		{"nodes", nil},
		{"checks", []string{"tab", "enter"}},
		{"bigkeys", []string{"tab", "tab"}},
		{"help", []string{"?", "down"}},
	}
	for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		for _, s := range states {
			t.Run(fmt.Sprintf("%dx%d/%s", sz[0], sz[1], s.name), func(t *testing.T) {
				t.Parallel()
				m := overviewGoldenModel(t, sz[0], sz[1])
				for _, k := range s.keys {
					m, _ = multiStep(t, m, redistest.Key(k))
				}
				frame := m.View().Content
				checkFrame(t, frame, sz[0], sz[1])
				if f := ansi.Strip(frame); !strings.Contains(f, "10.0.0.1:7000") {
					t.Fatalf("the overview does not name the first master:\n%s", f)
				}
				golden.RequireEqual(t, ansi.Strip(frame))
			})
		}
	}
}
