package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
)

// newDemoFlagSet is demo's command line, shared by runDemo and the man page
// and completions (docs.go).
func newDemoFlagSet(stderr io.Writer, uf *uiFlags, serverBin *string, list, fast *bool, hold *time.Duration) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	uf.register(fs)
	uf.scan.repeat = 30 * time.Second // a demo is short: a second pass soon shows which keys grow
	// The demo's server is our own: scan it at full speed.
	if f := fs.Lookup("scan-rate"); f != nil {
		f.DefValue = "0"
		_ = f.Value.Set("0")
	}
	fs.StringVar(serverBin, "redis-server", "", "redis-server binary `path` (default: from PATH)")
	fs.BoolVar(list, "list", false, "list the scenarios and exit")
	fs.BoolVar(fast, "fast", false, "small datasets and no pauses between stages (smoke runs and tests; --hold still applies when given)")
	fs.DurationVar(hold, "hold", demo.DefaultHold, "how long each stage holds its state once reached, before the next starts (n moves on sooner; 0: no hold)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop demo [flags] [SCENARIO]\n\n"+
			"Starts a throwaway redis-server on a free loopback port, runs a scripted workload against it in\n"+
			"stages with captions, and opens the monitor on it. Each stage holds its state for --hold (60s)\n"+
			"once reached. Keys: n next stage, p pause the workload, r restart the scenario. The server and\n"+
			"its files are removed on exit.\n\nScenarios:\n")
		printScenarios(fs.Output())
		fmt.Fprintln(fs.Output(), "\nFlags:")
		fs.PrintDefaults()
	}
	return fs
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var uf uiFlags
	var serverBin string
	var list, fast bool
	var hold time.Duration
	fs := newDemoFlagSet(stderr, &uf, &serverBin, &list, &fast, &hold)
	name, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if list {
		printScenarios(stdout)
		printBuild(ctx, stdout, serverBin)
		return nil
	}
	if err := uf.validate(); err != nil {
		return err
	}
	if hold < 0 {
		return usagef("--hold %s: a hold is 0 or more", hold)
	}
	holdSet := false
	fs.Visit(func(f *flag.Flag) { holdSet = holdSet || f.Name == "hold" })
	switch {
	case holdSet && hold == 0:
		hold = -1 // none
	case fast && !holdSet:
		hold = 0 // Fast's own: none
	}
	cfg := app.DemoConfig{Monitor: uf.config(), Binary: serverBin, Fast: fast, Hold: hold, Out: stderr}
	return app.Demo(ctx, name, cfg) //nolint:wrapcheck // app's errors are one clear line
}

// printBuild says what the redis-server the demo would run can do: it
// starts one, asks it, and stops it (the fragmentation scenario's cure
// depends on it).
func printBuild(ctx context.Context, w io.Writer, serverBin string) {
	bin, facts, err := demo.ProbeBinary(ctx, serverBin)
	if err != nil {
		fmt.Fprintf(w, "\nThe demo's redis-server: %v\n", err)
		return
	}
	fmt.Fprintf(w, "\nThe demo's redis-server: %s (%s)\n%s\n", bin, facts, facts.DefragLine())
}

func printScenarios(w io.Writer) {
	for _, s := range demo.Scenarios() {
		fmt.Fprintf(w, "  %-15s %s\n", s.Name, s.Summary)
	}
	fmt.Fprintf(w, "  %-15s %s\n", demo.ClusterScenario, demo.ClusterSummary)
}
