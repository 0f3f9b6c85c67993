package demo

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/ui"
)

// requireCaptionsWhole renders each caption a scenario sent (with the
// figures its run produced) on the monitor at 120×40 and 80×24: each reads
// whole in the header, above the first pane.
func requireCaptionsWhole(t *testing.T, caps []model.Caption) {
	t.Helper()
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		var m tea.Model = ui.New(ui.Options{Theme: "dark", ExtraPanes: []ui.Pane{ui.NewChecklistPane()}})
		m, _ = m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		for _, c := range caps {
			m, _ = m.Update(model.Update{Caption: &c})
			var head []string
			for _, l := range strings.Split(ansi.Strip(m.(interface{ View() tea.View }).View().Content), "\n") {
				if strings.HasPrefix(l, "╭") {
					break
				}
				head = append(head, l)
			}
			if !strings.Contains(strings.Join(strings.Fields(strings.Join(head, " ")), " "), strings.Join(strings.Fields(c.Text), " ")) {
				t.Errorf("%dx%d: caption not whole in the header:\n%s\n%s", sz[0], sz[1], c.Text, strings.Join(head, "\n"))
			}
		}
	}
}
