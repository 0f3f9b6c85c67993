package redisx

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// WriteAction is one of the few commands that change the server, allowed only
// with --allow-writes (Options.AllowWrites) and, in the UI, only after the
// user typed its name. Its value is that name.
type WriteAction string

// The write actions, named as the user types them to confirm.
const (
	ActionBGSave         WriteAction = "BGSAVE"
	ActionBGRewriteAOF   WriteAction = "BGREWRITEAOF"
	ActionMemoryPurge    WriteAction = "MEMORY PURGE"
	ActionActiveDefragOn WriteAction = "ACTIVEDEFRAG YES"
	ActionActiveDefragNo WriteAction = "ACTIVEDEFRAG NO"
)

// WriteActions lists every write action, in the order the UI offers them.
func WriteActions() []WriteAction {
	return []WriteAction{ActionBGSave, ActionBGRewriteAOF, ActionMemoryPurge, ActionActiveDefragOn, ActionActiveDefragNo}
}

// paramActiveDefrag is the one setting CONFIG SET may change.
const paramActiveDefrag = "activedefrag"

// ErrWritesDisabled is returned by RunWrite when the client was connected
// without AllowWrites: nothing is sent.
var ErrWritesDisabled = errors.New("redisx: write actions need --allow-writes")

// Args are the command the action sends.
func (a WriteAction) Args() []any {
	switch a {
	case ActionBGSave:
		return []any{"bgsave"}
	case ActionBGRewriteAOF:
		return []any{"bgrewriteaof"}
	case ActionMemoryPurge:
		return []any{cmdMemory, "purge"}
	case ActionActiveDefragOn:
		return []any{"config", "set", paramActiveDefrag, "yes"}
	case ActionActiveDefragNo:
		return []any{"config", "set", paramActiveDefrag, "no"}
	}
	return nil
}

// Command is the command as redis-cli would show it ("CONFIG SET activedefrag yes").
func (a WriteAction) Command() string {
	parts := make([]string, 0, 4)
	for i, x := range a.Args() {
		s := fmt.Sprint(x)
		if i == 0 || (i == 1 && hasSubcommands(strings.ToUpper(parts[0]))) {
			s = strings.ToUpper(s)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// Describe says in one line what the action does to the server.
func (a WriteAction) Describe() string {
	switch a {
	case ActionBGSave:
		return "fork a child that writes an RDB snapshot (copy-on-write memory while it runs)"
	case ActionBGRewriteAOF:
		return "fork a child that rewrites the append-only file (copy-on-write memory while it runs)"
	case ActionMemoryPurge:
		return "ask jemalloc to return dirty pages to the OS (lowers allocator RSS overhead)"
	case ActionActiveDefragOn:
		return "turn active defragmentation on (uses CPU; needs a jemalloc built with defrag support)"
	case ActionActiveDefragNo:
		return "turn active defragmentation off"
	}
	return "unknown action"
}

// RunWrite sends one write action through the guard, bounded by the command
// timeout, and returns the server's reply as one line ("Background saving
// started", "OK"). Without AllowWrites it sends nothing and returns
// ErrWritesDisabled. Errors are one password-free line.
func (c *Client) RunWrite(ctx context.Context, a WriteAction) (string, error) {
	args := a.Args()
	if args == nil {
		return "", fmt.Errorf("redisx: unknown write action %q", printable(string(a)))
	}
	if !c.opts.AllowWrites {
		return "", ErrWritesDisabled
	}
	ctx, cancel := c.withTimeout(ctx)
	defer cancel()
	res, err := c.rdb.Do(ctx, args...).Result()
	if err != nil {
		return "", &WriteError{Action: a, Reason: c.describe(err), cause: err}
	}
	return clean(fmt.Sprint(res), c.opts.Password), nil
}

// WriteError is a write action that failed: the server refused it (ERR
// Background save already in progress, NOPERM, unknown command on a managed
// service …) or the call timed out.
type WriteError struct {
	Action WriteAction
	Reason string // one password-free line
	cause  error
}

func (e *WriteError) Error() string { return string(e.Action) + " failed: " + e.Reason }

func (e *WriteError) Unwrap() error { return e.cause }
