package demo

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/internal/redisproc"
	"github.com/redis-memtop/redis-memtop/model"
)

// Env is what a stage's workload works with. One Env lives for one run of a
// scenario (Restart makes a new one); its stages run one after the other on
// the runner's goroutine.
type Env struct {
	Client *redis.Client // the demo's own writer; replaced when the server restarts
	Server *redisproc.Server
	Fast   bool // tests and smoke runs: small datasets, no pacing, no holds

	r      *Runner
	stage  int  // 1-based
	held   bool // the stage has held its state (Hold): the runner need not
	config []string
	kept   map[string]any
}

// Batch runs one short batch of the workload's commands once the runner is
// not paused; n, the commands it sent, is added to Status().Writes. Every
// command that writes goes through Batch, so Pause stops the writes.
func (e *Env) Batch(ctx context.Context, fn func(ctx context.Context) (n int, err error)) error {
	r := e.r
	for {
		r.mu.Lock()
		if !r.paused {
			r.inflight++
			r.mu.Unlock()
			break
		}
		resumed := r.resumed
		r.mu.Unlock()
		select {
		case <-resumed:
		case <-ctx.Done():
			return fmt.Errorf("demo: paused: %w", ctx.Err())
		}
	}
	var n int
	defer func() {
		r.mu.Lock()
		r.inflight--
		r.writes += int64(n)
		r.mu.Unlock()
	}()
	n, err := fn(ctx)
	return err
}

// Sayf sends a caption for the current stage ("Stage 2/4: …").
func (e *Env) Sayf(format string, args ...any) {
	e.r.send(stageCaption(e.stage, len(e.r.sc.Stages), fmt.Sprintf(format, args...)), true)
}

// Sleep waits d, or less if ctx ends.
func (e *Env) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err() //nolint:wrapcheck // the caller's own context
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err() //nolint:wrapcheck // the caller's own context
	case <-t.C:
		return nil
	}
}

// Hold keeps the stage's state on show for the runner's hold time (none in
// Fast mode), running step (nil: nothing) every interval meanwhile. Paused
// time does not count.
func (e *Env) Hold(ctx context.Context, every time.Duration, step func(ctx context.Context) error) error {
	e.held = true
	if e.r.hold <= 0 {
		return nil
	}
	start := e.r.active()
	for e.r.active()-start < e.r.hold {
		if step != nil {
			if err := step(ctx); err != nil {
				return err
			}
		}
		if err := e.Sleep(ctx, every); err != nil {
			return err
		}
	}
	return nil
}

// Setup empties the server and applies a part's config with CONFIG SET, so
// a scenario does not depend on what ran before it (the tour).
func (e *Env) Setup(ctx context.Context, config ...string) error {
	e.config = config
	return e.Batch(ctx, func(ctx context.Context) (int, error) {
		// SYNC: Valkey 8 frees a FLUSHALL in the background by default
		// (lazyfree-lazy-user-flush yes), so the MEMORY PURGE below would
		// run before the pages are free and the next part would start with
		// the last one's RSS. Servers before 6.2 know only the plain form.
		if err := e.Client.Do(ctx, "FLUSHALL", "SYNC").Err(); err != nil {
			if err := e.Client.FlushAll(ctx).Err(); err != nil {
				return 1, fmt.Errorf("demo: FLUSHALL: %w", err)
			}
		}
		if err := e.applyConfig(ctx); err != nil {
			return 1 + len(config), err
		}
		_ = e.Client.Do(ctx, "MEMORY", "PURGE").Err() // jemalloc only; best effort
		return 2 + len(config), nil
	})
}

func (e *Env) applyConfig(ctx context.Context) error {
	for _, line := range e.config {
		name, value, _ := strings.Cut(line, " ")
		if err := e.Client.ConfigSet(ctx, name, value).Err(); err != nil {
			return fmt.Errorf("demo: CONFIG SET %s %s: %w", name, value, err)
		}
	}
	return nil
}

// restartFromSnapshot restarts the server, which loads the dump.rdb in its
// directory, and applies the part's config again.
func (e *Env) restartFromSnapshot(ctx context.Context) error {
	e.closeKept()
	_ = e.Client.Close()
	err := e.Server.Restart(ctx)
	e.Client = NewClient(e.Server.Addr)
	if err != nil {
		return fmt.Errorf("demo: restart from the snapshot: %w", err)
	}
	return e.applyConfig(ctx)
}

// kept returns the run's value under name, making it with mk the first
// time: state a scenario carries across its stages (a writer's key counter, a
// subscriber's connection). Values that are io.Closers are closed when the
// run ends or restarts, or the server restarts.
func kept[T any](e *Env, name string, mk func() (T, error)) (T, error) {
	if v, ok := e.kept[name].(T); ok {
		return v, nil
	}
	v, err := mk()
	if err != nil {
		return v, err
	}
	e.kept[name] = v
	return v, nil
}

// drop closes and forgets the run's value under name.
func (e *Env) drop(name string) {
	if c, ok := e.kept[name].(io.Closer); ok {
		_ = c.Close()
	}
	delete(e.kept, name)
}

func (e *Env) closeKept() {
	for name := range e.kept {
		e.drop(name)
	}
}

func (e *Env) close() {
	e.closeKept()
	_ = e.Client.Close()
}

// Info reads INFO sections with the writer client.
func (e *Env) Info(ctx context.Context, sections ...string) (InfoFields, error) {
	s, err := infoText(ctx, e.Client, sections...)
	if err != nil {
		return nil, fmt.Errorf("demo: INFO: %w", err)
	}
	return ParseInfoFields(s), nil
}

// infoText reads INFO sections. Servers before 7.0 take one section a call
// ("INFO memory keyspace" is a syntax error on 6.2): a refused
// multi-section read is made again a section at a time.
func infoText(ctx context.Context, c *redis.Client, sections ...string) (string, error) {
	s, err := c.Info(ctx, sections...).Result()
	if err == nil || len(sections) < 2 || !strings.HasPrefix(err.Error(), "ERR syntax error") {
		return s, err //nolint:wrapcheck // the callers say which server and what
	}
	var b strings.Builder
	for _, sec := range sections {
		one, err := c.Info(ctx, sec).Result()
		if err != nil {
			return "", fmt.Errorf("INFO %s: %w", sec, err)
		}
		b.WriteString(one)
	}
	return b.String(), nil
}

// InfoFields are the "name:value" lines of an INFO reply. The monitor parses
// INFO with redisx; the demo needs only a few numbers, and must not import
// redisx (whose tests start demo servers).
type InfoFields map[string]string

// ParseInfoFields splits an INFO reply into its fields.
func ParseInfoFields(s string) InfoFields {
	f := InfoFields{}
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimRight(line, "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			f[k] = v
		}
	}
	return f
}

// Int is a field as an integer; 0 when absent or not a number.
func (f InfoFields) Int(name string) int64 {
	n, _ := strconv.ParseInt(f[name], 10, 64)
	return n
}

// Float is a field as a float; 0 when absent or not a number.
func (f InfoFields) Float(name string) float64 {
	x, _ := strconv.ParseFloat(f[name], 64)
	return x
}

// Sub reads one item of a "k=v,k=v" field: Sub("db0", "expires"),
// Sub("errorstat_OOM", "count"); 0 when absent.
func (f InfoFields) Sub(name, item string) int64 {
	for kv := range strings.SplitSeq(f[name], ",") {
		if k, v, ok := strings.Cut(kv, "="); ok && k == item {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}

// pick chooses the full-size or the Fast value.
func pick[T any](e *Env, full, fast T) T {
	if e.Fast {
		return fast
	}
	return full
}

// until runs step (one paced batch) until it reports done, or fails after
// limit (wall time, not counting pauses).
func (e *Env) until(ctx context.Context, limit, every time.Duration, what string, step func(ctx context.Context) (bool, error)) error {
	start := e.r.active()
	for {
		done, err := step(ctx)
		if err != nil || done {
			return err
		}
		if e.r.active()-start > limit {
			return fmt.Errorf("%w: %s within %s", errStopped, what, limit)
		}
		if err := e.Sleep(ctx, every); err != nil {
			return err
		}
	}
}

// mb formats bytes for captions, as Redis's *_human fields do.
func mb(n int64) string { return model.Bytes(float64(n)) }

// count formats a quantity for captions: 950, 12.3k.
func count(n int64) string { return model.Count(float64(n)) }
