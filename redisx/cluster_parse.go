package redisx

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redis-memtop/redis-memtop/model"
)

// ClusterNodesLine is one parsed CLUSTER NODES line, with whether it is the
// answering node itself.
type ClusterNodesLine struct {
	Node   model.ClusterNode
	Myself bool
}

// ParseClusterNodes parses the CLUSTER NODES text (every Redis Cluster
// version): id, address (ip:port@cport[,hostname]), flags, master id,
// ping/pong, epoch, link state, then slots, ranges and the
// [slot->-id] (migrating) / [slot-<-id] (importing) markers the node prints
// on its own line. Lines that do not parse are an error: the caller keeps
// its previous topology.
func ParseClusterNodes(text string) ([]ClusterNodesLine, error) {
	var out []ClusterNodesLine
	for ln, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 8 {
			return nil, fmt.Errorf("redisx: CLUSTER NODES line %d: %d fields, want 8 or more", ln+1, len(f))
		}
		n := model.ClusterNode{ID: f[0], Link: f[7], Slots: []model.SlotRange{}, Flags: []string{}, Migrating: []model.SlotMove{}, Importing: []model.SlotMove{}}
		n.Addr = nodesAddr(f[1])
		myself := false
		for _, fl := range strings.Split(f[2], ",") {
			switch fl {
			case "myself":
				myself = true
			case "master":
				n.Role = model.ClusterRoleMaster
			case "slave", "replica":
				n.Role = model.ClusterRoleReplica
			case "", "noflags":
			default:
				n.Flags = append(n.Flags, fl)
			}
		}
		if f[3] != "-" {
			n.MasterOf = f[3]
		}
		for _, s := range f[8:] {
			if err := parseSlotField(&n, s); err != nil {
				return nil, fmt.Errorf("redisx: CLUSTER NODES line %d: %w", ln+1, err)
			}
		}
		out = append(out, ClusterNodesLine{Node: n, Myself: myself})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("redisx: CLUSTER NODES: no node")
	}
	return out, nil
}

// nodesAddr turns "ip:port@cport[,hostname]" into "ip:port"; "" for a node
// without an address (":0@0").
func nodesAddr(s string) string {
	s, _, _ = strings.Cut(s, ",")
	s, _, _ = strings.Cut(s, "@")
	host, port, err := net.SplitHostPort(s)
	if err != nil || host == "" || port == "0" {
		return ""
	}
	return net.JoinHostPort(host, port)
}

func parseSlotField(n *model.ClusterNode, s string) error {
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return parseSlotMove(n, s)
	}
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.Atoi(a)
	if err != nil {
		return fmt.Errorf("bad slot %q", s)
	}
	hi := lo
	if isRange {
		if hi, err = strconv.Atoi(b); err != nil {
			return fmt.Errorf("bad slot range %q", s)
		}
	}
	if lo < 0 || hi < lo || hi >= model.ClusterSlots {
		return fmt.Errorf("slot range %q out of bounds", s)
	}
	n.Slots = append(n.Slots, model.SlotRange{Start: lo, End: hi})
	return nil
}

// parseSlotMove parses [slot->-peer] (migrating) or [slot-<-peer] (importing).
func parseSlotMove(n *model.ClusterNode, s string) error {
	in := s[1 : len(s)-1]
	sep, dst := "->-", &n.Migrating
	if strings.Contains(in, "-<-") {
		sep, dst = "-<-", &n.Importing
	}
	slot, peer, ok := strings.Cut(in, sep)
	v, err := strconv.Atoi(slot)
	if !ok || err != nil || peer == "" || v < 0 || v >= model.ClusterSlots {
		return fmt.Errorf("bad slot marker %q", s)
	}
	*dst = append(*dst, model.SlotMove{Slot: v, Peer: peer})
	return nil
}

// NodesFromShards turns a CLUSTER SHARDS reply (7.0+) into nodes: each
// shard's slots go to its master, replicas point at it, health is the link.
// tls picks tls-port where the node has one.
func NodesFromShards(shards []redis.ClusterShard, tls bool) []model.ClusterNode {
	var out []model.ClusterNode
	for _, sh := range shards {
		var slots []model.SlotRange
		for _, r := range sh.Slots {
			slots = append(slots, model.SlotRange{Start: int(r.Start), End: int(r.End)})
		}
		masterID := ""
		for _, nd := range sh.Nodes {
			if nd.Role == model.ClusterRoleMaster {
				masterID = nd.ID
			}
		}
		for _, nd := range sh.Nodes {
			n := model.ClusterNode{ID: nd.ID, Role: nd.Role, Link: nd.Health, Slots: []model.SlotRange{}, Flags: []string{}, Migrating: []model.SlotMove{}, Importing: []model.SlotMove{}}
			host := nd.IP
			if host == "" || host == "?" {
				host = nd.Endpoint
			}
			port := nd.Port
			if tls && nd.TLSPort > 0 || port == 0 {
				port = nd.TLSPort
			}
			if host != "" && host != "?" && port > 0 {
				n.Addr = net.JoinHostPort(host, strconv.FormatInt(port, 10))
			}
			if nd.Role == model.ClusterRoleMaster {
				n.Slots = append(n.Slots, slots...)
			} else {
				n.Role = model.ClusterRoleReplica
				n.MasterOf = masterID
			}
			if nd.Health == "failed" {
				n.Flags = append(n.Flags, "fail")
			}
			out = append(out, n)
		}
	}
	return out
}

// CrossCheckSlots makes the slots of nodes built from CLUSTER SHARDS agree
// with the same node's CLUSTER NODES: NODES lists, on every version, the
// slots each master serves, whereas SHARDS on Redis 7.2–7.4 gives an
// empty slots array to a shard whose failed old master is still known
// (redis/redis#13414), so its promoted replica would show 0 slots and the
// cluster fewer than 16384 served. A node NODES does not list keeps what
// SHARDS said; a node NODES calls a master takes that role and its slots,
// and a replica points at the master NODES names.
func CrossCheckSlots(nodes []model.ClusterNode, lines []ClusterNodesLine) {
	byID := make(map[string]model.ClusterNode, len(lines))
	for _, l := range lines {
		byID[l.Node.ID] = l.Node
	}
	for i := range nodes {
		n := &nodes[i]
		nn, ok := byID[n.ID]
		if !ok || nn.Role == "" {
			continue
		}
		n.Role = nn.Role
		if nn.IsMaster() {
			n.MasterOf = ""
			n.Slots = append([]model.SlotRange{}, nn.Slots...)
			continue
		}
		n.Slots = []model.SlotRange{}
		if nn.MasterOf != "" {
			n.MasterOf = nn.MasterOf
		}
	}
}
