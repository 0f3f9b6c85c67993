package app

import (
	"github.com/redis-memtop/redis-memtop/model"
	"github.com/redis-memtop/redis-memtop/redisx"
	"github.com/redis-memtop/redis-memtop/ui"
)

// clusterSection builds a report's cluster section from recent views
// (oldest first): the nodes table, totals, imbalance, migrations and the
// cluster checks, with each node of the latest view's own report from its
// samples and extras (nil: none read). seed is the connection the commands
// name: each node's report names that node.
func clusterSection(views []model.ClusterView, db int, seed model.CommandTarget, hist func(*model.ClusterNode) *model.History, extras func(*model.ClusterNode) *model.Extras) model.ClusterReport {
	last := views[len(views)-1]
	reports := make([]model.Report, 0, len(last.Nodes))
	for i := range last.Nodes {
		n := &last.Nodes[i]
		reports = append(reports, model.BuildReport(model.ReportInput{
			Now:           last.Time,
			Target:        model.ReportTarget{Addr: n.Addr, DB: db, Mode: redisx.ModeCluster},
			Hist:          historyOr(hist(n)),
			Extras:        extras(n),
			CommandTarget: seed.ForNode(n.Addr),
		}))
	}
	return model.BuildClusterReport(model.ClusterReportInput{Views: views, NodeReports: reports, CommandTarget: seed})
}

// clusterExporter makes x on the cluster overview write what `report -c`
// writes, from what the overview holds: the seed node's report, the cluster
// section with every node's own report from its recent samples and extras,
// and the merged big keys.
func clusterExporter(seed redisx.Options) *ui.MultiExporter {
	return &ui.MultiExporter{
		Build: func(s ui.MultiSnapshot) model.Report {
			last := s.Views[len(s.Views)-1]
			var seedID string
			for i := range last.Nodes {
				if last.Nodes[i].Addr == seed.Addr {
					seedID = last.Nodes[i].ID
				}
			}
			cr := clusterSection(s.Views, seed.DB, seed.CommandTarget(),
				func(n *model.ClusterNode) *model.History { return s.Hists[n.ID] },
				func(n *model.ClusterNode) *model.Extras { return s.Extras[n.ID] })
			rep := model.BuildReport(model.ReportInput{
				Now:           last.Time,
				Target:        model.ReportTarget{Addr: seed.Redacted(), DB: seed.DB, Mode: redisx.ModeCluster},
				Hist:          historyOr(s.Hists[seedID]),
				Extras:        s.Extras[seedID],
				CommandTarget: seed.CommandTarget(),
			})
			rep.Cluster = &cr
			if s.Scan != nil && (s.Scan.Result != nil || s.Scan.Prev != nil) {
				bk := s.Scan.Report()
				rep.BigKeys = &bk
			}
			rep.Notes = append(rep.Notes, "exported from the cluster overview: the cluster section covers every node; the figures above are the seed node's")
			return rep
		},
		Write: func(rep model.Report) (string, error) { return WriteReportFiles(".", rep) },
	}
}
