package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// newDemoFlagSet is demo's command line, shared by runDemo and the man page
// and completions (cmd_docs.go).
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

func runDemo(args []string, _ *os.File, stdout, stderr io.Writer) error {
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if strings.EqualFold(name, demo.ClusterScenario) {
		return runDemoCluster(ctx, uf, serverBin, fast)
	}
	sc, ok := demo.Lookup(name)
	if !ok {
		return usagef("no scenario %q: 'redis-memtop demo --list' lists them", name)
	}

	captions := make(chan model.Update, 16)
	runner, err := demo.NewRunner(ctx, sc, demo.RunnerOptions{Binary: serverBin, Updates: captions, Fast: fast})
	if err != nil {
		return err //nolint:wrapcheck // demo errors say what to install
	}
	defer runner.Close() // stops the server and removes its files, whatever happens below

	opts := redisx.DefaultOptions()
	opts.Addr = runner.Server().Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		return err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()

	rctx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = runner.Run(rctx) // a workload error is shown as a caption; the demo goes on
	}()

	actions := demoActions(runner)
	err = monitor(ctx, c, uf, monitorExtras{source: captions, actions: actions, target: "demo " + sc.Name + " " + runner.Server().Addr})
	cancelRun()
	wg.Wait()
	return err
}

// demoGroup heads the demo's keys in the help overlay.
const demoGroup = "Demo"

func printScenarios(w io.Writer) {
	for _, s := range demo.Scenarios() {
		fmt.Fprintf(w, "  %-15s %s\n", s.Name, s.Summary)
	}
	fmt.Fprintf(w, "  %-15s %s\n", demo.ClusterScenario, demo.ClusterSummary)
}
