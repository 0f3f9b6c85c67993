// Package clidoc writes a command line's shell completions (bash, zsh, fish)
// and its man page from the same flag.FlagSets that parse the command line
// and print its --help, so the help text, the completions and the man page
// cannot disagree. It is pure: a Program in, text out.
package clidoc

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// Program is everything the completions and the man page say.
type Program struct {
	Name    string // the binary, e.g. redis-memtop
	Summary string // the man page's NAME line, after the dash
	Version string // the man page's footer; may be empty
	Date    string // the man page's footer (YYYY-MM-DD); may be empty
	// Description is the man page's DESCRIPTION, one paragraph each.
	Description []string
	// Commands are the subcommands; the one with an empty Name is what runs
	// when no subcommand is given (its flags are the top-level flags).
	Commands    []Command
	Environment []Item
	ExitStatus  []Item
	Examples    []Example
	SeeAlso     []string // e.g. "redis-cli(1)"
}

// Command is one subcommand, or the program itself when Name is empty.
type Command struct {
	Name    string
	Summary string        // one line
	Usage   string        // e.g. "redis-memtop report [flags] [URI]"
	Flags   *flag.FlagSet // nil when the command takes no flags
	// Values lists, by flag name, the values a flag accepts, for completion.
	// A flag whose placeholder is "file" or "path" completes file names and
	// one whose placeholder is "host" host names without a hint.
	Values map[string][]string
	Args   Args
}

// Args hints what the positional arguments complete to.
type Args struct {
	Words []Item // fixed words (e.g. the demo scenarios), with a short description
	Files bool   // file names
}

// Item is a name and its text: an environment variable, an exit code, a word.
type Item struct{ Name, Text string }

// Example is a command line and what it does.
type Example struct{ Text, Command string }

// Flag is one flag as the completions and the man page need it.
type Flag struct {
	Name        string
	Usage       string // the help text with the placeholder's back quotes removed, on one line
	Placeholder string // the value's name (flag.UnquoteUsage); empty for a boolean flag
	Default     string // empty when the flag's default is its zero value, as flag.PrintDefaults does
	Bool        bool
}

// Spelling is how the completions offer the flag: -h for a one-letter flag,
// --interval for a longer one (the flag package takes one or two dashes for
// either).
func (f Flag) Spelling() string {
	if len(f.Name) == 1 {
		return "-" + f.Name
	}
	return "--" + f.Name
}

// Spellings are both ways the flag package accepts the flag's name.
func (f Flag) Spellings() []string { return []string{"-" + f.Name, "--" + f.Name} }

// boolFlag is the flag package's own (unexported) test for a flag that takes
// no value.
type boolFlag interface{ IsBoolFlag() bool }

// Flags visits every flag of fs in name order. fs may be nil.
func Flags(fs *flag.FlagSet) []Flag {
	if fs == nil {
		return nil
	}
	var out []Flag
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		b, ok := f.Value.(boolFlag)
		isBool := ok && b.IsBoolFlag()
		if isBool {
			name = ""
		}
		def := f.DefValue
		switch def {
		case "", "0", "false", "0s":
			def = ""
		}
		out = append(out, Flag{Name: f.Name, Usage: oneLine(usage), Placeholder: name, Default: def, Bool: isBool})
	})
	return out
}

// valueKind is what a flag's value completes to.
type valueKind int

const (
	valueNone  valueKind = iota // a boolean flag: no value
	valueFree                   // anything: nothing to offer
	valueWords                  // one of Command.Values
	valueFiles
	valueHosts
)

func (c *Command) valueOf(f Flag) (valueKind, []string) {
	if f.Bool {
		return valueNone, nil
	}
	if v, ok := c.Values[f.Name]; ok && len(v) > 0 {
		return valueWords, v
	}
	switch f.Placeholder {
	case "file", "path":
		return valueFiles, nil
	case "host":
		return valueHosts, nil
	}
	return valueFree, nil
}

// named are the subcommands in the order given; root is the command with no
// name (a zero Command when there is none).
func (p *Program) split() (root Command, named []Command) {
	for _, c := range p.Commands {
		if c.Name == "" {
			root = c
			continue
		}
		named = append(named, c)
	}
	return root, named
}

// Shells are the shells Completion writes for.
var Shells = []string{"bash", "zsh", "fish"}

// Completion writes the completion script for shell.
func (p *Program) Completion(w io.Writer, shell string) error {
	switch shell {
	case "bash":
		return p.Bash(w)
	case "zsh":
		return p.Zsh(w)
	case "fish":
		return p.Fish(w)
	}
	return fmt.Errorf("clidoc: no completion for shell %q (%s)", shell, strings.Join(Shells, ", "))
}

// oneLine folds help text that spans lines into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// identifier turns a program name into a shell function name part.
func identifier(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// writer keeps the first write error so the generators can write freely.
type writer struct {
	w   io.Writer
	err error
}

func (w *writer) printf(format string, a ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.w, format, a...)
	}
}
