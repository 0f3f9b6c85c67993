package model

import (
	"fmt"
	"math"
	"strings"
)

// clientBuffersLevel: memory held by normal clients' query and output
// buffers (ruleClientBuffers adds the O(N) reads that fill them).
func clientBuffersLevel(c *ruleCtx) Check {
	const topic = "Client buffers"
	m := &c.last.Memory
	cr := c.clientsReason()
	total, ok := m.MemClientsNormal.Get()
	src := "mem_clients_normal"
	if !ok && cr == "" {
		total, ok = c.ex.Clients.TotalMem.Get()
		src = "CLIENT LIST tot-mem"
	}
	if !ok {
		reason := c.missing("mem_clients_normal", "5.0")
		if cr != "" {
			reason += "; " + cr
		}
		return unknownCheck(topic, reason, "", "redis-cli CLIENT LIST", "redis-cli INFO clients")
	}
	n := c.last.Stats.ConnectedClients.Or(0)
	if n == 0 && cr == "" {
		n = float64(c.ex.Clients.Count)
	}
	ch := Check{Commands: []string{"redis-cli INFO clients", "redis-cli CLIENT LIST", "redis-cli CONFIG GET client-output-buffer-limit"}}
	avg := 0.0
	if n > 0 {
		avg = total / n
	}
	ch.Evidence = append(ch.Evidence, fmt.Sprintf("%s: %s for %s (%s each on average)", src, Bytes(total), countNoun(n, "client", "clients"), Bytes(avg)))
	used := m.UsedMemory.Or(0)
	if used > 0 {
		ch.Evidence = append(ch.Evidence, "share of used_memory: "+sharePct(total/used))
	}
	if v, ok := c.last.Stats.ClientRecentMaxOutputBuffer.Get(); ok {
		ch.Evidence = append(ch.Evidence, "client_recent_max_output_buffer: "+Bytes(v))
	}
	if v, ok := c.last.Stats.ClientOutputBufferLimitDisconnections.Get(); ok && v > 0 {
		ch.Evidence = append(ch.Evidence, "clients disconnected for their output buffer limit: "+exactCount(v))
	}
	if cr != "" {
		ch.Evidence = append(ch.Evidence, "which clients: unknown ("+cr+")")
	} else {
		cl := c.ex.Clients
		if v, ok := cl.TotalOmem.Get(); ok {
			ch.Evidence = append(ch.Evidence, "output buffers (CLIENT LIST omem): "+Bytes(v))
		}
		for i, ci := range cl.Top {
			if i == 3 {
				break
			}
			ch.Evidence = append(ch.Evidence, clientLine(ci))
			if i == 0 && ci.ID != "" {
				ch.Commands = append(ch.Commands, "redis-cli CLIENT KILL ID "+shellQuote(ci.ID))
			}
		}
	}
	ch.Advice = "Client buffers count toward used_memory and so toward eviction and OOM. The usual culprits: a pub/sub subscriber that stopped reading, MONITOR, or a client fetching huge replies (KEYS, HGETALL or LRANGE on big keys). Find it in CLIENT LIST (omem, tot-mem, cmd), fix or kill it, and bound buffers with client-output-buffer-limit (and maxmemory-clients on 7.0+)."
	switch {
	case total > ThresholdClientBuffersTotal && used > 0 && total >= ThresholdClientBuffersCritShare*used:
		ch.Status = StatusCrit
		ch.Title = fmt.Sprintf("Client buffers hold %s, %s of used_memory", Bytes(total), sharePct(total/used))
	case total > ThresholdClientBuffersTotal || avg > ThresholdClientBufferAvg:
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("Client buffers hold %s (%s per client on average)", Bytes(total), Bytes(avg))
		if used < ThresholdSmallDataset {
			ch.Status = StatusWatch // MEMORY DOCTOR stays silent under 5 MB
		}
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Client buffers small: %s for %s", Bytes(total), countNoun(n, "client", "clients"))
		if total == 0 {
			// Before 7.0 mem_clients_normal counts only the buffers, and
			// idle clients have given theirs back.
			ch.Title = "Client buffers empty for " + countNoun(n, "client", "clients")
		}
		ch.Advice = "No client holds much memory."
	}
	return ch
}

// clientLine writes one CLIENT LIST entry for evidence (server strings escaped).
func clientLine(ci ClientInfo) string {
	var b strings.Builder
	b.WriteString("client id=" + serverLabel(ci.ID) + " addr=" + serverLabel(ci.Addr))
	if ci.Name != "" {
		b.WriteString(" name=" + serverLabel(ci.Name))
	}
	if ci.Cmd != "" {
		b.WriteString(" cmd=" + serverLabel(ci.Cmd))
	}
	if ci.Flags != "" {
		b.WriteString(" flags=" + serverLabel(ci.Flags))
	}
	if v, ok := ci.Omem.Get(); ok {
		b.WriteString(" omem=" + Bytes(v))
	}
	if v, ok := ci.TotMem.Get(); ok {
		b.WriteString(" tot-mem=" + Bytes(v))
	}
	return b.String()
}

// ruleReplicationBuffers: memory held for replicas beyond the backlog.
func ruleReplicationBuffers(c *ruleCtx) Check {
	const topic = "Replication buffers"
	m := &c.last.Memory
	slaves, okS := m.MemClientsSlaves.Get()
	total, okT := m.MemTotalReplicationBuffers.Get()
	backlog, okB := m.MemReplicationBacklog.Get()
	if !okS && !okT {
		return unknownCheck(topic, c.missing("mem_clients_slaves", "5.0"), "", "redis-cli INFO replication", cmdInfoMemory)
	}
	// Replica output beyond the backlog: mem_clients_slaves (MEMORY DOCTOR's
	// figure); on 7.0+ the shared buffer minus the backlog says the same.
	replica := slaves
	if okT && okB {
		replica = math.Max(replica, total-backlog)
	}
	n := c.last.Stats.ConnectedSlaves.Or(0)
	ch := Check{
		Evidence: []string{fmt.Sprintf("replica buffers: %s for %s", Bytes(replica), countNoun(n, "replica", "replicas"))},
		Commands: []string{"redis-cli INFO replication", "redis-cli CLIENT LIST TYPE replica", "redis-cli CONFIG GET client-output-buffer-limit"},
	}
	if okB {
		ch.Evidence = append(ch.Evidence, "mem_replication_backlog: "+Bytes(backlog))
	}
	if okT {
		ch.Evidence = append(ch.Evidence, "mem_total_replication_buffers: "+Bytes(total))
	}
	used := m.UsedMemory.Or(0)
	ch.Advice = "Writes pile up for a replica that reads slowly or is doing a full resync (the RDB transfer). They count in used_memory but not for eviction. Check the replicas' lag and link in INFO replication; client-output-buffer-limit replica bounds it (a replica past it resyncs from scratch)."
	switch {
	case replica > ThresholdReplicaBuffers && used > 0 && replica >= ThresholdReplicaBuffersCritShare*used:
		ch.Status = StatusCrit
		ch.Title = fmt.Sprintf("Replica buffers hold %s, %s of used_memory", Bytes(replica), sharePct(replica/used))
	case replica > ThresholdReplicaBuffers:
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("Replica buffers hold %s", Bytes(replica))
	case n == 0:
		ch.Status = StatusOK
		ch.Title = "No replicas connected"
		ch.Advice = "Nothing is buffered for replicas."
	default:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Replica buffers small: %s", Bytes(replica))
		ch.Advice = "The replicas keep up."
	}
	if f, ok := backlogFinding(c); ok {
		ch = f.merge(ch)
	}
	return ch
}

// ruleScripts: the EVAL script cache.
func ruleScripts(c *ruleCtx) Check {
	const topic = "Cached scripts"
	m := &c.last.Memory
	n, ok := m.NumberOfCachedScripts.Get()
	if !ok {
		return unknownCheck(topic, c.missing("number_of_cached_scripts", "5.0"), "", cmdInfoMemory)
	}
	ch := Check{
		Evidence: []string{"number_of_cached_scripts: " + exactCount(n)},
		Commands: []string{cmdInfoMemory},
	}
	vm, vmOK := m.UsedMemoryVMTotal.Get()
	vmName := "used_memory_vm_total"
	if !vmOK {
		vm, vmOK = m.UsedMemoryLua.Get()
		vmName = "used_memory_lua"
	}
	if vmOK {
		ch.Evidence = append(ch.Evidence, vmName+": "+Bytes(vm))
	}
	if v, ok := m.UsedMemoryScripts.Get(); ok {
		ch.Evidence = append(ch.Evidence, "used_memory_scripts: "+Bytes(v))
	}
	ch.Advice = "Every distinct EVAL body stays cached until SCRIPT FLUSH. Scripts built with values inside them (instead of KEYS and ARGV) add one script per call, and the Lua VM's memory is outside maxmemory. Pass values as arguments and call EVALSHA, or use FUNCTION (7.0+)."
	switch {
	case n > ThresholdScriptsCrit:
		ch.Status = StatusCrit
		ch.Title = fmt.Sprintf("%s cached scripts: scripts are generated per call", exactCount(n))
		ch.Commands = append(ch.Commands, "redis-cli SCRIPT FLUSH ASYNC")
	case n > ThresholdScriptsWarn || (vmOK && vm > ThresholdScriptsVMWarn):
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("%s cached scripts", exactCount(n))
		if vmOK {
			ch.Title += fmt.Sprintf(", Lua VM %s", Bytes(vm))
		}
		ch.Commands = append(ch.Commands, "redis-cli SCRIPT FLUSH ASYNC")
	case n > ThresholdScriptsWatch:
		ch.Status = StatusWatch
		ch.Title = fmt.Sprintf("%s cached scripts: are they generated?", exactCount(n))
	default:
		ch.Status = StatusOK
		ch.Title = countNoun(n, "cached script", "cached scripts")
		ch.Advice = "The script cache is small."
	}
	return ch
}
