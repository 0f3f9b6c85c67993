package ui

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// KeyMap holds the root's key bindings; panes bring their own through
// Pane.KeyBindings. Build it with DefaultKeyMap and change bindings there.
type KeyMap struct {
	Quit      key.Binding
	Help      key.Binding
	Next      key.Binding
	Prev      key.Binding
	Expand    key.Binding
	Back      key.Binding
	Freeze    key.Binding
	ZoomIn    key.Binding
	ZoomOut   key.Binding
	ZoomReset key.Binding
	Theme     key.Binding
	Export    key.Binding
}

// DefaultKeyMap returns the keys of DESIGN.md "The screen".
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Quit:      key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane")),
		Expand:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "expand pane")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Freeze:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "freeze display")),
		ZoomIn:    key.NewBinding(key.WithKeys("+"), key.WithHelp("+", "zoom in (shorter window)")),
		ZoomOut:   key.NewBinding(key.WithKeys("-"), key.WithHelp("-", "zoom out (longer window)")),
		ZoomReset: key.NewBinding(key.WithKeys("="), key.WithHelp("=", "reset zoom")),
		Theme:     key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "next theme")),
		Export:    key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "export the incident report")),
	}
}

// Bindings lists the root bindings in help order.
func (k KeyMap) Bindings() []key.Binding {
	return []key.Binding{
		k.Help, k.Next, k.Prev, k.Expand, k.Back, k.Freeze,
		k.ZoomIn, k.ZoomOut, k.ZoomReset, k.Theme, k.Export, k.Quit,
	}
}

// ListKeyMap are the keys of every list and scrolling view (the big keys,
// the checklist, the overview's nodes and checks, the ? overlay): declared
// once here, so the same action has the same key everywhere. A view names
// what its rows are with relabel.
type ListKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom, Open key.Binding
}

// DefaultListKeyMap returns the list keys: ↑/↓ (k/j), pgup/pgdown,
// home/end, enter.
func DefaultListKeyMap() ListKeyMap {
	return ListKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous row")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next row")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdown", "page down")),
		Top:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first row")),
		Bottom:   key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last row")),
		Open:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
	}
}

// withVimEnds adds g and G to home and end, for the lists where g is not
// already a pane's own key (the overview's nodes table, the ? overlay).
func (l ListKeyMap) withVimEnds() ListKeyMap {
	l.Top = key.NewBinding(key.WithKeys(slices.Concat(l.Top.Keys(), []string{"g"})...), key.WithHelp(l.Top.Help().Key+"/g", l.Top.Help().Desc))
	l.Bottom = key.NewBinding(key.WithKeys(slices.Concat(l.Bottom.Keys(), []string{"G"})...), key.WithHelp(l.Bottom.Help().Key+"/G", l.Bottom.Help().Desc))
	return l
}

// named returns the list keys with their help saying what the rows are
// ("" keeps a description).
func (l ListKeyMap) named(up, down, top, bottom, open string) ListKeyMap {
	l.Up = relabel(l.Up, up)
	l.Down = relabel(l.Down, down)
	l.Top = relabel(l.Top, top)
	l.Bottom = relabel(l.Bottom, bottom)
	l.Open = relabel(l.Open, open)
	return l
}

// relabel returns b with its help saying desc ("" keeps it).
func relabel(b key.Binding, desc string) key.Binding {
	if desc != "" {
		b.SetHelp(b.Help().Key, desc)
	}
	return b
}
