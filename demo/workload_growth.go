package demo

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// growth: keys without a TTL fill the server up to maxmemory, then
// allkeys-lru evicts to make room.
func growthPart() Scenario {
	return Scenario{
		Name:    "growth",
		Summary: "writes without TTL until maxmemory, then allkeys-lru evictions start",
		Config:  growthConfig(false),
		Stages: []Stage{
			{
				Caption: "keys are written without a TTL: used_memory climbs toward maxmemory — watch the memory graph, and the used/maxmemory gauge pass its 75 % and 85 % marks",
				Run:     growthFill,
			},
			{
				Caption: "maxmemory is reached: allkeys-lru evicts the least recently used keys to make room — evicted keys per second rise, used_memory stays at the limit, writes still succeed",
				Run:     growthEvict,
			},
		},
	}
}

func growthConfig(fast bool) []string {
	limit := "64mb"
	if fast {
		limit = "16mb"
	}
	return []string{"maxmemory " + limit, "maxmemory-policy allkeys-lru"}
}

// growthWriter writes fresh keys of 1 KB, never the same one twice.
type growthWriter struct {
	next  int
	value string
}

func newGrowthWriter() *growthWriter {
	return &growthWriter{value: strings.Repeat("g", 1000)}
}

func (w *growthWriter) batch(ctx context.Context, e *Env, n int) error {
	return e.Batch(ctx, func(ctx context.Context) (int, error) {
		pipe := e.Client.Pipeline()
		for range n {
			w.next++
			pipe.Set(ctx, fmt.Sprintf("growth:%08d", w.next), w.value, 0)
		}
		if _, err := pipe.Exec(ctx); err != nil {
			return n, fmt.Errorf("demo: growth writes: %w", err)
		}
		return n, nil
	})
}

// growthBatch keys of 1 KB per batch: 4 MB/s paced, as fast as the server
// takes them in Fast mode.
const growthBatch = 200

// growthWriterOf is the run's writer, shared by the stages so keys stay new.
func growthWriterOf(e *Env) *growthWriter {
	w, _ := kept(e, "growth", func() (*growthWriter, error) { return newGrowthWriter(), nil })
	return w
}

func growthFill(ctx context.Context, e *Env) error {
	if err := e.Setup(ctx, growthConfig(e.Fast)...); err != nil {
		return err
	}
	w := growthWriterOf(e)
	every := pick(e, 50*time.Millisecond, 0)
	err := e.until(ctx, pick(e, 5*time.Minute, time.Minute), every, "used_memory to reach maxmemory", func(ctx context.Context) (bool, error) {
		if err := w.batch(ctx, e, growthBatch); err != nil {
			return false, err
		}
		f, err := e.Info(ctx, "memory", "stats")
		if err != nil {
			return false, err
		}
		limit := f.Int("maxmemory")
		return f.Int("evicted_keys") > 0 || (limit > 0 && f.Int("used_memory") >= limit*97/100), nil
	})
	if err != nil {
		return err
	}
	f, err := e.Info(ctx, "memory", "keyspace")
	if err != nil {
		return err
	}
	e.Sayf("used_memory %s of maxmemory %s after %s keys of 1 KB without a TTL", mb(f.Int("used_memory")), mb(f.Int("maxmemory")), count(f.Sub("db0", "keys")))
	return nil
}

func growthEvict(ctx context.Context, e *Env) error {
	w := growthWriterOf(e)
	f, err := e.Info(ctx, "stats")
	if err != nil {
		return err
	}
	before := f.Int("evicted_keys")
	every := pick(e, 50*time.Millisecond, 0)
	var evicted int64
	err = e.until(ctx, pick(e, 5*time.Minute, time.Minute), every, "evictions to start", func(ctx context.Context) (bool, error) {
		if err := w.batch(ctx, e, growthBatch); err != nil {
			return false, err
		}
		f, err := e.Info(ctx, "stats")
		if err != nil {
			return false, err
		}
		evicted = f.Int("evicted_keys") - before
		return evicted >= 1000, nil
	})
	if err != nil {
		return err
	}
	e.Sayf("allkeys-lru has evicted %s keys so far; used_memory stays at maxmemory while the writes go on", count(evicted))
	return e.Hold(ctx, every, func(ctx context.Context) error { return w.batch(ctx, e, growthBatch) })
}
