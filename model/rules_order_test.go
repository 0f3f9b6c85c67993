package model

import (
	"slices"
	"strings"
	"testing"
)

func ids(cl Checklist) string {
	out := make([]string, 0, len(cl))
	for _, c := range cl {
		out = append(out, c.ID+"="+string(c.Status))
	}
	return strings.Join(out, " ")
}

// worstFirst reports whether cl is in the one checklist order.
func worstFirst(cl Checklist) bool {
	return slices.IsSortedFunc(cl, func(a, b Check) int { return cmpWorstFirst(a.Status, b.Status) })
}

func TestSortWorstFirst(t *testing.T) {
	cases := []struct {
		name string
		in   Checklist
		want string
	}{
		{"empty", Checklist{}, ""},
		{"ranks: crit, warn, watch, unknown, ok", Checklist{
			{ID: "a", Status: StatusOK},
			{ID: "b", Status: StatusUnknown},
			{ID: "c", Status: StatusWatch},
			{ID: "d", Status: StatusWarn},
			{ID: "e", Status: StatusCrit},
		}, "e=crit d=warn c=watch b=unknown a=ok"},
		{"table order kept among equals", Checklist{
			{ID: "a", Status: StatusWarn},
			{ID: "b", Status: StatusOK},
			{ID: "c", Status: StatusWarn},
			{ID: "d", Status: StatusOK},
			{ID: "e", Status: StatusWarn},
		}, "a=warn c=warn e=warn b=ok d=ok"},
		{"already sorted stays", Checklist{
			{ID: "a", Status: StatusCrit}, {ID: "b", Status: StatusCrit}, {ID: "c", Status: StatusOK},
		}, "a=crit b=crit c=ok"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cl := slices.Clone(tc.in)
			sortWorstFirst(cl)
			if got := ids(cl); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// Every checklist — a server's, a cluster's, a fleet's, the one a report
// states — comes out in the one order, with ids and non-null lists.
func TestEveryChecklistIsWorstFirst(t *testing.T) {
	bad := seriesOf(30, 10, func(i int, s *Sample) {
		s.Memory.UsedMemory = Some(float64(900+i) * mb)
		s.Memory.MemFragmentationRatio = Some(2.5)
		s.Memory.UsedMemoryRSS = Some(float64(2000+i) * mb)
		s.Persistence.RDBLastBgsaveStatus = "err"
	})
	fleet := fleetView([3]float64{90, 100, 1.1}, [3]float64{100, 0, 2.5}, [3]float64{10, 0, 1.0})
	fleet.Nodes[2].Sample, fleet.Nodes[2].Err = nil, "connection refused"
	cv := cview(300, 100, 100, 10, 10, 10)
	cv.Nodes[1].Sample, cv.Nodes[1].Err = nil, "i/o timeout"
	report := Diagnose(inputsOf(bad))
	lists := map[string]Checklist{
		"server":             Evaluate(inputsOf(bad)),
		"server, no sample":  Evaluate(Inputs{Hist: NewHistory(4)}),
		"server, healthy":    Evaluate(inputsOf(seriesOf(30, 10, nil))),
		"cluster":            EvaluateCluster(ClusterInputs{Views: []ClusterView{cv}}),
		"cluster, no view":   EvaluateCluster(ClusterInputs{}),
		"fleet":              EvaluateFleet(&fleet),
		"fleet, no poll":     EvaluateFleet(nil),
		"report of a server": report.WithEvidenceSaved().Checks,
	}
	for name, cl := range lists {
		if len(cl) == 0 {
			t.Errorf("%s: empty checklist", name)
			continue
		}
		// The findings are worst first; the evidence reminder, when there
		// is one, comes after them in a place of its own.
		if !worstFirst(cl.Findings()) {
			t.Errorf("%s: not worst first: %s", name, ids(cl))
		}
		if _, ok := cl.Reminder(); ok && cl[len(cl)-1].ID != CheckEvidence {
			t.Errorf("%s: the evidence reminder is not last: %s", name, ids(cl))
		}
		for _, c := range cl {
			if c.ID == "" || c.Evidence == nil || c.Commands == nil {
				t.Errorf("%s: check without id or with null lists: %+v", name, c)
			}
		}
	}
	if w := lists["server"].Worst(); w != StatusCrit {
		t.Errorf("the bad server's worst is %s, want crit: %s", w, ids(lists["server"]))
	}
}

func TestWithEvidenceSaved(t *testing.T) {
	cases := []struct {
		name string
		in   Inputs
	}{
		{"problems, nothing saved yet", inputsOf(seriesOf(30, 10, func(_ int, s *Sample) { s.Persistence.RDBLastBgsaveStatus = "err" }))},
		{"healthy, nothing saved yet", inputsOf(seriesOf(30, 10, nil))},
		{"saved earlier in the session", func() Inputs {
			in := inputsOf(seriesOf(30, 10, nil))
			in.EvidenceSaved = true
			return in
		}()},
		{"no sample yet", Inputs{Hist: NewHistory(4)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := Diagnose(tc.in)
			before := ids(d.Checks)
			got := d.WithEvidenceSaved()
			if ids(d.Checks) != before {
				t.Error("the UI's own diagnosis was changed")
			}
			ev, ok := got.Checks.Find(CheckEvidence)
			if !ok || ev.Status != StatusOK || ev.Title != "Evidence saved: this report" || len(ev.Evidence) == 0 || ev.Advice == "" || len(ev.Commands) == 0 {
				t.Errorf("evidence check %+v", ev)
			}
			if len(got.Checks) != len(d.Checks) || got.Time != d.Time || got.Verdict.Summary != d.Verdict.Summary {
				t.Errorf("only the evidence check may change: %s", ids(got.Checks))
			}
			// The place evaluate gives a saved evidence check: the same
			// order as a session that had saved.
			in := tc.in
			in.EvidenceSaved = true
			if want := ids(Evaluate(in)); ids(got.Checks) != want {
				t.Errorf("order\n got  %s\n want %s", ids(got.Checks), want)
			}
		})
	}
	var nothing *Diagnosis
	if nothing.WithEvidenceSaved() != nil {
		t.Error("nil in, nil out")
	}
	// A diagnosis without an evidence check gains none.
	d := &Diagnosis{Checks: Checklist{{ID: CheckPeak, Status: StatusOK}, {ID: CheckHeadroom, Status: StatusCrit}}}
	if got := d.WithEvidenceSaved(); ids(got.Checks) != "headroom=crit peak=ok" {
		t.Errorf("got %s", ids(got.Checks))
	}
}
