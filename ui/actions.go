package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
)

// Action is a global key the caller adds: the demo's n / p / r, the scan's
// s, replay's controls. Do runs on the UI goroutine, so it must not block or
// do I/O (set a flag, signal a worker); the line it returns, if any, is shown
// in the status bar.
type Action struct {
	Group string // the help overlay's heading for it ("Demo", "Scan", …)
	Key   key.Binding
	Do    func() string
	// Confirm, when set, makes the key open the typed-confirmation overlay
	// (confirm.go) instead of calling Do: a write action.
	Confirm *Confirm
	// Hint shows the key in the footer's key hints too ("n next stage"),
	// not only in the ? overlay.
	Hint bool
}

// actionHints are the footer's hints for the actions that ask for one.
func actionHints(actions []Action) []string {
	var out []string
	for _, a := range actions {
		if h := a.Key.Help(); a.Hint && a.Key.Enabled() && h.Key != "" {
			out = append(out, h.Key+" "+h.Desc)
		}
	}
	return out
}

// Exporter writes the incident report. Build runs on the UI goroutine and
// must be pure and quick (model.BuildReport from the data); Write runs in a
// tea.Cmd and does the I/O, returning where it wrote.
type Exporter struct {
	Build func(d *Data) model.Report
	Write func(r model.Report) (string, error)
}

// exportedMsg reports the end of an export.
type exportedMsg struct {
	path string
	err  error
}

// export builds the report from the data shown and writes it off the UI
// goroutine.
func (m *Model) export() tea.Cmd {
	ex := m.opts.Export
	if ex == nil || ex.Build == nil || ex.Write == nil {
		m.setStatus("export is not available here")
		return nil
	}
	return m.writeReport(ex.Build(m.view()), ex.Write)
}
