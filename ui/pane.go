// Package ui is the Bubble Tea v2 front end: one root Model owns the state,
// and panes are plain structs that render from a Data value. The root folds
// every model.Update into Data; panes never do I/O.
package ui

import (
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// PaneID names a pane. The order is the default focus order.
type PaneID int

// The panes of DESIGN.md "The screen".
const (
	PaneHeader PaneID = iota
	PaneMemory
	PaneFrag
	PaneLimits
	PanePersist
	PaneBigKeys
	PaneChecklist
)

// String is the pane's short name (used in tests and the help overlay).
func (id PaneID) String() string {
	switch id {
	case PaneHeader:
		return "header"
	case PaneMemory:
		return "memory"
	case PaneFrag:
		return "fragmentation"
	case PaneLimits:
		return "limits"
	case PanePersist:
		return "persistence"
	case PaneBigKeys:
		return "bigkeys"
	case PaneChecklist:
		return "checklist"
	case paneNodes:
		return "nodes"
	case paneChecks:
		return "checks"
	default:
		return "pane"
	}
}

// Pane is the contract every pane implements. A pane is a plain struct: it
// keeps its own view state (selection, sort, scroll) and renders from Data.
//
// Render must return exactly h lines (joined by "\n"), none wider than w
// display cells (ansi.StringWidth), including the pane's own border: the
// root gives each pane a w×h rectangle and draws nothing around it. Use
// Frame (frame.go) to draw the standard titled border. Every string that came
// from the server must pass model.Sanitize before it is drawn. Render must not
// read the clock: use d.Now.
type Pane interface {
	ID() PaneID
	// Title contains the words Memory / Fragmentation / Limits / Persistence
	// / Big keys / Checklist, so users and tests can find the pane.
	Title() string
	Render(d *Data, st *themes.Styles, w, h int, focused bool) string
	// KeyBindings are the pane's keys for the ? help overlay (disabled
	// bindings are left out).
	KeyBindings() []key.Binding
	// HandleKey is called for a key press the root did not use, when the pane
	// has focus. d is the data on screen (the frozen snapshot when frozen).
	HandleKey(msg tea.KeyPressMsg, d *Data) (handled bool, cmd tea.Cmd)
	// MinHeight is the fewest lines (border included) the pane needs to be
	// useful; below it the layout collapses the pane to its summary line.
	MinHeight() int
}

// Optional interfaces a pane may implement; the root checks for them.

// Summarizer gives the one-line summary shown when the layout collapses the
// pane (small terminals). Without it the root shows the title. The line must
// be at most w cells wide.
type Summarizer interface {
	Summary(d *Data, st *themes.Styles, w int) string
}

// MouseHandler receives mouse wheel (and other mouse) messages while the pane
// has focus.
type MouseHandler interface {
	HandleMouse(msg tea.MouseMsg, d *Data) (handled bool, cmd tea.Cmd)
}

// MsgHandler receives every message the root does not handle itself (a
// pane's own async results, a worker's batches). d is the live data: a pane
// may store its results in the fields it owns in DataExt.
type MsgHandler interface {
	HandleMsg(msg tea.Msg, d *Data) tea.Cmd
}

// InputCapturer lets a pane take every key while it reports true (a filter
// being typed after `/`): the root then hands keys to the focused pane first
// and keeps only ctrl+c for itself.
type InputCapturer interface {
	CapturesInput() bool
}

// PreferredHeighter lets a pane ask for a height in the wide layout (≥ 120
// columns); the layout gives it at most that, and at least MinHeight.
type PreferredHeighter interface {
	PreferredHeight(d *Data, w int) int
}

// Data is everything panes render from. The root owns it and folds every
// model.Update into it; when the display is frozen, panes get a snapshot.
type Data struct {
	// Hist holds the samples (gaps included) and the events detected between
	// them. It is never nil in a Data given to a pane.
	Hist *model.History
	// Events are the history's events plus those a source sent explicitly,
	// oldest first, bounded.
	Events []model.Event
	// Now is the time of the latest update (a sample, conn change …), not the
	// wall clock: renders are pure functions of Data, so golden frames stay
	// stable.
	Now time.Time
	// Window is the graph's time window (zoom); 0 means everything held.
	Window time.Duration
	// Interval is the poll period (to tell a late poll from a gap).
	Interval time.Duration
	// Conn is the latest connection state.
	Conn model.Conn
	// Extras are the latest slow reads (config, clients, doctor, host); nil
	// before the first.
	Extras *model.Extras
	// Caption is the latest demo caption; nil when none.
	Caption *model.Caption
	// Target is the server address, already redacted (no password).
	Target string
	// Frozen, Replay and Recording are the markers the header shows.
	Frozen    bool
	Replay    bool
	Recording bool
	// ReplayPos is where a replay stands (the header draws a position bar).
	ReplayPos *model.ReplayState

	// DataExt holds the fields other panes add (scan results, checklist),
	// declared in data_ext.go so they can grow without touching this file.
	DataExt
}

// Last is the newest sample that is not a gap, or nil.
func (d *Data) Last() *model.Sample {
	if d == nil || d.Hist == nil {
		return nil
	}
	return d.Hist.LastOK()
}

// WindowStart is the time the graph window starts at (the oldest sample when
// the window is 0 or longer than the history).
func (d *Data) WindowStart() time.Time {
	if d.Window > 0 {
		return d.Now.Add(-d.Window)
	}
	if d.Hist != nil && d.Hist.Len() > 0 {
		return d.Hist.At(0).Time
	}
	return d.Now
}
