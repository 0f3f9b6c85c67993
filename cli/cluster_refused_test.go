package cli

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/redis-memtop/redis-memtop/internal/redistest"
)

// A cluster-mode server that refuses CLUSTER (renamed here; an ACL or a
// proxy does the same): degrade, don't exit. The report covers the node
// reached and says why the cluster part is missing; the monitor shows the
// node with the same reason on its caption line.
func TestClusterRefusedDegradesToTheNodeReached(t *testing.T) {
	srv := redistest.StartServer(t, "cluster-enabled yes", "cluster-config-file nodes.conf", `rename-command CLUSTER ""`)
	if v := infoMap(t, srv.Addr)["cluster_enabled"]; v != "1" {
		t.Fatalf("cluster_enabled %q: the server is not in cluster mode", v)
	}

	code, out, errOut := runCLI(t, "report", "-c", "--format", "json", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 {
		t.Fatalf("report -c exited %d: %s", code, errOut)
	}
	var rep struct {
		Target             struct{ Addr string }
		ClusterUnavailable string `json:"cluster_unavailable"`
		Cluster            *json.RawMessage
		Memory             map[string]any
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("report JSON: %v\n%s", err, out)
	}
	if rep.Cluster != nil || !strings.Contains(rep.ClusterUnavailable, "refuses the CLUSTER command") {
		t.Errorf("cluster %s, cluster_unavailable %q: want no cluster part and the reason", string(ptrOr(rep.Cluster)), rep.ClusterUnavailable)
	}
	if !strings.Contains(out, `"used_memory"`) {
		t.Errorf("the report does not cover the node reached:\n%s", out)
	}

	code, out, errOut = runCLI(t, "report", "--interval", "100ms", "redis://"+srv.Addr)
	if code != 0 || !strings.Contains(out, "- Cluster: unavailable") {
		t.Errorf("markdown report (exit %d) does not say the cluster part is unavailable:\n%s\n%s", code, out, errOut)
	}

	r := startOnPTY(t, 120, 30, "-p", strconv.Itoa(srv.Port), "--interval", "300ms")
	r.tr.waitFor(t, "cluster part unavailable, monitoring the node reached only")
	r.quit(t)
}

func ptrOr(m *json.RawMessage) []byte {
	if m == nil {
		return nil
	}
	return *m
}
