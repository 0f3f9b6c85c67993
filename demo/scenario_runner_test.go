package demo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// counting is a scenario whose every stage INCRs its own counter key, one
// command per batch, until the stage is ended from outside.
func counting(stages int) Scenario {
	sc := Scenario{Name: "counting", Summary: "test"}
	for i := range stages {
		key := fmt.Sprintf("count:%d", i+1)
		sc.Stages = append(sc.Stages, Stage{
			Caption: "counting " + key,
			Run: func(ctx context.Context, e *Env) error {
				for {
					err := e.Batch(ctx, func(ctx context.Context) (int, error) {
						return 1, wrap("INCR", e.Client.Incr(ctx, key).Err())
					})
					if err != nil {
						return err
					}
					if err := e.Sleep(ctx, 2*time.Millisecond); err != nil {
						return err
					}
				}
			},
		})
	}
	return sc
}

// counter reads a counter key with the test's own client; 0 when absent.
func counter(t *testing.T, addr, key string) int64 {
	t.Helper()
	c := NewClient(addr)
	defer func() { _ = c.Close() }()
	n, err := c.Get(t.Context(), key).Int64()
	if err != nil && !errors.Is(err, redis.Nil) {
		t.Fatalf("GET %s: %v", key, err)
	}
	return n
}

func startRun(t *testing.T, r *Runner) (cancel func() error) {
	t.Helper()
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return func() error {
		stop()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
}

func TestRunnerControls(t *testing.T) {
	log := newCaptionLog(t)
	r := newTestRunner(t, counting(3), RunnerOptions{Updates: log.ch})
	addr, dir := r.Server().Addr, r.Server().Dir
	cancel := startRun(t, r)

	at := log.wait(t, 0, "Stage 1/3: counting count:1")
	redistest.WaitFor(t, "stage 1 to write", func() bool { return counter(t, addr, "count:1") > 0 })

	// Pause: once the batch in flight is done, nothing moves.
	r.Pause()
	redistest.WaitFor(t, "the workload to settle", func() bool { s := r.Status(); return s.Paused && !s.Busy })
	at = log.wait(t, at, "Paused at stage 1/3")
	before, writes := counter(t, addr, "count:1"), r.Status().Writes
	time.Sleep(300 * time.Millisecond) // the workload would write ~100 times meanwhile
	if got := counter(t, addr, "count:1"); got != before {
		t.Errorf("the counter moved while paused: %d → %d", before, got)
	}
	if got := r.Status().Writes; got != writes {
		t.Errorf("Status().Writes moved while paused: %d → %d", writes, got)
	}
	if r.TogglePause() {
		t.Fatal("TogglePause on a paused runner paused it")
	}
	at = log.wait(t, at, "Stage 1/3: counting count:1") // the caption comes back
	redistest.WaitFor(t, "writes after Resume", func() bool { return counter(t, addr, "count:1") > before })

	// Next ends stage 1 and starts stage 2.
	r.Next()
	at = log.wait(t, at, "Stage 2/3: counting count:2")
	redistest.WaitFor(t, "stage 2 to write", func() bool { return counter(t, addr, "count:2") > 0 })
	stopped := counter(t, addr, "count:1")
	time.Sleep(50 * time.Millisecond)
	if got := counter(t, addr, "count:1"); got != stopped {
		t.Errorf("stage 1 still writes after Next: %d → %d", stopped, got)
	}
	runID := readInfo(t, addr)["run_id"]

	// Restart: a fresh, empty server, from stage 1, unpaused.
	r.Pause()
	r.Restart()
	at = log.wait(t, at, "Stage 1/3: counting count:1")
	redistest.WaitFor(t, "stage 1 to write again", func() bool { return counter(t, addr, "count:1") > 0 })
	if got := readInfo(t, addr)["run_id"]; got == runID {
		t.Error("Restart did not restart the server")
	}
	if n := counter(t, addr, "count:2"); n != 0 {
		t.Errorf("count:2 = %d after Restart, want an empty server", n)
	}
	if s := r.Status(); s.Stage != 1 || s.Paused {
		t.Errorf("status after Restart: %+v", s)
	}

	// Next past the last stage: finished, and the server stays for a look.
	r.Next()
	at = log.wait(t, at, "Stage 2/3")
	r.Next()
	at = log.wait(t, at, "Stage 3/3")
	r.Next()
	log.wait(t, at, "Scenario counting finished")
	redistest.WaitFor(t, "Status().Finished", func() bool { return r.Status().Finished })
	if err := redisproc.Ping(addr); err != nil {
		t.Errorf("the server is gone before exit: %v", err)
	}

	// Cancel (ctrl+c): Run returns nil, the server and its files are gone.
	if err := cancel(); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("server directory still there after cancel: %v", err)
	}
	if err := redisproc.Ping(addr); err == nil {
		t.Error("the server still answers after cancel")
	}
}

func TestRunnerCancelMidStage(t *testing.T) {
	r := newTestRunner(t, counting(2), RunnerOptions{})
	addr, dir := r.Server().Addr, r.Server().Dir
	cancel := startRun(t, r)
	redistest.WaitFor(t, "stage 1 to write", func() bool { return counter(t, addr, "count:1") > 0 })
	if err := cancel(); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("server directory still there after cancel: %v", err)
	}
}

func panicking() Scenario {
	sc := counting(2)
	sc.Stages[0].Run = func(ctx context.Context, e *Env) error {
		_ = e.Batch(ctx, func(context.Context) (int, error) { panic("boom") })
		return nil
	}
	return sc
}

func TestRunnerWorkloadPanic(t *testing.T) {
	log := newCaptionLog(t)
	r := newTestRunner(t, panicking(), RunnerOptions{Updates: log.ch})
	addr, dir := r.Server().Addr, r.Server().Dir
	cancel := startRun(t, r)

	at := log.wait(t, 0, "the workload stopped: panic: boom")
	if s := r.Status(); !strings.Contains(s.Err, "boom") || s.Busy {
		t.Errorf("status after the panic: %+v", s)
	}
	// The server stays for a look; n goes on.
	r.Next()
	log.wait(t, at, "Stage 2/2")
	redistest.WaitFor(t, "stage 2 to write", func() bool { return counter(t, addr, "count:2") > 0 })
	if err := cancel(); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("server directory still there: %v", err)
	}
}

func TestRunnerOnceReturnsWorkloadError(t *testing.T) {
	r := newTestRunner(t, panicking(), RunnerOptions{Once: true})
	dir := r.Server().Dir
	err := r.Run(t.Context())
	if err == nil || !strings.Contains(err.Error(), "stage 1/2") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("Run = %v, want the panic of stage 1", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("server directory still there: %v", err)
	}
}

func TestRunnerBorrowedServerStays(t *testing.T) {
	srv := redistest.StartServer(t)
	r, err := NewRunner(t.Context(), counting(1), RunnerOptions{Server: srv, Fast: true})
	if err != nil {
		t.Fatal(err)
	}
	cancel := startRun(t, r)
	redistest.WaitFor(t, "stage 1 to write", func() bool { return counter(t, srv.Addr, "count:1") > 0 })
	if err := cancel(); err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if err := redisproc.Ping(srv.Addr); err != nil {
		t.Errorf("the caller's server was stopped: %v", err)
	}
}

func TestNewRunnerErrors(t *testing.T) {
	if _, err := NewRunner(t.Context(), Scenario{Name: "empty"}, RunnerOptions{}); err == nil {
		t.Error("a scenario without stages was accepted")
	}
	_, err := NewRunner(t.Context(), counting(1), RunnerOptions{Binary: "/nonexistent/redis-server"})
	if err == nil || errors.Is(err, redisproc.ErrNoRedisServer) {
		t.Errorf("a missing binary: %v", err)
	}
}
