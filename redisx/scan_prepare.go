package redisx

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
)

// prepare sets up the SCAN connection of an attempt. On the first attempt of
// a pass it also learns what the server is (version for CLIENT NO-TOUCH,
// loaded modules, INFO KEYSIZES on 8.0+) and sizes the pass with DBSIZE.
func (w *ScanWorker) prepare(ctx context.Context, conn *respConn, st *passState, out chan<- model.Update) error {
	if !st.sized {
		if err := w.probe(ctx, conn, st, out); err != nil {
			return err
		}
	} else if err := w.sameRun(ctx, conn, st); err != nil {
		return err
	}
	return w.setupConn(ctx, conn)
}

// errServerRestarted ends a pass whose server restarted between two
// attempts: its cursor belongs to the old run's hash tables (the new run
// hashes with another seed), so resuming would miss keys and count others
// twice. The pass starts again.
var errServerRestarted = errors.New("redisx: scan: the server restarted (new run_id): starting a new pass")

// sameRun checks, on an attempt that resumes a pass, that the server is the
// run the pass started on (same run_id).
func (w *ScanWorker) sameRun(ctx context.Context, c *respConn, st *passState) error {
	if st.runID == "" {
		return nil // no run_id (Dragonfly): nothing to compare
	}
	c.deadline(ctx, w.opts.Timeout)
	c.write2(cmdInfo, "server")
	if err := c.flush(); err != nil {
		return err
	}
	b, _, err := c.readSimple()
	if _, _, fatal := reply(err); fatal != nil {
		return fatal
	}
	if id, ok := ParseInfo(string(b)).Get("run_id"); err == nil && ok && strings.TrimSpace(id) != st.runID {
		return errServerRestarted
	}
	return nil
}

func (w *ScanWorker) probe(ctx context.Context, c *respConn, st *passState, out chan<- model.Update) error {
	c.deadline(ctx, w.opts.Timeout)
	c.write2(cmdInfo, "server")
	c.write2(cmdInfo, "modules")
	c.write2(cmdInfo, "keysizes")
	c.write2(cmdInfo, "keyspace")
	selected := writeDBSizes(c, w.opts.DBs)
	if err := c.flush(); err != nil {
		return err
	}
	var text [4]string
	var errs [4]error
	for i := range text {
		b, _, err := c.readSimple()
		if _, _, fatal := reply(err); fatal != nil {
			return fatal
		}
		text[i], errs[i] = string(b), err
	}
	sizes, err := readDBSizes(c, w.opts.DBs, selected)
	if err != nil {
		return err
	}
	var total int64
	for _, n := range sizes {
		total += n
	}
	st.dbsizes = sizes
	if id, ok := ParseInfo(text[0]).Get("run_id"); ok {
		st.runID = strings.TrimSpace(id)
	}
	if v, ok := ParseInfo(text[0]).Get("redis_version"); ok {
		if ver, ok := ParseVersion(v); ok {
			w.noTouch.Store(ver.AtLeast(7, 2, 0))
		}
	}
	// A module value's OBJECT ENCODING is "raw", like a string's: with any
	// module loaded (or when we cannot tell), raw keys get a TYPE.
	w.caps.modules.Store(errs[1] != nil || strings.Contains(text[1], "module:"))
	st.dbsize, st.sized = total, true
	// A database without a single expiring key needs no TTL per key: every
	// answer would be -1. (A TTL set during the pass is missed; the next
	// pass sees it.) This saves a fifth of the server's work on such data.
	if errs[3] == nil {
		noTTL := map[int]bool{}
		for _, db := range ParseInfo(text[3]).Keyspace() {
			if e, ok := db.Expires.Get(); ok && e == 0 {
				noTTL[db.DB] = true
			}
		}
		w.noTTL = noTTL
	}
	if errs[2] == nil {
		fields := map[string]string{}
		if sec, ok := ParseInfo(text[2]).Section("keysizes"); ok {
			for _, f := range sec.Fields {
				fields[f.Key] = f.Value
			}
		}
		if ks := model.ParseKeySizes(fields); ks != nil {
			up := &model.ScanUpdate{Progress: w.progress(st, model.ScanScanning, ""), KeySizes: ks}
			if !send(ctx, out, model.Update{Scan: up}) {
				return ctx.Err() //nolint:wrapcheck // context errors are compared, not shown
			}
		}
	}
	return nil
}

// rateMeter measures keys/s over the last few seconds.
type rateMeter struct {
	t [8]time.Time
	n [8]int64
	i int // next slot
	k int // slots filled
}

func (m *rateMeter) reset(t time.Time, n int64) {
	*m = rateMeter{}
	m.add(t, n)
}

func (m *rateMeter) add(t time.Time, n int64) {
	m.t[m.i], m.n[m.i] = t, n
	m.i = (m.i + 1) % len(m.t)
	m.k = min(m.k+1, len(m.t))
}

func (m *rateMeter) perSecond() float64 {
	if m.k < 2 {
		return 0
	}
	newest := (m.i - 1 + len(m.t)) % len(m.t)
	oldest := (m.i - m.k + len(m.t)) % len(m.t)
	dt := m.t[newest].Sub(m.t[oldest]).Seconds()
	if dt <= 0 {
		return 0
	}
	return float64(m.n[newest]-m.n[oldest]) / dt
}
