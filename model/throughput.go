package model

// Throughput is what `redis-cli --stat` shows beside memory: the load on the
// server now. A figure the server has not reported (or that needs two
// samples of one run, not yet held) is absent, never 0.
type Throughput struct {
	// OpsPerSec is the rate of total_commands_processed over the recent
	// span (RecentRate), or instantaneous_ops_per_sec while there is no
	// such rate yet.
	OpsPerSec Opt
	// Clients and Blocked are connected_clients and blocked_clients of the
	// newest sample.
	Clients, Blocked Opt
	// ConnPerSec is the rate of total_connections_received.
	ConnPerSec Opt
	// NetInPerSec and NetOutPerSec are the rates of total_net_input_bytes
	// and total_net_output_bytes, in bytes per second.
	NetInPerSec, NetOutPerSec Opt
}

// Getters of the throughput counters.
var (
	GetConns  Getter = func(s *Sample) Opt { return s.Stats.TotalConnectionsReceived }
	GetNetIn  Getter = func(s *Sample) Opt { return s.Stats.TotalNetInputBytes }
	GetNetOut Getter = func(s *Sample) Opt { return s.Stats.TotalNetOutputBytes }
)

// ThroughputOf reads the throughput from the history: counters as rates
// over the same span every other per-second figure uses (Recent), so the
// header and the limits pane agree.
func ThroughputOf(h *History) Throughput {
	last := h.LastOK()
	if last == nil {
		return Throughput{}
	}
	t := Throughput{
		OpsPerSec:    h.Recent(GetCmds).PerSec,
		Clients:      last.Stats.ConnectedClients,
		Blocked:      last.Stats.BlockedClients,
		ConnPerSec:   h.Recent(GetConns).PerSec,
		NetInPerSec:  h.Recent(GetNetIn).PerSec,
		NetOutPerSec: h.Recent(GetNetOut).PerSec,
	}
	if !t.OpsPerSec.Valid {
		t.OpsPerSec = last.Stats.InstantaneousOpsPerSec
	}
	return t
}
