package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/redis-memtop/redis-memtop/redisx"
)

// uiFlags are the flags of the live monitor (also used by demo).
type uiFlags struct {
	interval time.Duration
	history  time.Duration
	theme    string
	record   string
	scan     scanFlags
}

func (u *uiFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&u.interval, "interval", time.Second, "poll period")
	fs.DurationVar(&u.history, "history", 15*time.Minute, "history span kept (ring buffer)")
	fs.StringVar(&u.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or mono (NO_COLOR is honoured)")
	fs.StringVar(&u.record, "record", "", "record everything the UI receives to `file` (JSON Lines; gzip when it ends in .gz)")
	u.scan.register(fs, true, redisx.DefaultScanRate)
	u.scan.repeat = 10 * time.Minute
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

// newMonitorFlagSet is the live monitor's command line, shared by
// runMonitor and the man page and completions (cmd_docs.go).
func newMonitorFlagSet(stderr io.Writer, cf *connFlags, uf *uiFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf.register(fs)
	uf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), topUsage+"\nFlags of the live monitor:\n")
		fs.PrintDefaults()
	}
	return fs
}

func runMonitor(args []string, stdin *os.File, _, stderr io.Writer) error {
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
	if len(uris) > 1 {
		return runFleet(fs, &cf, uf, uris, stdin, stderr)
	}
	uri := ""
	if len(uris) == 1 {
		uri = uris[0]
	}
	opts, err := cf.options(fs, uri, stdin, stderr)
	if err != nil {
		return err
	}
	st, err := cf.sentinel(opts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if st != nil {
		if opts, err = st.resolve(ctx, opts); err != nil {
			return err
		}
	}

	cctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+opts.CommandTimeout)
	c, err := redisx.Connect(cctx, opts)
	cancel()
	if err != nil {
		return err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()
	if cf.cluster || redisx.IsCluster(c) {
		return monitorCluster(ctx, opts, uf)
	}
	if uf.scan.replicas {
		return usagef("--scan-replicas is for a Redis Cluster; %s is not one", opts.Redacted())
	}
	mx := monitorExtras{target: opts.Redacted(), writes: true}
	if st != nil {
		mx = st.monitorExtras(c, uf, mx)
	}
	return monitor(ctx, c, uf, mx)
}
