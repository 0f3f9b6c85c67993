package model

import (
	"fmt"
	"sort"
	"strings"
)

// Cluster check ids.
const (
	CheckClusterMemoryBalance = "cluster-memory-balance"
	CheckClusterFragOutlier   = "cluster-frag-outlier"
	CheckClusterMigration     = "cluster-migration"
	CheckClusterReplicas      = "cluster-replicas"
	CheckClusterUnreachable   = "cluster-unreachable"
)

// ClusterInputs are what the cluster rules read: the recent views, oldest
// first (the newest is judged; older ones tell how long a migration lasts).
type ClusterInputs struct {
	Views []ClusterView
	// CommandTarget is the connection the commands use (the seed's): its
	// TLS and user flags, and its address for a command that names no
	// node. Zero leaves the commands as the rules write them.
	CommandTarget CommandTarget
}

// newest is the view the cluster rules judge.
func (in ClusterInputs) newest() *ClusterView { return &in.Views[len(in.Views)-1] }

// clusterTopic heads the title of every cluster check while there is no
// view of the cluster to judge.
const clusterTopic = "Cluster"

// clusterRules are the checks of a whole cluster, in the order of the
// cluster pane; each node's own checks are the server rules, one enter away.
var clusterRules = []rule[ClusterInputs]{
	{CheckClusterMemoryBalance, clusterTopic, PaneNone, func(in ClusterInputs) Check { return ruleClusterMemoryBalance(in.newest()) }},
	{CheckClusterFragOutlier, clusterTopic, PaneNone, func(in ClusterInputs) Check { return ruleClusterFragOutlier(in.newest()) }},
	{CheckClusterMigration, clusterTopic, PaneNone, func(in ClusterInputs) Check { return ruleClusterMigration(in.Views) }},
	{CheckClusterReplicas, clusterTopic, PaneNone, func(in ClusterInputs) Check { return ruleClusterReplicas(in.newest()) }},
	{CheckClusterUnreachable, clusterTopic, PaneNone, func(in ClusterInputs) Check { return ruleClusterUnreachable(in.newest()) }},
}

// EvaluateCluster runs the cluster rules and returns them worst first.
func EvaluateCluster(in ClusterInputs) Checklist {
	out := runRules(in, clusterRules, func(r rule[ClusterInputs]) (Check, bool) {
		if len(in.Views) > 0 {
			return Check{}, false
		}
		return unknownCheck(r.topic, "no view of the cluster yet", "Wait for the first poll of every node.", "redis-cli CLUSTER SHARDS"), true
	})
	out = gateWrites(out, serverAbility{})
	out = in.CommandTarget.Apply(out)
	sortWorstFirst(out)
	return out
}

func ruleClusterMemoryBalance(v *ClusterView) Check {
	im := v.Imbalance()
	ratio, ok := im.UsedRatio.Get()
	if !ok {
		return unknownCheck("Memory balance", "fewer than two masters answered with used_memory", "Check the unreachable nodes first.", ClusterCommand("info", "", ""))
	}
	hi, _ := im.LargestUsed.Value.Get()
	lo, _ := im.SmallestUsed.Value.Get()
	ev := []string{
		fmt.Sprintf("largest master %s: used_memory %s", im.LargestUsed.Addr, Bytes(hi)),
		fmt.Sprintf("smallest master %s: used_memory %s", im.SmallestUsed.Addr, Bytes(lo)),
		fmt.Sprintf("ratio %.2f (watch ≥ %.1f, warn ≥ %.1f; differences under %s ignored)", ratio, ThresholdClusterUsedRatioWatch, ThresholdClusterUsedRatioWarn, Bytes(ThresholdClusterImbalanceMinBytes)),
	}
	if k, ok := im.KeysRatio.Get(); ok {
		mk, _ := im.MostKeys.Value.Get()
		fk, _ := im.FewestKeys.Value.Get()
		ev = append(ev, fmt.Sprintf("keys: %s on %s vs %s on %s (ratio %.2f)", Count(mk), im.MostKeys.Addr, Count(fk), im.FewestKeys.Addr, k))
	}
	ch := Check{Evidence: ev}
	switch {
	case ratio < ThresholdClusterUsedRatioWatch:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Masters hold similar memory (largest / smallest %.2f)", ratio)
		return ch
	case hi-lo < ThresholdClusterImbalanceMinBytes:
		ch.Status = StatusOK
		ch.Title = fmt.Sprintf("Masters differ by only %s (ratio %.2f): per-node overhead, not data", Bytes(hi-lo), ratio)
		return ch
	case ratio >= ThresholdClusterUsedRatioWarn:
		ch.Status = StatusWarn
	default:
		ch.Status = StatusWatch
	}
	ch.Title = fmt.Sprintf("Uneven memory across masters: %s holds %.1f× the memory of %s (%s vs %s)",
		im.LargestUsed.Addr, ratio, im.SmallestUsed.Addr, Bytes(hi), Bytes(lo))
	ch.Advice = "The largest master reaches maxmemory (or the host's RAM) first, while the cluster as a whole looks half empty. " +
		"Compare keys per master: if the key counts are even, a few big keys live there (scan that node); if they are uneven, a hash tag ({…}) " +
		"puts too many keys in one slot, or the slots are unevenly assigned — rebalance or change the key design."
	ch.Commands = []string{
		ClusterCommand("info", im.LargestUsed.Addr, ""),
		ClusterCommand("rebalance", im.LargestUsed.Addr, "--cluster-simulate"),
		NodeCommand(im.LargestUsed.Addr, "--bigkeys"),
	}
	return ch
}

func ruleClusterFragOutlier(v *ClusterView) Check {
	type fr struct {
		n    *ClusterNode
		f    float64
		used float64
	}
	var all []fr
	for i := range v.Nodes {
		n := &v.Nodes[i]
		if n.Err != "" || n.Sample == nil {
			continue
		}
		f, ok1 := n.Sample.Memory.MemFragmentationRatio.Get()
		u, ok2 := n.Sample.Memory.UsedMemory.Get()
		if ok1 && ok2 {
			all = append(all, fr{n, f, u})
		}
	}
	if len(all) < 2 {
		return unknownCheck("Fragmentation across nodes", "fewer than two nodes answered with mem_fragmentation_ratio", "Check the unreachable nodes first.")
	}
	var outliers, outlierAddrs []string
	worst := StatusOK
	var ev []string
	for i, a := range all {
		peers := make([]float64, 0, len(all)-1)
		for j, b := range all {
			if j != i {
				peers = append(peers, b.f)
			}
		}
		sort.Float64s(peers)
		med := peers[len(peers)/2]
		if len(peers)%2 == 0 {
			med = (peers[len(peers)/2-1] + peers[len(peers)/2]) / 2
		}
		ev = append(ev, fmt.Sprintf("%s (%s): ratio %.2f, used %s, peers' median %.2f", a.n.Addr, a.n.Role, a.f, Bytes(a.used), med))
		if a.f >= ThresholdFragWarn && a.f-med >= ThresholdClusterFragOutlierGap && a.used >= ThresholdSmallDataset && med < ThresholdFragWarn {
			outliers = append(outliers, fmt.Sprintf("%s %.2f", a.n.Addr, a.f))
			outlierAddrs = append(outlierAddrs, a.n.Addr)
			worst = worse(worst, StatusWarn)
		}
	}
	ch := Check{Status: worst, Evidence: ev}
	if worst == StatusOK {
		ch.Title = "No node fragments much more than its peers"
		return ch
	}
	ch.Title = "Fragmenting while the peers do not: " + strings.Join(outliers, ", ")
	ch.Advice = "One node's RSS grew far above its data while the others did not: its history differs (a big delete, a resharding away from it, a workload only its slots see). " +
		"Look at that node's own fragmentation pane; activedefrag or a failover to its replica (which loads a compact copy) fixes it without touching the peers."
	for _, addr := range outlierAddrs {
		ch.Commands = append(ch.Commands, NodeCommand(addr, "INFO memory"), NodeCommand(addr, "MEMORY DOCTOR"))
	}
	return ch
}

func ruleClusterMigration(views []ClusterView) Check {
	last := &views[len(views)-1]
	migs := last.Migrations()
	if len(migs) == 0 {
		return Check{Status: StatusOK, Title: "No slot in migration", Evidence: []string{"no node reports MIGRATING or IMPORTING slots"}}
	}
	ch := Check{Status: StatusWatch}
	stuck := 0
	for _, m := range migs {
		n := 0
		for i := len(views) - 1; i >= 0; i-- {
			if !hasMigration(&views[i], m.Key()) {
				break
			}
			n++
		}
		line := fmt.Sprintf("slot %d: %s → %s, seen in %d consecutive poll(s)", m.Slot, m.FromAddr, m.ToAddr, n)
		if n >= ThresholdClusterMigrationStuckViews {
			stuck++
			line += " — stuck"
		}
		ch.Evidence = append(ch.Evidence, line)
	}
	ch.Commands = []string{ClusterCommand("check", migs[0].FromAddr, ""), ClusterCommand("fix", migs[0].FromAddr, "  # only once no resharding is running")}
	if stuck > 0 {
		ch.Status = StatusWarn
		ch.Title = fmt.Sprintf("%d slot(s) stuck in migration for %d polls or more", stuck, ThresholdClusterMigrationStuckViews)
		ch.Advice = "A resharding that died half-way leaves slots MIGRATING on one node and IMPORTING on another: clients get ASK redirects, " +
			"and the memory of those keys is split between the two nodes. Finish or undo it (redis-cli --cluster fix) once no resharding is running."
		return ch
	}
	ch.Title = fmt.Sprintf("%d slot(s) in migration", len(migs))
	ch.Advice = "A resharding is moving keys: memory moves from one master to another while it runs. Fine if someone is resharding now; if not, it is stuck."
	return ch
}

func hasMigration(v *ClusterView, key string) bool {
	for _, m := range v.Migrations() {
		if m.Key() == key {
			return true
		}
	}
	return false
}

func ruleClusterReplicas(v *ClusterView) Check {
	masters := v.Masters()
	if len(masters) == 0 {
		return unknownCheck("Replicas", "no master serves slots in this view", "Check the cluster state.", "redis-cli CLUSTER INFO")
	}
	var bare, ev []string
	for _, m := range masters {
		healthy := 0
		reps := v.Replicas(m.ID)
		for _, r := range reps {
			if !r.Failing() {
				healthy++
			}
		}
		ev = append(ev, fmt.Sprintf("%s: %d replica(s), %d healthy", m.Addr, len(reps), healthy))
		if healthy == 0 {
			bare = append(bare, m.Addr)
		}
	}
	ch := Check{Status: StatusOK, Evidence: ev, Title: "Every master has a healthy replica"}
	if len(bare) > 0 {
		ch.Status = StatusWarn
		ch.Title = "Master(s) without a healthy replica: " + strings.Join(bare, ", ")
		ch.Advice = "If that master fails, its slots have no copy to fail over to and the cluster stops serving them (cluster_state:fail). " +
			"After a failover the old master comes back as a replica only once it restarts; add or restart a replica."
		ch.Commands = []string{ClusterCommand("add-node", "NEW_HOST:PORT", clusterAddr(bare[0])+" --cluster-slave"), ClusterCommand("check", bare[0], "")}
	}
	return ch
}

func ruleClusterUnreachable(v *ClusterView) Check {
	worst := StatusOK
	var ev []string
	var names []string
	for i := range v.Nodes {
		n := &v.Nodes[i]
		if !n.Failing() {
			continue
		}
		why := n.Err
		if why == "" {
			why = "flags " + strings.Join(n.Flags, ",") + ", link " + n.Link
		}
		ev = append(ev, fmt.Sprintf("%s (%s): %s", n.Addr, n.Role, why))
		names = append(names, n.Addr)
		st := StatusWarn
		if n.IsMaster() && len(n.Slots) > 0 {
			st = StatusCrit
		}
		worst = worse(worst, st)
	}
	ch := Check{Status: worst, Evidence: ev}
	if worst == StatusOK {
		ch.Title = fmt.Sprintf("All %d nodes answer", len(v.Nodes))
		return ch
	}
	ch.Title = "Unreachable or failing node(s): " + strings.Join(names, ", ")
	ch.Advice = "Figures from these nodes are missing from the totals. A master with slots that is down leaves its slots unserved until a replica is promoted."
	ch.Commands = []string{"redis-cli CLUSTER NODES", ClusterCommand("check", "", "")}
	return ch
}
