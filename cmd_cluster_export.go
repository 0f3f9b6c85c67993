package main

import (
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// clusterExporter makes x on the cluster overview write what `report -c`
// writes, from what the overview holds: the seed node's report, the cluster
// section (nodes table, totals, imbalance, migrations, cluster checks over
// the recent views) with every node's own report from its recent samples
// and extras, and the merged big keys.
func clusterExporter(seed redisx.Options) *ui.MultiExporter {
	return &ui.MultiExporter{
		Build: func(s ui.MultiSnapshot) model.Report {
			last := s.Views[len(s.Views)-1]
			reports := make([]model.Report, 0, len(last.Nodes))
			var seedID string
			for i := range last.Nodes {
				n := &last.Nodes[i]
				if n.Addr == seed.Addr {
					seedID = n.ID
				}
				reports = append(reports, model.BuildReport(model.ReportInput{
					Now:    last.Time,
					Target: model.ReportTarget{Addr: n.Addr, DB: seed.DB, Mode: redisx.ModeCluster},
					Hist:   histOr(s.Hists[n.ID]),
					Extras: s.Extras[n.ID],
				}))
			}
			cr := model.BuildClusterReport(model.ClusterReportInput{Views: s.Views, NodeReports: reports})
			rep := model.BuildReport(model.ReportInput{
				Now:    last.Time,
				Target: model.ReportTarget{Addr: seed.Redacted(), DB: seed.DB, Mode: redisx.ModeCluster},
				Hist:   histOr(s.Hists[seedID]),
				Extras: s.Extras[seedID],
			})
			rep.Cluster = &cr
			if s.Scan != nil && (s.Scan.Result != nil || s.Scan.Prev != nil) {
				bk := s.Scan.Report()
				rep.BigKeys = &bk
			}
			rep.Notes = append(rep.Notes, "exported from the cluster overview: the cluster section covers every node; the figures above are the seed node's")
			return rep
		},
		Write: func(rep model.Report) (string, error) { return writeReportFiles(".", rep) },
	}
}

// histOr is h, or an empty history (a node seen for the first time).
func histOr(h *model.History) *model.History {
	if h == nil {
		return model.NewHistory(1)
	}
	return h
}
