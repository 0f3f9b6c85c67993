//go:build linux

package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// The dataset is the same on every run: a fixed seed drives every choice, so
// figures from two runs (or two machines) compare like with like. Its shape
// follows what production caches look like: mostly small strings (counters,
// sessions, cached pages), some small collections, a few big ones.
const datasetSeed = 20240601

// bigKeys are planted once, whatever the size of the dataset; they are what
// a big-key tool must find at the top of its table.
const (
	bigListLen   = 200_000
	bigHashLen   = 100_000
	bigSetLen    = 50_000
	bigZSetLen   = 50_000
	bigStringLen = 1 << 20
	bigStreamLen = 5_000
	bigKeyCount  = 6
)

// loadDataset fills db 0 with n keys (n includes the big ones). It pipelines
// over two connections, a few thousand commands per round trip.
func loadDataset(ctx context.Context, rdb *redis.Client, n int) error {
	if err := loadBig(ctx, rdb); err != nil {
		return err
	}
	rest := n - bigKeyCount
	const workers = 2
	var wg sync.WaitGroup
	errs := make([]error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lo, hi := rest*w/workers, rest*(w+1)/workers
			errs[w] = loadRange(ctx, rdb, lo, hi)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func loadBig(ctx context.Context, rdb *redis.Client) error {
	pipe := rdb.Pipeline()
	const chunk = 1000
	vals := make([]any, 0, chunk)
	for i := 0; i < bigListLen; i += chunk {
		vals = vals[:0]
		for j := i; j < i+chunk && j < bigListLen; j++ {
			vals = append(vals, "item-"+strconv.Itoa(j))
		}
		pipe.RPush(ctx, "big:list:timeline", vals...)
	}
	for i := 0; i < bigHashLen; i += chunk {
		vals = vals[:0]
		for j := i; j < i+chunk && j < bigHashLen; j++ {
			vals = append(vals, "field:"+strconv.Itoa(j), "value-"+strconv.Itoa(j*7))
		}
		pipe.HSet(ctx, "big:hash:users", vals...)
	}
	for i := 0; i < bigSetLen; i += chunk {
		vals = vals[:0]
		for j := i; j < i+chunk && j < bigSetLen; j++ {
			vals = append(vals, "member-"+strconv.Itoa(j))
		}
		pipe.SAdd(ctx, "big:set:visitors", vals...)
	}
	zs := make([]redis.Z, 0, chunk)
	for i := 0; i < bigZSetLen; i += chunk {
		zs = zs[:0]
		for j := i; j < i+chunk && j < bigZSetLen; j++ {
			zs = append(zs, redis.Z{Score: float64(j), Member: "player-" + strconv.Itoa(j)})
		}
		pipe.ZAdd(ctx, "big:zset:scores", zs...)
	}
	big := make([]byte, bigStringLen)
	r := rand.New(rand.NewPCG(datasetSeed, 1)) //nolint:gosec // a reproducible dataset, not a secret
	for i := range big {
		big[i] = letters[r.IntN(26)]
	}
	pipe.Set(ctx, "big:string:blob", big, 0)
	for i := range bigStreamLen {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: "big:stream:events", Values: []any{"n", i, "kind", "click"}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("load big keys: %w", err)
	}
	return nil
}

// loadRange writes keys lo..hi-1. Each key's shape depends only on its index
// and the seed, so two workers can split the range.
func loadRange(ctx context.Context, rdb *redis.Client, lo, hi int) error {
	const perPipe = 5000
	pipe := rdb.Pipeline()
	queued := 0
	for i := lo; i < hi; i++ {
		queueKey(ctx, pipe, i)
		queued++
		if queued >= perPipe {
			if _, err := pipe.Exec(ctx); err != nil {
				return fmt.Errorf("load keys: %w", err)
			}
			queued = 0
		}
	}
	if queued > 0 {
		if _, err := pipe.Exec(ctx); err != nil {
			return fmt.Errorf("load keys: %w", err)
		}
	}
	return nil
}

const letters = "abcdefghijklmnopqrstuvwxyz0123456789"

func randText(r *rand.Rand, n int) string {
	var b strings.Builder
	b.Grow(n)
	for range n {
		b.WriteByte(letters[r.IntN(len(letters))])
	}
	return b.String()
}

// queueKey queues the commands that create key number i.
func queueKey(ctx context.Context, pipe redis.Pipeliner, i int) {
	r := rand.New(rand.NewPCG(datasetSeed, uint64(i)+2)) //nolint:gosec // reproducible, not a secret
	id := strconv.Itoa(i)
	var key string
	p := r.IntN(1000)
	switch {
	case p < 260: // counters: int encoding
		key = "counter:" + id + ":hits"
		pipe.Set(ctx, key, r.IntN(1_000_000), 0)
	case p < 700: // sessions: embstr
		key = "session:" + randText(r, 16)
		pipe.Set(ctx, key, randText(r, 10+r.IntN(30)), 0)
	case p < 880: // cached pages: raw strings
		key = "cache:page:" + id
		pipe.Set(ctx, key, randText(r, 100+r.IntN(1500)), 0)
	case p < 925: // profiles: small hashes (listpack), a few big ones (hashtable)
		key = "user:" + id + ":profile"
		fields := 3 + r.IntN(20)
		if r.IntN(20) == 0 {
			fields = 150 + r.IntN(300)
		}
		vals := make([]any, 0, 2*fields)
		for f := range fields {
			vals = append(vals, "f"+strconv.Itoa(f), randText(r, 5+r.IntN(20)))
		}
		pipe.HSet(ctx, key, vals...)
	case p < 950: // feeds: lists
		key = "feed:" + id
		n := 5 + r.IntN(60)
		vals := make([]any, n)
		for j := range vals {
			vals[j] = "post:" + strconv.Itoa(r.IntN(1_000_000))
		}
		pipe.RPush(ctx, key, vals...)
	case p < 975: // tags: intsets and hashtable sets
		key = "tags:" + id
		n := 3 + r.IntN(40)
		vals := make([]any, n)
		numeric := r.IntN(2) == 0
		for j := range vals {
			if numeric {
				vals[j] = r.IntN(100_000)
			} else {
				vals[j] = "tag-" + randText(r, 6)
			}
		}
		pipe.SAdd(ctx, key, vals...)
	default: // leaderboards: zsets, a few past the listpack limit
		key = "leaderboard:" + id
		n := 5 + r.IntN(50)
		if r.IntN(20) == 0 {
			n = 150 + r.IntN(200)
		}
		zs := make([]redis.Z, n)
		for j := range zs {
			zs[j] = redis.Z{Score: float64(r.IntN(10_000)), Member: "p" + strconv.Itoa(j)}
		}
		pipe.ZAdd(ctx, key, zs...)
	}
	if r.IntN(10) < 3 { // 30 % of keys expire, between 10 minutes and 10 days
		pipe.Expire(ctx, key, time.Duration(600+r.IntN(10*86400))*time.Second)
	}
}
