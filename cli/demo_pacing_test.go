package cli

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/app"
	"github.com/redis-memtop/redis-memtop/demo"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// demoServerArgs passes the tests' redis-server to `demo`.
func demoServerArgs(t *testing.T) []string {
	t.Helper()
	redistest.RequireServer(t)
	if bin := os.Getenv("REDIS_SERVER"); bin != "" {
		return []string{"--redis-server", bin}
	}
	return nil
}

// TestDemoSaysWhatItStartsBeforeTheTUI runs `redis-memtop demo --fast` on
// a pseudo-terminal: before the monitor takes the screen (the alternate
// screen's escape), the terminal shows the scenario and its pace, which
// redis-server starts, that it is ready and where; then the monitor's
// footer offers n next stage.
func TestDemoSaysWhatItStartsBeforeTheTUI(t *testing.T) {
	args := append([]string{"demo", "--fast", "--hold", "10m", "--interval", "200ms"}, demoServerArgs(t)...)
	r := startOnPTY(t, 120, 40, append(args, "growth")...)
	r.tr.waitFor(t, "\x1b[?1049h")
	r.tr.waitFor(t, "f freeze") // the monitor's footer is drawn
	out := r.tr.bytes()
	tui := bytes.Index(out, []byte("\x1b[?1049h"))
	if tui < 0 {
		t.Fatalf("the monitor never took the alternate screen: %q", tail(out, 300))
	}
	// The line names the server the demo started: Valkey says so.
	product := "Redis"
	if v, err := exec.CommandContext(t.Context(), redistest.RequireServer(t), "--version").Output(); err == nil && bytes.HasPrefix(v, []byte("Valkey")) {
		product = "Valkey"
	}
	lines := []string{
		"redis-memtop demo: scenario growth — 2 stages, each holding 10 min once it reaches its goal, or until you press n",
		"redis-memtop demo: starting a throwaway redis-server with ",
		"redis-memtop demo: " + product + " ",
		" ready on 127.0.0.1:",
		"redis-memtop demo: opening the monitor; stage 1 starts: ",
	}
	last := -1
	for _, l := range lines {
		i := bytes.Index(out, []byte(l))
		switch {
		case i < 0:
			t.Errorf("the terminal never showed %q before the monitor: %q", l, out[:tui])
		case i > tui:
			t.Errorf("%q came after the monitor took the screen", l)
		case i < last:
			t.Errorf("%q is out of order", l)
		default:
			last = i
		}
	}
	r.quit(t)
}

// TestDemoNMovesToTheNextStage drives a demo (the growth scenario in Fast
// mode, its stages held 10 minutes) through the monitor's own wiring with
// the demo's keys: stage 1's caption is on the screen and stays (the hold),
// the footer offers n next stage, and n brings stage 2's caption.
func TestDemoNMovesToTheNextStage(t *testing.T) {
	redistest.RequireServer(t)
	sc, ok := demo.Lookup("growth")
	if !ok {
		t.Fatal("no growth scenario")
	}
	captions := make(chan model.Update, 16)
	runner, err := demo.NewRunner(t.Context(), sc, demo.RunnerOptions{Binary: os.Getenv("REDIS_SERVER"), Updates: captions, Fast: true, Hold: 10 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(runner.Close)
	o := redisx.DefaultOptions()
	o.Addr = runner.Server().Addr
	r := startLive(t, connectMain(t, o), rigOptions{source: captions, actions: app.DemoActions(runner), w: 120, h: 40})

	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runner.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Logf("runner: %v", err)
		}
	})

	of := "/" + strconv.Itoa(len(sc.Stages)) + ":"
	r.until("stage 1 at its goal, held", func(ui.Model) bool {
		st := runner.Status()
		return st.Stage == 1 && !st.Busy && strings.Contains(r.frame(), "Stage 1"+of) && strings.Contains(r.frame(), "keys of 1 KB without a TTL")
	})
	frame := r.frame()
	if !strings.Contains(frame, "n next stage") {
		t.Errorf("the footer does not offer n next stage:\n%s", frame)
	}
	if strings.Contains(frame, "Stage 2"+of) || runner.Status().Stage != 1 {
		t.Fatalf("stage 2 started without n (stage %d):\n%s", runner.Status().Stage, frame)
	}
	r.press("n")
	r.until("stage 2's caption on the screen", func(ui.Model) bool { return strings.Contains(r.frame(), "Stage 2"+of) })
	if strings.Contains(r.frame(), "Stage 1"+of) {
		t.Errorf("stage 1's caption is still on the screen:\n%s", r.frame())
	}
}

// TestDemoListSaysWhatThisBuildCanDo: `demo --list` starts the demo's
// redis-server and says whether it can defragment in place — what a
// server of the same binary answers to CONFIG SET activedefrag yes — and
// never promises active defrag without that.
func TestDemoListSaysWhatThisBuildCanDo(t *testing.T) {
	code, out, errOut := runCLI(t, append([]string{"demo", "--list"}, demoServerArgs(t)...)...)
	if code != ExitOK {
		t.Fatalf("demo --list: exit %d: %s", code, errOut)
	}
	srv := redistest.StartServer(t)
	c := demo.NewClient(srv.Addr)
	defer func() { _ = c.Close() }()
	refused := c.ConfigSet(t.Context(), "activedefrag", "yes").Err()
	want := "active defrag: this build has it"
	if refused != nil {
		want = "active defrag: not in this build"
	}
	if !strings.Contains(out, "The demo's redis-server: ") || !strings.Contains(out, want) {
		t.Errorf("CONFIG SET activedefrag yes: %v; demo --list should say %q:\n%s", refused, want, out)
	}
	if strings.Contains(out, "activedefrag brings it down") {
		t.Errorf("demo --list still promises active defrag:\n%s", out)
	}
}
