package ui

import (
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/model"
)

// Confirm turns an Action into a write action: its key opens an overlay in
// which the user types Word and presses enter; only then Run is called, in a
// tea.Cmd (off the UI goroutine). esc, or enter on anything but Word,
// sends nothing.
type Confirm struct {
	// Word is what the user must type, exactly: the action's name
	// ("BGSAVE", "MEMORY PURGE").
	Word string
	// What says in one line what the action will do to the server.
	What string
	// Command is what will be sent, as redis-cli would show it.
	Command string
	// Run sends the command, bounded by its own timeout, and returns the
	// line for the status bar. It runs in a tea.Cmd, never on the UI
	// goroutine.
	Run func() string
}

// maxConfirmInput bounds what the overlay keeps of the user's typing.
const maxConfirmInput = 64

// confirmState is the open overlay.
type confirmState struct {
	c     *Confirm
	typed string
	hint  string
}

// confirmDoneMsg carries the result line of a confirmed action.
type confirmDoneMsg struct{ line string }

// openConfirm opens the overlay for the first confirmable action bound to
// msg; false when none is.
func (c *chrome) openConfirm(msg tea.KeyPressMsg) bool {
	for _, a := range c.actions {
		if a.Confirm != nil && a.Confirm.Run != nil && a.Key.Enabled() && key.Matches(msg, a.Key) {
			c.confirm = &confirmState{c: a.Confirm}
			return true
		}
	}
	return false
}

// confirmKey handles a key while the overlay is open: typing, backspace,
// esc (cancel) and enter (run when the typed word is the action's name).
func (c *chrome) confirmKey(msg tea.KeyPressMsg) tea.Cmd {
	cs := *c.confirm
	k := msg.Key()
	switch {
	case k.Code == tea.KeyEscape:
		c.confirm = nil
		c.setStatus(cs.c.Word + " cancelled: nothing was sent")
		return nil
	case k.Code == tea.KeyEnter:
		if cs.typed != cs.c.Word {
			cs.hint = "type " + cs.c.Word + " exactly (or esc to cancel)"
			c.confirm = &cs
			return nil
		}
		c.confirm = nil
		c.setStatus(cs.c.Word + ": sending…")
		run := cs.c.Run
		return func() tea.Msg { return confirmDoneMsg{line: run()} }
	case k.Code == tea.KeyBackspace:
		if r := []rune(cs.typed); len(r) > 0 {
			cs.typed = string(r[:len(r)-1])
		}
	case msg.String() == "ctrl+u":
		cs.typed = ""
	case k.Text != "" && k.Mod&^tea.ModShift == 0 && printableText(k.Text):
		if len(cs.typed)+len(k.Text) <= maxConfirmInput {
			cs.typed += k.Text
		}
	}
	cs.hint = ""
	c.confirm = &cs
	return nil
}

func printableText(s string) bool {
	for _, r := range s {
		if !unicode.IsPrint(r) || model.NeedsEscape(r) {
			return false
		}
	}
	return true
}

// confirmView draws the overlay box, at most w cells wide.
func (c *chrome) confirmView(w int) (string, int, int) {
	st := c.styles
	cs := c.confirm
	bw := min(w, 76)
	iw := max(bw-4, 1)
	var lines []string
	add := func(s string) { lines = append(lines, " "+s) }
	add(st.Warn.Render("This changes the server: " + cs.c.Word))
	add(model.Sanitize(cs.c.What, iw))
	if cs.c.Command != "" {
		add(st.Muted.Render("sends  ") + model.Sanitize(cs.c.Command, iw-7))
	}
	add("")
	add("Type " + st.Accent.Render(cs.c.Word) + " and press enter to run it; esc cancels.")
	typed := model.Sanitize(cs.typed, max(iw-4, 1))
	add("> " + typed + "█")
	if cs.hint != "" {
		add(st.Crit.Render(model.Sanitize(cs.hint, iw)))
	} else {
		add("")
	}
	bh := len(lines) + 2
	return Frame(st, "Confirm write action", strings.Join(lines, "\n"), bw, bh, true), bw, bh
}

// overlayConfirm draws the overlay over the centre of a rendered screen
// (exactly m.width × m.height cells), keeping every line's width.
func (c *chrome) overlayConfirm(screen string) string {
	if c.confirm == nil || c.width <= 0 || c.height <= 0 {
		return screen
	}
	rows := strings.Split(screen, "\n")
	box, bw, bh := c.confirmView(c.width)
	x := max((c.width-bw)/2, 0)
	y := max((len(rows)-bh)/2, 0)
	for i, bl := range strings.Split(box, "\n") {
		r := y + i
		if r >= len(rows) {
			break
		}
		row := rows[r]
		left := ansi.Cut(row, 0, x)
		right := ansi.Cut(row, x+bw, c.width)
		rows[r] = left + ansi.ResetStyle + FitWidth(bl, bw) + ansi.ResetStyle + right
	}
	return strings.Join(rows, "\n")
}

// ConfirmShown is the word the open confirmation overlay waits for, or ""
// when none is open.
func (m Model) ConfirmShown() string {
	if m.confirm == nil {
		return ""
	}
	return m.confirm.c.Word
}
