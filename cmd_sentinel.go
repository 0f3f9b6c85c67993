package main

import "github.com/redis-memtop/redis-memtop/redisx"

// monitorExtras wires the live monitor to a master found through Sentinel:
// the poller follows a failover; the scan and the write keys stay on the
// master found at start.
func (st *sentinelTarget) monitorExtras(c *redisx.Client, uf uiFlags, mx monitorExtras) monitorExtras {
	mx.target += " (sentinel " + st.name + ")"
	mx.poll = redisx.NewSentinelPoller(c, st.addrs, st.name, st.opts, uf.interval).Run
	return mx
}
