package redisx

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// WatchOptions configure the re-measure of the top keys between passes.
// Zero values take the defaults.
type WatchOptions struct {
	// Interval is the time between two re-measures (default
	// model.DefaultWatchInterval, a minute).
	Interval time.Duration
	// Keys is how many top keys are re-measured (default
	// model.DefaultWatchKeys).
	Keys int
	// Samples is MEMORY USAGE's SAMPLES (default 5, never 0).
	Samples int
	// Timeout bounds a round trip (default 10 s).
	Timeout time.Duration
}

func (o WatchOptions) withDefaults() WatchOptions {
	if o.Interval <= 0 {
		o.Interval = model.DefaultWatchInterval
	}
	if o.Keys <= 0 {
		o.Keys = model.DefaultWatchKeys
	}
	if o.Samples < 1 {
		o.Samples = DefaultScanSamples
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultScanTimeout
	}
	return o
}

// KeyWatcher re-measures the scan's top keys every Interval, between the
// full passes: MEMORY USAGE and the O(1) length command of the key's type
// (LLEN, HLEN, SCARD, ZCARD, XLEN, STRLEN), all of a round in one pipeline
// on one connection of its own. It follows the scan's connection rules: the
// read-only guard checks every command shape (scanShapes) before a byte
// goes out, the connection is named redis-memtop and turns CLIENT NO-TOUCH
// on where the server has it (7.2+), and a round is a few dozen O(1)
// commands a minute. It sends model.Update{Watch: …} after each round.
//
// SetKeys is safe from any goroutine; Run owns the rest.
type KeyWatcher struct {
	base *redis.Client
	opts WatchOptions

	mu   sync.Mutex
	keys []model.KeyInfo
	wake chan struct{}

	watch   *model.KeyWatch
	conn    *respConn
	noTouch bool
}

// NewKeyWatcher makes a watcher for the server behind base. Nothing is
// sent before Run, nor before SetKeys gave it keys.
func NewKeyWatcher(base *redis.Client, opts WatchOptions) *KeyWatcher {
	return &KeyWatcher{base: base, opts: opts.withDefaults(), wake: make(chan struct{}, 1), watch: model.NewKeyWatch()}
}

// NewKeyWatcher is the watcher for this client's server.
func (c *Client) NewKeyWatcher(opts WatchOptions) *KeyWatcher { return NewKeyWatcher(c.rdb, opts) }

// SetKeys takes the keys to re-measure from a scan snapshot (its top keys
// by bytes and by elements). The first keys start the re-measures.
func (w *KeyWatcher) SetKeys(bk *model.BigKeys) {
	keys := model.WatchKeysFrom(bk, w.opts.Keys)
	if len(keys) == 0 {
		return
	}
	w.mu.Lock()
	first := len(w.keys) == 0
	w.keys = keys
	w.mu.Unlock()
	if first {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *KeyWatcher) watched() []model.KeyInfo {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.keys
}

// Run re-measures until ctx is done: once as soon as it has keys, then
// every Interval. A failed round is skipped (the connection is dialled
// again at the next); it returns nil when ctx ends.
func (w *KeyWatcher) Run(ctx context.Context, out chan<- model.Update) error {
	defer w.close()
	select {
	case <-ctx.Done():
		return nil
	case <-w.wake:
	}
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	for {
		if g, err := w.Measure(ctx); err == nil {
			if !send(ctx, out, model.Update{Watch: g}) {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Close closes the watcher's connection (Run does on its way out; the
// report, which calls Measure itself, does it here).
func (w *KeyWatcher) Close() { w.close() }

func (w *KeyWatcher) close() {
	if w.conn != nil {
		_ = w.conn.Close()
		w.conn = nil
	}
}

// Measure runs one round over the keys SetKeys gave and returns the
// watch's snapshot. The report calls it directly (--growth-wait).
func (w *KeyWatcher) Measure(ctx context.Context) (*model.KeyGrowth, error) {
	keys := w.watched()
	if w.conn == nil {
		if err := w.connect(ctx); err != nil {
			return nil, err
		}
	}
	readings, err := w.round(ctx, keys)
	if err != nil {
		w.close() // its database or its pipeline is in doubt: dial again
		return nil, err
	}
	now := time.Now()
	w.watch.Observe(now, readings)
	return w.watch.Snapshot(now), nil
}

// connect dials, learns whether the server has CLIENT NO-TOUCH, names the
// connection and turns NO-TOUCH on.
func (w *KeyWatcher) connect(ctx context.Context) error {
	c, err := dialResp(ctx, w.base.Options(), w.opts.Timeout)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	c.deadline(ctx, w.opts.Timeout)
	c.write2(cmdInfo, "server")
	if err := c.flush(); err != nil {
		_ = c.Close()
		return err
	}
	b, _, err := c.readSimple()
	if _, _, fatal := reply(err); fatal != nil {
		_ = c.Close()
		return fatal
	}
	if v, ok := ParseInfo(string(b)).Get("redis_version"); err == nil && ok {
		if ver, ok := ParseVersion(v); ok {
			w.noTouch = ver.AtLeast(7, 2, 0)
		}
	}
	n := 1
	c.write("client", "setname", scanClientName)
	if w.noTouch {
		c.write("client", "no-touch", "on")
		n++
	}
	if err := c.flush(); err != nil {
		_ = c.Close()
		return err
	}
	for range n {
		if _, _, err := c.readSimple(); err != nil && !isServerReply(err) {
			_ = c.Close()
			return err
		}
	}
	w.conn = c
	return nil
}

// round pipelines MEMORY USAGE and the length of every key, SELECTing each
// key's database as it comes, and reads the replies in order.
func (w *KeyWatcher) round(ctx context.Context, keys []model.KeyInfo) ([]model.KeyReading, error) {
	c := w.conn
	stop := context.AfterFunc(ctx, func() { _ = c.Close() })
	defer stop()
	samples := strconv.Itoa(w.opts.Samples)
	type sent struct{ selected, length bool }
	plan := make([]sent, len(keys))
	for i, k := range keys {
		plan[i].selected = c.selectDB(k.DB)
		c.write5(cmdMemory, "usage", k.Key, "samples", samples)
		if lc := watchLengthCommand(k.Type); lc != "" {
			c.write2(lc, k.Key)
			plan[i].length = true
		}
	}
	c.deadline(ctx, w.opts.Timeout)
	if err := c.flush(); err != nil {
		return nil, err
	}
	out := make([]model.KeyReading, len(keys))
	for i, k := range keys {
		r := model.KeyReading{Key: k.Key, DB: k.DB, Type: k.Type, Bytes: -1, Elements: -1}
		if plan[i].selected {
			if _, _, err := c.readSimple(); err != nil {
				// A refused SELECT leaves the connection elsewhere: start
				// over on a new one next round.
				return nil, err
			}
		}
		_, n, err := c.readSimple()
		gone, replyErr, fatal := reply(err)
		if fatal != nil {
			return nil, fatal
		}
		switch {
		case gone:
			r.Gone = true
		case replyErr == nil:
			r.Bytes = n
		}
		if plan[i].length {
			_, n, err := c.readSimple()
			_, replyErr, fatal := reply(err)
			if fatal != nil {
				return nil, fatal
			}
			if replyErr == nil && !r.Gone {
				r.Elements = n
			}
		}
		out[i] = r
	}
	return out, nil
}

// watchLengthCommand is the O(1) length of a type: the scan's, and STRLEN
// for a string (MEMORY USAGE rounds a string to its allocation; STRLEN
// moves with every APPEND).
func watchLengthCommand(typ string) string {
	if strings.EqualFold(typ, typString) {
		return "strlen"
	}
	return lengthCommand(typ)
}
