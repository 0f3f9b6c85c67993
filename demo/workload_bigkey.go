package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// bigkey: a feed list capped with LTRIM, until a release drops the LTRIM and
// the list grows without bound among an ordinary dataset.
func bigkeyPart() Scenario {
	return Scenario{
		Name:    "bigkey",
		Summary: "a feed list that is never trimmed (LPUSH without LTRIM) grows into the biggest key",
		Config:  bigkeyConfig(false),
		Stages: []Stage{
			{
				Caption: "an application keeps a feed list with LPUSH + LTRIM 0 999: " + bigkeyFeed + " stays at 1,000 entries (about 200 KB) among an ordinary dataset — already the biggest key, but a bounded one: the big-keys check only watches it",
				Run:     bigkeyCapped,
			},
			{
				Caption: "a release drops the LTRIM: every LPUSH makes " + bigkeyFeed + " longer and nothing trims it — watch it climb the big-keys table (elements and bytes), and used_memory rise",
				Run:     bigkeyGrow,
			},
			{
				Caption: bigkeyFeed + " keeps growing: a list over 1,000 elements and soon over 10 MB is what the big-keys check flags — the fix is LTRIM, or UNLINK to drop it without blocking",
				Run:     bigkeyBigger,
			},
		},
	}
}

const bigkeyFeed = "feed:home"

func bigkeyConfig(bool) []string { return []string{noMaxmemory} }

// bigkeyEntry is one feed item, about 200 bytes.
func bigkeyEntry(i int) string {
	return fmt.Sprintf(`{"id":%d,"user":"u%d","kind":"post","text":"%s"}`, i, i%977, strings.Repeat("lorem ipsum ", 13))
}

type bigkeyWriter struct{ next int }

func bigkeyWriterOf(e *Env) *bigkeyWriter {
	w, _ := kept(e, "bigkey", func() (*bigkeyWriter, error) { return &bigkeyWriter{}, nil })
	return w
}

// push adds n entries; trim keeps the feed at 1,000 the way the
// application used to.
func (w *bigkeyWriter) push(ctx context.Context, e *Env, n int, trim bool) (int64, error) {
	var length int64
	err := e.Batch(ctx, func(ctx context.Context) (int, error) {
		items := make([]any, n)
		for i := range items {
			w.next++
			items[i] = bigkeyEntry(w.next)
		}
		pipe := e.Client.Pipeline()
		pipe.LPush(ctx, bigkeyFeed, items...)
		sent := 1
		if trim {
			pipe.LTrim(ctx, bigkeyFeed, 0, 999)
			sent++
		}
		llen := pipe.LLen(ctx, bigkeyFeed)
		if _, err := pipe.Exec(ctx); err != nil {
			return sent, fmt.Errorf("demo: bigkey: LPUSH: %w", err)
		}
		length = llen.Val()
		return sent, nil
	})
	return length, err
}

func bigkeyCapped(ctx context.Context, e *Env) error {
	if err := e.Setup(ctx, bigkeyConfig(e.Fast)...); err != nil {
		return err
	}
	spec := DefaultDataset()
	spec.BigKeys = false
	if e.Fast {
		spec.Strings, spec.Hashes, spec.Lists, spec.Sets, spec.ZSets = 2000, 200, 50, 50, 50
	}
	err := e.Batch(ctx, func(ctx context.Context) (int, error) {
		return spec.Strings + spec.Hashes + spec.Lists + spec.Sets + spec.ZSets, LoadDataset(ctx, e.Client, spec)
	})
	if err != nil {
		return err
	}
	w := bigkeyWriterOf(e)
	every := pick(e, 100*time.Millisecond, 0)
	step := func(ctx context.Context) (bool, error) {
		n, err := w.push(ctx, e, 50, true)
		return n >= 1000, err
	}
	if err := e.until(ctx, time.Minute, every, bigkeyFeed+" to reach 1,000 entries", step); err != nil {
		return err
	}
	return e.Hold(ctx, every, func(ctx context.Context) error { _, err := step(ctx); return err })
}

// bigkeyGoal is the length each growing stage reaches before it ends. The
// last one takes used_memory past 5 MB even in Fast mode: under that the
// big-keys check does not weigh a key's share of memory (the ratio means
// nothing on a tiny dataset), and the stage's "flags it" would not hold.
func bigkeyGoal(e *Env, stage int) int64 {
	if stage == 2 {
		return pick[int64](e, 20_000, 5_000)
	}
	return pick[int64](e, 60_000, 25_000)
}

// bigkeyGrowth is how much used_memory a growing stage adds at least: the
// length alone is not enough, as an entry's cost depends on the list's
// encoding (6.2's ziplist nodes hold the same entries in less room than
// 7.0's listpacks), and under model.ThresholdTrendMinBytes a rise is
// allocator noise to the verdict, not the data growth the caption names.
const bigkeyGrowth = model.ThresholdTrendMinBytes * 3 / 2

func bigkeyGrow(ctx context.Context, e *Env) error {
	return bigkeyUntil(ctx, e, bigkeyGoal(e, 2), false)
}

func bigkeyBigger(ctx context.Context, e *Env) error {
	return bigkeyUntil(ctx, e, bigkeyGoal(e, 3), true)
}

func bigkeyUntil(ctx context.Context, e *Env, goal int64, hold bool) error {
	w := bigkeyWriterOf(e)
	every := pick(e, 100*time.Millisecond, 0)
	var length int64
	step := func(ctx context.Context) error {
		var err error
		length, err = w.push(ctx, e, pick(e, 200, 500), false)
		return err
	}
	used := func(ctx context.Context) (int64, error) {
		f, err := e.Info(ctx, "memory")
		return f.Int("used_memory"), err
	}
	start, err := used(ctx)
	if err != nil {
		return err
	}
	err = e.until(ctx, 10*time.Minute, every, fmt.Sprintf("%s to reach %d entries and used_memory to grow by %s", bigkeyFeed, goal, mb(bigkeyGrowth)), func(ctx context.Context) (bool, error) {
		if err := step(ctx); err != nil || length < goal {
			return false, err
		}
		now, err := used(ctx)
		return now-start >= bigkeyGrowth, err
	})
	if err != nil {
		return err
	}
	size, _ := e.Client.MemoryUsage(ctx, bigkeyFeed, 5).Result()
	e.Sayf("%s has %s entries and takes about %s (MEMORY USAGE) — and it is still growing", bigkeyFeed, count(length), mb(size))
	if !hold {
		return nil
	}
	return e.Hold(ctx, every, step)
}
