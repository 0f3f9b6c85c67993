package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// uiFlags are the flags of the live monitor (also used by demo).
type uiFlags struct {
	interval time.Duration
	history  time.Duration
	theme    string
	record   string
	scan     scanFlags
}

// scanFlags drive the big-key worker.
type scanFlags struct {
	on      bool
	off     bool
	rate    int
	samples int
	repeat  time.Duration
}

func (s *scanFlags) register(fs *flag.FlagSet, on bool, rate int) {
	fs.BoolVar(&s.on, "scan", on, "run the big-key scan (SCAN + MEMORY USAGE in the background)")
	fs.BoolVar(&s.off, "no-scan", false, "do not scan for big keys")
	fs.IntVar(&s.rate, "scan-rate", rate, "big-key scan budget in keys per second (0 = unlimited)")
	fs.IntVar(&s.samples, "samples", 5, "MEMORY USAGE SAMPLES for the big-key scan (never 0)")
}

func (s *scanFlags) enabled() bool { return s.on && !s.off }

func (s *scanFlags) validate() error {
	if s.rate < 0 {
		return usagef("--scan-rate must be 0 (unlimited) or more")
	}
	if s.samples < 1 {
		return usagef("--samples must be 1 or more: SAMPLES 0 would read every element of a big collection")
	}
	return nil
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

func runMonitor(args []string, stdin *os.File, _, stderr io.Writer) error {
	var cf connFlags
	var uf uiFlags
	fs := flag.NewFlagSet("redis-memtop", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cf.register(fs)
	uf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), topUsage+"\nFlags of the live monitor:\n")
		fs.PrintDefaults()
	}
	uri, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := uf.validate(); err != nil {
		return err
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
	mx := monitorExtras{target: opts.Redacted(), writes: true}
	if st != nil {
		// The poller follows a failover; the scan and the write keys stay on
		// the master found at start.
		mx.target += " (sentinel " + st.name + ")"
		mx.poll = redisx.NewSentinelPoller(c, st.addrs, st.name, st.opts, uf.interval).Run
	}
	return monitor(ctx, c, uf, mx)
}

// monitorExtras are what a caller adds to the plain monitor: another source
// merged into the UI's (the demo's captions), keys, and the target shown.
type monitorExtras struct {
	source  <-chan model.Update
	actions []ui.Action
	target  string
	// writes adds the write-action keys (cmd_writes.go): live only with
	// --allow-writes, otherwise they say the flag is needed.
	writes bool
	// poll replaces the plain poller (the Sentinel one follows failovers).
	poll func(context.Context, chan<- model.Update) error
}

// scanDBs are the databases INFO keyspace listed at connect time (nil: the
// client's own).
func scanDBs(c *redisx.Client) []int { return redisx.ScanDBs(c.FirstInfo().Keyspace()) }

// monitor runs the poller, the scan worker and the UI until the user quits;
// every goroutine it starts has ended when it returns.
func monitor(ctx context.Context, c *redisx.Client, uf uiFlags, mx monitorExtras) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	updates := make(chan model.Update, 64)
	uiSource := updates
	var wg sync.WaitGroup
	goRun := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	if uf.record != "" {
		rec, err := openRecorder(uf.record, model.RecordingHeader{Target: mx.target, Interval: uf.interval, Start: time.Now().UTC()})
		if err != nil {
			return err
		}
		defer func() { _ = rec.close() }()
		recorded := make(chan model.Update, 64)
		uiSource = recorded
		goRun(func() { tee(ctx, updates, recorded, rec) })
	}

	panes := []ui.Pane{ui.NewChecklistPane()}
	actions := mx.actions
	export := exporter(c, mx.target)
	if mx.writes {
		wlog := &writeLog{}
		actions = append(append([]ui.Action{}, actions...), writeActions(ctx, c, wlog, time.Now)...)
		export = wlog.wrap(export)
	}
	var worker *redisx.ScanWorker
	if uf.scan.enabled() {
		worker = c.NewScanWorker(redisx.ScanOptions{DBs: scanDBs(c), Rate: uf.scan.rate, Samples: uf.scan.samples, Repeat: uf.scan.repeat})
		panes = []ui.Pane{ui.NewBigKeysPane(), ui.NewChecklistPane()}
		actions = append(append([]ui.Action{}, actions...), ui.ScanActions(worker)...)
		goRun(func() { _ = worker.Run(ctx, updates) })
	}

	// The poller's samples pass by the scan worker on their way to the UI:
	// it slows down while a fork runs.
	polled := make(chan model.Update, 16)
	poll := mx.poll
	if poll == nil {
		poll = redisx.NewPoller(c, uf.interval, 0).Run
	}
	goRun(func() { _ = poll(ctx, polled) })
	goRun(func() {
		forward(ctx, polled, updates, func(u model.Update) {
			if worker != nil && u.Sample != nil && !u.Sample.IsGap() {
				worker.SetForkRunning(u.Sample.ForkRunning())
			}
		})
	})
	if mx.source != nil {
		goRun(func() { forward(ctx, mx.source, updates, nil) })
	}

	err := ui.Run(ctx, ui.Options{
		Source:     uiSource,
		Target:     mx.target,
		Theme:      uf.theme,
		NoColor:    os.Getenv("NO_COLOR") != "",
		Interval:   uf.interval,
		History:    uf.history,
		Recording:  uf.record != "",
		ExtraPanes: panes,
		Actions:    actions,
		Export:     export,
	})
	cancel()
	wg.Wait()
	return err //nolint:wrapcheck // ui.Run says what failed
}

// forward copies updates from in to out until ctx ends or in is closed,
// showing each to see first.
func forward(ctx context.Context, in <-chan model.Update, out chan<- model.Update, see func(model.Update)) {
	for {
		select {
		case <-ctx.Done():
			return
		case u, ok := <-in:
			if !ok {
				return
			}
			if see != nil {
				see(u)
			}
			select {
			case out <- u:
			case <-ctx.Done():
				return
			}
		}
	}
}
