package ui

import (
	"fmt"
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// The overview's sections are panes like the single-server ones (the big
// keys is the very same pane): one layout engine places them and one loop
// draws them. The header, the nodes table and the checks render from the
// overview that makes them (Multi.panes), which keeps their state: the
// selection, the sort, the open check.

// The overview's own panes.
const (
	paneNodes PaneID = PaneChecklist + 1 + iota
	paneChecks
)

// minSectionLines is the fewest inner lines an overview pane is drawn
// framed with; with less room it is its summary line.
const minSectionLines = 2

// panes are the overview's panes in screen order: the header, then one per
// section (pane i+1 is section i).
func (m *Multi) panes() []Pane {
	ps := []Pane{overviewHeader{m}, nodesPane{overviewPane{m}}, checksPane{overviewPane{m}}}
	if m.bk != nil {
		ps = append(ps, m.bk)
	}
	return ps
}

// overviewPane is what the overview's own panes share: the overview they
// act on (it keeps their state, so a pane made for one frame or one key
// loses nothing), and the framed minimum.
type overviewPane struct{ m *Multi }

func (overviewPane) MinHeight() int { return minSectionLines + 2 } // and the border

// overviewHeader is the title line, the totals and (on taller screens) the
// imbalance and migrations line.
type overviewHeader overviewPane

func (overviewHeader) ID() PaneID                                       { return PaneHeader }
func (overviewHeader) Title() string                                    { return "Status" }
func (overviewHeader) KeyBindings() []key.Binding                       { return nil }
func (overviewHeader) HandleKey(tea.KeyPressMsg, *Data) (bool, tea.Cmd) { return false, nil }
func (overviewHeader) MinHeight() int                                   { return 1 }

func (p overviewHeader) Render(_ *Data, st *themes.Styles, w, h int, _ bool) string {
	return p.m.headerView(st, w, h)
}

// nodesPane is the nodes table.
type nodesPane struct{ overviewPane }

func (nodesPane) ID() PaneID    { return paneNodes }
func (nodesPane) Title() string { return "Nodes" }
func (p nodesPane) KeyBindings() []key.Binding {
	k := p.m.mkeys
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Sort}
}

func (p nodesPane) HandleKey(msg tea.KeyPressMsg, _ *Data) (bool, tea.Cmd) {
	return p.m.nodesKey(msg), nil
}

func (p nodesPane) Render(_ *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	body, title := p.m.nodesBody(st, iw, ih, focused)
	return Frame(st, title, body, w, h, focused)
}

func (p nodesPane) Summary(_ *Data, st *themes.Styles, w int) string {
	m := p.m
	line := st.Title.Render("Nodes") + st.Muted.Render(fmt.Sprintf(" · %d", m.nodeCount()))
	if n := m.selectedNode(); n != nil {
		line += st.Muted.Render(" · selected ") + model.Sanitize(n.Addr, 30)
	}
	return cut(line+st.Muted.Render(" · tab to focus"), w)
}

// checksPane is the cluster (or fleet) checks, worst first; enter opens
// the selected one.
type checksPane struct{ overviewPane }

func (checksPane) ID() PaneID      { return paneChecks }
func (p checksPane) Title() string { return p.m.checksTitle() }
func (p checksPane) KeyBindings() []key.Binding {
	k := p.m.mkeys
	return []key.Binding{
		relabel(k.Up, "previous check / scroll"),
		relabel(k.Down, "next check / scroll"),
		relabel(k.Open, "why: evidence, advice and commands"),
		relabel(p.m.keys.Back, "back to the list"),
	}
}

func (p checksPane) HandleKey(msg tea.KeyPressMsg, _ *Data) (bool, tea.Cmd) {
	return p.m.checksKey(msg), nil
}

func (p checksPane) Render(_ *Data, st *themes.Styles, w, h int, focused bool) string {
	iw, ih := InnerSize(st, w, h)
	return Frame(st, p.Title(), p.m.checksBody(st, iw, ih), w, h, focused)
}

func (p checksPane) Summary(_ *Data, st *themes.Styles, w int) string {
	line := st.Title.Render("Checks")
	for _, s := range []model.Status{model.StatusCrit, model.StatusWarn, model.StatusWatch, model.StatusUnknown, model.StatusOK} {
		if n := p.m.checks.Count(s); n > 0 {
			line += st.Muted.Render(" · ") + st.ForLevel(statusLevel(s)).Render(strconv.Itoa(n)+" "+string(s))
		}
	}
	return cut(line, w)
}
