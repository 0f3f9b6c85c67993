package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/promx"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// uiFlags are the flags of the live monitor (also used by demo).
type uiFlags struct {
	interval time.Duration
	history  time.Duration
	theme    string
	record   string
	scan     scanFlags
	// prom is registered by the monitor only (not demo); promClient is
	// what it asks for, set by runMonitor.
	prom       promFlags
	promClient *promx.Client
}

func (u *uiFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&u.interval, "interval", time.Second, "poll period")
	fs.DurationVar(&u.history, "history", 15*time.Minute, "history span kept (ring buffer)")
	fs.StringVar(&u.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or mono (NO_COLOR is honoured)")
	fs.StringVar(&u.record, "record", "", "record everything the UI receives to `file` (JSON Lines; gzip when it ends in .gz)")
	u.scan.register(fs, true, redisx.DefaultScanRate)
	u.scan.repeat = 10 * time.Minute
	u.scan.registerGrowthEvery(fs)
}

func (u *uiFlags) validate() error {
	if u.interval < 100*time.Millisecond {
		return usagef("--interval must be at least 100ms")
	}
	if u.history < u.interval*2 {
		return usagef("--history must hold at least two polls")
	}
	if err := u.scan.validate(); err != nil {
		return err
	}
	switch u.theme {
	case "auto", "dark", "light", "high-contrast", "mono":
		return nil
	}
	return usagef("--theme must be auto, dark, light, high-contrast or mono, not %q", u.theme)
}

// config is the monitor's configuration the flags say.
func (u *uiFlags) config() app.Config {
	return app.Config{Interval: u.interval, History: u.history, Theme: u.theme, Record: u.record, Scan: u.scan.config(), Prometheus: u.promClient}
}

// newMonitorFlagSet is the live monitor's command line, shared by
// runMonitor and the man page and completions (docs.go).
func newMonitorFlagSet(stderr io.Writer, cf *connFlags, uf *uiFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf.register(fs)
	uf.register(fs)
	uf.prom.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), topUsage+"\nFlags of the live monitor:\n")
		fs.PrintDefaults()
	}
	return fs
}

func runMonitor(ctx context.Context, args []string, stdin *os.File, stderr io.Writer) error {
	var cf connFlags
	var uf uiFlags
	fs := newMonitorFlagSet(stderr, &cf, &uf)
	uris, err := parseArgsN(fs, args)
	if err != nil {
		return err
	}
	if err := uf.validate(); err != nil {
		return err
	}
	if uf.promClient, err = uf.prom.client(); err != nil {
		return err
	}
	if len(uris) > 1 {
		return runFleet(ctx, fs, &cf, uf, uris, stdin, stderr)
	}
	uri := ""
	if len(uris) == 1 {
		uri = uris[0]
	}
	opts, err := cf.options(ctx, fs, uri, stdin, stderr)
	if err != nil {
		return err
	}
	st, err := cf.sentinel(opts)
	if err != nil {
		return err
	}
	return app.MonitorTarget(ctx, opts, st, cf.cluster, uf.config()) //nolint:wrapcheck // app's errors are one clear line
}
