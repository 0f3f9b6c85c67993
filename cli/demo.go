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
func newDemoFlagSet(stderr io.Writer, uf *uiFlags, serverBin *string, list, fast *bool) *flag.FlagSet {
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
	fs.BoolVar(fast, "fast", false, "small datasets and no pauses between stages (smoke runs)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop demo [flags] [SCENARIO]\n\n"+
			"Starts a throwaway redis-server on a free loopback port, runs a scripted workload against it in\n"+
			"stages with captions, and opens the monitor on it. Keys: n next stage, p pause the workload,\n"+
			"r restart the scenario. The server and its files are removed on exit.\n\nScenarios:\n")
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
	fs := newDemoFlagSet(stderr, &uf, &serverBin, &list, &fast)
	name, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if list {
		printScenarios(stdout)
		return nil
	}
	if err := uf.validate(); err != nil {
		return err
	}
	return app.Demo(ctx, name, app.DemoConfig{Monitor: uf.config(), Binary: serverBin, Fast: fast}) //nolint:wrapcheck // app's errors are one clear line
}

func printScenarios(w io.Writer) {
	for _, s := range demo.Scenarios() {
		fmt.Fprintf(w, "  %-15s %s\n", s.Name, s.Summary)
	}
	fmt.Fprintf(w, "  %-15s %s\n", demo.ClusterScenario, demo.ClusterSummary)
}
