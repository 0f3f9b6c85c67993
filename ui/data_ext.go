package ui

import "github.com/redis-memtop/redis-memtop/model"

// DataExt holds the data of the panes added through Options.ExtraPanes (the
// big-key scan, the checklist). It is embedded in Data, so its fields read as
// d.Scan, d.Checklist.
//
// To add data: declare the field here, fill it in foldExt (from a
// model.Update) or from a pane's HandleMsg (MsgHandler: it receives the live
// *Data), and make snapshot deep-copy anything that is later changed in
// place, so a frozen display really stays frozen.
type DataExt struct {
	// Checklist is the latest verdict and checklist, evaluated from this
	// Data whenever a sample, extras or new scan results arrive; nil before
	// the first.
	Checklist *model.Diagnosis
	// Scan is the big-key scan as the pane shows it: the latest progress and
	// aggregation snapshots (immutable; a new ScanState value replaces the
	// old one on every update, so a frozen display keeps its own). Nil
	// until the worker sends its first update.
	Scan *model.ScanState
	// EvidenceSaved is true once a report was exported in this session: the
	// evidence check then turns ok. Set it with MarkEvidenceSaved.
	EvidenceSaved bool
	// Commands is the server the checklist's commands must name (zero:
	// they stay as the rules write them, as in a replay).
	Commands model.CommandTarget
	// Prometheus is the latest word of the history store (--prometheus):
	// the status bar's one line about it; nil without one.
	Prometheus *model.Backfill
}

// foldExt folds the parts of an update the core panes do not read. The root
// calls it for every model.Update, after it has folded the core fields
// (d.Now, d.Hist … are already current).
func (d *Data) foldExt(u model.Update) {
	if u.Scan != nil {
		d.foldScan(u.Scan)
	}
	if u.Watch != nil {
		var next model.ScanState
		if d.Scan != nil {
			next = *d.Scan
		}
		next.ApplyWatch(u.Watch)
		d.Scan = &next
	}
	scanChanged := u.Scan != nil && (u.Scan.Result != nil || u.Scan.Prev != nil) || u.Watch != nil
	if u.Backfill != nil {
		d.foldBackfill(u.Backfill)
	}
	if u.Sample != nil || u.Extras != nil || scanChanged || u.Backfill != nil && len(u.Backfill.Samples) > 0 {
		d.rediagnose()
	}
}

// foldScan applies a scan update: a new ScanState each time, so a frozen
// display keeps its own. The overview folds its merged scan with it too.
func (d *Data) foldScan(u *model.ScanUpdate) {
	var next model.ScanState
	if d.Scan != nil {
		next = *d.Scan
	}
	next.Apply(u)
	d.Scan = &next
}

// rediagnose evaluates the verdict and the checklist from the data.
func (d *Data) rediagnose() {
	dg := model.Diagnose(checklistInputs(d))
	d.Checklist = &dg
}

// MarkEvidenceSaved records that a report was written (the `x` export and
// the report command call it), so the evidence check turns ok at once.
func (d *Data) MarkEvidenceSaved() {
	d.EvidenceSaved = true
	d.rediagnose()
}

// snapshot returns the copy of the extension data a frozen display keeps.
func (e DataExt) snapshot() DataExt {
	return e
}
