// Command redis-memtop shows what a Redis server's memory is doing, live, and
// walks the person at the keyboard through a memory incident.
//
// main.go turns flags into configuration and wires the parts together; the
// logic lives in redisx (all Redis I/O), model (the domain) and ui (the
// screen).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strings"
)

// Set by the release build (-X main.version=…).
var (
	version = "dev"
	commit  = ""
	date    = ""
)

// Exit codes, as DESIGN.md's command line says.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

// usageError is a mistake on the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func main() {
	stop := startProfile(os.Getenv("REDIS_MEMTOP_CPUPROFILE"))
	code := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// startProfile writes a CPU profile to path while the program runs (a
// developer's aid for `make bench` figures; off unless the variable is set).
func startProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path) //nolint:gosec // the developer names the file
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		_ = f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// run is main without the process: it returns the exit code, and every error
// reaches stderr as one line (no stack trace, no password).
func run(args []string, stdin *os.File, stdout, stderr io.Writer) int {
	cmd, rest := "", args
	if len(args) > 0 {
		switch args[0] {
		case "report", "demo", "replay", "version", "help", "completion", "man":
			cmd, rest = args[0], args[1:]
		}
	}
	var err error
	switch cmd {
	case "version":
		fmt.Fprintln(stdout, versionString())
		return exitOK
	case "help":
		fmt.Fprint(stdout, topUsage)
		return exitOK
	case "report":
		err = runReport(rest, stdin, stdout, stderr)
	case "demo":
		err = runDemo(rest, stdin, stdout, stderr)
	case "replay":
		err = runReplay(rest, stdin, stdout, stderr)
	case "completion":
		err = runCompletion(rest, stdin, stdout, stderr)
	case "man":
		err = runMan(rest, stdin, stdout, stderr)
	default:
		err = runMonitor(rest, stdin, stdout, stderr)
	}
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	default:
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "redis-memtop: %s\nRun 'redis-memtop --help' for usage.\n", oneLine(err.Error()))
			return exitUsage
		}
		fmt.Fprintf(stderr, "redis-memtop: %s\n", oneLine(err.Error()))
		return exitRuntime
	}
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

func versionString() string {
	v, c, d := version, commit, date
	if v == "dev" {
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
  redis-memtop demo [flags] [SCENARIO]  a throwaway redis-server with a scripted workload, and the monitor on it
  redis-memtop replay [flags] FILE      plays a recording (--record FILE) in the same UI
  redis-memtop version
  redis-memtop completion bash|zsh|fish a shell completion script
  redis-memtop man                      the man page (roff)

URI: redis://[user:pass@]host:port/db, rediss://… (TLS), unix:///path/redis.sock
Connection flags follow redis-cli: -h HOST -p PORT -n DB --user NAME -a PASS --askpass,
--tls --cacert F --cert F --key F --sni NAME --insecure. REDISCLI_AUTH is honoured.

Run 'redis-memtop [report|demo] --help' for every flag.
`
