package main

import "github.com/redis-memtop/redis-memtop/redisx"

// monitorExtras wires the live monitor to a master found through Sentinel:
// the poller follows a failover, and the scan, the write keys and the
// export follow the poller (monitorExtras.follow). The header keeps naming
// the master found at start; the report names the master it was built from.
func (st *sentinelTarget) monitorExtras(c *redisx.Client, uf uiFlags, mx monitorExtras) monitorExtras {
	mx.target += st.suffix()
	p := redisx.NewSentinelPoller(c, st.addrs, st.name, st.opts, uf.interval)
	mx.poll = p.Run
	mx.follow = &following{
		current: p.Current,
		target:  func(m *redisx.Client) string { return m.Options().Redacted() + st.suffix() },
	}
	return mx
}

// suffix follows a master's address in the targets shown.
func (st *sentinelTarget) suffix() string { return " (sentinel " + st.name + ")" }
