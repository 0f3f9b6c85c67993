package model

import (
	"fmt"
	"strings"
	"time"
)

// ActionLog is one write action the user confirmed (--allow-writes) and what
// came of it: the report lists them, so the evidence says what was done to
// the server during the incident.
type ActionLog struct {
	Time    time.Time `json:"time"`
	Action  string    `json:"action"`  // what the user typed: BGSAVE, MEMORY PURGE …
	Command string    `json:"command"` // what was sent: CONFIG SET activedefrag yes
	OK      bool      `json:"ok"`
	Result  string    `json:"result"` // the server's reply, or why it failed (password-free)
	// Server is the address the command went to (after a Sentinel
	// failover, not necessarily the report's target).
	Server string `json:"server,omitempty"`
}

// actionsMarkdown is the report's "Actions taken" section ("" when none).
func actionsMarkdown(list []ActionLog) string {
	if len(list) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n## Actions taken (--allow-writes)\n\n| time | server | action | command | result |\n|---|---|---|---|---|\n")
	for _, a := range list {
		res := "ok: "
		if !a.OK {
			res = "failed: "
		}
		server := a.Server
		if server == "" {
			server = "—"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | `%s` | %s%s |\n", a.Time.UTC().Format(time.RFC3339), cell(server, 60), cell(a.Action, 40),
			codeCell(a.Command, 60), res, cell(a.Result, 200))
	}
	return b.String()
}
