package main

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"charm.land/bubbles/v2/key"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/ui"
)

// replaySpeeds are the speeds keys 1–4 choose; 0 is as fast as possible.
var replaySpeeds = []float64{1, 4, 16, 0}

// replaySeek is how far ← and → move.
const replaySeek = 30 * time.Second

// replayFlags are replay's flags.
type replayFlags struct {
	theme, at, format, speedArg, output string
	report                              bool
}

// newReplayFlagSet is replay's command line, shared by runReplay and the man
// page and completions (cmd_docs.go).
func newReplayFlagSet(stderr io.Writer, f *replayFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("redis-memtop replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.theme, "theme", "auto", "colour theme: auto, dark, light, high-contrast or mono")
	fs.StringVar(&f.speedArg, "speed", "1", "playback speed: 1, 4, 16 or max")
	fs.BoolVar(&f.report, "report", false, "print the incident report at the end of the recording (or --at) instead of playing it")
	fs.StringVar(&f.at, "at", "", "with --report: the `time` to report at (RFC 3339, or an offset from the start such as 5m)")
	fs.StringVar(&f.format, "format", "markdown", "with --report: markdown or json")
	fs.StringVar(&f.output, "o", "", "with --report: write to `file`")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: redis-memtop replay [flags] FILE\n\nPlays a recording (made with --record) in the same UI: space pause, ←/→ seek %s,\n1–4 speed (1×, 4×, 16×, as fast as possible). --report turns it into the incident report instead.\n\n", replaySeek)
		fs.PrintDefaults()
	}
	return fs
}

func runReplay(args []string, _ *os.File, stdout, stderr io.Writer) error {
	var rf replayFlags
	fs := newReplayFlagSet(stderr, &rf)
	file, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	theme, at, format, speedArg, output, report := rf.theme, rf.at, rf.format, rf.speedArg, rf.output, rf.report
	if file == "" {
		return usagef("replay needs the recording's file name")
	}
	speed, err := parseSpeed(speedArg)
	if err != nil {
		return err
	}
	if err := checkFormat(format); err != nil {
		return err
	}
	rec, err := loadRecording(file)
	if err != nil {
		return err
	}
	if report {
		until := rec.End()
		if at != "" {
			if until, err = parseAt(at, rec.Start()); err != nil {
				return err
			}
		}
		return emitReport(stdout, output, recordingReport(rec, until), format)
	}
	if at != "" {
		return usagef("--at goes with --report")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pl := newPlayer(rec, speed)
	updates := make(chan model.Update, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		pl.run(ctx, updates)
	}()
	h := rec.Header
	interval := h.Interval
	if interval <= 0 {
		interval = time.Second
	}
	err = ui.Run(ctx, ui.Options{
		Source:   updates,
		Target:   h.Target,
		Theme:    theme,
		NoColor:  os.Getenv("NO_COLOR") != "",
		Interval: interval,
		History:  max(rec.End().Sub(rec.Start())+interval, 15*time.Minute),
		Replay:   true,
		Actions:  pl.actions(),
	})
	cancel()
	<-done
	return err //nolint:wrapcheck // ui.Run says what failed
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

// loadRecording reads a recording file, gunzipping when it ends in .gz.
func loadRecording(path string) (*model.Recording, error) {
	f, err := os.Open(path) //nolint:gosec // the user names the recording to read
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	defer func() { _ = f.Close() }()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("replay: %s: %w", path, err)
		}
		r = zr
	}
	rec, err := model.ReadRecording(r)
	if err != nil {
		return nil, fmt.Errorf("replay: %s: %w", path, err)
	}
	return rec, nil
}

// recordingReport is the incident report as the recording stood at t.
func recordingReport(rec *model.Recording, t time.Time) model.Report {
	n := rec.IndexAt(t)
	hist := model.NewHistory(max(n, 2))
	extras := rec.Fold(n, hist)
	rep := model.BuildReport(model.ReportInput{
		Now:    t,
		Target: model.ReportTarget{Addr: rec.Header.Target},
		Hist:   hist,
		Extras: extras,
	})
	rep.Notes = append(rep.Notes, fmt.Sprintf("made from a recording, %d of %d lines, at %s", n, len(rec.Lines), t.UTC().Format(time.RFC3339)))
	if rec.Truncated {
		rep.Notes = append(rep.Notes, "the recording was cut off mid-line: it ends at its last whole line")
	}
	return rep
}

// formatJSON is the --format value for machines; anything else is Markdown.
const formatJSON = "json"

func checkFormat(f string) error {
	switch f {
	case "markdown", "md", formatJSON:
		return nil
	}
	return usagef("--format must be markdown or json, not %q", f)
}

// emitReport writes the report to the file named by output, or to stdout.
func emitReport(stdout io.Writer, output string, rep model.Report, format string) error {
	if output == "" {
		return writeReport(stdout, rep, format)
	}
	f, err := os.Create(output)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := writeReport(f, rep, format); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}

func writeReport(out io.Writer, rep model.Report, format string) error {
	if format == formatJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return fmt.Errorf("report: %w", err)
		}
		return nil
	}
	return rep.WriteMarkdown(out) //nolint:wrapcheck // already says "report:"
}

// player feeds a recording to the UI at its recorded pace (times the speed),
// and takes pause, seek and speed from the keys.
type player struct {
	rec  *model.Recording
	ctl  chan func(*playState)
	init float64
}

type playState struct {
	idx    int // next line to send
	speed  float64
	paused bool
	seekTo int // -1, or the line index to jump to
}

func newPlayer(rec *model.Recording, speed float64) *player {
	return &player{rec: rec, ctl: make(chan func(*playState), 8), init: speed}
}

// control queues a change; it never blocks the UI (a full queue drops it).
func (p *player) control(f func(*playState)) {
	select {
	case p.ctl <- f:
	default:
	}
}

func (p *player) actions() []ui.Action {
	g := "Replay"
	acts := make([]ui.Action, 0, 3+len(replaySpeeds))
	acts = append(acts, []ui.Action{
		{Group: g, Key: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pause / play")), Do: func() string {
			p.control(func(s *playState) { s.paused = !s.paused })
			return ""
		}},
		{Group: g, Key: key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "back "+replaySeek.String())), Do: func() string {
			p.control(func(s *playState) { s.seekTo = p.seekFrom(s.idx, -replaySeek) })
			return ""
		}},
		{Group: g, Key: key.NewBinding(key.WithKeys("right"), key.WithHelp("→", "forward "+replaySeek.String())), Do: func() string {
			p.control(func(s *playState) { s.seekTo = p.seekFrom(s.idx, replaySeek) })
			return ""
		}},
	}...)
	for i, sp := range replaySpeeds {
		label := fmt.Sprintf("%g×", sp)
		if sp == 0 {
			label = "as fast as possible"
		}
		k := fmt.Sprint(i + 1)
		acts = append(acts, ui.Action{Group: g, Key: key.NewBinding(key.WithKeys(k), key.WithHelp(k, "speed "+label)), Do: func() string {
			p.control(func(s *playState) { s.speed = sp })
			return "speed " + label
		}})
	}
	return acts
}

// seekFrom is the line index d away (in recorded time) from line idx.
func (p *player) seekFrom(idx int, d time.Duration) int {
	lines := p.rec.Lines
	if len(lines) == 0 {
		return 0
	}
	at := lines[max(min(idx, len(lines))-1, 0)].T.Add(d)
	return p.rec.IndexAt(at)
}

func (p *player) state(s *playState, reset bool) *model.ReplayState {
	pos := p.rec.Start()
	if s.idx > 0 {
		pos = p.rec.Lines[s.idx-1].T
	}
	return &model.ReplayState{
		Start: p.rec.Start(), End: p.rec.End(), Pos: pos,
		Speed: s.speed, Paused: s.paused, Done: s.idx >= len(p.rec.Lines), Reset: reset,
	}
}

// run sends the lines until ctx ends; at the end of the recording it waits
// for a seek.
func (p *player) run(ctx context.Context, out chan<- model.Update) {
	s := &playState{speed: p.init, seekTo: -1}
	send := func(u model.Update) bool {
		select {
		case out <- u:
			return true
		case <-ctx.Done():
			return false
		}
	}
	lines := p.rec.Lines
	var timer *time.Timer
	for {
		// Apply a seek: backwards means rebuilding the UI from the start.
		if s.seekTo >= 0 {
			to := s.seekTo
			s.seekTo = -1
			if to < s.idx {
				s.idx = 0
				if !send(model.Update{Replay: p.state(s, true)}) {
					return
				}
			}
			for ; s.idx < to; s.idx++ {
				if !send(lines[s.idx].Update) {
					return
				}
			}
		}
		if !send(model.Update{Replay: p.state(s, false)}) {
			return
		}
		var wait <-chan time.Time
		if !s.paused && s.idx < len(lines) {
			d := time.Duration(0)
			if s.idx > 0 && s.speed > 0 {
				d = time.Duration(float64(lines[s.idx].T.Sub(lines[s.idx-1].T)) / s.speed)
				d = min(max(d, 0), 5*time.Second) // a long gap in the recording is not waited out
			}
			timer = time.NewTimer(d)
			wait = timer.C
		}
		select {
		case <-ctx.Done():
			return
		case f := <-p.ctl:
			f(s)
		case <-wait:
			if !send(lines[s.idx].Update) {
				return
			}
			s.idx++
		}
		if timer != nil {
			timer.Stop()
		}
	}
}
