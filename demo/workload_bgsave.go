package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// bgsave: a dataset that matters, a write load, then BGSAVE. The fork is
// slowed down by rdb-key-save-delay so it lasts long enough to watch the
// copy-on-write grow while the parent keeps writing.
func bgsavePart() Scenario {
	return Scenario{
		Name:    "bgsave",
		Summary: "a few hundred MB, a write load, then BGSAVE: fork time, copy-on-write growing, memory given back",
		Config:  bgsaveConfig(false),
		Stages: []Stage{
			{
				Caption: "a dataset of values of 1 KB is loaded: used_memory and RSS climb together",
				Run:     bgsaveLoad,
			},
			{
				Caption: "a steady write load overwrites random keys: memory is flat — the baseline before the fork",
				Run:     bgsaveBaseline,
			},
			{
				Caption: "BGSAVE: the server forks (latest_fork_usec) and the child writes the snapshot while the writes go on — every page the parent touches is copied: watch copy-on-write grow; the host needs that much on top of RSS",
				Run:     bgsaveFork,
			},
			{
				Caption: "the snapshot is written and the child has exited: the copied pages go back to the host — rdb_last_cow_size says what the fork cost",
				Run:     bgsaveAfter,
			},
		},
	}
}

func bgsaveConfig(bool) []string {
	// About 150 µs a key (usleep(100) and its overhead): 30 s for the full
	// dataset, 3 s for the Fast one.
	return []string{noMaxmemory, "rdb-key-save-delay 100", "rdbcompression no", "activedefrag no"}
}

func bgsaveKeys(e *Env) int { return pick(e, 200_000, 20_000) }

func bgsaveKey(i int) string { return fmt.Sprintf("data:%07d", i) }

var bgsaveValue = strings.Repeat("d", 1000)

func bgsaveLoad(ctx context.Context, e *Env) error {
	if err := e.Setup(ctx, bgsaveConfig(e.Fast)...); err != nil {
		return err
	}
	n, per := bgsaveKeys(e), 1000
	for start := 0; start < n; start += per {
		err := e.Batch(ctx, func(ctx context.Context) (int, error) {
			pipe := e.Client.Pipeline()
			for i := start; i < min(start+per, n); i++ {
				pipe.Set(ctx, bgsaveKey(i), bgsaveValue, 0)
			}
			_, err := pipe.Exec(ctx)
			return per, wrap("bgsave: load", err)
		})
		if err != nil {
			return err
		}
	}
	f, err := e.Info(ctx, "memory")
	if err != nil {
		return err
	}
	e.Sayf("loaded %s keys of 1 KB: used_memory %s, RSS %s", count(int64(n)), mb(f.Int("used_memory")), mb(f.Int("used_memory_rss")))
	return e.Hold(ctx, time.Second, nil)
}

// bgsaveWriter overwrites random keys of the dataset: each write dirties the
// pages it lands on, which is what copy-on-write copies during a fork.
type bgsaveWriter struct{ rng *rand.Rand }

func bgsaveWriterOf(e *Env) *bgsaveWriter {
	w, _ := kept(e, "bgsave", func() (*bgsaveWriter, error) {
		return &bgsaveWriter{rng: rand.New(rand.NewPCG(7, 11))}, nil //nolint:gosec // reproducible demo load
	})
	return w
}

func (w *bgsaveWriter) batch(ctx context.Context, e *Env, n int) error {
	keys := bgsaveKeys(e)
	return e.Batch(ctx, func(ctx context.Context) (int, error) {
		pipe := e.Client.Pipeline()
		for range n {
			pipe.Set(ctx, bgsaveKey(w.rng.IntN(keys)), bgsaveValue, 0)
		}
		_, err := pipe.Exec(ctx)
		return n, wrap("bgsave: write load", err)
	})
}

func bgsaveBaseline(ctx context.Context, e *Env) error {
	w := bgsaveWriterOf(e)
	if err := w.batch(ctx, e, 100); err != nil {
		return err
	}
	return e.Hold(ctx, 50*time.Millisecond, func(ctx context.Context) error { return w.batch(ctx, e, 100) })
}

func bgsaveFork(ctx context.Context, e *Env) error {
	w := bgsaveWriterOf(e)
	f, err := e.Info(ctx, "persistence")
	if err != nil {
		return err
	}
	lastSave := f.Int("rdb_last_save_time")
	err = e.Batch(ctx, func(ctx context.Context) (int, error) {
		err := e.Client.BgSave(ctx).Err()
		if err != nil && !strings.Contains(err.Error(), "already in progress") {
			return 1, fmt.Errorf("demo: BGSAVE: %w", err)
		}
		return 1, nil
	})
	if err != nil {
		return err
	}
	seen, said := false, time.Now()
	keys := int64(bgsaveKeys(e))
	err = e.until(ctx, pick(e, 10*time.Minute, 2*time.Minute), pick(e, 50*time.Millisecond, 10*time.Millisecond), "BGSAVE to finish", func(ctx context.Context) (bool, error) {
		if err := w.batch(ctx, e, pick(e, 100, 200)); err != nil {
			return false, err
		}
		f, err := e.Info(ctx, "persistence")
		if err != nil {
			return false, err
		}
		if f.Int("rdb_bgsave_in_progress") == 1 {
			seen = true
			if !e.Fast && time.Since(said) >= 3*time.Second {
				said = time.Now()
				e.Sayf("BGSAVE running for %ds: copy-on-write %s so far, %s of %s keys written by the child",
					f.Int("rdb_current_bgsave_time_sec"), mb(f.Int("current_cow_size")), count(f.Int("current_save_keys_processed")), count(keys))
			}
			return false, nil
		}
		return seen || f.Int("rdb_last_save_time") != lastSave, nil
	})
	return err
}

func bgsaveAfter(ctx context.Context, e *Env) error {
	f, err := e.Info(ctx, "persistence", "stats", "memory")
	if err != nil {
		return err
	}
	e.Sayf("the fork took %.1f ms and copy-on-write reached %s (rdb_last_cow_size); last save %s, RSS now %s",
		float64(f.Int("latest_fork_usec"))/1000, mb(f.Int("rdb_last_cow_size")), f["rdb_last_bgsave_status"], mb(f.Int("used_memory_rss")))
	w := bgsaveWriterOf(e)
	return e.Hold(ctx, 100*time.Millisecond, func(ctx context.Context) error { return w.batch(ctx, e, 20) })
}
