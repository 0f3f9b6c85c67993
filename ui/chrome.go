package ui

import (
	"slices"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/themes"
)

// chrome is what every root screen has around its content, whatever that
// content is (one server's panes or the overview of many): the theme and
// its cycling, the terminal's size, the status line, the caller's actions
// and the write-action confirmation, the ? overlay, the too-small screen
// and the end of the source. Model and Multi embed it, and a node's
// drill-in view gets its own from the overview's (inherit), so the two
// roots share one copy of all of it.
type chrome struct {
	themeName string // the --theme value, or the name `t` moved to
	noColor   bool
	isDark    bool
	styles    *themes.Styles

	width, height int

	status      string    // the status line (an action's answer, an export's result, a theme error): status.go
	statusSeq   uint64    // counts the messages put in status
	statusSeen  uint64    // the statusSeq the status clock has seen
	statusSince time.Time // the status clock's time when it first saw it
	srcDone     bool

	help    bool
	helpOff int // first row of the ? overlay shown (it scrolls when it does not fit)

	actions []Action
	confirm *confirmState // the open write-action confirmation (confirm.go); nil when none
}

func newChrome(theme string, noColor bool, actions []Action) chrome {
	c := chrome{themeName: theme, noColor: noColor, isDark: true, actions: actions} // dark until the terminal answers
	c.applyTheme()
	return c
}

// inherit takes what a view opened from another root shares with it: the
// theme as it stands and the screen's size.
func (c *chrome) inherit(from *chrome) {
	c.themeName, c.isDark = from.themeName, from.isDark
	c.width, c.height = from.width, from.height
	c.applyTheme()
}

func (c *chrome) applyTheme() {
	p, err := themes.Select(c.themeName, c.isDark, c.noColor)
	if err != nil {
		c.setStatus(err.Error())
		p, _ = themes.Select(themes.NameAuto, c.isDark, c.noColor)
	}
	c.styles = themes.NewStyles(p)
}

// nextTheme moves to the theme after the one in use.
func (c *chrome) nextTheme() {
	names := themes.Names()
	cur := slices.Index(names, c.styles.Palette.Name)
	c.themeName = names[(cur+1)%len(names)]
	c.setStatus("theme: " + c.themeName)
	c.applyTheme()
}

// handleMsg folds the messages every root treats alike; handled is false
// for the others.
func (c *chrome) handleMsg(msg tea.Msg) (handled bool) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		c.width, c.height = msg.Width, msg.Height
	case tea.BackgroundColorMsg:
		c.isDark = msg.IsDark()
		c.applyTheme()
	case sourceClosedMsg:
		c.srcDone = true
		c.setStatus("source ended: no more updates")
	case confirmDoneMsg:
		c.setStatus(msg.line)
	default:
		return false
	}
	return true
}

// writeReport writes a report built on the UI goroutine off it, in a
// command; exported shows how it went.
func (c *chrome) writeReport(rep model.Report, write func(model.Report) (string, error)) tea.Cmd {
	c.setStatus("writing the report…")
	return func() tea.Msg {
		path, err := write(rep)
		return exportedMsg{path: path, err: err}
	}
}

// exported puts an export's result on the status line; ok says it was
// written.
func (c *chrome) exported(msg exportedMsg) (ok bool) {
	if msg.err != nil {
		c.setStatus("export failed: " + model.Sanitize(msg.err.Error(), 200))
		return false
	}
	c.setStatus("report written to " + model.Sanitize(msg.path, 200))
	return true
}

// runAction runs the first action bound to msg; false when none is.
func (c *chrome) runAction(msg tea.KeyPressMsg) bool { return c.runActionOf(c.actions, msg) }

// runActionOf runs the first of actions bound to msg, its answer on this
// screen's status line (the overview's actions work in a node's view too).
func (c *chrome) runActionOf(actions []Action, msg tea.KeyPressMsg) bool {
	for _, a := range actions {
		if a.Do != nil && a.Key.Enabled() && key.Matches(msg, a.Key) {
			if s := a.Do(); s != "" {
				c.setStatus(s)
			}
			return true
		}
	}
	return false
}

// helpContent is what a root puts in the ? overlay, and where.
type helpContent interface {
	helpGroups() []helpGroup
	helpArea() (w, h int)
}

// helpKey handles ? and, while the overlay is up, the keys that close and
// scroll it; handled is false for a key the overlay leaves to the screen.
func (c *chrome) helpKey(msg tea.KeyPressMsg, k *KeyMap, lk *ListKeyMap, hc helpContent) (handled bool) {
	switch {
	case c.help && (key.Matches(msg, k.Help) || key.Matches(msg, k.Back)):
		c.help = false
	case key.Matches(msg, k.Help):
		c.help, c.helpOff = true, 0
	case !c.help:
		return false
	default:
		// The overlay scrolls when it does not fit; other keys wait.
		switch {
		case key.Matches(msg, lk.Up):
			c.helpOff = max(c.helpOff-1, 0)
		case key.Matches(msg, lk.Down):
			c.helpOff++
		case key.Matches(msg, lk.PageUp):
			c.helpOff = max(c.helpOff-helpPage, 0)
		case key.Matches(msg, lk.PageDown):
			c.helpOff += helpPage
		case key.Matches(msg, lk.Top):
			c.helpOff = 0
		}
		w, h := hc.helpArea()
		_, _, total, rows := helpLayout(c.styles, hc.helpGroups(), w, h)
		c.helpOff = clamp(c.helpOff, 0, max(total-rows, 0))
	}
	return true
}

// helpPage is how far pgup / pgdown move the ? overlay.
const helpPage = 10

// screen draws a root's content in exactly width × height cells: nothing
// before the first size, the too-small screen below MinWidth × MinHeight,
// else draw's output with the confirmation overlay on top.
func (c *chrome) screen(draw func(w, h int) string) string {
	w, h := c.width, c.height
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < MinWidth || h < MinHeight {
		return c.overlayConfirm(tooSmall(c.styles, w, h))
	}
	return c.overlayConfirm(draw(w, h))
}

// teaView wraps a frame for Bubble Tea: the alternate screen, the window
// title, and the mouse when the screen has something that scrolls with it.
func teaView(content, target string, mouse bool) tea.View {
	v := tea.NewView(content)
	v.AltScreen = true
	if mouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "redis-memtop " + model.Sanitize(target, 60)
	return v
}

// sourceClosedMsg says the source channel was closed.
type sourceClosedMsg struct{}

// listen waits for the next value from a root's source. Update re-arms it
// after each one, so exactly one read is outstanding.
func listen[T any](src <-chan T) tea.Cmd {
	return func() tea.Msg {
		u, ok := <-src
		if !ok {
			return sourceClosedMsg{}
		}
		return u
	}
}
