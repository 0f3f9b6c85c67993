package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// sgrParamsRE matches one SGR sequence; its parameters are group 1.
var sgrParamsRE = regexp.MustCompile(`\x1b\[([0-9;]*)m`)

// faintCount counts the SGR sequences of a frame that turn faint on (the
// parameter 2, not the 2 of a 38;2;r;g;b colour).
func faintCount(frame string) int {
	n := 0
	for _, m := range sgrParamsRE.FindAllStringSubmatch(frame, -1) {
		ps := strings.Split(m[1], ";")
		for i := 0; i < len(ps); i++ {
			switch ps[i] {
			case "38", "48", "58":
				if i+1 < len(ps) && ps[i+1] == "2" {
					i += 4
				} else {
					i += 2
				}
			case "2":
				n++
			}
		}
	}
	return n
}

// TestStoppedServerFramesAreStaleAndPaused: the server the monitor watches
// stops. The rendered frame then says the figures are from the last sample
// (the header and the graph's title give its time), draws them faint, the
// checklist says the verdict is paused on that data, and the scan says what
// failed and when it retries.
func TestStoppedServerFramesAreStaleAndPaused(t *testing.T) {
	srv := redistest.StartServer(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	opts := redisx.DefaultOptions()
	opts.Addr = srv.Addr
	c, err := redisx.Connect(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	d := startLive(t, c, rigOptions{w: 200, h: 60, scan: &app.ScanConfig{}})
	d.until("live, scanned", func(m ui.Model) bool {
		return strings.Contains(d.frame(), "● live") && m.Live().Last() != nil && scanDone(m)
	})
	if n := faintCount(d.m.View().Content); n != 0 {
		t.Fatalf("a live frame has %d faint runs:\n%s", n, d.frame())
	}
	if f := d.frame(); strings.Contains(f, "as of") || strings.Contains(f, "paused: last data") {
		t.Fatalf("a live frame says it is stale:\n%s", f)
	}

	srv.Kill()
	d.until("reconnecting", func(ui.Model) bool { return strings.Contains(d.frame(), "reconnecting") })
	last := d.m.Live().Last().Time.Format("15:04:05")
	f := d.frame()
	for _, want := range []string{
		"figures as of " + last,                     // the header
		"Memory · used vs RSS · 5m · as of " + last, // the graph's title
		"⏸ paused: last data " + last,               // the checklist, above the verdict
	} {
		if !strings.Contains(f, want) {
			t.Errorf("stale frame lacks %q:\n%s", want, f)
		}
	}
	if n := faintCount(d.m.View().Content); n == 0 {
		t.Errorf("the stale frame draws nothing faint:\n%s", f)
	}
	// The scan restarts its pass on the lost server and fails: it names the
	// error and the time of its next try.
	d.press("R")
	retry := regexp.MustCompile(`scan error.*retry at \d\d:\d\d:\d\d`)
	d.until("the scan's retry time", func(ui.Model) bool { return retry.MatchString(d.frame()) })

	// At the README's size the header still says it, on one line.
	d.m, _ = uiStep(t, d.m, tea.WindowSizeMsg{Width: 120, Height: 40})
	f = d.frame()
	lines := strings.Split(f, "\n")
	if !strings.Contains(lines[0], "reconnecting") || !strings.HasPrefix(lines[1], "╭─ Memory") {
		t.Errorf("120x40: the header is not one line with the link state:\n%s", f)
	}
	if !strings.Contains(f, "paused: last data "+last) {
		t.Errorf("120x40: no paused checklist:\n%s", f)
	}
}
