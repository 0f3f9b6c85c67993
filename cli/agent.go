package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// agentFlags are the agent's flags.
type agentFlags struct {
	conn        connFlags
	scan        scanFlags
	listen      string
	interval    time.Duration
	history     time.Duration
	topPrefixes int
	topKeys     int
	keyNames    string
}

// defaultAgentListen is where the agent serves by default: loopback, so
// nothing is exposed unless asked for.
const defaultAgentListen = "127.0.0.1:9188"

// newAgentFlagSet is the agent's command line, shared by runAgent and the
// man page and completions (docs.go).
func newAgentFlagSet(stderr io.Writer, f *agentFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop agent", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.conn.register(fs)
	f.scan.register(fs, true, redisx.DefaultScanRate)
	f.scan.repeat = 10 * time.Minute
	fs.StringVar(&f.listen, "listen", defaultAgentListen, "serve the metrics on this `host:port` (loopback unless told otherwise; port 0 picks one)")
	fs.DurationVar(&f.interval, "interval", time.Second, "poll period")
	fs.DurationVar(&f.history, "history", 15*time.Minute, "history kept per server for the trends the checks and the verdict read")
	fs.IntVar(&f.topPrefixes, "agent-top-prefixes", app.DefaultAgentTopPrefixes, "top-level key prefixes per server with series of their own, biggest first (0 = none)")
	fs.IntVar(&f.topKeys, "agent-top-keys", app.DefaultAgentTopKeys, "biggest keys per server with a series of their own (0 = none)")
	fs.StringVar(&f.keyNames, "agent-key-names", app.KeyNamesPlain, "how a key name becomes a label: plain (escaped, cut) or hash (sha256, private)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop agent [flags] [URI...]\n\n"+
			"Runs headless: polls the server (a cluster with -c or when detected, or several servers named by URIs),\n"+
			"evaluates the checklist and the verdict, runs the gentle big-key scan, and serves it all as OpenMetrics\n"+
			"on --listen (/metrics) for Prometheus to scrape, until interrupted.\n\n")
		fs.PrintDefaults()
	}
	return fs
}

func runAgent(ctx context.Context, args []string, stdin *os.File, stderr io.Writer) error {
	var f agentFlags
	fs := newAgentFlagSet(stderr, &f)
	uris, err := parseArgsN(fs, args)
	if err != nil {
		return err
	}
	if err := f.validate(); err != nil {
		return err
	}
	var targets []redisx.Options
	if len(uris) > 1 {
		if targets, err = fleetTargets(ctx, fs, &f.conn, uris, stdin, stderr); err != nil {
			return err
		}
	} else {
		uri := ""
		if len(uris) == 1 {
			uri = uris[0]
		}
		opts, err := f.conn.options(ctx, fs, uri, stdin, stderr)
		if err != nil {
			return err
		}
		targets = []redisx.Options{opts}
	}
	cfg := app.AgentConfig{
		Listen:   f.listen,
		Interval: f.interval,
		History:  f.history,
		Scan:     f.scan.config(),
		Cluster:  f.conn.cluster,
		Metrics:  app.AgentMetrics{TopPrefixes: orNone(f.topPrefixes), TopKeys: orNone(f.topKeys), KeyNames: f.keyNames},
		Log:      stderr,
	}
	return app.RunAgent(ctx, targets, cfg) //nolint:wrapcheck // app's errors are one clear line
}

func (f *agentFlags) validate() error {
	if f.interval < 100*time.Millisecond {
		return usagef("--interval must be at least 100ms")
	}
	if f.history < f.interval*2 {
		return usagef("--history must hold at least two polls")
	}
	if f.topPrefixes < 0 || f.topKeys < 0 {
		return usagef("--agent-top-prefixes and --agent-top-keys must be 0 or more")
	}
	if f.keyNames != app.KeyNamesPlain && f.keyNames != app.KeyNamesHash {
		return usagef("--agent-key-names must be plain or hash, not %q", f.keyNames)
	}
	if f.conn.allowWrites {
		return usagef("--allow-writes does not go with the agent: it only reads")
	}
	if f.conn.sentinels != "" || f.conn.masterName != "" {
		return usagef("--sentinel does not go with the agent yet: name the master (or every server) by a URI")
	}
	return f.scan.validate()
}

// orNone maps the flag's 0 (none) to AgentMetrics' "none" (< 0).
func orNone(n int) int {
	if n == 0 {
		return -1
	}
	return n
}
