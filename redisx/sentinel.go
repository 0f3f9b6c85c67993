package redisx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"

	"github.com/redis-memtop/redis-memtop/model"
)

// ErrNoSuchMaster is wrapped by ResolveMaster when the sentinels answered
// but none knows a master by that name.
var ErrNoSuchMaster = errors.New("sentinel knows no master named")

// sentinelCheckEvery is how often a SentinelPoller asks the sentinels for
// the master while the current one is not answering or says it is a replica.
const sentinelCheckEvery = time.Second

// Roles in INFO replication.
const (
	roleMaster  = "master"
	roleReplica = "slave"
)

// ResolveMaster asks each sentinel in turn (SENTINEL GET-MASTER-ADDR-BY-NAME)
// for the address of the master called name, and returns the first answer.
// o gives the timeouts, TLS and the credentials to the sentinels (not the
// master's: a Sentinel usually has its own password or none); each sentinel
// is bounded by o's dial and command timeouts. The error is one line without
// the password: "no sentinel answered (…)" or "sentinel knows no master
// named X".
func ResolveMaster(ctx context.Context, sentinels []string, name string, o Options) (string, error) {
	o = o.withDefaults()
	if len(sentinels) == 0 {
		return "", errors.New("redisx: no sentinel address given")
	}
	if name == "" {
		return "", errors.New("redisx: a master name is needed with --sentinel (--master-name)")
	}
	if _, err := buildTLS(o); err != nil {
		return "", fmt.Errorf("redisx: sentinel: %w", err)
	}
	quietOnce.Do(func() { redis.SetLogger(quietLogger{}) })
	var failures []string
	unknown := 0
	for _, addr := range sentinels {
		host, port, err := askSentinel(ctx, addr, name, o)
		switch {
		case err == nil:
			return net.JoinHostPort(host, port), nil
		case errors.Is(err, redis.Nil):
			unknown++
		case ctx.Err() != nil:
			return "", fmt.Errorf("redisx: sentinel: %w", ctx.Err())
		default:
			failures = append(failures, addr+": "+Describe(err, o.Password))
		}
	}
	if unknown > 0 {
		return "", fmt.Errorf("%w %s", ErrNoSuchMaster, printable(name))
	}
	return "", fmt.Errorf("no sentinel answered (%s)", strings.Join(failures, "; "))
}

// askSentinel asks one sentinel, bounded by the dial and command timeouts.
func askSentinel(ctx context.Context, addr, name string, o Options) (host, port string, err error) {
	ro := &redis.Options{
		Network:               NetworkTCP,
		Addr:                  addr,
		Username:              o.Username,
		Password:              o.Password,
		Protocol:              2, // every Sentinel version speaks RESP2
		DialTimeout:           o.DialTimeout,
		ReadTimeout:           o.CommandTimeout,
		WriteTimeout:          o.CommandTimeout,
		ContextTimeoutEnabled: true,
		DialerRetries:         1,
		MaxRetries:            -1,
		PoolSize:              1,
		DisableIdentity:       true,
		MaintNotificationsConfig: &maintnotifications.Config{
			Mode: maintnotifications.ModeDisabled,
		},
	}
	if o.TLS.Enabled {
		cfg, err := buildTLS(Options{Addr: addr, TLS: o.TLS})
		if err != nil {
			return "", "", err
		}
		ro.TLSConfig = cfg
	}
	rdb := redis.NewClient(ro)
	rdb.AddHook(guard{})
	defer func() { _ = rdb.Close() }()
	cctx, cancel := context.WithTimeout(ctx, o.DialTimeout+o.CommandTimeout)
	defer cancel()
	res, err := rdb.Do(cctx, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", name).StringSlice()
	if err != nil {
		return "", "", err //nolint:wrapcheck // described by the caller
	}
	if len(res) != 2 || res[0] == "" || res[1] == "" {
		return "", "", fmt.Errorf("unexpected reply to SENTINEL GET-MASTER-ADDR-BY-NAME (%d fields)", len(res))
	}
	return res[0], res[1], nil
}

// SentinelPoller runs the usual Poller against the master a set of sentinels
// names, and follows a failover: when the master stops answering or says it
// is a replica (role:slave), it asks the sentinels again every second and,
// once they name another master that answers as one, connects to it (with
// the first client's options), sends a model.EventFailover event "old → new"
// and polls the new master. The clients it opened are closed when Run ends;
// the first client stays the caller's. Current tells whoever works against
// the master too (the scan, the write keys, the export) when it changed.
type SentinelPoller struct {
	sentinels []string
	name      string
	sopts     Options // to the sentinels
	interval  time.Duration
	// ExtrasInterval is passed to each Poller (see Poller.ExtrasInterval).
	ExtrasInterval time.Duration

	mu  sync.Mutex
	cur *Client
	// changed is closed when cur is replaced (then made anew).
	changed chan struct{}
}

// NewSentinelPoller polls c, the master the sentinels named (ResolveMaster),
// every interval. sentinelOpts are the options to the sentinels, as for
// ResolveMaster.
func NewSentinelPoller(c *Client, sentinels []string, name string, sentinelOpts Options, interval time.Duration) *SentinelPoller {
	return &SentinelPoller{
		sentinels: append([]string(nil), sentinels...), name: name, sopts: sentinelOpts,
		interval: interval, ExtrasInterval: DefaultExtrasInterval, cur: c,
		changed: make(chan struct{}),
	}
}

// Client is the master being polled now.
func (p *SentinelPoller) Client() *Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur
}

// Current is the master being polled now and a channel closed once the
// poller has moved to another one (ask again then). The client stays open
// until Run ends.
func (p *SentinelPoller) Current() (*Client, <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cur, p.changed
}

// Run polls until ctx is done, then returns nil; every goroutine it started
// has ended by then.
func (p *SentinelPoller) Run(ctx context.Context, out chan<- model.Update) error {
	first := p.Client()
	var opened []*Client
	defer func() {
		for _, c := range opened {
			_ = c.Close()
		}
	}()
	cur := first
	for {
		inner := make(chan model.Update, 16)
		ictx, icancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			pl := NewPoller(cur, p.interval, 0)
			pl.ExtrasInterval = p.ExtrasInterval
			_ = pl.Run(ictx, inner)
		}()
		next := p.watch(ctx, cur, inner, out, done)
		icancel()
		<-done
		if next == nil {
			return nil
		}
		opened = append(opened, next)
		old := cur.Options().Addr
		p.mu.Lock()
		p.cur = next
		close(p.changed)
		p.changed = make(chan struct{})
		p.mu.Unlock()
		cur = next
		ev := &model.Event{Kind: model.EventFailover, Time: time.Now(), Detail: old + " → " + next.Options().Addr}
		if !send(ctx, out, model.Update{Event: ev}) {
			return nil
		}
	}
}

// watch forwards the inner poller's updates and returns the new master's
// client after a failover, or nil when ctx ended.
func (p *SentinelPoller) watch(ctx context.Context, cur *Client, inner <-chan model.Update, out chan<- model.Update, done <-chan struct{}) *Client {
	tick := time.NewTicker(sentinelCheckEvery)
	defer tick.Stop()
	role, _ := cur.FirstInfo().Get("role")
	suspect := role == roleReplica
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-done:
			return nil
		case u := <-inner:
			if s := u.Sample; s != nil {
				suspect = s.IsGap() || string(s.Server.Role) == roleReplica
			}
			if c := u.Conn; c != nil && (c.State == model.ConnReconnecting || c.State == model.ConnStalled) {
				suspect = true
			}
			if !send(ctx, out, u) {
				return nil
			}
		case <-tick.C:
			if !suspect {
				continue
			}
			if next := p.newMaster(ctx, cur); next != nil {
				return next
			}
		}
	}
}

// newMaster asks the sentinels for the master and connects to it when it is
// another server that answers as a master; nil otherwise (ask again later).
func (p *SentinelPoller) newMaster(ctx context.Context, cur *Client) *Client {
	o := cur.Options()
	addr, err := ResolveMaster(ctx, p.sentinels, p.name, p.sopts)
	if err != nil || addr == o.Addr {
		return nil
	}
	o.Network, o.Addr = NetworkTCP, addr
	cctx, cancel := context.WithTimeout(ctx, o.DialTimeout+o.CommandTimeout)
	defer cancel()
	c, err := Connect(cctx, o)
	if err != nil {
		return nil
	}
	if role, _ := c.FirstInfo().Get("role"); role != roleMaster {
		_ = c.Close() // the sentinels' view is ahead of the server's
		return nil
	}
	return c
}
