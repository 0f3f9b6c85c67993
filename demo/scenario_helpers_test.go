package demo

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
	"github.com/redis-memtop/redis-memtop/model"
)

// captionLog collects the captions a runner sends.
type captionLog struct {
	ch   chan model.Update
	mu   sync.Mutex
	list []model.Caption
}

func newCaptionLog(t *testing.T) *captionLog {
	t.Helper()
	l := &captionLog{ch: make(chan model.Update, 16)}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			case u := <-l.ch:
				if u.Caption != nil {
					l.mu.Lock()
					l.list = append(l.list, *u.Caption)
					l.mu.Unlock()
				}
			}
		}
	}()
	t.Cleanup(func() {
		close(done)
		wg.Wait()
		l.mu.Lock()
		defer l.mu.Unlock()
		requireCaptionsWhole(t, l.list)
	})
	return l
}

func (l *captionLog) texts() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]string, len(l.list))
	for i, c := range l.list {
		out[i] = c.Text
	}
	return out
}

// wait returns the index of the first caption at or after from that
// contains substr, failing the test after a deadline.
func (l *captionLog) wait(t *testing.T, from int, substr string) int {
	t.Helper()
	idx := -1
	redistest.WaitFor(t, "a caption with "+substr, func() bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		for i := from; i < len(l.list); i++ {
			if strings.Contains(l.list[i].Text, substr) {
				idx = i
				return true
			}
		}
		return false
	})
	return idx
}

func (l *captionLog) has(substr string) bool {
	for _, s := range l.texts() {
		if strings.Contains(s, substr) {
			return true
		}
	}
	return false
}

// newTestRunner starts a runner on its own server; without a redis-server
// it skips outside CI, as redistest.StartServer does.
func newTestRunner(t *testing.T, sc Scenario, opts RunnerOptions) *Runner {
	t.Helper()
	opts.Binary = os.Getenv("REDIS_SERVER")
	opts.Fast = true
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	r, err := NewRunner(ctx, sc, opts)
	redistest.SkipWithoutServer(t, err)
	if err != nil {
		t.Fatalf("NewRunner: %v", err)
	}
	t.Cleanup(r.Close)
	return r
}

// readInfo reads every INFO section with a plain client of the test's own.
func readInfo(t *testing.T, addr string) InfoFields {
	t.Helper()
	c := NewClient(addr)
	defer func() { _ = c.Close() }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	s, err := c.Info(ctx, "everything").Result()
	if err != nil {
		t.Fatalf("INFO: %v", err)
	}
	return ParseInfoFields(s)
}

// scenarioRun is a Fast, Once run of a scenario with INFO read after each
// stage (before the next one starts).
type scenarioRun struct {
	r        *Runner
	captions *captionLog
	after    map[int]InfoFields
	err      error
}

func runScenario(t *testing.T, name string, atStage func(stage int, addr string)) *scenarioRun {
	t.Helper()
	sc, ok := Lookup(name)
	if !ok {
		t.Fatalf("no scenario %q", name)
	}
	log := newCaptionLog(t)
	r := newTestRunner(t, sc, RunnerOptions{Updates: log.ch, Once: true})
	run := &scenarioRun{r: r, captions: log, after: map[int]InfoFields{}}
	addr := r.Server().Addr
	r.afterStage = func(_ context.Context, stage int, _ *Env) {
		run.after[stage] = readInfo(t, addr)
		if atStage != nil {
			atStage(stage, addr)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	run.err = r.Run(ctx)
	if run.err != nil {
		t.Fatalf("%s: %v\ncaptions:\n%s", name, run.err, strings.Join(log.texts(), "\n"))
	}
	for i := 1; i <= len(sc.Stages); i++ {
		if run.after[i] == nil {
			t.Fatalf("stage %d did not complete; captions:\n%s", i, strings.Join(log.texts(), "\n"))
		}
	}
	if _, err := os.Stat(r.Server().Dir); !os.IsNotExist(err) {
		t.Errorf("server directory %s still there after Run: %v", r.Server().Dir, err)
	}
	for _, c := range log.texts() {
		t.Log(c)
	}
	return run
}
