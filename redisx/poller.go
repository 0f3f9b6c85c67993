package redisx

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// Back-off between reconnection attempts: 0.5 s doubling up to 5 s.
const (
	backoffFirst = 500 * time.Millisecond
	backoffLimit = 5 * time.Second
	// DefaultExtrasInterval is how often the poller reads the Extras.
	DefaultExtrasInterval = 10 * time.Second
)

const cmdInfo = "info"

// pollSections are the INFO sections the panes need, asked for by name where
// the server takes several at once (7.0+, Dragonfly, where Persistence and
// Errorstats are hidden from a plain INFO).
var pollSections = []any{cmdInfo, "server", "clients", "memory", "persistence", "stats", "replication", "cpu", "errorstats", "cluster", "keyspace"}

// Poller reads INFO every interval, off the UI goroutine, and sends what it
// learns as model.Update values: samples (gaps included), connection state
// changes and, every ExtrasInterval, the Extras.
type Poller struct {
	c        *Client
	interval time.Duration
	timeout  time.Duration
	// ExtrasInterval is how often the Extras are read (default 10 s; 0 or
	// less disables them). Set it before Run.
	ExtrasInterval time.Duration
}

// NewPoller polls c every interval (at least 50 ms), each INFO bounded by
// timeout (0 = the client's command timeout).
func NewPoller(c *Client, interval, timeout time.Duration) *Poller {
	interval = max(interval, 50*time.Millisecond)
	if timeout <= 0 {
		timeout = c.opts.CommandTimeout
	}
	return &Poller{c: c, interval: interval, timeout: timeout, ExtrasInterval: DefaultExtrasInterval}
}

// infoCommands returns the INFO calls one poll makes for a server. Before 7.0
// INFO takes one section; plain INFO there has everything but Errorstats,
// which 6.2 has and is asked for separately in the same round trip.
func infoCommands(p model.Product, v Version, mode string) [][]any {
	switch {
	case mode == ModeSentinel:
		return [][]any{{cmdInfo}}
	case p == model.ProductDragonfly, p != model.ProductKeyDB && v.AtLeast(7, 0, 0):
		return [][]any{pollSections}
	case v.AtLeast(6, 2, 0):
		return [][]any{{cmdInfo}, {cmdInfo, "errorstats"}}
	default:
		return [][]any{{cmdInfo}}
	}
}

// pollCommands are a single server's poll: infoCommands, plus INFO
// commandstats in the same round trip (not on a Sentinel, which runs no
// data commands).
//
// Commandstats is read on every poll, not on the Extras' cadence: the
// client-buffers check judges O(N) reads rising over the trend window, and
// only the samples are kept as a history (the Extras are the latest read
// only). It costs the server one line per command ever called (tens of
// lines, microseconds), and the sample keeps the O(N) reads alone
// (Info.ONReads). It is a call of its own, so the one-section servers
// (before 7.0) get it too.
func pollCommands(p model.Product, v Version, mode string) [][]any {
	cmds := infoCommands(p, v, mode)
	if mode == ModeSentinel {
		return cmds
	}
	return append(cmds, []any{cmdInfo, "commandstats"})
}

// readInfo makes one poll's INFO calls in one round trip.
func (p *Poller) readInfo(ctx context.Context, cmds [][]any) (Info, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	rdb := p.c.rdb
	if len(cmds) == 1 {
		text, err := rdb.Do(ctx, cmds[0]...).Text()
		if err != nil {
			return Info{}, err //nolint:wrapcheck // classified by the caller
		}
		return ParseInfo(text), nil
	}
	res, err := rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, args := range cmds {
			pipe.Do(ctx, args...)
		}
		return nil
	})
	if err != nil {
		return Info{}, err //nolint:wrapcheck // classified by the caller
	}
	var info Info
	for i, r := range res {
		text, err := r.(*redis.Cmd).Text()
		if err != nil {
			return Info{}, err //nolint:wrapcheck // classified by the caller
		}
		if i == 0 {
			info = ParseInfo(text)
		} else {
			info = info.Merge(ParseInfo(text))
		}
	}
	return info, nil
}

// backoff is the wait before reconnection attempt n (1-based).
func backoff(n int) time.Duration {
	d := backoffFirst
	for i := 1; i < n && d < backoffLimit; i++ {
		d *= 2
	}
	return min(d, backoffLimit)
}

// Run polls until ctx is done, then returns nil. A poll is scheduled only
// after the previous one returned, so polls never pile up; every send also
// watches ctx, so a reader that went away cannot block Run forever.
//
// States: connecting at start; live after a good poll; stalled when INFO
// timed out on a connection that is up (a SIGSTOP'd or overloaded server);
// reconnecting when the connection is refused or closed, retried with
// back-off from 0.5 s doubling to 5 s — a Conn update is sent on every state
// change and on every reconnection attempt. Each failed poll also sends a gap
// sample whose Err is one password-free line.
func (p *Poller) Run(ctx context.Context, out chan<- model.Update) error {
	r := &pollRun{
		p:    p,
		ctx:  ctx,
		out:  out,
		st:   pollState{state: model.ConnConnecting, since: time.Now()},
		cmds: pollCommands(p.c.product, p.c.compat, p.c.mode),
	}
	if !r.send(model.Update{Conn: &model.Conn{State: r.st.state, Since: r.st.since}}) {
		return nil
	}
	for {
		start := time.Now()
		info, err := p.readInfo(ctx, r.cmds)
		var wait time.Duration
		var ok bool
		if err == nil {
			wait, ok = r.succeeded(info, start)
		} else {
			wait, ok = r.failed(err, start)
		}
		if !ok || !sleep(ctx, wait) {
			return nil
		}
	}
}

// pollRun is the state of one Run.
type pollRun struct {
	p          *Poller
	ctx        context.Context //nolint:containedctx // one Run's context, owned by Run
	out        chan<- model.Update
	st         pollState
	cmds       [][]any
	lastExtras time.Time
}

func (r *pollRun) send(u model.Update) bool { return send(r.ctx, r.out, u) }

// succeeded sends the sample (and the live state, and the Extras when due)
// and returns the wait before the next poll; false when Run must stop.
func (r *pollRun) succeeded(info Info, start time.Time) (time.Duration, bool) {
	now := time.Now()
	s := SampleFromInfo(info, now, now.Sub(start))
	// Follow the server across restarts: an upgrade changes what INFO accepts.
	if v, ok := ParseVersion(string(s.Server.RedisVersion)); ok {
		r.cmds = pollCommands(s.Server.Product, v, string(s.Server.Mode))
	}
	if r.st.state != model.ConnLive {
		r.st = pollState{state: model.ConnLive, since: now}
		if !r.send(model.Update{Conn: &model.Conn{State: model.ConnLive, Since: now}}) {
			return 0, false
		}
	}
	if !r.send(model.Update{Sample: &s}) {
		return 0, false
	}
	every := r.p.ExtrasInterval
	if every > 0 && (r.lastExtras.IsZero() || now.Sub(r.lastExtras) >= every) {
		r.lastExtras = now
		ex := r.p.c.ReadExtras(r.ctx, now)
		// Host facts (swap, overcommit, THP, cgroup) when the server runs on
		// this machine; otherwise they say why not.
		ex.Host = ReadHostFactsFor(&s)
		// A reshard under way holds defrag advice back (model's
		// defragHeldBack): read this node's slot migrations.
		if s.Server.Cluster.IsTrue() {
			ex.Slots = r.p.c.ReadSlotMoves(r.ctx)
		}
		if !r.send(model.Update{Extras: &ex}) {
			return 0, false
		}
	}
	return r.p.interval - time.Since(start), true
}

// failed sends the gap sample and the state change, and returns the wait
// before the next poll (the back-off while reconnecting).
func (r *pollRun) failed(err error, start time.Time) (time.Duration, bool) {
	select {
	case <-r.ctx.Done():
		return 0, false // the poll failed because Run is ending
	default:
	}
	now := time.Now()
	desc := r.p.c.describe(err)
	if !r.send(model.Update{Sample: &model.Sample{Time: now, Err: desc}}) {
		return 0, false
	}
	wait := r.p.interval - now.Sub(start)
	switch next := nextState(err); {
	case next == model.ConnReconnecting:
		if r.st.state != model.ConnReconnecting {
			r.st = pollState{state: next, since: now}
		}
		r.st.attempt++
		wait = backoff(r.st.attempt)
		return wait, r.send(model.Update{Conn: &model.Conn{State: next, Since: r.st.since, Err: desc, Attempt: r.st.attempt}})
	case next != r.st.state:
		r.st = pollState{state: next, since: now}
		return wait, r.send(model.Update{Conn: &model.Conn{State: next, Since: now, Err: desc}})
	}
	return wait, true
}

type pollState struct {
	state   model.ConnState
	since   time.Time
	attempt int
}

// nextState classifies a failed poll: an error reply means the link works
// (live, with a gap); a timeout on a connection that is up means stalled;
// anything else (refused, closed, reset, unreachable) means reconnecting.
func nextState(err error) model.ConnState {
	switch {
	case isServerReply(err):
		return model.ConnLive
	case isTimeout(err) && !isDialError(err):
		return model.ConnStalled
	default:
		return model.ConnReconnecting
	}
}

func send(ctx context.Context, out chan<- model.Update, u model.Update) bool {
	select {
	case out <- u:
		return true
	case <-ctx.Done():
		return false
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
