package app

import (
	"context"

	"github.com/redis-memtop/redis-memtop/redisx"
)

// Sentinel is a master found through Sentinels by name.
type Sentinel struct {
	Addrs []string
	Name  string
	// Opts are for the sentinels: the master's timeouts and TLS, their own
	// password.
	Opts redisx.Options
}

// Resolve asks the sentinels for the master and returns the master's
// options pointing at it.
func (st *Sentinel) Resolve(ctx context.Context, o redisx.Options) (redisx.Options, error) {
	addr, err := redisx.ResolveMaster(ctx, st.Addrs, st.Name, st.Opts)
	if err != nil {
		return o, err //nolint:wrapcheck // already one clear, password-free line
	}
	o.Network, o.Addr = redisx.NetworkTCP, addr
	return o, nil
}

// Extras wires the live monitor to a master found through Sentinel: the
// poller follows a failover, and the scan, the write keys and the export
// follow the poller (Extras.Follow). The report names the master it was
// built from.
func (st *Sentinel) Extras(c *redisx.Client, cfg Config, x Extras) Extras {
	x.Target += st.suffix()
	p := redisx.NewSentinelPoller(c, st.Addrs, st.Name, st.Opts, cfg.Interval)
	x.Poll = p.Run
	x.Follow = &Following{
		Current: p.Current,
		Target:  func(m *redisx.Client) string { return m.Options().Redacted() + st.suffix() },
	}
	return x
}

// suffix follows a master's address in the targets shown.
func (st *Sentinel) suffix() string { return " (sentinel " + st.Name + ")" }
