package ui

import (
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/model"
)

// The status line: an action's answer, an export's result, a theme error.
// It has a line of its own above the key hints (so it never hides them),
// wraps rather than being cut, and goes away StatusTTL after it was set:
// a message about something that happened minutes ago would read as news.

// StatusTTL is how long a status message stays on screen.
const StatusTTL = 8 * time.Second

// statusEvery is the period of the status line's clock.
const statusEvery = time.Second

// maxStatusLines is the most lines a status message wraps to; a longer one
// (a very long path in an export's result) ends with "…".
const maxStatusLines = 2

// StatusTickMsg is the status line's clock: Init starts it, and each tick
// arms the next, so the UI reads no clock of its own. A message goes once
// the ticks have counted StatusTTL from the first tick that saw it (so it
// stays between StatusTTL and StatusTTL + statusEvery). The clock runs for
// the program's life: arming it from the key that set a message would make
// a key that sends nothing return a command.
type StatusTickMsg struct{ At time.Time }

func statusTicker() tea.Cmd {
	return tea.Tick(statusEvery, func(t time.Time) tea.Msg { return StatusTickMsg{At: t} })
}

// setStatus puts s on the status line; "" clears it.
func (c *chrome) setStatus(s string) {
	c.status = s
	c.statusSeq++
}

// statusTick moves the status line's clock to msg.At: a message seen for
// the first time starts its time, one older than StatusTTL goes.
func (c *chrome) statusTick(msg StatusTickMsg) {
	if c.status == "" {
		return
	}
	if c.statusSeen != c.statusSeq {
		c.statusSeen, c.statusSince = c.statusSeq, msg.At
		return
	}
	if msg.At.Sub(c.statusSince) >= StatusTTL {
		c.status = ""
	}
}

// statusLines is the status message wrapped to w cells, at most
// maxStatusLines lines; none when there is no message.
func (c *chrome) statusLines(w int) []string {
	if c.status == "" || w <= 0 {
		return nil
	}
	lines := wrapStyled(c.styles.Accent, model.Sanitize(c.status, 0), w)
	if len(lines) > maxStatusLines {
		lines = lines[:maxStatusLines]
		lines[maxStatusLines-1] = cut(lines[maxStatusLines-1]+"…", w)
	}
	return lines
}

// footerHeight is the footer's lines at width w: the key hints, and the
// status message above them while there is one.
func (c *chrome) footerHeight(w int) int { return footerLines + len(c.statusLines(w)) }

// footerBlock is the footer: the status lines, then the key hints. Hints
// that do not fit go whole, from the last before "? help" and "q quit"
// backwards, so those two always show.
func (c *chrome) footerBlock(parts []string, w int) string {
	for len(parts) > 2 && cellWidth(strings.Join(parts, " · ")) > w {
		parts = append(parts[:len(parts)-3:len(parts)-3], parts[len(parts)-2:]...)
	}
	keys := c.styles.Muted.Render(cut(strings.Join(parts, " · "), w))
	return strings.Join(append(c.statusLines(w), keys), "\n")
}
