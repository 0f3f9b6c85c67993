package clidoc

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// testProgram is a command line with what trips generators up: a flag whose
// help spans lines, quotes, brackets, colons, back-quoted placeholders,
// non-ASCII text, a one-letter flag next to long ones, value hints, files
// and fixed words as arguments.
func testProgram() Program {
	root := flag.NewFlagSet("memtop-test", flag.ContinueOnError)
	root.String("h", "127.0.0.1", "server `host`name")
	root.Int("p", 6379, "server `port`")
	root.Bool("tls", false, "connect with TLS")
	root.Bool("scan", true, "run the big-key scan (SCAN + MEMORY USAGE)")
	root.Duration("interval", time.Second, "poll period")
	root.String("theme", "auto", "colour theme: auto, dark or mono (NO_COLOR is honoured)")
	root.String("record", "", "record to `file` (JSON Lines; gzip when it ends in .gz)")
	root.String("sentinel", "", "find the master through these Sentinels (`host:port[,host:port…]`)")
	root.Bool("scan-replicas", false, "Redis Cluster: scan one replica of each master, so the\nscan's load stays off the masters [it's \"gentle\"]; a \\ backslash")

	report := flag.NewFlagSet("memtop-test report", flag.ContinueOnError)
	report.String("format", "markdown", "output `format`: markdown or json")
	report.String("o", "", "write the report to `file` instead of standard output")
	report.Int("scan-rate", 0, "budget in keys per second (0 = unlimited)")

	demo := flag.NewFlagSet("memtop-test demo", flag.ContinueOnError)
	demo.Bool("list", false, "list the scenarios and exit")
	demo.String("redis-server", "", "redis-server binary `path` (default: from PATH)")

	return Program{
		Name:        "memtop-test",
		Summary:     "what a Redis server's memory is doing — live",
		Version:     "1.2.3-next",
		Date:        "2026-12-06",
		Description: []string{"First paragraph, with --flags and a `quote`.", ".A line that starts with a dot\nand 'one with a quote'."},
		Commands: []Command{
			{Summary: "the live monitor", Usage: "memtop-test [flags] [URI...]", Flags: root, Values: map[string][]string{"theme": {"auto", "dark", "mono"}}},
			{Name: "report", Summary: "an incident report: Markdown or JSON", Usage: "memtop-test report [flags] [URI]", Flags: report, Values: map[string][]string{"format": {"markdown", "json"}}},
			{Name: "demo", Summary: "a throwaway server", Usage: "memtop-test demo [flags] [SCENARIO]", Flags: demo, Args: Args{Words: []Item{{"growth", "data growth: keys pile up"}, {"ttl-leak", "keys that never expire [sic]"}}}},
			{Name: "replay", Summary: "plays a recording", Usage: "memtop-test replay FILE", Args: Args{Files: true}},
			{Name: "version", Summary: "prints the version", Usage: "memtop-test version"},
		},
		Environment: []Item{{"REDISCLI_AUTH", "the password, as redis-cli reads it"}, {"NO_COLOR", "no colours"}},
		ExitStatus:  []Item{{"0", "ok"}, {"1", "runtime failure"}, {"2", "usage error"}},
		Examples:    []Example{{"Watch a server:", "memtop-test -h 10.0.0.5 -p 6379"}, {"Report as JSON:", "memtop-test report --format json > 'evidence.json'"}},
		SeeAlso:     []string{"redis-cli(1)", "redis-server(1)"},
	}
}

func generate(t *testing.T, write func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// run runs a tool and fails the test on an error, with its output.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "XDG_CONFIG_HOME="+t.TempDir(), "XDG_DATA_HOME="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s\nstdout:\n%s", name, strings.Join(args, " "), err, stderr.String(), out)
	}
	if stderr.Len() > 0 {
		t.Errorf("%s %s wrote to stderr:\n%s", name, strings.Join(args, " "), stderr.String())
	}
	return string(out)
}

// optional skips a test when a shell other than bash is not installed.
func optional(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s is not installed", tool)
	}
}

// commandLine is the words typed so far for a command: "prog" or
// "prog sub".
func commandLine(p Program, c Command) []string {
	if c.Name == "" {
		return []string{p.Name}
	}
	return []string{p.Name, c.Name}
}

func TestFlags(t *testing.T) {
	p := testProgram()
	got := map[string]Flag{}
	for _, f := range Flags(p.Commands[0].Flags) {
		got[f.Name] = f
	}
	want := map[string]Flag{
		"h":             {Name: "h", Usage: "server hostname", Placeholder: "host", Default: "127.0.0.1"},
		"tls":           {Name: "tls", Usage: "connect with TLS", Bool: true},
		"scan":          {Name: "scan", Usage: "run the big-key scan (SCAN + MEMORY USAGE)", Default: "true", Bool: true},
		"interval":      {Name: "interval", Usage: "poll period", Placeholder: "duration", Default: "1s"},
		"scan-replicas": {Name: "scan-replicas", Usage: `Redis Cluster: scan one replica of each master, so the scan's load stays off the masters [it's "gentle"]; a \ backslash`, Bool: true},
		"record":        {Name: "record", Usage: "record to file (JSON Lines; gzip when it ends in .gz)", Placeholder: "file"},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("flag %s: got %+v, want %+v", name, got[name], w)
		}
	}
	if len(got) != p.Commands[0].Flags.NFlag()+countAll(p.Commands[0].Flags)-p.Commands[0].Flags.NFlag() {
		t.Errorf("Flags visited %d flags, the set has %d", len(got), countAll(p.Commands[0].Flags))
	}
	if Flags(nil) != nil {
		t.Error("Flags(nil) is not empty")
	}
	if s := (Flag{Name: "h"}).Spelling(); s != "-h" {
		t.Errorf("one-letter spelling %q", s)
	}
	if s := (Flag{Name: "interval"}).Spelling(); s != "--interval" {
		t.Errorf("long spelling %q", s)
	}
}

func countAll(fs *flag.FlagSet) int {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n
}

func TestCompletionUnknownShell(t *testing.T) {
	p := testProgram()
	if err := p.Completion(&bytes.Buffer{}, "tcsh"); err == nil {
		t.Error("no error for an unknown shell")
	}
	for _, sh := range Shells {
		if err := p.Completion(&bytes.Buffer{}, sh); err != nil {
			t.Errorf("%s: %v", sh, err)
		}
	}
}

// bashComplete sources the script and asks it to complete words as typed
// (the last one being completed), as bash's programmable completion would.
func bashComplete(t *testing.T, script string, words ...string) []string {
	t.Helper()
	q := make([]string, 0, len(words))
	for _, w := range words {
		q = append(q, shQuote(w))
		if w == "" {
			q[len(q)-1] = "''"
		}
	}
	prog := "source " + shQuote(script) + "\n" +
		"COMP_WORDS=(" + strings.Join(q, " ") + ")\nCOMP_CWORD=$((${#COMP_WORDS[@]} - 1))\nCOMPREPLY=()\n" +
		"_" + identifier(words[0]) + "\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out := run(t, "bash", "--norc", "--noprofile", "-c", prog)
	return strings.Fields(out)
}

func TestBash(t *testing.T) {
	// Unlike zsh and fish, bash is required: the packages install this
	// script for it, and a test that skipped would hide a broken one.
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is needed to check the bash completion script")
	}
	p := testProgram()
	text := generate(t, func(b *bytes.Buffer) error { return p.Bash(b) })
	script := writeTemp(t, "memtop-test.bash", text)
	run(t, "bash", "-n", script)

	for _, c := range p.Commands {
		got := bashComplete(t, script, append(commandLine(p, c), "-")...)
		for _, f := range Flags(c.Flags) {
			if !slices.Contains(got, f.Spelling()) {
				t.Errorf("%q -<tab>: %s missing from %v", c.Name, f.Spelling(), got)
			}
		}
		if len(got) != len(Flags(c.Flags)) {
			t.Errorf("%q -<tab>: %d completions for %d flags: %v", c.Name, len(got), len(Flags(c.Flags)), got)
		}
	}
	cases := []struct {
		words []string
		want  []string
	}{
		{[]string{"memtop-test", ""}, []string{"report", "demo", "replay", "version"}},
		{[]string{"memtop-test", "re"}, []string{"report", "replay"}},
		{[]string{"memtop-test", "--theme", "d"}, []string{"dark"}},
		{[]string{"memtop-test", "-theme", ""}, []string{"auto", "dark", "mono"}},
		{[]string{"memtop-test", "--interval", ""}, nil},
		{[]string{"memtop-test", "report", "--format", ""}, []string{"markdown", "json"}},
		{[]string{"memtop-test", "report", "--format", "=", "j"}, []string{"json"}},
		{[]string{"memtop-test", "report", "--sc"}, []string{"--scan-rate"}},
		{[]string{"memtop-test", "demo", ""}, []string{"growth", "ttl-leak"}},
		{[]string{"memtop-test", "demo", "--list", "t"}, []string{"ttl-leak"}},
		{[]string{"memtop-test", "report", "-o", filepath.Dir(script) + "/memtop-t"}, []string{script}},
		{[]string{"memtop-test", "replay", filepath.Dir(script) + "/memtop-t"}, []string{script}},
	}
	for _, tc := range cases {
		if got := bashComplete(t, script, tc.words...); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.words, got, tc.want)
		}
	}
}

func TestZsh(t *testing.T) {
	p := testProgram()
	text := generate(t, func(b *bytes.Buffer) error { return p.Zsh(b) })
	if !strings.HasPrefix(text, "#compdef memtop-test\n") {
		t.Errorf("the script does not start with #compdef:\n%s", text)
	}
	for _, c := range p.Commands {
		for _, f := range Flags(c.Flags) {
			if !strings.Contains(text, "'"+f.Spelling()+"[") && !strings.Contains(text, "'"+f.Spelling()+"=[") {
				t.Errorf("%q: no _arguments spec for %s", c.Name, f.Spelling())
			}
		}
	}
	optional(t, "zsh")
	script := writeTemp(t, "_memtop-test", text)
	run(t, "zsh", "-n", script)
	// Sourced, the script registers itself with compdef (a stand-in here:
	// compinit takes seconds to scan every completion function).
	out := run(t, "zsh", "-f", "-c", "compdef() { print -r -- \"$*\"; }; source "+shQuote(script))
	if strings.TrimSpace(out) != "_memtop_test memtop-test" {
		t.Errorf("the script does not register itself: %q", out)
	}
}

func TestFish(t *testing.T) {
	p := testProgram()
	text := generate(t, func(b *bytes.Buffer) error { return p.Fish(b) })
	optional(t, "fish")
	script := writeTemp(t, "memtop-test.fish", text)
	run(t, "fish", "--no-config", "-n", script)
	complete := func(line string) []string {
		out := run(t, "fish", "--no-config", "-c", "source "+shQuote(script)+"; complete -C "+shQuote(line))
		var got []string
		for l := range strings.Lines(out) {
			got = append(got, strings.SplitN(strings.TrimRight(l, "\n"), "\t", 2)[0])
		}
		return got
	}
	for _, c := range p.Commands {
		got := complete(strings.Join(commandLine(p, c), " ") + " -")
		for _, f := range Flags(c.Flags) {
			if !slices.Contains(got, f.Spelling()) {
				t.Errorf("%q -<tab>: %s missing from %v", c.Name, f.Spelling(), got)
			}
		}
	}
	cases := []struct {
		line string
		want []string
	}{
		{"memtop-test re", []string{"replay", "report"}},
		{"memtop-test report --format ", []string{"json", "markdown"}},
		{"memtop-test --theme d", []string{"dark"}},
		{"memtop-test demo ", []string{"growth", "ttl-leak"}},
		{"memtop-test replay " + filepath.Dir(script) + "/memtop-t", []string{script}},
	}
	for _, tc := range cases {
		if got := complete(tc.line); !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %q, want %q", tc.line, got, tc.want)
		}
	}
}

func TestMan(t *testing.T) {
	p := testProgram()
	text := generate(t, func(b *bytes.Buffer) error { return p.Man(b) })
	for i, r := range text {
		if r > 0x7e || r < ' ' && r != '\n' {
			t.Fatalf("byte %d of the page is %q: the page must be ASCII", i, r)
		}
	}
	for l := range strings.Lines(text) {
		if strings.HasPrefix(l, "'") || strings.HasPrefix(l, ".") && !isRequest(l) {
			t.Errorf("a text line reads as a request: %q", l)
		}
	}
	if _, err := exec.LookPath("groff"); err != nil {
		t.Skip("groff is not installed (apt-get install groff-base)")
	}
	page := writeTemp(t, "memtop-test.1", text)
	// -ww: every warning; a warning on stderr fails the test. UTF-8 for a
	// terminal that has it, ASCII for man on one that has not.
	run(t, "groff", "-man", "-Tutf8", "-ww", "-rLL=200n", page)
	rendered := stripOverstrike(run(t, "groff", "-man", "-Tascii", "-ww", "-rLL=200n", page))
	for _, s := range []string{"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES", "SEE ALSO"} {
		if !strings.Contains(rendered, "\n"+s+"\n") {
			t.Errorf("no %s section in\n%s", s, rendered)
		}
	}
	for _, want := range []string{
		"memtop-test - what a Redis server's memory is doing -- live",
		"memtop-test report [flags] [URI]",
		".A line that starts with a dot and 'one with a quote'.",
		`scan's load stays off the masters [it's "gentle"]; a \ backslash`,
		"memtop-test report --format json > 'evidence.json'",
		"--sentinel host:port[,host:port...]",
		"redis-cli(1), redis-server(1)",
		"REDISCLI_AUTH",
		"1.2.3-next",
		"2026-12-06",
	} {
		if !strings.Contains(rendered, want) {
			t.Errorf("the rendered page lacks %q:\n%s", want, rendered)
		}
	}
	// Every flag of every command, under its command's heading.
	for _, c := range p.Commands {
		flags := Flags(c.Flags)
		if len(flags) == 0 {
			continue
		}
		heading := strings.Join(commandLine(p, c), " ")
		_, section, ok := strings.Cut(rendered, "\n   "+heading)
		if !ok {
			t.Errorf("no OPTIONS heading %q", heading)
			continue
		}
		if next := strings.Index(section, "\n   memtop-test"); next >= 0 {
			section = section[:next]
		}
		for _, f := range flags {
			line := f.Spelling()
			if f.Placeholder != "" {
				line += " " + strings.ReplaceAll(f.Placeholder, "…", "...") // as -Tascii draws it
			}
			if !strings.Contains(section, "\n       "+line+"\n") && !strings.Contains(section, "\n       "+line+" ") {
				t.Errorf("%q: %q is not in its OPTIONS:\n%s", heading, line, section)
			}
			if !strings.Contains(oneLine(section), strings.ReplaceAll(f.Usage, "…", "...")) {
				t.Errorf("%q: the help of %s is not in its OPTIONS", heading, f.Spelling())
			}
		}
	}
	if _, err := exec.LookPath("man"); err == nil {
		cmd := exec.CommandContext(t.Context(), "man", "-l", page)
		cmd.Env = append(os.Environ(), "MANPAGER=cat", "MANWIDTH=80")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "EXIT STATUS") {
			t.Errorf("man -l: %v\n%s", err, out)
		}
	}
}

// isRequest is a roff request or macro line the generator writes on purpose.
func isRequest(l string) bool {
	for _, m := range []string{".\\\" ", ".TH ", ".SH ", ".SS ", ".TP", ".PP", ".RS", ".RE", ".nf", ".fi", ".B ", ".BR "} {
		if strings.HasPrefix(l, m) {
			return true
		}
	}
	return false
}

// stripOverstrike removes grotty's bold and underline (c\bc, _\bc).
func stripOverstrike(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := range rs {
		if i+1 < len(rs) && rs[i+1] == '\b' {
			continue
		}
		if rs[i] == '\b' {
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}
