package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
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
	)
	fs := flag.NewFlagSet("redis-memtop report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	conn.register(fs)
	scan.register(fs, false, 0)
	fs.StringVar(&format, "format", "markdown", "output `format`: markdown or json")
	fs.StringVar(&output, "o", "", "write the report to `file` instead of standard output")
	fs.DurationVar(&interval, "interval", time.Second, "time between the two samples (rates need two)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop report [flags] [URI]\n\nConnects, takes two samples one interval apart, prints an incident report and exits.\n"+
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
	rep, err := app.Report(ctx, opts, st, app.ReportConfig{Interval: interval, Scan: scan.config(), Cluster: conn.cluster, Progress: stderr})
	if err != nil {
		return err //nolint:wrapcheck // app's errors are one clear line
	}
	return app.EmitReport(stdout, output, rep, format) //nolint:wrapcheck // says "report:"
}

func checkFormat(f string) error {
	switch f {
	case "markdown", "md", app.FormatJSON:
		return nil
	}
	return usagef("--format must be markdown or json, not %q", f)
}
