package model

import (
	"strings"
	"testing"
	"time"
)

// The actions section lists each action with its result, escaped (a
// server's error text is server text), and is absent when nothing was done.
func TestActionsMarkdown(t *testing.T) {
	if actionsMarkdown(nil) != "" {
		t.Error("a section without actions")
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	md := actionsMarkdown([]ActionLog{
		{Time: at, Action: "BGSAVE", Command: "BGSAVE", OK: true, Result: "Background saving started", Server: "10.0.0.9:6379"},
		{Time: at, Action: "ACTIVEDEFRAG YES", Command: "CONFIG SET activedefrag yes", Result: "DISABLED | \x1b]0;owned\x07"},
	})
	for _, want := range []string{
		"| 2026-01-02T03:04:05Z | 10.0.0.9:6379 | BGSAVE | `BGSAVE` | ok: Background saving started |",
		"| 2026-01-02T03:04:05Z | — | ACTIVEDEFRAG YES |",
		"| ACTIVEDEFRAG YES | `CONFIG SET activedefrag yes` | failed: DISABLED \\| \\x1b]0;owned\\x07 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("lacks %q:\n%s", want, md)
		}
	}
	if strings.ContainsAny(md, "\x1b\x07") {
		t.Error("raw control characters")
	}
}
