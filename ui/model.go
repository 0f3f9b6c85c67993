package ui

import (
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
)

// Options configure the root model. Only Source is needed to see something;
// every other field has a sensible zero.
type Options struct {
	// Source feeds the UI (live poller, demo, replay). The UI reads it until
	// it is closed; a nil Source shows an empty screen.
	Source <-chan model.Update
	// Target is the server address as shown in the header, already redacted.
	Target string
	// Commands is the server the suggested commands name (redis-cli flags,
	// no password); zero leaves them as the rules write them.
	Commands model.CommandTarget
	// Theme is auto, dark, light, high-contrast or mono; NoColor is true when
	// NO_COLOR is set (mono unless a theme was asked for explicitly).
	Theme   string
	NoColor bool
	// Interval is the poll period (default 1s); History is the span the ring
	// buffer keeps (default 15m).
	Interval time.Duration
	History  time.Duration
	// Window is the graph's initial time window (default 5m, or everything
	// when the history is shorter); `=` returns to it.
	Window time.Duration
	// ExtraPanes are added after the five core panes, in order (big keys,
	// checklist).
	ExtraPanes []Pane
	// Keys overrides DefaultKeyMap.
	Keys *KeyMap
	// Replay and Recording set the header markers.
	Replay    bool
	Recording bool
	// Actions are global keys the caller adds (demo, scan and replay
	// controls); Export makes `x` write the incident report.
	Actions []Action
	Export  *Exporter
}

// maxDataEvents bounds Data.Events.
const maxDataEvents = 512

// Model is the one Bubble Tea model of the program.
type Model struct {
	chrome

	opts  Options
	keys  KeyMap
	list  ListKeyMap
	panes []Pane

	live   *Data
	frozen *Data // the snapshot shown while frozen; nil when live

	focus    int // index into panes; never the header
	expanded bool

	zooms   []time.Duration // available windows, shortest first; 0 = all
	zoom    int             // index into zooms
	zoomDef int
}

// New builds the root model.
func New(opts Options) Model {
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.History <= 0 {
		opts.History = 15 * time.Minute
	}
	keys := DefaultKeyMap()
	if opts.Keys != nil {
		keys = *opts.Keys
	}
	capacity := int(opts.History/opts.Interval) + 1
	m := Model{
		chrome: newChrome(opts.Theme, opts.NoColor, opts.Actions),
		opts:   opts,
		keys:   keys,
		list:   DefaultListKeyMap().withVimEnds(),
		live: &Data{
			Hist:      model.NewHistory(capacity),
			Interval:  opts.Interval,
			Target:    opts.Target,
			Replay:    opts.Replay,
			Recording: opts.Recording,
			Conn:      model.Conn{State: model.ConnConnecting},
			DataExt:   DataExt{Commands: opts.Commands},
		},
	}
	m.panes = append([]Pane{
		newHeaderPane(), newMemoryPane(), newFragPane(), newLimitsPane(), newPersistPane(),
	}, opts.ExtraPanes...)
	m.focus = m.indexOf(PaneMemory)
	m.zooms, m.zoomDef = zoomSteps(opts.History, opts.Window)
	m.setZoom(m.zoomDef)
	return m
}

// zoomSteps are the graph windows `+` and `-` move through: the standard
// steps shorter than the history, then "all".
func zoomSteps(history, initial time.Duration) (steps []time.Duration, def int) {
	for _, d := range []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if d < history {
			steps = append(steps, d)
		}
	}
	if initial > 0 && initial < history && !slices.Contains(steps, initial) {
		steps = append(steps, initial)
		slices.Sort(steps)
	}
	steps = append(steps, 0)
	if initial <= 0 {
		initial = 5 * time.Minute
	}
	def = len(steps) - 1
	if i := slices.Index(steps, initial); i >= 0 {
		def = i
	}
	return steps, def
}

func (m *Model) indexOf(id PaneID) int {
	for i, p := range m.panes {
		if p.ID() == id {
			return i
		}
	}
	return 0
}

// Init starts listening on the source, asks the terminal for its
// background colour (for the auto theme) and starts the status line's
// clock.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, statusTicker()}
	if m.opts.Source != nil {
		cmds = append(cmds, listen(m.opts.Source))
	}
	return tea.Batch(cmds...)
}

// Update folds messages into the model. It does no I/O.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case model.Update:
		m.fold(msg)
		if m.opts.Source != nil {
			return m, listen(m.opts.Source)
		}
		return m, nil
	case FocusPaneMsg:
		// A pane (the checklist's g) asks to show another pane: focus it.
		if i := m.indexOf(msg.Pane); m.panes[i].ID() == msg.Pane {
			m.focus = i
		}
		return m, nil
	case StatusTickMsg:
		m.statusTick(msg)
		return m, statusTicker()
	case exportedMsg:
		if m.exported(msg) {
			m.live.MarkEvidenceSaved()
			if m.frozen != nil {
				m.frozen.MarkEvidenceSaved()
			}
		}
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseWheelMsg:
		if mh, ok := m.panes[m.focus].(MouseHandler); ok {
			_, cmd := mh.HandleMouse(msg, m.view())
			return m, cmd
		}
		return m, nil
	case tea.MouseClickMsg:
		m.clickFocus(msg.Mouse().X, msg.Mouse().Y)
		if mh, ok := m.panes[m.focus].(MouseHandler); ok {
			_, cmd := mh.HandleMouse(msg, m.view())
			return m, cmd
		}
		return m, nil
	}
	if m.handleMsg(msg) {
		return m, nil
	}
	var cmds []tea.Cmd
	for _, p := range m.panes {
		if h, ok := p.(MsgHandler); ok {
			cmds = append(cmds, h.HandleMsg(msg, m.live))
		}
	}
	return m, tea.Batch(cmds...)
}

// fold applies one update to the live data (frozen or not: polling goes on).
func (m *Model) fold(u model.Update) {
	d := m.live
	advance := func(t time.Time) {
		if !t.IsZero() && t.After(d.Now) {
			d.Now = t
		}
	}
	if s := u.Sample; s != nil {
		advance(s.Time)
		d.addEvents(d.Hist.Add(*s)...)
	}
	if c := u.Conn; c != nil {
		advance(c.Since)
		d.Conn = *c
	}
	if e := u.Extras; e != nil {
		advance(e.Time)
		d.Extras = e
	}
	if c := u.Caption; c != nil {
		advance(c.Time)
		d.Caption = shownCaption(c)
	}
	if e := u.Event; e != nil {
		advance(e.Time)
		d.addEvents(*e)
		if e.Kind == model.EventFailover {
			d.Target = failedOverTarget(d.Target, e.Detail)
			d.Commands = failedOverCommands(d.Commands, e.Detail)
		}
	}
	if r := u.Replay; r != nil {
		if r.Reset {
			m.resetData()
			d = m.live
		}
		rs := *r
		rs.Reset = false
		d.ReplayPos = &rs
		advance(rs.Pos)
	}
	d.foldExt(u)
}

// shownCaption is the caption to show after an update carrying c: an
// empty caption clears the line.
func shownCaption(c *model.Caption) *model.Caption {
	if c.Text == "" {
		return nil
	}
	return c
}

// resetData forgets everything folded so far (a replay seeking backwards
// rebuilds it from the start).
func (m *Model) resetData() {
	old := m.live
	m.live = &Data{
		Hist:      model.NewHistory(old.Hist.Capacity()),
		Interval:  old.Interval,
		Target:    old.Target,
		Replay:    old.Replay,
		Recording: old.Recording,
		Window:    old.Window,
		Conn:      model.Conn{State: model.ConnConnecting},
		DataExt:   DataExt{Commands: old.Commands},
	}
}

func (d *Data) addEvents(evs ...model.Event) {
	if len(evs) == 0 {
		return
	}
	d.Events = append(d.Events, evs...)
	if over := len(d.Events) - maxDataEvents; over > 0 {
		d.Events = append(d.Events[:0:0], d.Events[over:]...)
	}
}

// snapshot copies the data for a frozen display: the history is cloned, so
// samples folded in later do not show.
func (d *Data) snapshot() *Data {
	c := *d
	c.Hist = cloneHistory(d.Hist)
	c.Events = slices.Clone(d.Events)
	c.DataExt = d.DataExt.snapshot()
	c.Frozen = true
	return &c
}

func cloneHistory(h *model.History) *model.History { return h.Clone() }

// view is the data the screen shows: the frozen snapshot or the live data.
func (m *Model) view() *Data {
	if m.frozen != nil {
		return m.frozen
	}
	return m.live
}

// setZoom moves to zoom step i and gives its window to the data, live and
// frozen (zooming a frozen display is allowed).
func (m *Model) setZoom(i int) {
	m.zoom = clamp(i, 0, len(m.zooms)-1)
	m.live.Window = m.zooms[m.zoom]
	if m.frozen != nil {
		m.frozen.Window = m.zooms[m.zoom]
	}
}

func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if msg.String() == "ctrl+c" {
		return m, tea.Quit
	}
	if m.confirm != nil {
		return m, m.confirmKey(msg) // the overlay takes every key until enter or esc
	}
	focused := m.panes[m.focus]
	if c, ok := focused.(InputCapturer); ok && c.CapturesInput() {
		_, cmd := focused.HandleKey(msg, m.view())
		return m, cmd
	}
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case m.helpKey(msg, &m.keys, &m.list, &m):
		return m, nil
	case key.Matches(msg, k.Next):
		m.moveFocus(1)
		return m, nil
	case key.Matches(msg, k.Prev):
		m.moveFocus(-1)
		return m, nil
	case key.Matches(msg, k.Expand):
		m.expanded = !m.expanded
		return m, nil
	case m.expanded && key.Matches(msg, k.Back):
		// The pane's own sub-view (a key's details, a check's why) closes
		// first; esc on the pane's top level leaves the expanded view.
		if handled, cmd := focused.HandleKey(msg, m.view()); handled {
			return m, cmd
		}
		m.expanded = false
		return m, nil
	case key.Matches(msg, k.Freeze):
		if m.frozen == nil {
			m.frozen = m.live.snapshot()
		} else {
			m.frozen = nil
		}
		return m, nil
	case key.Matches(msg, k.ZoomIn):
		m.setZoom(m.zoom - 1)
		return m, nil
	case key.Matches(msg, k.ZoomOut):
		m.setZoom(m.zoom + 1)
		return m, nil
	case key.Matches(msg, k.ZoomReset):
		m.setZoom(m.zoomDef)
		return m, nil
	case key.Matches(msg, k.Theme):
		m.nextTheme()
		return m, nil
	case key.Matches(msg, k.Export):
		return m, m.export()
	}
	if m.openConfirm(msg) || m.runAction(msg) {
		return m, nil
	}
	_, cmd := focused.HandleKey(msg, m.view())
	return m, cmd
}

func (m *Model) moveFocus(step int) {
	n := len(m.panes)
	for range n {
		m.focus = (m.focus + step + n) % n
		if m.panes[m.focus].ID() != PaneHeader {
			return
		}
	}
}

// clickFocus focuses the pane under a mouse click.
func (m *Model) clickFocus(x, y int) {
	if m.help {
		return
	}
	for _, r := range m.layout(m.width, m.height).rects {
		if r.id != PaneHeader && x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h {
			m.focus = r.pane
			return
		}
	}
}

// View draws the screen: exactly the terminal's size, in the alternate
// screen, with mouse wheel events on.
func (m Model) View() tea.View {
	return teaView(m.screen(m.render), m.opts.Target, true)
}

// Focused is the pane that has focus (for tests and callers).
func (m Model) Focused() PaneID { return m.panes[m.focus].ID() }

// Expanded reports whether the focused pane fills the screen.
func (m Model) Expanded() bool { return m.expanded }

// HelpShown reports whether the ? overlay is up.
func (m Model) HelpShown() bool { return m.help }

// Frozen reports whether the display is frozen.
func (m Model) Frozen() bool { return m.frozen != nil }

// Window is the graph's current time window (0 = everything held).
func (m Model) Window() time.Duration { return m.zooms[m.zoom] }

// ThemeName is the name of the palette in use.
func (m Model) ThemeName() string { return m.styles.Palette.Name }

// Live returns the live data (tests, and callers that export a report from
// what the UI holds).
func (m Model) Live() *Data { return m.live }

// failedOverTarget names the new master in the header after a Sentinel
// failover: the event's detail is "old → new", and the old address in the
// target becomes the new one.
func failedOverTarget(target, detail string) string {
	old, next, ok := strings.Cut(detail, " → ")
	if !ok || old == "" || next == "" || !strings.Contains(target, old) {
		return target
	}
	return strings.Replace(target, old, next, 1)
}

// failedOverCommands aims the commands at the new master after a Sentinel
// failover ("old → new" in the event's detail), keeping the db and the
// other flags.
func failedOverCommands(t model.CommandTarget, detail string) model.CommandTarget {
	_, next, ok := strings.Cut(detail, " → ")
	if at := model.CommandTargetAt(strings.TrimSpace(next)); ok && !t.IsZero() && t.Socket == "" && at.Port != 0 {
		t.Host, t.Port = at.Host, at.Port
	}
	return t
}

// capturing reports whether the focused pane takes every key (a filter
// being typed).
func (m *Model) capturing() bool {
	c, ok := m.panes[m.focus].(InputCapturer)
	return ok && c.CapturesInput()
}

// atTop reports whether nothing of the view's own is open (the help, an
// expanded pane, a confirmation, a freeze): esc then leaves a drill-in view.
func (m *Model) atTop() bool {
	return !m.help && !m.expanded && m.confirm == nil && m.frozen == nil
}

// takesGlobalKeys reports whether a key may mean something outside the
// view: false while it shows its help, asks to confirm or takes typing.
func (m *Model) takesGlobalKeys() bool {
	return !m.help && m.confirm == nil && !m.capturing()
}

// newDrillView is one server's full view opened from the overview: the
// overview's theme and size, the samples it kept of the node, its
// connection state and its latest extras.
func newDrillView(opts Options, host *chrome, hist *model.History, conn model.Conn, extras *model.Extras) *Model {
	v := New(opts)
	v.inherit(host)
	if hist != nil {
		v.seedSamples(hist)
	}
	v.fold(model.Update{Conn: &conn})
	if extras != nil {
		v.fold(model.Update{Extras: extras})
	}
	return &v
}

// seedSamples folds a run of samples at once (a drill-in view starting with
// the history the overview kept): as fold would, but the checklist is
// evaluated once at the end instead of after each sample.
func (m *Model) seedSamples(h *model.History) {
	d := m.live
	for i := range h.Len() {
		s := *h.At(i)
		if s.Time.After(d.Now) {
			d.Now = s.Time
		}
		d.addEvents(d.Hist.Add(s)...)
	}
	if h.Len() > 0 {
		d.rediagnose()
	}
}
