//go:build linux

package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
)

// Estimates from a partial pass (issue 17, item 3): how often the 95 %
// intervals of a pass stopped at 5 % and 10 % hold the full pass's figures.
//
// What varies between runs is where the pass starts in SCAN's order. The
// keys are read once, in the order SCAN returns them (the server's bucket
// order under its random hash seed); run r of R is the stretch of that order
// that starts r/R of the way in and holds the fraction's share of the keys,
// wrapping round — what a SCAN started at that cursor sees first. Each
// stretch is a set of whole buckets, so a uniform sample of the keys; at 5 %
// the 20 stretches are disjoint and cover the keyspace once. Every run goes
// through the real aggregation (model.BigKeysAgg) and model.EstimateBigKeys
// with the server's used_memory as the cap.

// estimateFigure is one figure checked in every run.
type estimateFigure struct {
	name  string
	truth float64
	hits  int
	// widths are the intervals' widths, (high−low)/truth, one per run.
	widths []float64
	misses []string // the runs whose interval missed, for the log
}

// estimateResult is one fraction's coverage over the runs.
type estimateResult struct {
	fraction float64
	runs     int
	allHit   int // runs where every figure was covered
	figures  []*estimateFigure
}

// worst is the figure covered in the fewest runs.
func (r *estimateResult) worst() *estimateFigure {
	w := r.figures[0]
	for _, f := range r.figures {
		if f.hits < w.hits {
			w = f
		}
	}
	return w
}

// readScanOrder reads every key of the client's database in SCAN order with
// what the aggregation needs: TYPE, OBJECT ENCODING, MEMORY USAGE (SAMPLES
// 5, as the worker) and TTL, pipelined per SCAN batch.
func readScanOrder(ctx context.Context, rdb *redis.Client) ([]model.KeyInfo, error) {
	var out []model.KeyInfo
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, "", 1000).Result()
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		pipe := rdb.Pipeline()
		types := make([]*redis.StatusCmd, len(keys))
		encs := make([]*redis.StringCmd, len(keys))
		mems := make([]*redis.IntCmd, len(keys))
		ttls := make([]*redis.DurationCmd, len(keys))
		for i, k := range keys {
			types[i] = pipe.Type(ctx, k)
			encs[i] = pipe.ObjectEncoding(ctx, k)
			mems[i] = pipe.MemoryUsage(ctx, k, redisx.DefaultScanSamples)
			ttls[i] = pipe.TTL(ctx, k)
		}
		if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
			return nil, fmt.Errorf("inspect: %w", err)
		}
		for i, k := range keys {
			ttl := int64(-1)
			if d := ttls[i].Val(); d > 0 {
				ttl = int64(d.Seconds())
			}
			out = append(out, model.KeyInfo{
				Key: k, Type: types[i].Val(), Encoding: encs[i].Val(), Bytes: mems[i].Val(), Elements: -1, TTL: ttl,
			})
		}
		cursor = next
		if cursor == 0 {
			return out, nil
		}
	}
}

// usedMemoryBytes is the cap the monitor and the report use
// (model.EstimateCap) on the server's INFO memory now.
func usedMemoryBytes(ctx context.Context, rdb *redis.Client) (int64, error) {
	text, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, fmt.Errorf("INFO memory: %w", err)
	}
	s := redisx.SampleFromInfo(redisx.ParseInfo(text), time.Now(), 0)
	c := model.EstimateCap(&s)
	if c <= 0 {
		return 0, fmt.Errorf("INFO memory: no used_memory")
	}
	return c, nil
}

// estimateCoverage checks the estimates of runs partial passes at each
// fraction against the full pass over keys (in SCAN order).
func estimateCoverage(keys []model.KeyInfo, capBytes int64, runs int, fractions []float64) []*estimateResult {
	full := aggregate(keys, 0, len(keys))
	n := len(keys)
	results := make([]*estimateResult, 0, len(fractions))
	for _, f := range fractions {
		res := &estimateResult{fraction: f, runs: runs}
		res.figures = append(res.figures, &estimateFigure{name: "total bytes", truth: float64(full.Bytes)})
		for _, t := range full.Types {
			res.figures = append(res.figures, &estimateFigure{name: "type " + t.Type, truth: float64(t.Bytes)})
		}
		for _, p := range topTenPrefixes(full.Prefixes) {
			res.figures = append(res.figures, &estimateFigure{name: "prefix " + p.Prefix, truth: float64(p.Bytes)})
		}
		m := int(math.Ceil(f * float64(n)))
		for r := range runs {
			part := aggregate(keys, r*n/runs, m)
			prog := model.ScanProgress{Phase: model.ScanScanning, Scanned: int64(m), DBSize: int64(n), DBs: []int{0}}
			est := model.EstimateBigKeys(part, &prog, capBytes)
			all := true
			for _, fig := range res.figures {
				var iv model.Interval
				switch {
				case fig.name == "total bytes":
					iv = est.Total.Bytes
				case strings.HasPrefix(fig.name, "type "):
					iv = est.Type(strings.TrimPrefix(fig.name, "type ")).Bytes
				default:
					iv = est.Prefix(strings.TrimPrefix(fig.name, "prefix ")).Bytes
				}
				if iv.Contains(fig.truth) {
					fig.hits++
				} else {
					all = false
					fig.misses = append(fig.misses, fmt.Sprintf("run %d: ≈ %.0f [%.0f, %.0f]", r, iv.Value, iv.Low, iv.High))
				}
				if fig.truth > 0 {
					fig.widths = append(fig.widths, (iv.High-iv.Low)/fig.truth)
				}
			}
			if all {
				res.allHit++
			}
		}
		results = append(results, res)
	}
	return results
}

// aggregate folds m keys from start on (wrapping round) into a snapshot.
func aggregate(keys []model.KeyInfo, start, m int) *model.BigKeys {
	a := model.NewBigKeysAgg(model.BigKeysConfig{}, nil)
	for i := range m {
		a.Add(&keys[(start+i)%len(keys)])
	}
	return a.Snapshot()
}

// topTenPrefixes are the ten prefixes (any depth, "(other)" buckets left
// out) with the most bytes.
func topTenPrefixes(all []model.PrefixStat) []model.PrefixStat {
	ps := slices.DeleteFunc(slices.Clone(all), func(p model.PrefixStat) bool { return p.Other })
	slices.SortStableFunc(ps, func(a, b model.PrefixStat) int { return int(b.Bytes - a.Bytes) })
	return ps[:min(10, len(ps))]
}

// estimateRows runs the check on the bench's dataset (already loaded in
// rdb's database) and words it as rows: per fraction, the figure covered in
// the fewest of the runs (target ≥ 19 of 20), and the median widths.
func estimateRows(ctx context.Context, rdb *redis.Client, runs int) ([]row, error) {
	keys, err := readScanOrder(ctx, rdb)
	if err != nil {
		return nil, err
	}
	capBytes, err := usedMemoryBytes(ctx, rdb)
	if err != nil {
		return nil, err
	}
	var rows []row
	for _, res := range estimateCoverage(keys, capBytes, runs, []float64{0.05, 0.10}) {
		w := res.worst()
		pct := strconv.Itoa(int(math.Round(100*res.fraction))) + " %"
		rows = append(rows, row{
			name:      "estimate at " + pct + ": runs whose 95 % interval holds the full pass (worst figure of " + strconv.Itoa(len(res.figures)) + ")",
			ours:      fmt.Sprintf("%d/%d (%s)", w.hits, res.runs, w.name),
			theirs:    na,
			target:    fmt.Sprintf("≥ %d/%d", res.runs-res.runs/20, res.runs),
			pass:      w.hits >= res.runs-res.runs/20,
			hasTarget: true,
			measured:  true,
			note:      estimateWidths(res),
		})
	}
	return rows, nil
}

// estimateWidths words the median widths of the intervals: the total's, and
// the widest and narrowest of the other figures.
func estimateWidths(res *estimateResult) string {
	parts := make([]string, 0, len(res.figures))
	for _, f := range res.figures {
		parts = append(parts, fmt.Sprintf("%s %.0f%%", f.name, 100*median(f.widths)))
	}
	return "median width (high−low)/truth: " + strings.Join(parts, ", ") +
		fmt.Sprintf("; every figure held in %d/%d runs", res.allHit, res.runs)
}
