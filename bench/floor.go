//go:build linux

package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"
)

// The server's floor: what a full pass costs the server when a tool sends
// only the commands that any answer needs. A tool whose only limit is the
// server cannot pass faster than 1 / (server CPU per key), so these rows say
// how fast any tool sending those commands could be, whatever its client.
//
//   - SCAN + MEMORY USAGE: the least a tool that sizes keys sends (bytes, no
//     type, no TTL);
//   - SCAN + OBJECT ENCODING + MEMORY USAGE: bytes and type (per-type
//     totals need one of OBJECT ENCODING or TYPE a key);
//
// Each batch's commands are sent right after its SCAN (warm caches, as the
// worker does), in one pipeline; the wall time is not the measure (go-redis
// waits on each batch), the server's main-thread CPU is.
type floorSet struct {
	name string
	cmds func(ctx context.Context, p redis.Pipeliner, key string)
}

var floorSets = []floorSet{
	{"SCAN + MEMORY USAGE", func(ctx context.Context, p redis.Pipeliner, k string) { p.MemoryUsage(ctx, k) }},
	{"SCAN + OBJECT ENCODING + MEMORY USAGE", func(ctx context.Context, p redis.Pipeliner, k string) {
		p.ObjectEncoding(ctx, k)
		p.MemoryUsage(ctx, k)
	}},
}

// floorPass walks db 0 once with SCAN COUNT 1000, sending set's commands for
// each batch.
func floorPass(ctx context.Context, rdb *redis.Client, set floorSet) (int64, error) {
	var cursor uint64
	var n int64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, "", 1000).Result()
		if err != nil {
			return n, fmt.Errorf("scan: %w", err)
		}
		if len(keys) > 0 {
			p := rdb.Pipeline()
			for _, k := range keys {
				set.cmds(ctx, p, k)
			}
			if _, err := p.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
				return n, fmt.Errorf("%s: %w", set.name, err)
			}
		}
		n += int64(len(keys))
		cursor = next
		if cursor == 0 {
			return n, nil
		}
	}
}

// floorRows measures each floor set (the median of rounds) and states the
// ceiling it puts on any tool, as a multiple of keystats (or --memkeys
// when there is no keystats): the target of issue 17 needs that ceiling at
// 2x or more.
func floorRows(ctx context.Context, rounds int, rdb *redis.Client, ours, ref measure, refName string) ([]row, error) {
	out := []row{ceilingRow("server ceiling of our pass (the worker in-process)", ours, ref, refName)}
	for _, set := range floorSets {
		t := &tool{name: "floor: " + set.name, pass: func() (int64, error) { return floorPass(ctx, rdb, set) }}
		for r := range rounds {
			m, err := t.run(ctx, rdb)
			if err != nil {
				return nil, err
			}
			t.ms = append(t.ms, m)
			fmt.Printf("round %d  %-44s %9d keys  server %5.2f µs/key CPU, %5.2f µs/key in commands\n",
				r+1, t.name, m.keys, m.cpuPerKey(), m.cmdPerKey())
		}
		out = append(out, ceilingRow("server ceiling of "+set.name, t.medianByCPU(), ref, refName))
	}
	return out, nil
}

// ceilingRow is 1 / (server CPU per key) against the reference's keys/s.
func ceilingRow(name string, m, ref measure, refName string) row {
	r := row{name: name, theirs: kps(ref.keysPerSec()), note: fmt.Sprintf("%.2f µs of server CPU a key; ratio vs %s's wall", m.cpuPerKey(), refName)}
	if c := m.cpuPerKey(); c > 0 {
		ceiling := 1e6 / c
		r.ours = kps(ceiling)
		if ref.keysPerSec() > 0 {
			r.ratio, r.has = ceiling/ref.keysPerSec(), true
		}
	}
	return r
}

// medianByCPU is the median measure by server CPU per key.
func (t *tool) medianByCPU() measure {
	ms := slices.Clone(t.ms)
	slices.SortFunc(ms, func(a, b measure) int { return cmp.Compare(a.cpuPerKey(), b.cpuPerKey()) })
	return ms[len(ms)/2]
}
