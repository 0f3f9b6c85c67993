package ui

import (
	"strings"
	"sync/atomic"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// writeAction is a confirmable action whose Run counts its calls.
func writeAction(k, word string, runs *atomic.Int32) Action {
	return Action{
		Group: "Write actions",
		Key:   key.NewBinding(key.WithKeys(k), key.WithHelp(k, word)),
		Confirm: &Confirm{
			Word: word, What: "fork a child that writes an RDB snapshot", Command: word,
			Run: func() string { runs.Add(1); return word + ": Background saving started" },
		},
	}
}

func typeText(t *testing.T, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m = step(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func enter(t *testing.T, m Model) (Model, tea.Cmd) {
	t.Helper()
	nm, cmd := m.Update(tea.KeyPressMsg{Code: tea.KeyEnter})
	return nm.(Model), cmd //nolint:forcetypeassert // the root always returns a Model
}

// TestConfirmOverlay: the key opens the overlay; every key goes to it (q
// does not quit, tab does not move); the wrong word, or esc, sends nothing;
// the right word runs the action once, in a command, and its line reaches
// the status bar.
func TestConfirmOverlay(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	m := sized(t, 120, 40, Options{Actions: []Action{writeAction("B", "BGSAVE", &runs)}}, synth{n: 5}.samples())
	focus := m.Focused()

	m = step(t, m, redistest.Key("B"))
	if m.ConfirmShown() != "BGSAVE" {
		t.Fatal("B did not open the confirmation")
	}
	frame := m.View().Content
	checkFrame(t, frame, 120, 40)
	plain := ansi.Strip(frame)
	for _, want := range []string{"Confirm write action", "This changes the server: BGSAVE", "Type BGSAVE and press enter", "esc cancels"} {
		if !strings.Contains(plain, want) {
			t.Errorf("overlay lacks %q:\n%s", want, plain)
		}
	}

	// Keys the root would use are typed instead.
	m = step(t, m, redistest.Key("q"))
	m = step(t, m, redistest.Key("tab"))
	if m.ConfirmShown() == "" || m.Focused() != focus {
		t.Fatal("q or tab escaped the overlay")
	}
	m, cmd := enter(t, m)
	if cmd != nil || runs.Load() != 0 || m.ConfirmShown() == "" {
		t.Fatal("enter on a wrong word ran the action or closed the overlay")
	}
	if !strings.Contains(ansi.Strip(m.View().Content), "type BGSAVE exactly") {
		t.Error("no hint after a wrong word")
	}
	// Lower case is not the word either.
	m = step(t, m, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	m = typeText(t, m, "bgsave")
	if m, cmd = enter(t, m); cmd != nil || runs.Load() != 0 {
		t.Fatal("bgsave (lower case) ran the action")
	}
	// esc cancels: nothing runs, the overlay closes, the status says so.
	m = step(t, m, redistest.Key("esc"))
	if m.ConfirmShown() != "" || runs.Load() != 0 || !strings.Contains(ansi.Strip(m.View().Content), "BGSAVE cancelled") {
		t.Fatal("esc did not cancel cleanly")
	}

	// The right word, after a correction with backspace.
	m = step(t, m, redistest.Key("B"))
	m = typeText(t, m, "BGSAVX")
	m = step(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = typeText(t, m, "E")
	if !strings.Contains(ansi.Strip(m.View().Content), "> BGSAVE█") {
		t.Fatalf("typed text not shown:\n%s", ansi.Strip(m.View().Content))
	}
	m, cmd = enter(t, m)
	if cmd == nil || m.ConfirmShown() != "" {
		t.Fatal("the right word did not return a command")
	}
	if runs.Load() != 0 {
		t.Fatal("the action ran on the UI goroutine, before its command")
	}
	msg := cmd()
	if runs.Load() != 1 {
		t.Fatalf("runs = %d", runs.Load())
	}
	m = step(t, m, msg)
	if !strings.Contains(ansi.Strip(m.View().Content), "BGSAVE: Background saving started") {
		t.Error("the result is not on the status line")
	}
	// And q quits again once the overlay is gone.
	if _, cmd := m.Update(redistest.Key("q")); cmd == nil {
		t.Error("q does not quit after the overlay closed")
	}
}

// Typed words with spaces (MEMORY PURGE); control characters are not typed;
// ctrl+c still quits from inside the overlay; the overlay fits every size.
func TestConfirmOverlayTypingAndSizes(t *testing.T) {
	t.Parallel()
	var runs atomic.Int32
	a := writeAction("P", "MEMORY PURGE", &runs)
	m := sized(t, 80, 24, Options{Actions: []Action{a}}, synth{n: 3}.samples())
	m = step(t, m, redistest.Key("P"))
	m = typeText(t, m, "MEMORY")
	m = step(t, m, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
	m = step(t, m, tea.KeyPressMsg{Code: 'a', Text: "\x1b]0;owned\x07"})
	m = typeText(t, m, "PURGE")
	if m.confirm.typed != "MEMORY PURGE" {
		t.Fatalf("typed %q", m.confirm.typed)
	}
	for _, sz := range [][2]int{{80, 24}, {60, 20}, {200, 60}, {40, 12}} {
		mm := step(t, m, tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
		checkFrame(t, mm.View().Content, sz[0], sz[1])
	}
	if _, cmd := m.Update(redistest.Key("ctrl+c")); cmd == nil {
		t.Error("ctrl+c does not quit from the overlay")
	}
	if _, cmd := enter(t, m); cmd == nil {
		t.Fatal("MEMORY PURGE not accepted")
	}
	// The help overlay lists the write action.
	h := step(t, step(t, sized(t, 120, 40, Options{Actions: []Action{a}}, nil), redistest.Key("?")), tea.WindowSizeMsg{Width: 120, Height: 40})
	if !strings.Contains(ansi.Strip(h.View().Content), "MEMORY PURGE") {
		t.Error("help does not list the write action")
	}
}
