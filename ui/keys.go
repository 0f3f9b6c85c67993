package ui

import "charm.land/bubbles/v2/key"

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
