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
)

func runReport(ctx context.Context, args []string, stdin *os.File, stdout, stderr io.Writer) error {
	var (
		conn     connFlags
		scan     scanFlags
		format   string
		output   string
		interval time.Duration
		duration time.Duration
		quick    bool
	)
	fs := flag.NewFlagSet("redis-memtop report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn.register(fs)
	scan.register(fs, false, 0)
	fs.StringVar(&format, "format", "markdown", "output `format`: markdown or json")
	fs.StringVar(&output, "o", "", "write the report to `file` instead of standard output")
	fs.DurationVar(&interval, "interval", time.Second, "time between two samples")
	fs.DurationVar(&duration, "duration", defaultReportDuration, "how much history to gather before judging (a trend needs 10s)")
	fs.BoolVar(&quick, "quick", false, "two samples one interval apart: faster, but no trend and a low-confidence verdict")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop report [flags] [URI]\n\nConnects, gathers --duration of samples (10s; --quick: two, one interval apart), prints an incident report and exits.\n"+
			"On a Redis Cluster (-c, or a cluster node as the target) --scan covers every master and the big keys\n"+
			"name the node each key lives on; --scan-replicas scans one replica of each master instead.\n\n")
		fs.PrintDefaults()
	}
	uri, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := checkFormat(format); err != nil {
		return err
	}
	if err := scan.validate(); err != nil {
		return err
	}
	opts, err := conn.options(ctx, fs, uri, stdin, stderr)
	if err != nil {
		return err
	}
	st, err := conn.sentinel(opts)
	if err != nil {
		return err
	}
	if interval <= 0 {
		return usagef("--interval must be positive, not %s", interval)
	}
	cfg := app.ReportConfig{Interval: interval, Duration: duration, Scan: scan.config(), Cluster: conn.cluster, Progress: stderr}
	cfg.RaiseHint = "run with a longer --duration (e.g. --duration " + seconds(longer(duration)) + ")"
	if quick {
		cfg.Duration = interval
		cfg.RaiseHint = "run without --quick (" + seconds(defaultReportDuration) + " of samples) or with --duration " + seconds(longer(defaultReportDuration))
	}
	rep, err := app.Report(ctx, opts, st, cfg)
	if err != nil {
		return err //nolint:wrapcheck // app's errors are one clear line
	}
	return app.EmitReport(stdout, output, rep, format) //nolint:wrapcheck // says "report:"
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
