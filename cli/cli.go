// Package cli is redis-memtop's command line: flags into a configuration,
// subcommand dispatch, usage errors and exit codes, and the help text. What
// a command runs lives in package app.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/redis-memtop/redis-memtop/app"
)

// Build is what the release build stamps into the binary.
type Build struct {
	Version, Commit, Date string
}

// Exit codes, as DESIGN.md's command line says.
const (
	ExitOK      = 0
	ExitRuntime = 1
	ExitUsage   = 2
)

// usagef is a mistake on the command line: exit code 2.
func usagef(format string, a ...any) error { return app.Usagef(format, a...) } //nolint:wrapcheck // it is the error

// usageErr is err as a usage error.
func usageErr(err error) error { return app.UsageError{Msg: err.Error()} }

// Main runs the command line: it returns the exit code, and every error
// reaches stderr as one line (no stack trace, no password). SIGINT,
// SIGTERM and SIGHUP end the command cleanly.
func Main(args []string, stdin *os.File, stdout, stderr io.Writer, b Build) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	return Run(ctx, args, stdin, stdout, stderr, b)
}

// Run is Main under a context the caller controls (tests).
func Run(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer, b Build) int {
	app.Version = b.Version
	cmd, rest := "", args
	if len(args) > 0 {
		switch args[0] {
		case "report", "agent", "demo", "replay", "version", "help", "completion", "man":
			cmd, rest = args[0], args[1:]
		}
	}
	var err error
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, b.String())
		return ExitOK
	case "help":
		fmt.Fprint(stdout, topUsage)
		return ExitOK
	case "completion":
		err = runCompletion(rest, stdout, stderr, b)
	case "man":
		err = runMan(rest, stdout, stderr, b)
	case "report":
		err = runReport(ctx, rest, stdin, stdout, stderr)
	case "agent":
		err = runAgent(ctx, rest, stdin, stderr)
	case "demo":
		err = runDemo(ctx, rest, stdout, stderr)
	case "replay":
		err = runReplay(ctx, rest, stdout, stderr)
	default:
		err = runMonitor(ctx, rest, stdin, stderr)
	}
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	default:
		var ue app.UsageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "redis-memtop: %s\nRun 'redis-memtop --help' for usage.\n", oneLine(err.Error()))
			return ExitUsage
		}
		fmt.Fprintf(stderr, "redis-memtop: %s\n", oneLine(err.Error()))
		return ExitRuntime
	}
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// String is the version line: the release's, or the module's when built
// with go install.
func (b Build) String() string {
	v, c, d := b.Version, b.Commit, b.Date
	if v == "dev" || v == "" {
		v = "dev"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	s := "redis-memtop " + v
	if c != "" {
		s += " (" + c
		if d != "" {
			s += ", " + d
		}
		s += ")"
	}
	return s
}

const topUsage = `redis-memtop — what a Redis server's memory is doing, live.

Usage:
  redis-memtop [flags] [URI]            the live monitor
  redis-memtop report [flags] [URI]     a non-interactive incident report (Markdown, or --format json)
  redis-memtop agent [flags] [URI...]   headless: the checks, the verdict and the big keys as OpenMetrics for Prometheus
  redis-memtop demo [flags] [SCENARIO]  a throwaway redis-server with a scripted workload, and the monitor on it
  redis-memtop replay [flags] FILE      plays a recording (--record FILE) in the same UI
  redis-memtop version
  redis-memtop completion bash|zsh|fish a shell completion script
  redis-memtop man                      the man page (roff)

URI: redis://[user:pass@]host:port/db, rediss://… (TLS), unix:///path/redis.sock
Connection flags follow redis-cli: -h HOST -p PORT -s SOCKET -n DB --user NAME -a PASS --askpass,
--tls --cacert F --cert F --key F --sni NAME --insecure. REDISCLI_AUTH is honoured.

Run 'redis-memtop [report|agent|demo] --help' for every flag.
`
