package demo

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// mixedPart is the first demo: an ordinary mixed dataset (strings, hashes,
// lists, sets, sorted sets and a few big keys) under a light write load. It
// has no incident in it: it is the baseline to look at every pane with.
func mixedPart() Scenario {
	return Scenario{
		Name:    "mixed",
		Summary: "a mixed dataset with a few big keys under a light write load: a calm server to explore every pane",
		Config:  []string{"maxmemory 256mb", "maxmemory-policy allkeys-lru"},
		Stages: []Stage{
			{
				Caption: "loading a mixed dataset: session strings (half with a TTL), profile hashes, queues, tag sets, rankings, and three big keys (feed:global, catalog:all, blob:report)",
				Run: func(ctx context.Context, env *Env) error {
					spec := DefaultDataset()
					if env.Fast {
						spec = DatasetSpec{Strings: 2000, Hashes: 200, Lists: 50, Sets: 50, ZSets: 50, BigKeys: true, Seed: 42, Pipeline: 500}
					}
					return env.Batch(ctx, func(ctx context.Context) (int, error) {
						return spec.Strings + spec.Hashes + spec.Lists + spec.Sets + spec.ZSets, LoadDataset(ctx, env.Client, spec)
					})
				},
			},
			{
				Caption: "a light write load: new sessions with a TTL, profile updates, a feed that grows slowly — used_memory creeps up, keys expire, nothing is wrong",
				Run:     mixedLoad,
			},
		},
	}
}

// mixedLoad writes a steady trickle until the stage ends (never, outside
// Fast mode, until n or r).
func mixedLoad(ctx context.Context, env *Env) error {
	rng := rand.New(rand.NewPCG(99, 1)) //nolint:gosec // reproducible demo data
	rounds := -1
	if env.Fast {
		rounds = 5
	}
	for i := 0; rounds < 0 || i < rounds; i++ {
		err := env.Batch(ctx, func(ctx context.Context) (int, error) {
			pipe := env.Client.Pipeline()
			for j := range 20 {
				n := i*20 + j
				pipe.Set(ctx, "user:"+strconv.Itoa(100000+n)+":session", strings.Repeat("s", 50+rng.IntN(200)), time.Duration(60+rng.IntN(600))*time.Second)
				pipe.HSet(ctx, "profile:"+strconv.Itoa(rng.IntN(2000)), "seen", strconv.Itoa(n))
				if n%10 == 0 {
					pipe.RPush(ctx, "feed:global", strings.Repeat("f", 20))
				}
			}
			_, err := pipe.Exec(ctx)
			return 42, err //nolint:wrapcheck // the runner reports it as the workload's error
		})
		if err != nil {
			return err
		}
		if err := env.Sleep(ctx, 100*time.Millisecond); err != nil {
			return nil //nolint:nilerr // the stage ends when its context does
		}
	}
	return nil
}
