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
}

func (u *uiFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&u.interval, "interval", time.Second, "poll period")
	fs.DurationVar(&u.history, "history", 15*time.Minute, "history span kept (ring buffer)")
	fs.StringVar(&u.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or mono (NO_COLOR is honoured)")
	fs.StringVar(&u.record, "record", "", "record everything the UI receives to `file` (JSON Lines; gzip when it ends in .gz)")
}

func (u *uiFlags) validate() error {
	if u.interval < 100*time.Millisecond {
		return usagef("--interval must be at least 100ms")
	}
	if u.history < u.interval*2 {
		return usagef("--history must hold at least two polls")
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cctx, cancel := context.WithTimeout(ctx, opts.DialTimeout+opts.CommandTimeout)
	c, err := redisx.Connect(cctx, opts)
	cancel()
	if err != nil {
		return err //nolint:wrapcheck // a ConnectError is already one clear line
	}
	defer func() { _ = c.Close() }()
	return monitor(ctx, c, uf, monitorExtras{target: opts.Redacted()})
}

// monitorExtras are what a caller adds to the plain monitor: another source
// merged into the UI's (the demo's captions), keys, and the target shown.
type monitorExtras struct {
	source  <-chan model.Update
	actions []ui.Action
	target  string
}

// monitor runs the poller and the UI until the user quits; every goroutine
// it starts has ended when it returns. extra, when not nil, is merged into
// the UI's source (the demo's captions).
func monitor(ctx context.Context, c *redisx.Client, uf uiFlags, mx monitorExtras) error {
	extra := mx.source
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	updates := make(chan model.Update, 64)
	uiSource := updates
	var wg sync.WaitGroup
	if uf.record != "" {
		rec, err := openRecorder(uf.record, model.RecordingHeader{Target: mx.target, Interval: uf.interval, Start: time.Now().UTC()})
		if err != nil {
			return err
		}
		defer func() { _ = rec.close() }()
		recorded := make(chan model.Update, 64)
		uiSource = recorded
		wg.Add(1)
		go func() {
			defer wg.Done()
			tee(ctx, updates, recorded, rec)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = redisx.NewPoller(c, uf.interval, 0).Run(ctx, updates)
	}()
	if extra != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case u, ok := <-extra:
					if !ok {
						return
					}
					select {
					case updates <- u:
					case <-ctx.Done():
						return
					}
				}
			}
		}()
	}
	err := ui.Run(ctx, ui.Options{
		Source:    uiSource,
		Recording: uf.record != "",
		Target:    mx.target,
		Actions:   mx.actions,
		Theme:     uf.theme,
		NoColor:   os.Getenv("NO_COLOR") != "",
		Interval:  uf.interval,
		History:   uf.history,
	})
	cancel()
	wg.Wait()
	return err //nolint:wrapcheck // ui.Run says what failed
}
