package demo

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// ttl-leak: a cache on volatile-lru works while its keys have a TTL; once
// they lose it nothing is evictable and writes fail with OOM.
func ttlLeakPart() Scenario {
	return Scenario{
		Name:    "ttl-leak",
		Summary: "a cache on volatile-lru whose keys lost their TTL: nothing is evictable, writes fail with OOM",
		Config:  ttlLeakConfig(false),
		Stages: []Stage{
			{
				Caption: "a cache on volatile-lru: every key is written with a TTL (SET … EX 3600) — at maxmemory the server evicts keys that have a TTL, and writes keep succeeding",
				Run:     ttlCache,
			},
			{
				Caption: "a code change drops the TTL: new keys are written with a plain SET and a job PERSISTs the old ones — INFO keyspace shows expires falling to 0: under volatile-lru nothing is evictable any more",
				Run:     ttlPersist,
			},
			{
				Caption: "writes fail: OOM command not allowed when used memory > 'maxmemory' — watch OOM rejections (errorstat_OOM) climb while used_memory sits at the limit with 0 keys to evict",
				Run:     ttlOOM,
			},
		},
	}
}

func ttlLeakConfig(fast bool) []string {
	limit := "32mb"
	if fast {
		limit = "8mb"
	}
	return []string{"maxmemory " + limit, "maxmemory-policy volatile-lru"}
}

// ttlWriter writes cache entries of 512 bytes and counts the writes the
// server rejected with OOM.
type ttlWriter struct {
	next  int
	value string
	oom   int64
}

func ttlWriterOf(e *Env) *ttlWriter {
	w, _ := kept(e, "ttl-leak", func() (*ttlWriter, error) {
		return &ttlWriter{value: strings.Repeat("c", 512)}, nil
	})
	return w
}

func (w *ttlWriter) batch(ctx context.Context, e *Env, n int, ttl time.Duration) error {
	return e.Batch(ctx, func(ctx context.Context) (int, error) {
		pipe := e.Client.Pipeline()
		for range n {
			w.next++
			pipe.Set(ctx, fmt.Sprintf("cache:item:%08d", w.next), w.value, ttl)
		}
		cmds, err := pipe.Exec(ctx)
		if err == nil {
			return n, nil
		}
		var other error
		for _, c := range cmds {
			switch err := c.Err(); {
			case err == nil:
			case strings.HasPrefix(err.Error(), "OOM"):
				w.oom++
			default:
				other = err
			}
		}
		if other == nil && len(cmds) == 0 {
			other = err
		}
		return n, wrap("ttl-leak: SET", other)
	})
}

func ttlCache(ctx context.Context, e *Env) error {
	if err := e.Setup(ctx, ttlLeakConfig(e.Fast)...); err != nil {
		return err
	}
	w := ttlWriterOf(e)
	every := pick(e, 50*time.Millisecond, 0)
	step := func(ctx context.Context) error { return w.batch(ctx, e, 200, time.Hour) }
	err := e.until(ctx, 5*time.Minute, every, "evictions to start", func(ctx context.Context) (bool, error) {
		if err := step(ctx); err != nil {
			return false, err
		}
		f, err := e.Info(ctx, "stats")
		return err == nil && f.Int("evicted_keys") > 0, err
	})
	if err != nil {
		return err
	}
	f, err := e.Info(ctx, "stats", "keyspace")
	if err != nil {
		return err
	}
	e.Sayf("at maxmemory, volatile-lru evicts keys that have a TTL: %s evicted so far, %s of %s keys have a TTL — writes succeed",
		count(f.Int("evicted_keys")), count(f.Sub("db0", "expires")), count(f.Sub("db0", "keys")))
	return e.Hold(ctx, every, step)
}

func ttlPersist(ctx context.Context, e *Env) error {
	w := ttlWriterOf(e)
	cursor := uint64(0)
	every := pick(e, 50*time.Millisecond, 0)
	err := e.until(ctx, 5*time.Minute, every, "every key to lose its TTL", func(ctx context.Context) (bool, error) {
		if err := w.batch(ctx, e, 50, 0); err != nil {
			return false, err
		}
		err := e.Batch(ctx, func(ctx context.Context) (int, error) {
			keys, next, err := e.Client.Scan(ctx, cursor, "cache:*", 1000).Result()
			if err != nil {
				return 1, fmt.Errorf("demo: ttl-leak: SCAN: %w", err)
			}
			cursor = next
			pipe := e.Client.Pipeline()
			for _, k := range keys {
				pipe.Persist(ctx, k)
			}
			if len(keys) > 0 {
				if _, err := pipe.Exec(ctx); err != nil {
					return 1 + len(keys), fmt.Errorf("demo: ttl-leak: PERSIST: %w", err)
				}
			}
			return 1 + len(keys), nil
		})
		if err != nil {
			return false, err
		}
		f, err := e.Info(ctx, "keyspace")
		return err == nil && f.Sub("db0", "expires") == 0, err
	})
	if err != nil {
		return err
	}
	f, err := e.Info(ctx, "keyspace")
	if err != nil {
		return err
	}
	e.Sayf("%s keys and 0 with a TTL: under volatile-lru not one of them can be evicted", count(f.Sub("db0", "keys")))
	return e.Hold(ctx, every, func(ctx context.Context) error { return w.batch(ctx, e, 50, 0) })
}

func ttlOOM(ctx context.Context, e *Env) error {
	w := ttlWriterOf(e)
	start := w.oom
	every := pick(e, 50*time.Millisecond, 0)
	said := time.Now()
	step := func(ctx context.Context) error {
		if err := w.batch(ctx, e, 100, 0); err != nil {
			return err
		}
		if time.Since(said) >= pick(e, 2*time.Second, time.Duration(0)) && w.oom > start {
			said = time.Now()
			e.Sayf("%s writes rejected with OOM so far, and counting — the cache is full of keys volatile-lru may not evict", count(w.oom))
		}
		return nil
	}
	err := e.until(ctx, 5*time.Minute, every, "writes to fail with OOM", func(ctx context.Context) (bool, error) {
		err := step(ctx)
		return w.oom-start >= 100, err
	})
	if err != nil {
		return err
	}
	return e.Hold(ctx, every, step)
}
