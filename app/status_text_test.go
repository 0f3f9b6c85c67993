package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// fakeDemo stands in for a scenario runner: the keys' answers are all the
// test looks at.
type fakeDemo struct{ paused bool }

func (*fakeDemo) Next()               {}
func (f *fakeDemo) TogglePause() bool { f.paused = !f.paused; return f.paused }
func (*fakeDemo) Restart()            {}

type fakeScanCtl struct{ paused bool }

func (f *fakeScanCtl) TogglePause() bool { f.paused = !f.paused; return f.paused }
func (*fakeScanCtl) Restart()            {}

// TestActionStatusesWhole presses every key whose action answers on the
// status line (the demo's, the replay's speeds, the write actions without
// --allow-writes, the scan's) on the monitor at 120×40 and 80×24: each
// answer reads whole on its own line above the key hints, which stay.
func TestActionStatusesWhole(t *testing.T) {
	t.Parallel()
	// Each size has its own fakes: the subtests run in parallel.
	actions := func() []ui.Action {
		var acts []ui.Action
		acts = append(acts, DemoActions(&fakeDemo{})...)
		acts = append(acts, (&player{rec: &model.Recording{}, ctl: make(chan func(*playState), 64)}).actions()...)
		acts = append(acts, writeActionsOn(context.Background(), func() *redisx.Client { return &redisx.Client{} }, &WriteLog{}, time.Now)...)
		return append(acts, ui.ScanActions(&fakeScanCtl{})...)
	}
	// The demo's p and the scan's s answer twice (pause, then resume).
	base := actions()
	keys := make([]string, 0, len(base)+2)
	for _, a := range base {
		keys = append(keys, a.Key.Keys()[0])
	}
	keys = append(keys, "p", "s")
	for _, sz := range [][2]int{{80, 24}, {120, 40}} {
		t.Run(fmt.Sprintf("%dx%d", sz[0], sz[1]), func(t *testing.T) {
			t.Parallel()
			acts := actions()
			var seen []string
			probe := make([]ui.Action, len(acts))
			for i, a := range acts {
				do := a.Do
				a.Do = func() string { s := do(); seen = append(seen, s); return s }
				probe[i] = a
			}
			var m tea.Model = ui.New(ui.Options{Theme: "dark", Actions: probe, ExtraPanes: []ui.Pane{ui.NewBigKeysPane(), ui.NewChecklistPane()}})
			m, _ = m.Update(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
			answered := 0
			for _, k := range keys {
				n := len(seen)
				m, _ = m.Update(redistest.Key(k))
				if len(seen) == n {
					t.Fatalf("key %q ran no action", k)
				}
				s := seen[len(seen)-1]
				if s == "" {
					continue // pause / seek answer on the replay's own bar
				}
				answered++
				lines := strings.Split(ansi.Strip(m.View().Content), "\n")
				if len(lines) != sz[1] {
					t.Fatalf("the frame has %d lines", len(lines))
				}
				last := lines[len(lines)-1]
				if !strings.Contains(last, "? help") || !strings.Contains(last, "q quit") {
					t.Errorf("key %q: the key hints are gone: %q", k, last)
				}
				above := strings.Join(lines[len(lines)-3:len(lines)-1], " ")
				if !strings.Contains(strings.Join(strings.Fields(above), " "), strings.Join(strings.Fields(s), " ")) {
					t.Errorf("key %q: status %q not whole above the key hints:\n%s", k, s, strings.Join(lines[len(lines)-3:], "\n"))
				}
			}
			if answered < 10 {
				t.Errorf("only %d keys answered on the status line", answered)
			}
		})
	}
}
