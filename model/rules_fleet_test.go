package model

import (
	"strings"
	"testing"
)

// fleetView is independent servers: used MiB, maxmemory MiB (0: none), frag.
func fleetView(servers ...[3]float64) ClusterView {
	v := ClusterView{}
	for i, s := range servers {
		addr := "10.0.2." + string(rune('a'+i)) + ":6379"
		n := cnode(addr, addr, ClusterRoleMaster, "", nil, s[0], s[2], 100)
		n.Sample.Memory.MaxMemory = Some(s[1] * tMiB)
		v.Nodes = append(v.Nodes, n)
	}
	return v
}

func fleetCheck(t *testing.T, cl Checklist, id string) Check {
	t.Helper()
	for _, c := range cl {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in %v", id, cl)
	return Check{}
}

func TestEvaluateFleet(t *testing.T) {
	cases := []struct {
		name   string
		v      func() ClusterView
		id     string
		status Status
		names  string // in the title
	}{
		{"all fine", func() ClusterView { return fleetView([3]float64{100, 1000, 1.1}, [3]float64{50, 0, 1.2}) }, CheckFleetHeadroom, StatusOK, ""},
		{"one near maxmemory", func() ClusterView { return fleetView([3]float64{90, 100, 1.1}, [3]float64{50, 100, 1.2}) }, CheckFleetHeadroom, StatusWarn, "10.0.2.a"},
		{"one at 80 %", func() ClusterView { return fleetView([3]float64{80, 100, 1.1}) }, CheckFleetHeadroom, StatusWatch, "10.0.2.a"},
		{"no maxmemory anywhere", func() ClusterView { return fleetView([3]float64{80, 0, 1.1}) }, CheckFleetHeadroom, StatusOK, ""},
		{"fragmenting", func() ClusterView { return fleetView([3]float64{100, 0, 1.1}, [3]float64{100, 0, 1.7}) }, CheckFleetFragmentation, StatusWarn, "10.0.2.b"},
		{"badly fragmenting", func() ClusterView { return fleetView([3]float64{100, 0, 2.5}) }, CheckFleetFragmentation, StatusCrit, "10.0.2.a"},
		{"small dataset does not count", func() ClusterView { return fleetView([3]float64{1, 0, 9}) }, CheckFleetFragmentation, StatusOK, ""},
		{"one not answering", func() ClusterView {
			v := fleetView([3]float64{100, 0, 1.1}, [3]float64{100, 0, 1.1})
			v.Nodes[1].Sample, v.Nodes[1].Err = nil, "connection refused"
			return v
		}, CheckFleetUnreachable, StatusCrit, "10.0.2.b"},
		{"nobody answers: headroom unknown", func() ClusterView {
			v := fleetView([3]float64{100, 0, 1.1})
			v.Nodes[0].Sample, v.Nodes[0].Err = nil, "i/o timeout"
			return v
		}, CheckFleetHeadroom, StatusUnknown, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := tc.v()
			cl := EvaluateFleet(&v)
			if len(cl) != 3 {
				t.Fatalf("%d checks", len(cl))
			}
			for i := 1; i < len(cl); i++ {
				if cl[i].Status.Rank() > cl[i-1].Status.Rank() {
					t.Errorf("not worst first: %v", cl)
				}
			}
			ch := fleetCheck(t, cl, tc.id)
			if ch.Status != tc.status || !strings.Contains(ch.Title, tc.names) {
				t.Errorf("%s: %s %q, want %s naming %q", tc.id, ch.Status, ch.Title, tc.status, tc.names)
			}
			if ch.Status == StatusUnknown && ch.Reason == "" {
				t.Error("unknown without a reason")
			}
			if ch.Status != StatusOK && ch.Status != StatusUnknown && (len(ch.Evidence) == 0 || len(ch.Commands) == 0) {
				t.Errorf("a finding without evidence or commands: %+v", ch)
			}
		})
	}
	if cl := EvaluateFleet(nil); len(cl) != 3 || cl[0].Status != StatusUnknown {
		t.Errorf("no view: %v", cl)
	}
}
