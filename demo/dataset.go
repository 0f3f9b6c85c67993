package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewClient returns a plain client for a throwaway server. It is for the
// demo's own writes only: the monitor itself talks to Redis through redisx,
// behind the read-only guard.
func NewClient(addr string) *redis.Client {
	return redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
}

// DatasetSpec sizes the mixed dataset the demo loads.
type DatasetSpec struct {
	Strings  int    // small strings user:N:session, half of them with a TTL
	Hashes   int    // profile:N hashes of ~10 fields
	Lists    int    // queue:N lists of ~20 items
	Sets     int    // tags:N sets
	ZSets    int    // rank:N sorted sets
	BigKeys  bool   // a few big keys: a long list, a wide hash, a 1 MB string
	Seed     uint64 // fixed, so every run loads the same data
	Pipeline int    // commands per pipeline
}

// DefaultDataset is small enough to load in about a second and varied enough
// to show every pane something.
func DefaultDataset() DatasetSpec {
	return DatasetSpec{Strings: 20000, Hashes: 2000, Lists: 500, Sets: 500, ZSets: 500, BigKeys: true, Seed: 42, Pipeline: 500}
}

// LoadDataset writes the dataset with pipelines.
func LoadDataset(ctx context.Context, c *redis.Client, spec DatasetSpec) error {
	rng := rand.New(rand.NewPCG(spec.Seed, 7)) //nolint:gosec // reproducible demo data, not security
	pipe := c.Pipeline()
	n := 0
	flush := func(force bool) error {
		n++
		if !force && n < max(spec.Pipeline, 1) {
			return nil
		}
		n = 0
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("demo: load dataset: %w", err)
		}
		return nil
	}
	const letters = "abcdefghijklmnopqrstuvwxyz"
	value := func(size int) string { return strings.Repeat(letters[rng.IntN(len(letters)):][:1], size) }
	for i := range spec.Strings {
		k := "user:" + strconv.Itoa(i) + ":session"
		if i%2 == 0 {
			pipe.Set(ctx, k, value(16+rng.IntN(200)), time.Duration(1+rng.IntN(48))*time.Hour)
		} else {
			pipe.Set(ctx, k, value(16+rng.IntN(200)), 0)
		}
		if err := flush(false); err != nil {
			return err
		}
	}
	for i := range spec.Hashes {
		fields := make([]any, 0, 20)
		for f := range 10 {
			fields = append(fields, "f"+strconv.Itoa(f), value(8+rng.IntN(40)))
		}
		pipe.HSet(ctx, "profile:"+strconv.Itoa(i), fields...)
		if err := flush(false); err != nil {
			return err
		}
	}
	for i := range spec.Lists {
		items := make([]any, 20)
		for j := range items {
			items[j] = value(10 + rng.IntN(30))
		}
		pipe.RPush(ctx, "queue:"+strconv.Itoa(i), items...)
		if err := flush(false); err != nil {
			return err
		}
	}
	for i := range spec.Sets {
		members := make([]any, 15)
		for j := range members {
			members[j] = "tag" + strconv.Itoa(rng.IntN(1000))
		}
		pipe.SAdd(ctx, "tags:"+strconv.Itoa(i), members...)
		if err := flush(false); err != nil {
			return err
		}
	}
	for i := range spec.ZSets {
		zs := make([]redis.Z, 15)
		for j := range zs {
			zs[j] = redis.Z{Score: float64(rng.IntN(10000)), Member: "player" + strconv.Itoa(j)}
		}
		pipe.ZAdd(ctx, "rank:"+strconv.Itoa(i), zs...)
		if err := flush(false); err != nil {
			return err
		}
	}
	if spec.BigKeys {
		for i := range 100 {
			items := make([]any, 1000)
			for j := range items {
				items[j] = value(20)
			}
			pipe.RPush(ctx, "feed:global", items...)
			fields := make([]any, 0, 200)
			for f := range 100 {
				fields = append(fields, "item:"+strconv.Itoa(i*100+f), value(30))
			}
			pipe.HSet(ctx, "catalog:all", fields...)
			if err := flush(false); err != nil {
				return err
			}
		}
		pipe.Set(ctx, "blob:report", strings.Repeat("x", 1<<20), 0)
	}
	return flush(true)
}
