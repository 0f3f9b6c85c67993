package redisx

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"
)

// ErrForbidden is returned, before anything reaches the network, for a command
// the guard does not allow. Errors wrap it with the command name only (never
// its arguments, which could hold a password or a key name).
var ErrForbidden = errors.New("redisx: command not allowed by the read-only guard")

// readOnly is THE list of commands redis-memtop may send without
// --allow-writes: reads that cost O(1) or are bounded by the reply the tool
// asks for, and commands that change only the tool's own connection. A
// subcommand listed as "CLIENT LIST" allows only that subcommand; a bare name
// allows the command with any arguments.
var readOnly = []string{
	// connection (go-redis sends HELLO, AUTH, SELECT itself; CLIENT SETNAME
	// comes from Connect's OnConnect; CLIENT SETINFO and maintenance
	// notifications are switched off in Connect)
	"HELLO", "AUTH", "SELECT", "PING", "QUIT", "RESET", "READONLY",
	"CLIENT SETNAME", "CLIENT GETNAME", "CLIENT NO-TOUCH", "CLIENT LIST", "CLIENT INFO", "CLIENT ID",
	// server state
	"INFO", "DBSIZE", "CONFIG GET",
	"MEMORY USAGE", "MEMORY STATS", "MEMORY DOCTOR", "MEMORY MALLOC-STATS",
	"LATENCY LATEST", "LATENCY DOCTOR",
	"COMMAND COUNT", "COMMAND INFO", "COMMAND DOCS",
	// keys (the big-key scan): metadata and sizes only, never a value
	"SCAN", "TYPE", "TTL", "PTTL",
	"OBJECT ENCODING", "OBJECT FREQ", "OBJECT IDLETIME",
	"STRLEN", "LLEN", "HLEN", "SCARD", "ZCARD", "XLEN",
	// topology
	"CLUSTER INFO", "CLUSTER NODES", "CLUSTER SHARDS", "CLUSTER SLOTS", "CLUSTER MYID",
	"SENTINEL MASTERS", "SENTINEL MASTER", "SENTINEL REPLICAS", "SENTINEL SLAVES",
	"SENTINEL SENTINELS", "SENTINEL GET-MASTER-ADDR-BY-NAME", "SENTINEL MYID", "SENTINEL CKQUORUM",
}

// writes are the only commands --allow-writes adds (each behind a typed
// confirmation in the UI). CONFIG SET is limited to activedefrag.
var writes = []string{"BGSAVE", "BGREWRITEAOF", "MEMORY PURGE", "CONFIG SET activedefrag"}

// configSetAllowed are the parameters CONFIG SET may change with AllowWrites.
var configSetAllowed = []string{"activedefrag"}

// AllowedCommands lists the commands the tool may send without --allow-writes,
// sorted, for documentation and tests.
func AllowedCommands() []string {
	out := slices.Clone(readOnly)
	slices.Sort(out)
	return out
}

// WriteCommands lists what --allow-writes adds.
func WriteCommands() []string { return slices.Clone(writes) }

// commandName returns "INFO" or "CLIENT LIST" for logging and errors: the
// command and, for container commands, the subcommand, upper case.
func commandName(args []any) string {
	if len(args) == 0 {
		return ""
	}
	name := strings.ToUpper(argString(args[0]))
	if len(args) > 1 && hasSubcommands(name) {
		name += " " + strings.ToUpper(argString(args[1]))
	}
	return name
}

func hasSubcommands(name string) bool {
	switch name {
	case "CLIENT", "CONFIG", "MEMORY", "OBJECT", "LATENCY", "COMMAND", "CLUSTER", "SENTINEL":
		return true
	}
	return false
}

func argString(a any) string {
	switch v := a.(type) {
	case string:
		return v
	case []byte:
		return string(v)
	default:
		return fmt.Sprint(v)
	}
}

// Check reports whether the command given as go-redis args may be sent:
// nil, or an error wrapping ErrForbidden that names the command.
func Check(allowWrites bool, args []any) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: empty command", ErrForbidden)
	}
	name := strings.ToUpper(argString(args[0]))
	full := commandName(args)
	if slices.Contains(readOnly, full) || (!hasSubcommands(name) && slices.Contains(readOnly, name)) {
		return nil
	}
	if name == "COMMAND" && len(args) == 1 {
		return fmt.Errorf("%w: COMMAND (without COUNT/INFO/DOCS)", ErrForbidden)
	}
	if allowWrites {
		if full == "CONFIG SET" {
			if configSetOK(args[2:]) {
				return nil
			}
			return fmt.Errorf("%w: CONFIG SET of a parameter other than %s", ErrForbidden, strings.Join(configSetAllowed, ", "))
		}
		if slices.Contains(writes, full) {
			return nil
		}
	}
	if full == "" {
		full = "(empty name)"
	}
	return fmt.Errorf("%w: %s", ErrForbidden, printable(full))
}

// configSetOK accepts CONFIG SET name value [name value …] when every name is
// allowed.
func configSetOK(rest []any) bool {
	if len(rest) == 0 || len(rest)%2 != 0 {
		return false
	}
	for i := 0; i < len(rest); i += 2 {
		if !slices.Contains(configSetAllowed, strings.ToLower(argString(rest[i]))) {
			return false
		}
	}
	return true
}

// printable keeps a refused command's name safe to show: at most 40 bytes of
// printable ASCII, the rest escaped.
func printable(s string) string {
	const limit = 40
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < limit; i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	if b.Len() >= limit {
		b.WriteString("…")
	}
	return b.String()
}

// guard is the go-redis hook that enforces Check on every command and every
// pipeline (including those go-redis sends itself while setting up a
// connection, since its handshake connection inherits the client's hooks).
type guard struct {
	allowWrites bool
}

var _ redis.Hook = guard{}

func (g guard) DialHook(next redis.DialHook) redis.DialHook { return next }

func (g guard) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if err := Check(g.allowWrites, cmd.Args()); err != nil {
			cmd.SetErr(err)
			return err
		}
		return next(ctx, cmd)
	}
}

// ProcessPipelineHook refuses the whole pipeline when one command is not
// allowed, so a batch is never half-sent.
func (g guard) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		var first error
		refused := ""
		for _, cmd := range cmds {
			if err := Check(g.allowWrites, cmd.Args()); err != nil && first == nil {
				first, refused = err, printable(commandName(cmd.Args()))
			}
		}
		if first != nil {
			for _, cmd := range cmds {
				if err := Check(g.allowWrites, cmd.Args()); err != nil {
					cmd.SetErr(err)
				} else {
					cmd.SetErr(fmt.Errorf("%w: pipeline refused because it holds %s", ErrForbidden, refused))
				}
			}
			return first
		}
		return next(ctx, cmds)
	}
}
