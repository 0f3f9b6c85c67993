package model

import (
	"fmt"
	"strings"
)

// Fleet check ids.
const (
	CheckFleetUnreachable   = "fleet-unreachable"
	CheckFleetHeadroom      = "fleet-headroom"
	CheckFleetFragmentation = "fleet-fragmentation"
)

// fleetTopic heads the title of every fleet check before the first poll.
const fleetTopic = "Fleet"

// fleetRules are the checks of a fleet of independent servers: who does
// not answer, who is near its maxmemory, who fragments.
var fleetRules = []rule[*ClusterView]{
	{CheckFleetUnreachable, fleetTopic, PaneNone, ruleFleetUnreachable},
	{CheckFleetHeadroom, fleetTopic, PaneNone, ruleFleetHeadroom},
	{CheckFleetFragmentation, fleetTopic, PaneNone, ruleFleetFragmentation},
}

// EvaluateFleet runs the fleet rules over one poll of independent servers
// (a ClusterView without slots), worst first. Each server's own checklist is
// one enter away in its drill-in view; these name the servers to look at
// first.
func EvaluateFleet(v *ClusterView) Checklist { return EvaluateFleetFor(v, CommandTarget{}) }

// EvaluateFleetFor is EvaluateFleet with the commands aimed: they name the
// server they are about, and t (zero: none) adds the connection's TLS and
// user flags.
func EvaluateFleetFor(v *ClusterView, t CommandTarget) Checklist {
	out := runRules(v, fleetRules, func(r rule[*ClusterView]) (Check, bool) {
		if v != nil && len(v.Nodes) > 0 {
			return Check{}, false
		}
		return unknownCheck(r.topic, "no poll of the servers yet", "Wait for the first poll.", "redis-cli INFO memory"), true
	})
	out = gateWrites(out, serverAbility{})
	out = t.Apply(out)
	sortWorstFirst(out)
	return out
}

func ruleFleetUnreachable(v *ClusterView) Check {
	var ev, names []string
	for i := range v.Nodes {
		if n := &v.Nodes[i]; n.Err != "" || n.Sample == nil {
			why := n.Err
			if why == "" {
				why = "no answer yet"
			}
			ev = append(ev, n.Addr+": "+why)
			names = append(names, n.Addr)
		}
	}
	if len(names) == 0 {
		return Check{Status: StatusOK, Title: fmt.Sprintf("All %d servers answer", len(v.Nodes))}
	}
	return Check{
		Status:   StatusCrit,
		Title:    "Not answering: " + strings.Join(names, ", "),
		Evidence: ev,
		Advice:   "Nothing is known of these servers' memory. Check that they run and that this host reaches them; the drill-in view keeps retrying.",
		Commands: nodeCommands(names, "PING"),
	}
}

// fleetFindings grades every server that answered: judge returns its
// status and evidence line, and whether it had the figures at all. The
// result is the worst status, the evidence and names of the servers not ok,
// and how many servers could be judged.
func fleetFindings(v *ClusterView, judge func(s *Sample) (Status, string, bool)) (worst Status, ev, names []string, known int) {
	worst = StatusOK
	for i := range v.Nodes {
		n := &v.Nodes[i]
		if n.Sample == nil || n.Err != "" {
			continue
		}
		st, line, ok := judge(n.Sample)
		if !ok {
			continue
		}
		known++
		if st != StatusOK {
			ev = append(ev, n.Addr+": "+line)
			names = append(names, n.Addr)
			worst = worse(worst, st)
		}
	}
	return worst, ev, names, known
}

func ruleFleetHeadroom(v *ClusterView) Check {
	worst, ev, names, known := fleetFindings(v, func(s *Sample) (Status, string, bool) {
		u, ok1 := s.Memory.UsedMemory.Get()
		mx, ok2 := s.Memory.MaxMemory.Get()
		if !ok1 || !ok2 {
			return StatusOK, "", false
		}
		if mx <= 0 {
			return StatusOK, "", true
		}
		frac := u / mx
		line := fmt.Sprintf("used %s of maxmemory %s (%.1f%%)", Bytes(u), Bytes(mx), frac*100)
		switch {
		case frac >= ThresholdHeadroomWarn:
			return StatusWarn, line, true
		case frac >= ThresholdHeadroomWatch:
			return StatusWatch, line, true
		}
		return StatusOK, line, true
	})
	if known == 0 {
		return unknownCheck("Headroom", "no server reported used_memory and maxmemory", "Wait for a poll that answers.", "redis-cli INFO memory")
	}
	if worst == StatusOK {
		return Check{Status: StatusOK, Title: "Every server with a maxmemory has headroom"}
	}
	return Check{
		Status:   worst,
		Title:    "Near maxmemory: " + strings.Join(names, ", "),
		Evidence: ev,
		Advice:   "At maxmemory these servers evict or, under noeviction, refuse writes. Open each one (enter) for its own checklist.",
		Commands: nodeCommands(names, "INFO memory", "CONFIG GET 'maxmemory*'"),
	}
}

func ruleFleetFragmentation(v *ClusterView) Check {
	worst, ev, names, known := fleetFindings(v, func(s *Sample) (Status, string, bool) {
		f, ok1 := s.Memory.MemFragmentationRatio.Get()
		u, ok2 := s.Memory.UsedMemory.Get()
		if !ok1 || !ok2 {
			return StatusOK, "", false
		}
		line := fmt.Sprintf("fragmentation %.2f, used %s", f, Bytes(u))
		switch {
		case u < ThresholdSmallDataset:
			return StatusOK, line, true
		case f >= ThresholdFragCrit:
			return StatusCrit, line, true
		case f >= ThresholdFragWarn:
			return StatusWarn, line, true
		}
		return StatusOK, line, true
	})
	if known == 0 {
		return unknownCheck("Fragmentation", "no server reported mem_fragmentation_ratio", "Wait for a poll that answers.", "redis-cli INFO memory")
	}
	if worst == StatusOK {
		return Check{Status: StatusOK, Title: "No server fragments badly"}
	}
	return Check{
		Status:   worst,
		Title:    "Fragmenting: " + strings.Join(names, ", "),
		Evidence: ev,
		Advice:   "RSS well beyond the data: open the server (enter) to see its fragmentation layers and the cure.",
		Commands: nodeCommands(names, "MEMORY DOCTOR"),
	}
}
