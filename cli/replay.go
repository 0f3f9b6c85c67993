package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
)

// replayFlags are replay's flags.
type replayFlags struct {
	theme, at, format, speed, output string
	report                           bool
}

// newReplayFlagSet is replay's command line, shared by runReplay and the
// man page and completions (docs.go).
func newReplayFlagSet(stderr io.Writer, f *replayFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or mono")
	fs.StringVar(&f.speed, "speed", "1", "playback speed: 1, 4, 16 or max")
	fs.BoolVar(&f.report, "report", false, "print the incident report at the end of the recording (or --at) instead of playing it")
	fs.StringVar(&f.at, "at", "", "with --report: the `time` to report at (RFC 3339, or an offset from the start such as 5m)")
	fs.StringVar(&f.format, "format", "markdown", "with --report: markdown or json")
	fs.StringVar(&f.output, "o", "", "with --report: write to `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop replay [flags] FILE\n\nPlays a recording (made with --record) in the same UI: space pause, ←/→ seek %s,\n1–4 speed (1×, 4×, 16×, as fast as possible). --report turns it into the incident report instead.\n\n", app.ReplaySeek)
		fs.PrintDefaults()
	}
	return fs
}

func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var f replayFlags
	fs := newReplayFlagSet(stderr, &f)
	file, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if file == "" {
		return usagef("replay needs the recording's file name")
	}
	speed, err := parseSpeed(f.speed)
	if err != nil {
		return err
	}
	if err := checkFormat(f.format); err != nil {
		return err
	}
	rec, err := app.LoadRecording(file)
	if err != nil {
		return err //nolint:wrapcheck // says "replay:"
	}
	if f.report {
		until := rec.End()
		if f.at != "" {
			if until, err = parseAt(f.at, rec.Start()); err != nil {
				return err
			}
		}
		return app.EmitReport(stdout, f.output, app.RecordingReport(rec, until), f.format) //nolint:wrapcheck // says "report:"
	}
	if f.at != "" {
		return usagef("--at goes with --report")
	}
	return app.Replay(ctx, rec, speed, f.theme) //nolint:wrapcheck // says "ui:"
}

func parseSpeed(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "1":
		return 1, nil
	case "4":
		return 4, nil
	case "16":
		return 16, nil
	case "max", "0":
		return 0, nil
	}
	return 0, usagef("--speed must be 1, 4, 16 or max, not %q", s)
}

func parseAt(s string, start time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return start.Add(d), nil
	}
	return time.Time{}, usagef("--at must be an RFC 3339 time or an offset such as 5m, not %q", s)
}
