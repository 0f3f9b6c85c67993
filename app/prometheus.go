package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/promx"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// Backfill is how one server's history is read from Prometheus: the store,
// the server as the live connection knows it, and how much to read.
type Backfill struct {
	Prom    *promx.Client
	Target  promx.Target
	Product model.Product
	// Window is how far back to read (--history); Step the finest spacing
	// kept (the poll period); Max the most samples kept (the ring's room).
	Window time.Duration
	Step   time.Duration
	Max    int
}

// backfillFor is the backfill of the server c is connected to, nil
// without --prometheus.
func backfillFor(cfg Config, c *redisx.Client) *Backfill {
	if cfg.Prometheus == nil {
		return nil
	}
	o := c.Options()
	t := promx.Target{}
	if id, ok := c.FirstInfo().Get("run_id"); ok {
		t.RunID = id
	}
	if o.Network != redisx.NetworkUnix {
		t.Addr = o.Addr
	}
	return &Backfill{
		Prom: cfg.Prometheus, Target: t, Product: c.Product(),
		Window: cfg.History, Step: cfg.Interval, Max: int(cfg.History/max(cfg.Interval, time.Millisecond)) + 1,
	}
}

// Read finds the server's series and reads them over the window ending at
// now. The status says how they matched and how much was read; on failure
// the error is one line (no secret in it).
func (b *Backfill) Read(ctx context.Context, now time.Time) ([]model.Sample, promx.Match, error) {
	m, err := b.Prom.Find(ctx, b.Target, now, b.Window)
	if err != nil {
		return nil, m, err //nolint:wrapcheck // a QueryError is already one clear line
	}
	samples, err := b.Prom.History(ctx, m, now.Add(-b.Window), now, b.Step, b.Max, b.Product)
	if err != nil {
		return nil, m, err //nolint:wrapcheck // a QueryError is already one clear line
	}
	return samples, m, nil
}

// readStatus is the status line of a read: how much history came from
// where, and how the series were found.
func (b *Backfill) readStatus(samples []model.Sample, m promx.Match) string {
	if len(samples) == 0 {
		return fmt.Sprintf("Prometheus %s: no samples of %s in the last %s (%s)", b.Prom.Redacted(), m.Instance, model.Duration(b.Window), m.Describe())
	}
	span := samples[len(samples)-1].Time.Sub(samples[0].Time).Round(time.Second)
	return fmt.Sprintf("Prometheus %s: %s of history before live, %d samples (%s)", b.Prom.Redacted(), model.Duration(span), len(samples), m.Describe())
}

// failure says what went wrong with Prometheus, in a few words and no
// secret.
func (b *Backfill) failure(err error) string {
	msg := "the query failed"
	var qe *promx.QueryError
	if errors.As(err, &qe) {
		msg = qe.Msg
	}
	return fmt.Sprintf("Prometheus %s: %s", b.Prom.Redacted(), msg)
}

// failStatus is the one line a failure costs the monitor.
func (b *Backfill) failStatus(err error, since time.Time, read bool) string {
	kept := "live polling goes on"
	if read {
		kept = "the history read stays, live polling goes on"
	}
	return fmt.Sprintf("%s (since %s); %s", b.failure(err), since.Local().Format("15:04:05"), kept)
}

// recheckEvery is how often the monitor asks Prometheus again: for the
// history when it could not be read yet, else for the target's latest
// scrape, so the status line says when Prometheus goes away or comes back.
func recheckEvery(interval time.Duration) time.Duration {
	return min(max(5*interval, 5*time.Second), time.Minute)
}

// Run sends the history, then keeps the status line current until ctx
// ends: a Prometheus that is slow, down, denies access or holds no series
// costs that one line, never the monitor. The clock is read here (app owns
// time); every query is bounded by the client's timeout.
func (b *Backfill) Run(ctx context.Context, out chan<- model.Update, every time.Duration) {
	send := func(u model.Backfill) bool {
		u.Time = time.Now()
		select {
		case out <- model.Update{Backfill: &u}:
			return true
		case <-ctx.Done():
			return false
		}
	}
	if !send(model.Backfill{Status: fmt.Sprintf("Prometheus %s: reading %s of history…", b.Prom.Redacted(), model.Duration(b.Window))}) {
		return
	}
	var (
		m        promx.Match
		quiet    = 2 * every // no scrape for longer: the line says so
		read     bool
		readMsg  string
		failAt   time.Time
		lastSent string
	)
	// Only a change of the line is sent: the UI is not woken for nothing.
	status := func(msg string, failed bool) bool {
		if msg == lastSent {
			return true
		}
		lastSent = msg
		return send(model.Backfill{Status: msg, Failed: failed})
	}
	// readNow reads the history; ok is false when ctx ended.
	readNow := func(now time.Time) (ok bool, err error) {
		var samples []model.Sample
		if samples, m, err = b.Read(ctx, now); err != nil {
			return true, err
		}
		read, failAt = true, time.Time{}
		readMsg = b.readStatus(samples, m)
		if n := len(samples); n > 1 {
			// A target scraped every minute is not late after 10 s.
			quiet = max(quiet, 3*samples[n-1].Time.Sub(samples[0].Time)/time.Duration(n-1))
		}
		lastSent = readMsg
		return send(model.Backfill{Samples: samples, Status: readMsg}), nil
	}
	// checkNow asks for the target's latest scrape.
	checkNow := func(now time.Time) (ok bool, err error) {
		last, err := b.Prom.LastScrape(ctx, m, now)
		if err != nil {
			return true, err //nolint:wrapcheck // a QueryError is already one clear line
		}
		failAt = time.Time{}
		msg := readMsg
		if a := now.Sub(last); a > quiet {
			msg += fmt.Sprintf("; no scrape of it for %s", model.Duration(a.Round(time.Second)))
		}
		return status(msg, false), nil
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		now := time.Now()
		step := checkNow
		if !read {
			step = readNow
		}
		ok, err := step(now)
		if !ok {
			return
		}
		if err != nil && ctx.Err() == nil {
			if failAt.IsZero() {
				failAt = now
			}
			if !status(b.failStatus(err, failAt, read), true) {
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startBackfills reads, for every server of the overview's first view, its
// history from Prometheus (--prometheus) and keeps its status line, each
// on a goroutine of its own: a node's history arrives as a node update.
// Nodes that join later start without it.
func (o *Overview) startBackfills(ctx context.Context, r *Run, first model.ClusterView, out chan<- ui.MultiUpdate) {
	if o.Cfg.Prometheus == nil {
		return
	}
	for i := range first.Nodes {
		n := &first.Nodes[i]
		id := n.ID
		if id == "" {
			id = n.Addr // a fleet member's id is its address
		}
		b := &Backfill{
			Prom: o.Cfg.Prometheus, Target: promx.Target{Addr: n.Addr},
			Window: o.Cfg.History, Step: o.Cfg.Interval, Max: int(o.Cfg.History/max(o.Cfg.Interval, time.Millisecond)) + 1,
		}
		if s := n.Sample; s != nil {
			b.Target.RunID, b.Product = string(s.Server.RunID), s.Server.Product
		}
		node := make(chan model.Update, 2)
		r.Go(func() { b.Run(ctx, node, recheckEvery(o.Cfg.Interval)) })
		r.Go(func() {
			relay(ctx, node, out, func(u model.Update) (ui.MultiUpdate, bool) { return ui.MultiUpdate{Node: id, Update: &u}, true })
		})
	}
}
