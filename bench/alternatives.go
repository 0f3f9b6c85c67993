//go:build linux

package main

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// keystatsEmulated does what redis-cli 7.4's --keystats --count 1000 does per
// SCAN batch (reference/anchors.md §3.4): TYPE for every key, MEMORY USAGE
// for every key, TYPE again, then the length command — four pipelines after
// the SCAN, on one connection. It stands in for the real thing when this
// redis-cli is older than 7.4; its client is go-redis, slower than hiredis,
// so read its keys/s with care and its server CPU per key as the fair part.
func keystatsEmulated(ctx context.Context, rdb *redis.Client) (int64, error) {
	conn := rdb.Conn()
	defer func() { _ = conn.Close() }()
	var cursor uint64
	var total int64
	for {
		keys, next, err := conn.Scan(ctx, cursor, "", 1000).Result()
		if err != nil {
			return total, fmt.Errorf("scan: %w", err)
		}
		total += int64(len(keys))
		if len(keys) > 0 {
			if err := keystatsBatch(ctx, conn, keys); err != nil {
				return total, err
			}
		}
		if next == 0 {
			return total, nil
		}
		cursor = next
	}
}

func keystatsBatch(ctx context.Context, conn *redis.Conn, keys []string) error {
	types := make([]*redis.StatusCmd, len(keys))
	if _, err := conn.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			types[i] = p.Type(ctx, k)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("type: %w", err)
	}
	if _, err := conn.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, k := range keys {
			p.MemoryUsage(ctx, k, 5)
		}
		return nil
	}); err != nil && err != redis.Nil { //nolint:errorlint // go-redis returns redis.Nil itself
		return fmt.Errorf("memory usage: %w", err)
	}
	if _, err := conn.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			types[i] = p.Type(ctx, k)
		}
		return nil
	}); err != nil {
		return fmt.Errorf("type: %w", err)
	}
	_, err := conn.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, k := range keys {
			if cmd, ok := lengthOf[types[i].Val()]; ok {
				_ = p.Process(ctx, redis.NewIntCmd(ctx, cmd, k))
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("length: %w", err)
	}
	return nil
}

// lengthOf is redis-cli's size command for each type (STRLEN for strings).
var lengthOf = map[string]string{"string": "strlen", "list": "llen", "set": "scard", "zset": "zcard", "hash": "hlen", "stream": "xlen"}

// luaScript is the alternative the worker does not use: one read-only script
// per SCAN batch that does OBJECT ENCODING, MEMORY USAGE, TTL and, for
// collections, TYPE and the length — one round trip, tiny client cost, but
// more server CPU per key than the same commands pipelined (each
// redis.call goes through Lua ↔ RESP conversion), and EVAL is often blocked.
const luaScript = `#!lua flags=no-writes
local out = {}
local samples = ARGV[1]
local n = 0
for i = 1, #KEYS do
  local k = KEYS[i]
  local enc = redis.call('OBJECT', 'ENCODING', k)
  local mem, ttl, t, l = false, false, false, false
  if enc then
    mem = redis.call('MEMORY', 'USAGE', k, 'SAMPLES', samples)
    ttl = redis.call('TTL', k)
    if enc ~= 'embstr' and enc ~= 'int' and enc ~= 'raw' then
      if enc == 'quicklist' then t = 'list'
      elseif enc == 'skiplist' then t = 'zset'
      elseif enc == 'intset' then t = 'set'
      elseif enc == 'stream' then t = 'stream'
      else t = redis.call('TYPE', k)['ok'] end
      if t == 'list' then l = redis.call('LLEN', k)
      elseif t == 'hash' then l = redis.call('HLEN', k)
      elseif t == 'set' then l = redis.call('SCARD', k)
      elseif t == 'zset' then l = redis.call('ZCARD', k)
      elseif t == 'stream' then l = redis.call('XLEN', k) end
    end
  end
  out[n+1] = enc; out[n+2] = mem; out[n+3] = ttl; out[n+4] = t; out[n+5] = l
  n = n + 5
end
return out
`

func luaPass(ctx context.Context, rdb *redis.Client) (int64, error) {
	script := redis.NewScript(luaScript)
	conn := rdb.Conn()
	defer func() { _ = conn.Close() }()
	var cursor uint64
	var total int64
	for {
		keys, next, err := conn.Scan(ctx, cursor, "", 1000).Result()
		if err != nil {
			return total, fmt.Errorf("scan: %w", err)
		}
		total += int64(len(keys))
		if len(keys) > 0 {
			v, err := script.RunRO(ctx, conn, keys, 5).Slice()
			if err != nil {
				return total, fmt.Errorf("eval_ro: %w", err)
			}
			if len(v) != 5*len(keys) {
				return total, fmt.Errorf("eval_ro: %w: %d values for %d keys", errShort, len(v), len(keys))
			}
		}
		if next == 0 {
			return total, nil
		}
		cursor = next
	}
}
