package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// reportFlags are report's flags.
type reportFlags struct {
	conn     connFlags
	scan     scanFlags
	format   string
	output   string
	interval time.Duration
	duration time.Duration
	quick    bool
	prom     promFlags
	history  time.Duration
}

// newReportFlagSet is report's command line, shared by runReport and the
// man page and completions (docs.go).
func newReportFlagSet(stderr io.Writer, f *reportFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.conn.register(fs)
	f.scan.register(fs, false, redisx.DefaultScanRate)
	f.scan.registerGrowthWait(fs)
	f.scan.registerSample(fs)
	fs.StringVar(&f.format, "format", "markdown", "output `format`: markdown or json")
	fs.StringVar(&f.output, "o", "", "write the report to `file` instead of standard output")
	fs.DurationVar(&f.interval, "interval", time.Second, "time between two samples")
	fs.DurationVar(&f.duration, "duration", defaultReportDuration, "how much history to gather before judging (a trend needs 10s)")
	f.prom.register(fs)
	fs.DurationVar(&f.history, "history", time.Hour, "with --prometheus: how much history to read from it")
	fs.BoolVar(&f.quick, "quick", false, "two samples one interval apart: faster, but no trend and a low-confidence verdict")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop report [flags] [URI]\n\nConnects, gathers --duration of samples (10s; --quick: two, one interval apart), prints an incident report and exits.\n"+
			"On a Redis Cluster (-c, or a cluster node as the target) --scan covers every master and the big keys\n"+
			"name the node each key lives on; --scan-replicas scans one replica of each master instead.\n"+
			"--scan keeps to a budget of %d keys/s by default, like the monitor, and backs off when it makes\n"+
			"other clients wait: a report is the command pasted against production, so it must be the gentle one.\n"+
			"--scan-rate 0 goes as fast as the server allows (a few hundred thousand keys/s, one server core busy); it says so on a terminal.\n\n", redisx.DefaultScanRate)
		fs.PrintDefaults()
	}
	return fs
}

func runReport(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) error {
	var f reportFlags
	fs := newReportFlagSet(stderr, &f)
	uri, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format); err != nil {
		return err
	}
	if err := f.scan.validate(); err != nil {
		return err
	}
	f.scan.warnUnlimited(stderr)
	opts, err := f.conn.options(ctx, fs, uri, stdin, stderr)
	if err != nil {
		return err
	}
	st, err := f.conn.sentinel(opts)
	if err != nil {
		return err
	}
	if f.interval <= 0 {
		return usagef("--interval must be positive, not %s", f.interval)
	}
	cfg := app.ReportConfig{Interval: f.interval, Duration: f.duration, Scan: f.scan.config(), Cluster: f.conn.cluster, Progress: stderr, History: f.history}
	if cfg.Prometheus, err = f.prom.client(); err != nil {
		return err
	}
	cfg.RaiseHint = "run with a longer --duration (e.g. --duration " + seconds(longer(f.duration)) + ")"
	if f.quick {
		cfg.Duration = f.interval
		cfg.RaiseHint = "run without --quick (" + seconds(defaultReportDuration) + " of samples) or with --duration " + seconds(longer(defaultReportDuration))
	}
	rep, err := app.Report(ctx, opts, st, cfg)
	if err != nil {
		return err //nolint:wrapcheck // app's errors are one clear line
	}
	return app.EmitReport(stdout, f.output, rep, f.format) //nolint:wrapcheck // says "report:"
}

// defaultReportDuration is the history a report gathers by default: enough
// for the trend checks (model.ThresholdMinTrendSpan).
const defaultReportDuration = 10 * time.Second

// longer is the duration to suggest for more confidence: a minute (the
// verdict's own span for more than low confidence), or twice d past it.
func longer(d time.Duration) time.Duration {
	if d < time.Minute {
		return time.Minute
	}
	return 2 * d
}

// seconds writes a duration as --duration takes it: "60s".
func seconds(d time.Duration) string { return strconv.FormatInt(int64(d/time.Second), 10) + "s" }

func checkFormat(f string) error {
	switch f {
	case "markdown", "md", app.FormatJSON:
		return nil
	}
	return usagef("--format must be markdown or json, not %q", f)
}
