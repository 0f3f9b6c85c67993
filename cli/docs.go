package cli

import (
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/clidoc"
)

// runCompletion writes the shell completion script for bash, zsh or fish,
// made from the same flag sets that parse the command line.
func runCompletion(args []string, stdout, stderr io.Writer, b Build) error {
	fs := newCompletionFlagSet(stderr)
	shell, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if !slices.Contains(clidoc.Shells, shell) {
		if shell == "" {
			return usagef("completion needs a shell: %s", strings.Join(clidoc.Shells, ", "))
		}
		return usagef("no completion for %q: the shells are %s", shell, strings.Join(clidoc.Shells, ", "))
	}
	p := docProgram(b)
	return p.Completion(stdout, shell) //nolint:wrapcheck // a write error on stdout says all
}

// runMan writes the man page (roff) to stdout.
func runMan(args []string, stdout, stderr io.Writer, b Build) error {
	fs := newManFlagSet(stderr)
	extra, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if extra != "" {
		return usagef("man takes no arguments, got %q", extra)
	}
	p := docProgram(b)
	return p.Man(stdout) //nolint:wrapcheck // a write error on stdout says all
}

func newCompletionFlagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop completion", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: redis-memtop completion bash|zsh|fish\n\n"+
			"Writes the shell's completion script to standard output, e.g.\n"+
			"  source <(redis-memtop completion bash)\n"+
			"  redis-memtop completion zsh > \"${fpath[1]}/_redis-memtop\"\n"+
			"  redis-memtop completion fish > ~/.config/fish/completions/redis-memtop.fish\n")
	}
	return fs
}

func newManFlagSet(stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop man", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), "Usage: redis-memtop man\n\nWrites the man page (roff) to standard output, e.g.\n"+
			"  redis-memtop man | man -l -\n")
	}
	return fs
}

// docProgram is the command line as the man page and the completions tell
// it: every command's flag set comes from the constructor its run function
// calls, so neither can miss a flag or disagree with --help.
func docProgram(b Build) clidoc.Program {
	var (
		monConn   connFlags
		monUI     uiFlags
		report    reportFlags
		agent     agentFlags
		demoUI    uiFlags
		serverBin string
		list      bool
		fast      bool
		hold      time.Duration
		replay    replayFlags
	)
	// What a flag's value may be, for completion; validate() and checkFormat
	// are what enforce them.
	themes := strings.Fields("auto dark light high-contrast mono")
	formats := strings.Fields("markdown " + app.FormatJSON)
	themeValues := map[string][]string{"theme": themes}

	scenarios := make([]clidoc.Item, 0, len(demo.Scenarios())+1)
	for _, s := range demo.Scenarios() {
		scenarios = append(scenarios, clidoc.Item{Name: s.Name, Text: s.Summary})
	}
	scenarios = append(scenarios, clidoc.Item{Name: demo.ClusterScenario, Text: demo.ClusterSummary})
	shells := make([]clidoc.Item, 0, len(clidoc.Shells))
	for _, s := range clidoc.Shells {
		shells = append(shells, clidoc.Item{Name: s})
	}

	monitor := docCommand("redis-memtop [flags] [URI...]", "the live monitor (no subcommand)",
		newMonitorFlagSet(io.Discard, &monConn, &monUI))
	monitor.Values = themeValues
	rep := docCommand("redis-memtop report [flags] [URI]", "a non-interactive incident report (Markdown, or --format json)",
		newReportFlagSet(io.Discard, &report))
	rep.Values = map[string][]string{"format": formats}
	agt := docCommand("redis-memtop agent [flags] [URI...]", "headless: the checks, the verdict and the big keys as OpenMetrics for Prometheus",
		newAgentFlagSet(io.Discard, &agent))
	agt.Values = map[string][]string{"agent-key-names": {app.KeyNamesPlain, app.KeyNamesHash}}
	dem := docCommand("redis-memtop demo [flags] [SCENARIO]", "a throwaway redis-server with a scripted workload, and the monitor on it",
		newDemoFlagSet(io.Discard, &demoUI, &serverBin, &list, &fast, &hold))
	dem.Values = themeValues
	dem.Args.Words = scenarios
	rpl := docCommand("redis-memtop replay [flags] FILE", "plays a recording (--record FILE) in the same UI, or reports on it",
		newReplayFlagSet(io.Discard, &replay))
	rpl.Values = map[string][]string{"theme": themes, "format": formats, "speed": strings.Fields("1 4 16 max")}
	rpl.Args.Files = true
	comp := docCommand("redis-memtop completion bash|zsh|fish", "writes the bash, zsh or fish completion script",
		newCompletionFlagSet(io.Discard))
	comp.Args.Words = shells

	return clidoc.Program{
		Name:    "redis-memtop",
		Summary: "what a Redis server's memory is doing, live",
		Version: strings.TrimPrefix(b.String(), "redis-memtop "),
		Date:    b.day(),
		Description: []string{
			"redis-memtop shows what a Redis server's memory is doing, live: used memory against RSS, " +
				"fragmentation and its layers, maxmemory and eviction, BGSAVE and AOF rewrites and their copy-on-write, " +
				"and the big keys a gentle background SCAN finds. A guided incident checklist and a verdict say what " +
				"is wrong and what to look at next, and an incident report keeps the evidence before anyone restarts Redis.",
			"It is read-only unless --allow-writes is given, keeps its load on the server small, and never shows a password. " +
				"Connection flags follow redis-cli(1). Several URIs open a fleet overview; a Redis Cluster " +
				"(-c, or detected) opens the cluster overview; --sentinel follows a master through its failovers.",
		},
		Commands: []clidoc.Command{
			monitor, rep, agt, dem, rpl,
			docCommand("redis-memtop version", "prints the version", nil),
			comp,
			docCommand("redis-memtop man", "writes this man page", newManFlagSet(io.Discard)),
			docCommand("redis-memtop help", "prints the usage summary", nil),
		},
		Environment: []clidoc.Item{
			{Name: "REDISCLI_AUTH", Text: "the server's password when neither -a nor --askpass gives one, as redis-cli reads it"},
			{Name: "REDISCLI_SENTINEL_AUTH", Text: "the Sentinels' password when --sentinel-password is not given"},
			{Name: "NO_COLOR", Text: "when set and not empty, --theme auto means the mono theme (no colours); a theme named with --theme still applies"},
			{Name: "RUNEWIDTH_EASTASIAN", Text: "when true, ambiguous-width characters (box drawing among them) take two cells, as East Asian terminals draw them"},
			{Name: "REDIS_MEMTOP_CPUPROFILE", Text: "a developer's aid: write a Go CPU profile of the run to this file"},
		},
		ExitStatus: []clidoc.Item{
			{Name: "0", Text: "success"},
			{Name: "1", Text: "a runtime failure: one line on standard error says what failed (never with a password)"},
			{Name: "2", Text: "a usage error: a flag or an argument is wrong"},
		},
		Examples: []clidoc.Example{
			{Text: "Watch a server, with redis-cli's flags (the password from the environment):", Command: "REDISCLI_AUTH=secret redis-memtop -h 10.0.0.5 -p 6379"},
			{Text: "Or with a URI, over TLS:", Command: "redis-memtop rediss://monitor@cache.example:6380/0"},
			{Text: "Keep the evidence of an incident, with a big-key scan, as JSON:", Command: "redis-memtop report --scan --format json redis://10.0.0.5:6379 > evidence.json"},
			{Text: "Serve the checks of a server to Prometheus (scrape 127.0.0.1:9188):", Command: "redis-memtop agent redis://10.0.0.5:6379"},
			{Text: "Follow a master through Sentinel failovers:", Command: "redis-memtop --sentinel 10.0.0.7:26379 --master-name mymaster"},
			{Text: "Train on a throwaway server, recorded, then play it back:", Command: "redis-memtop demo bgsave --record class.jsonl.gz; redis-memtop replay class.jsonl.gz"},
		},
		SeeAlso: []string{"redis-cli(1)", "redis-server(1)"},
	}
}

// docCommand is a command named after its usage line ("redis-memtop NAME
// …"; none for the monitor), so each name is written once.
func docCommand(usage, summary string, fs *flag.FlagSet) clidoc.Command {
	name := ""
	if f := strings.Fields(usage); len(f) > 1 && !strings.HasPrefix(f[1], "[") {
		name = f[1]
	}
	return clidoc.Command{Name: name, Summary: summary, Usage: usage, Flags: fs}
}

// day is the commit date the release stamps, as YYYY-MM-DD.
func (b Build) day() string {
	if len(b.Date) >= len("2006-01-02") {
		return b.Date[:len("2006-01-02")]
	}
	return ""
}
